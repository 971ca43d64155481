#!/usr/bin/env python3
"""Half-precision reference data for Tapegrad's F16/BF16 checkpoint support, from PyTorch.

    python Scripts/half_precision_fixtures.py   # writes Tests/NNTests/Fixtures/half_precision.json
                                                #    and Tests/NNTests/Fixtures/torch_half.safetensors

The JSON holds Float32 values (hex) with PyTorch's binary16 and bfloat16 bit patterns for them
(rounded to nearest even by torch); the safetensors file, written here byte by byte, holds a
Linear(3, 2)'s weight in F16 and its bias in BF16 as PyTorch rounds them.
"""
import json
import os
import struct

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "NNTests", "Fixtures")

g = torch.Generator().manual_seed(16)
values = torch.cat([
    torch.randn(40, generator=g) * 3,
    torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 65519.0, -65519.0, 6.1e-5, 5.96e-8, 3e-8, 1e-9, 1.0009765625, 1.00048828125,
                  1.00146484375, 3.0e38, -1e20, float("inf"), float("-inf")]),
]).to(torch.float32)
f16 = values.half()
bf16 = values.bfloat16()
payload = {
    "values": [float(v).hex() for v in values.tolist()],
    "f16_bits": [int(b) for b in f16.view(torch.int16).tolist()],
    "bf16_bits": [int(b) for b in bf16.view(torch.int16).tolist()],
    "f16_values": [float(v).hex() for v in f16.float().tolist()],
    "bf16_values": [float(v).hex() for v in bf16.float().tolist()],
}
payload["f16_bits"] = [b & 0xFFFF for b in payload["f16_bits"]]
payload["bf16_bits"] = [b & 0xFFFF for b in payload["bf16_bits"]]

weight = torch.randn(2, 3, generator=g)
bias = torch.randn(2, generator=g)
w16, b16 = weight.half(), bias.bfloat16()
blobs = [("layers.0.bias", "BF16", [2], b16.view(torch.int16).numpy().tobytes()),
         ("layers.0.weight", "F16", [2, 3], w16.view(torch.int16).numpy().tobytes())]
header, offset = {}, 0
for name, dtype, shape, data in blobs:
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
header["__metadata__"] = {"producer": "torch half"}
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(FIX, "torch_half.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(d for *_, d in blobs))
payload["linear_weight"] = [float(v).hex() for v in w16.float().reshape(-1).tolist()]
payload["linear_bias"] = [float(v).hex() for v in b16.float().tolist()]
with open(os.path.join(FIX, "half_precision.json"), "w") as f:
    json.dump(payload, f, indent=0)
print("wrote half_precision.json and torch_half.safetensors:", len(values), "values")
