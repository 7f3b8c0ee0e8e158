#!/usr/bin/python3
"""Load a Folio .ckpt into PyTorch and continue a prime greedily (temperature 0).

Shows that a checkpoint's weights mean the same in torch.nn.GRU: the text printed here
should equal `npm run cli -- generate --checkpoint FILE --temperature 0 --prime ...`.
Reads the safetensors layout by hand (8-byte header length, JSON header, raw tensors),
so it needs only Debian's python3-torch, not the `safetensors` package.

Usage: /usr/bin/python3 scripts/torch_greedy.py FILE.ckpt [--prime "ROMEO:"] [--length 200]
"""
import argparse
import json
import struct

import torch
import torch.nn as nn

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("checkpoint")
p.add_argument("--prime", default="\n")
p.add_argument("--length", type=int, default=200)
a = p.parse_args()

raw = open(a.checkpoint, "rb").read()
(header_len,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8 : 8 + header_len])
data = raw[8 + header_len :]
meta = header.pop("__metadata__")
config = json.loads(meta["config"])
vocab = json.loads(meta["vocab"])

# Model weights only: Adam's moments are stored under optim.* for resuming in Folio.
state = {}
for name, entry in header.items():
    if name.startswith("optim."):
        continue
    begin, end = entry["data_offsets"]
    values = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
    state[name] = values.reshape(entry["shape"])


class CharGRU(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = nn.Embedding(c["vocabSize"], c["embedSize"])
        self.gru = nn.GRU(c["embedSize"], c["hiddenSize"], num_layers=c["numLayers"], batch_first=True)
        self.head = nn.Linear(c["hiddenSize"], c["vocabSize"])


model = CharGRU(config)
model.load_state_dict(state, strict=True)  # the names and shapes must match exactly
model.eval()

index = {ch: i for i, ch in enumerate(vocab)}
ids = [index[ch] for ch in a.prime]
out = []
with torch.no_grad():
    y, h = model.gru(model.embed(torch.tensor([ids])))
    for _ in range(a.length):
        next_id = int(model.head(y[0, -1]).argmax())
        out.append(vocab[next_id])
        y, h = model.gru(model.embed(torch.tensor([[next_id]])), h)
print(a.prime + "".join(out), end="")
