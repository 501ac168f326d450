"""Runs a swift-nn model's forward pass with numpy, from the .safetensors file alone.

    python forward_pass.py MODEL.safetensors '[[x11, x12, ...], [x21, ...]]'
    python forward_pass.py MODEL.safetensors @ROWS.json

Prints {"outputs": [[...], ...]} as JSON. Uses only the safetensors package and numpy: the
tensors give the parameters, the header's __metadata__ gives the architecture (JSON), the
input scale and the dtype. This is the check that the files are readable without swift-nn.

Every built-in layer, in inference mode: Dense, Softmax, Conv2D, MaxPool2D, AvgPool2D,
Flatten, Reshape, Dropout (nothing at inference), BatchNorm (running statistics), LayerNorm,
Embedding, SimpleRNN, LSTM, GRU (PyTorch's equations, the weights stored [in, gates * hidden]
and the initial state in `initialState`). Images are
channels-last ([batch, height, width, channels]); a Conv2D kernel is stored flattened as
[height * width * channels, filters] (rows in height, width, channel order: HWIO).
Padding is "valid", "same" (TensorFlow's: the extra row or column after) or a number of
zeros on every side; pooling ignores the padding (average pooling divides by the values
under the window that are in the image, PyTorch's count_include_pad=False).
"""
import json
import math
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def activation(description, z):
    kind = description["type"]
    config = description.get("configuration", {})
    if kind == "identity":
        return z
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0)
    if kind == "leaky-relu":
        return np.where(z > 0, z, config["slope"] * z)
    if kind == "softplus":
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    if kind == "gelu":
        return z * 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    raise ValueError(f"unknown activation {kind}")


def padding_amounts(padding, size, window, stride):
    """(before, after, output size) along one axis, as swift-nn's WindowGeometry computes them."""
    if padding == "valid":
        return 0, 0, (size - window) // stride + 1
    if padding == "same":
        output = -(-size // stride)
        total = max((output - 1) * stride + window - size, 0)
        return total // 2, total - total // 2, output
    amount = int(padding)
    return amount, amount, (size + 2 * amount - window) // stride + 1


def windows(x, size, stride, padding, fill):
    """The windows of x [batch, height, width, channels], padded with `fill`:
    [batch, out_h, out_w, kh, kw, channels], and the same of a mask that is 1 inside the image."""
    _, height, width, _ = x.shape
    top, bottom, out_h = padding_amounts(padding, height, size[0], stride)
    left, right, out_w = padding_amounts(padding, width, size[1], stride)
    pad = ((0, 0), (top, max(bottom, 0)), (left, max(right, 0)), (0, 0))
    padded = np.pad(x, pad, constant_values=fill)
    mask = np.pad(np.ones((1, height, width, 1)), pad, constant_values=0)

    def view(a):
        v = np.lib.stride_tricks.sliding_window_view(a, size, axis=(1, 2))  # [b, H', W', c, kh, kw]
        v = v[:, : (out_h - 1) * stride + 1 : stride, : (out_w - 1) * stride + 1 : stride]
        return np.moveaxis(v, 3, 5)  # [b, out_h, out_w, kh, kw, c]

    return view(padded), view(mask)


def images(x):
    """A batch of samples as images: [batch, height, width] gains one channel."""
    return x[..., np.newaxis] if x.ndim == 3 else x


def forward(layer, prefix, tensors, x):
    kind, config = layer["type"], layer["configuration"]
    if kind == "Sequential":
        for index, child in enumerate(config["layers"]):
            x = forward(child, f"{prefix}layers.{index}.", tensors, x)
        return x
    if kind == "Dense":
        z = x @ tensors[prefix + "weight"] + tensors[prefix + "bias"]
        return activation(config["activation"], z)
    if kind == "Softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if kind == "Conv2D":
        x = images(x)
        kh, kw, filters = config["kernel_height"], config["kernel_width"], config["filters"]
        patches, _ = windows(x, (kh, kw), config["stride"], config["padding"], 0.0)
        kernel = tensors[prefix + "weight"].reshape(kh, kw, x.shape[3], filters)
        z = np.einsum("bijklc,klcf->bijf", patches, kernel) + tensors[prefix + "bias"]
        return activation(config["activation"], z)
    if kind in ("MaxPool2D", "AvgPool2D"):
        x = images(x)
        size, stride = config["size"], config["stride"]
        if kind == "MaxPool2D":
            patches, _ = windows(x, (size, size), stride, config["padding"], -np.inf)
            return patches.max(axis=(3, 4))
        patches, inside = windows(x, (size, size), stride, config["padding"], 0.0)
        return patches.sum(axis=(3, 4)) / inside.sum(axis=(3, 4))
    if kind == "Flatten":
        return x.reshape(x.shape[0], -1)
    if kind == "Reshape":
        return x.reshape([x.shape[0]] + list(config["shape"]))
    if kind == "Dropout":
        return x
    if kind == "BatchNorm":
        mean, variance = tensors[prefix + "running_mean"], tensors[prefix + "running_var"]
        normalized = (x - mean) / np.sqrt(variance + config["epsilon"])
        return normalized * tensors[prefix + "weight"] + tensors[prefix + "bias"]
    if kind == "Embedding":
        return tensors[prefix + "weight"][x.astype(np.int64)]
    if kind in ("SimpleRNN", "LSTM", "GRU"):
        return recurrent(kind, config, prefix, tensors, x)
    if kind == "LayerNorm":
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normalized = (x - mean) / np.sqrt(variance + config["epsilon"])
        return normalized * tensors[prefix + "weight"] + tensors[prefix + "bias"]
    raise ValueError(f"unknown layer {kind}")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def recurrent(kind, config, prefix, tensors, x):
    """A recurrent layer over x [batch, time, features]: every step's h, or the last."""
    wi, wh = tensors[prefix + "inputWeight"], tensors[prefix + "recurrentWeight"]
    bi, bh = tensors[prefix + "inputBias"], tensors[prefix + "recurrentBias"]
    state, hidden = tensors[prefix + "initialState"], wh.shape[0]
    h = np.broadcast_to(state[0], (x.shape[0], hidden))
    c = np.broadcast_to(state[1], (x.shape[0], hidden)) if kind == "LSTM" else None
    steps = []
    for t in range(x.shape[1]):
        gx, gh = x[:, t] @ wi + bi, h @ wh + bh
        if kind == "SimpleRNN":
            h = np.tanh(gx + gh)
        elif kind == "LSTM":
            i, f, g, o = np.split(gx + gh, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        else:
            r = sigmoid(gx[:, :hidden] + gh[:, :hidden])
            z = sigmoid(gx[:, hidden:2 * hidden] + gh[:, hidden:2 * hidden])
            n = np.tanh(gx[:, 2 * hidden:] + r * gh[:, 2 * hidden:])
            h = (1 - z) * n + z * h
        steps.append(h)
    return np.stack(steps, axis=1) if config["return_sequences"] else h


def main():
    path, argument = sys.argv[1], sys.argv[2]
    if argument.startswith("@"):
        with open(argument[1:]) as rows:
            argument = rows.read()
    inputs = json.loads(argument)
    with safe_open(path, framework="numpy") as handle:
        metadata = handle.metadata()
    tensors = {name: value.astype(np.float64) for name, value in load_file(path).items()}
    x = np.array(inputs, dtype=np.float64) * float(metadata.get("input_scale", "1"))
    outputs = forward(json.loads(metadata["architecture"]), "", tensors, x)
    # One row per sample, as nn predict prints them (a sequence's steps one after another).
    print(json.dumps({"outputs": outputs.reshape(outputs.shape[0], -1).tolist(), "dtype": metadata["dtype"]}))


if __name__ == "__main__":
    main()
