"""Safetensors interoperability fixtures for Tapegrad's checkpoints, both directions.

    python Scripts/safetensors_fixtures.py            # generate (a), then verify (b)
    python Scripts/safetensors_fixtures.py generate   # only (a)
    python Scripts/safetensors_fixtures.py verify     # only (b)

(a) PyTorch -> Tapegrad. Builds a small PyTorch model whose parameter names are Tapegrad's
    (`layers.0.weight`, ... as in `Sequential { Linear(4, 3); Linear(3, 2) }`), in float32 and
    float64, with fixed values (including -0.0 and the smallest subnormal), and saves it with
    `safetensors.torch.save_file` to Tests/NNTests/Fixtures/torch_saved_{f32,f64}.safetensors.
    The exact values go to torch_saved_expected.json (shortest round-trip decimal strings of the
    float64 value of each element). CheckpointTests loads both files into a Tapegrad model and
    compares bit for bit.

(b) Tapegrad -> PyTorch. Tests/NNTests/Fixtures/tapegrad_saved.safetensors is written by
    Tapegrad's own `Module.save(to:metadata:)` (CheckpointTests checks it is byte-identical to a
    fresh save; TAPEGRAD_REGENERATE_FIXTURES=1 rewrites it). This script opens it with
    `safetensors.torch.load_file` / `safe_open`, recomputes every expected value from the formula
    the Swift test uses, and compares bit for bit. It exits non-zero on any difference.

Needs torch, numpy and safetensors.
"""

import json
import pathlib
import struct
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "NNTests" / "Fixtures"


class Net(torch.nn.Module):
    """Tapegrad's `Sequential<Scalar> { Linear(4, 3); Linear(3, 2) }`, same names."""

    def __init__(self, dtype):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(4, 3, dtype=dtype), torch.nn.Linear(3, 2, dtype=dtype))


def tiny(dtype):
    return torch.finfo(dtype).smallest_normal * torch.finfo(dtype).eps  # smallest subnormal


def generate():
    expected = {"torch": torch.__version__, "models": {}}
    for tag, dtype in (("f32", torch.float32), ("f64", torch.float64)):
        torch.manual_seed(20240605)
        net = Net(dtype)
        with torch.no_grad():
            # Special values that a sloppy copy would change.
            net.layers[0].weight[0, 0] = -0.0
            net.layers[0].weight[0, 1] = tiny(dtype)
            net.layers[1].bias[1] = torch.finfo(dtype).max
        state = {k: v.contiguous() for k, v in net.state_dict().items()}
        path = FIXTURES / f"torch_saved_{tag}.safetensors"
        save_file(state, str(path), metadata={"producer": "pytorch", "dtype": tag})
        expected["models"][tag] = {
            name: {"shape": list(t.shape), "values": [repr(float(v)) for v in t.double().flatten().tolist()]}
            for name, t in state.items()
        }
        print(f"wrote {path.relative_to(FIXTURES.parent.parent.parent)}")
    out = FIXTURES / "torch_saved_expected.json"
    out.write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {out.relative_to(FIXTURES.parent.parent.parent)}")


# The model in CheckpointTests.tapegradSavedModel(): tensors in namedTensors() order.
TAPEGRAD_TENSORS = [
    ("layers.0.weight", [3, 4], np.float32),
    ("layers.0.bias", [3], np.float32),
    ("layers.1.weight", [2, 3], np.float32),
    ("layers.1.bias", [2], np.float32),
    ("head.weight", [2, 2], np.float64),
    ("head.bias", [2], np.float64),
]
TAPEGRAD_METADATA = {"producer": "tapegrad", "note": "interop fixture"}


def tapegrad_value(t, k, dtype):
    """Element k of tensor t, as the Swift test computes it (same IEEE operations, same order)."""
    if t == 0 and k == 0:
        return dtype(-0.0)
    if t == 0 and k == 1:
        return np.finfo(dtype).smallest_subnormal
    if t == 1 and k == 0:
        return np.finfo(dtype).max
    return dtype((k + 1) * 0.1 * (t + 1) - 0.35)


def verify():
    path = FIXTURES / "tapegrad_saved.safetensors"
    state = load_file(str(path))  # the reference parser: validates header, offsets, coverage
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    failures = []
    if metadata != TAPEGRAD_METADATA:
        failures.append(f"metadata {metadata} != {TAPEGRAD_METADATA}")
    if sorted(state) != sorted(n for n, _, _ in TAPEGRAD_TENSORS):
        failures.append(f"names {sorted(state)}")
    for t, (name, shape, dtype) in enumerate(TAPEGRAD_TENSORS):
        if name not in state:
            continue
        got = state[name].numpy()
        if list(got.shape) != shape or got.dtype != dtype:
            failures.append(f"{name}: {got.dtype}{list(got.shape)}, expected {np.dtype(dtype)}{shape}")
            continue
        want = np.array([tapegrad_value(t, k, dtype) for k in range(int(np.prod(shape)))], dtype=dtype)
        bits = np.uint32 if dtype == np.float32 else np.uint64
        if not np.array_equal(got.reshape(-1).view(bits), want.view(bits)):
            failures.append(f"{name}: {got.reshape(-1).tolist()} != {want.tolist()}")
    # The Float part plugs straight into the PyTorch model with the same names.
    net = Net(torch.float32)
    net.load_state_dict({k: v for k, v in state.items() if k.startswith("layers.")})
    (header_length,) = struct.unpack("<Q", path.read_bytes()[:8])
    if failures:
        print("tapegrad_saved.safetensors: FAILED")
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print(f"tapegrad_saved.safetensors: {len(state)} tensors, header {header_length} bytes, "
          f"metadata {metadata}: loads with safetensors.torch.load_file, all values bit-identical, "
          f"load_state_dict into the PyTorch model OK")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("all", "generate"):
        generate()
    if what in ("all", "verify"):
        verify()
