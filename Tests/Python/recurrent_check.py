"""PyTorch's nn.RNN, nn.LSTM and nn.GRU given swift-nn's weights, mapped as the Recurrent
layer's documentation says, against swift-nn's outputs on the same sequences.

    python recurrent_check.py FOLDER
reads FOLDER/<kind>.safetensors (inputWeight, recurrentWeight, inputBias, recurrentBias,
initialState, input, and swift-nn's outputs `sequence` and `last`) for kind in rnn, lstm, gru;
prints the largest absolute difference of each; exits 1 if one exceeds 1e-5."""
import sys

import torch
from safetensors.torch import load_file

folder = sys.argv[1]
worst_overall = 0.0
for kind, module in (("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
    t = load_file(f"{folder}/{kind}.safetensors")
    inputs, hidden = t["inputWeight"].shape[0], t["recurrentWeight"].shape[0]
    layer = module(inputs, hidden, batch_first=True)
    with torch.no_grad():
        # swift-nn keeps the weights [in, gates·hidden]; PyTorch [gates·hidden, in].
        layer.weight_ih_l0.copy_(t["inputWeight"].T)
        layer.weight_hh_l0.copy_(t["recurrentWeight"].T)
        layer.bias_ih_l0.copy_(t["inputBias"])
        layer.bias_hh_l0.copy_(t["recurrentBias"])
        batch = t["input"].shape[0]
        # The same initial state for every sample: [layers = 1, batch, hidden].
        h0 = t["initialState"][0].expand(1, batch, hidden).contiguous()
        state = (h0, t["initialState"][1].expand(1, batch, hidden).contiguous()) if kind == "lstm" else h0
        sequence, _ = layer(t["input"], state)
    differences = {
        "sequence": float((sequence - t["sequence"]).abs().max()),
        "last": float((sequence[:, -1] - t["last"]).abs().max()),
    }
    worst = max(differences.values())
    worst_overall = max(worst_overall, worst)
    print(f"{kind}: largest difference from PyTorch {worst:.3g} "
          f"(every step {differences['sequence']:.3g}, last step {differences['last']:.3g}) "
          f"over {tuple(t['input'].shape)} inputs")
sys.exit(0 if worst_overall <= 1e-5 else 1)
