"""Runs a swift-nn model's forward pass with numpy, from the .safetensors file alone.

    python forward_pass.py MODEL.safetensors '[[x11, x12, ...], [x21, ...]]'

Prints {"outputs": [[...], ...]} as JSON. Uses only the safetensors package and numpy: the
tensors give the parameters, the header's __metadata__ gives the architecture (JSON), the
input scale and the dtype. This is the check that the files are readable without swift-nn.
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
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"unknown layer {kind}")


def main():
    path, inputs = sys.argv[1], json.loads(sys.argv[2])
    with safe_open(path, framework="numpy") as handle:
        metadata = handle.metadata()
    tensors = {name: value.astype(np.float64) for name, value in load_file(path).items()}
    x = np.array(inputs, dtype=np.float64) * float(metadata.get("input_scale", "1"))
    outputs = forward(json.loads(metadata["architecture"]), "", tensors, x)
    print(json.dumps({"outputs": outputs.tolist(), "dtype": metadata["dtype"]}))


if __name__ == "__main__":
    main()
