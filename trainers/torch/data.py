"""Token ids written by `wordlens tokenize` (train.npy, valid.npy, vocab.json, tokens.json),
cut into the contiguous columns truncated BPTT walks down, as word_language_model does."""
import json
import os

import numpy as np
import torch


def load_tokens(folder):
    info = json.load(open(os.path.join(folder, "tokens.json"), encoding="utf-8"))
    if info.get("format") != "wordlens-tokens":
        raise SystemExit(f"{folder}/tokens.json is not `wordlens tokenize` output")
    vocab = json.load(open(os.path.join(folder, "vocab.json"), encoding="utf-8"))
    train = np.load(os.path.join(folder, "train.npy"))
    valid = np.load(os.path.join(folder, "valid.npy"))
    for name, ids in (("train", train), ("valid", valid)):
        if ids.dtype != np.int32 or ids.ndim != 1:
            raise SystemExit(f"{folder}/{name}.npy must be a 1-D int32 array")
        if len(ids) and (ids.min() < 0 or ids.max() >= len(vocab["words"])):
            raise SystemExit(f"{folder}/{name}.npy has ids outside the vocabulary of {len(vocab['words'])}")
    return info, vocab, torch.from_numpy(train.astype(np.int64)), torch.from_numpy(valid.astype(np.int64))


def batchify(ids, columns):
    """[rows, columns]: column b is ids[b*rows:(b+1)*rows] (the tail that does not fit is dropped)."""
    rows = ids.size(0) // columns
    return ids[: rows * columns].view(columns, rows).t().contiguous()


def shard_columns(data, rank, world):
    """This rank's share of the columns: every process trains on its own streams."""
    per = data.size(1) // world
    return data[:, rank * per : (rank + 1) * per]
