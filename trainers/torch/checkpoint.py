"""Checkpoints: the model's hyper-parameters and weights, the optimiser and the epoch, written
atomically (a temporary file renamed over the old one) so a killed run leaves the last one."""
import os

import torch

from model import RNNModel


def save_checkpoint(path, model, optimizer, epoch, metrics):
    tmp = path + ".tmp"
    torch.save({"hyper": model.hyper(), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch, "metrics": metrics}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, device="cpu"):
    state = torch.load(path, map_location=device)
    h = state["hyper"]
    model = RNNModel(h["ntoken"], h["emsize"], h["nhid"], h["nlayers"], h["dropout"], h["tied"]).to(device)
    model.load_state_dict(state["model"])
    return model, state
