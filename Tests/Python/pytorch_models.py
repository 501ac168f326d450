"""Builds three PyTorch networks (seeded), saves their state_dicts with
safetensors.torch.save_file, and writes 100 inputs and each network's outputs in eval mode,
for the test of `nn import --from pytorch`.

    python pytorch_models.py OUT_DIR

Writes OUT_DIR/rows.csv and rows.json (100 flattened 28×28 images in [0, 1]) and, for each
network NAME (mlp, cnn, batchnorm, flatnorm, layernorm), NAME.safetensors and NAME.outputs.json.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from torch import nn


def networks():
    torch.manual_seed(7)
    mlp = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    # The README's CNN (channels-first here; swift-nn is channels-last).
    cnn = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
    batchnorm = nn.Sequential(
        nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.Tanh(), nn.BatchNorm2d(4),
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.Flatten(), nn.Linear(4 * 7 * 7, 6), nn.BatchNorm1d(6), nn.Linear(6, 10))
    # Batch normalisation of a flattened image: its features are reordered like a Linear's columns.
    flatnorm = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.Flatten(), nn.BatchNorm1d(2 * 14 * 14), nn.Linear(2 * 14 * 14, 10))
    layernorm = nn.Sequential(nn.Linear(784, 32), nn.LayerNorm(32), nn.Linear(32, 10))
    # Running statistics and affine parameters that are not the initial ones.
    with torch.no_grad():
        for module in list(batchnorm.modules()) + list(flatnorm.modules()):
            if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
                module.num_batches_tracked.fill_(17)
        layernorm[1].weight.uniform_(0.5, 1.5)
        layernorm[1].bias.uniform_(-0.5, 0.5)
    return {"mlp": (mlp, False), "cnn": (cnn, True), "batchnorm": (batchnorm, True), "flatnorm": (flatnorm, True), "layernorm": (layernorm, False)}


def main(folder):
    os.makedirs(folder, exist_ok=True)
    generator = torch.Generator().manual_seed(11)
    rows = torch.rand(100, 784, generator=generator)
    with open(os.path.join(folder, "rows.csv"), "w") as handle:
        handle.write("\n".join(",".join(repr(float(v)) for v in row) for row in rows.tolist()))
    for name, (model, images) in networks().items():
        model.eval()
        save_file(model.state_dict(), os.path.join(folder, name + ".safetensors"))
        with torch.no_grad():
            inputs = rows.reshape(100, 1, 28, 28) if images else rows
            outputs = model(inputs).double().tolist()
        with open(os.path.join(folder, name + ".outputs.json"), "w") as handle:
            json.dump(outputs, handle)


if __name__ == "__main__":
    main(sys.argv[1])
