"""The seed's model: Embedding -> 1-2 LSTM layers -> Linear (PyTorch's word_language_model
RNNModel shape), optionally with the output layer tied to the embedding."""
import torch
import torch.nn as nn


class RNNModel(nn.Module):
    def __init__(self, ntoken, emsize, nhid, nlayers, dropout=0.2, tied=False):
        super().__init__()
        if tied and emsize != nhid:
            raise ValueError("--tied needs --emsize equal to --nhid")
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, emsize)
        self.rnn = nn.LSTM(emsize, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0)
        self.decoder = nn.Linear(nhid, ntoken)
        if tied:
            self.decoder.weight = self.encoder.weight
        self.ntoken, self.emsize, self.nhid, self.nlayers, self.tied = ntoken, emsize, nhid, nlayers, tied
        self.dropout = dropout
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if not tied:
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, x, state):
        out, state = self.rnn(self.drop(self.encoder(x)), state)
        return self.decoder(self.drop(out)), state

    def zero_state(self, batch, device):
        z = torch.zeros(self.nlayers, batch, self.nhid, device=device)
        return (z, z.clone())

    def hyper(self):
        return {"ntoken": self.ntoken, "emsize": self.emsize, "nhid": self.nhid,
                "nlayers": self.nlayers, "dropout": self.dropout, "tied": self.tied}
