"""Export a trained RNNModel as a Wordlens model folder: a TF.js layers model (model.json +
one float32 weight shard, the names Keras's converter writes), vocab.json and meta.json.

The mapping is exact. PyTorch's LSTM keeps W_ih [4H, in], W_hh [4H, H] and two bias vectors
with the gates in the order i, f, g, o; Keras/TF.js keeps kernel [in, 4H], recurrent_kernel
[H, 4H] and one bias with the gates i, f, c, o. g and c are the same gate (the tanh cell
input), so the blocks are already in Keras order: kernel = W_ih^T, recurrent_kernel = W_hh^T,
bias = b_ih + b_hh. nn.Linear's weight [V, H] is Dense's kernel transposed."""
import datetime
import json
import os
import shutil
import tempfile

import numpy as np


def keras_weights(model):
    """(name, float32 array) in layer order, named as tensorflowjs_converter names Keras weights."""
    sd = {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}
    out = [("embedding/embeddings", sd["encoder.weight"])]
    for layer in range(model.nlayers):
        name = "lstm" if layer == 0 else f"lstm_{layer}"
        out += [
            (f"{name}/lstm_cell/kernel", sd[f"rnn.weight_ih_l{layer}"].T),
            (f"{name}/lstm_cell/recurrent_kernel", sd[f"rnn.weight_hh_l{layer}"].T),
            (f"{name}/lstm_cell/bias", sd[f"rnn.bias_ih_l{layer}"] + sd[f"rnn.bias_hh_l{layer}"]),
        ]
    out += [("dense/kernel", sd["decoder.weight"].T), ("dense/bias", sd["decoder.bias"])]
    return [(n, np.ascontiguousarray(w, dtype="<f4")) for n, w in out]


def topology(model):
    layers = [{"class_name": "Embedding", "config": {
        "name": "embedding", "input_dim": model.ntoken, "output_dim": model.emsize,
        "batch_input_shape": [None, None], "dtype": "float32", "trainable": True, "mask_zero": False}}]
    for layer in range(model.nlayers):
        layers.append({"class_name": "LSTM", "config": {
            "name": "lstm" if layer == 0 else f"lstm_{layer}", "units": model.nhid,
            "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
            "unit_forget_bias": True, "return_sequences": True, "return_state": False,
            "go_backwards": False, "stateful": False, "unroll": False, "dropout": 0.0,
            "recurrent_dropout": 0.0, "trainable": True, "dtype": "float32"}})
    layers.append({"class_name": "Dense", "config": {
        "name": "dense", "units": model.ntoken, "activation": "softmax", "use_bias": True,
        "trainable": True, "dtype": "float32"}})
    return {"class_name": "Sequential", "config": {"name": "torch_rnn_model", "layers": layers},
            "keras_version": "2.15.0", "backend": "tensorflow"}


def export_folder(model, vocab, tokens_info, out_dir, metrics):
    """Write the folder beside out_dir, then swap it in: a reader sees the old folder or the new one."""
    weights = keras_weights(model)
    shard = b"".join(w.tobytes() for _, w in weights)
    model_json = {
        "format": "layers-model", "generatedBy": "trainers/torch (PyTorch)", "convertedBy": None,
        "modelTopology": topology(model),
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"],
                             "weights": [{"name": n, "shape": list(w.shape), "dtype": "float32"} for n, w in weights]}],
    }
    meta = {
        "format": "wordlens-model", "version": 1, "kind": "lstm", "tokenizer": tokens_info["tokenizer"],
        "hyper": {"vocabSize": model.ntoken, "embedDim": model.emsize, "hiddenDim": model.nhid,
                  "layers": model.nlayers, "tied": False, "dropout": model.dropout},
        "metrics": {"backend": "torch", **metrics},
        "corpus": tokens_info.get("corpus", {}),
        "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
    }
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".wordlens-export-", dir=parent)
    try:
        with open(os.path.join(tmp, "group1-shard1of1.bin"), "wb") as f:
            f.write(shard)
        with open(os.path.join(tmp, "model.json"), "w", encoding="utf-8") as f:
            json.dump(model_json, f)
        with open(os.path.join(tmp, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(vocab, f, ensure_ascii=False)
        with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2)
        old = None
        if os.path.exists(out_dir):
            old = out_dir + ".old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
