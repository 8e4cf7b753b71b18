"""Perplexity exactly as `wordlens eval --lstm-only` computes it: the ids cut into 10
columns, the state carried down each column in chunks of 35, the first token of a column not
scored, full softmax, exp of the mean negative log-likelihood."""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn

from data import batchify


def perplexity(model, ids, batch=10, bptt=35):
    batch = max(1, min(batch, ids.size(0) // 2))
    data = batchify(ids, batch)
    device = next(model.parameters()).device
    data = data.to(device)
    model.eval()
    crit = nn.CrossEntropyLoss(reduction="sum")
    total, count = 0.0, 0
    state = model.zero_state(batch, device)
    with torch.no_grad():
        for i in range(0, data.size(0) - 1, bptt):
            n = min(bptt, data.size(0) - 1 - i)
            out, state = model(data[i : i + n], state)
            total += crit(out.view(-1, model.ntoken).double(), data[i + 1 : i + 1 + n].reshape(-1)).item()
            count += n * batch
    return math.exp(total / count)


def main():
    from checkpoint import load_checkpoint

    p = argparse.ArgumentParser(description="PyTorch's own perplexity of a checkpoint on token ids (.npy)")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("ids", help="a 1-D int32 .npy of token ids (wordlens tokenize --vocab ... writes ids.npy)")
    a = p.parse_args()
    model, _ = load_checkpoint(a.checkpoint)
    ids = torch.from_numpy(np.load(a.ids).astype(np.int64))
    print(f"{perplexity(model, ids):.6f}")


if __name__ == "__main__":
    main()
