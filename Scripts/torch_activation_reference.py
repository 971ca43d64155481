"""Reference values for Tapegrad's activations, computed with PyTorch.

    python3 Scripts/torch_activation_reference.py   # writes Tests/NNTests/Fixtures/torch_activations.json

For every activation PyTorch has, at random points and at the edge set
{±0, ±1e-8, ±1e-3, ±1, ±3, ±6, ±20, ±88, ±89, ±710, ±1e4}, in float32 and float64: the forward
value and the gradient of sum(f(x) * w) with respect to x for a fixed random w (so the test checks
the derivative, not just the sum of it). Run with a Python that has torch (not a dependency of
the package).
"""
import json, os, math, torch

F = torch.nn.functional
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NNTests", "Fixtures", "torch_activations.json")

EDGES = [0.0, -0.0]
for v in (1e-8, 1e-3, 1.0, 3.0, 6.0, 20.0, 88.0, 89.0, 710.0, 1e4):
    EDGES += [v, -v]

class TanhshrinkAnalytic(torch.autograd.Function):
    """F.tanhshrink forward, analytic gradient tanh(x)**2."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.tanhshrink(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * torch.tanh(x) ** 2

# name → (function of a tensor, parameters recorded for the Swift side)
ACTS = {
    "relu": (torch.relu, {}),
    "elu": (lambda t: F.elu(t, alpha=1.0), {"alpha": 1.0}),
    "elu_alpha0.5": (lambda t: F.elu(t, alpha=0.5), {"alpha": 0.5}),
    # --- group A: piecewise activations ---
    # --- end group A ---
    # --- group B: smooth activations ---
    "selu": (F.selu, {}),
    "celu": (lambda t: F.celu(t, alpha=1.0), {"alpha": 1.0}),
    "celu_alpha0.5": (lambda t: F.celu(t, alpha=0.5), {"alpha": 0.5}),
    "softplus": (lambda t: F.softplus(t), {"beta": 1.0, "threshold": 20.0}),
    "softplus_beta2_threshold5": (lambda t: F.softplus(t, beta=2.0, threshold=5.0), {"beta": 2.0, "threshold": 5.0}),
    "silu": (F.silu, {}),
    "mish": (F.mish, {}),
    "gelu": (lambda t: F.gelu(t, approximate="none"), {}),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), {}),
    "logsigmoid": (F.logsigmoid, {}),
    # F.tanhshrink is the composite x - tanh(x), so autograd's gradient is 1 - (1 - tanh²x), which
    # cancels to rounding noise for |x| ≲ 1e-6 (2^-54 instead of 1e-16 at x = 1e-8). The reference
    # keeps PyTorch's forward and takes the analytic gradient tanh²x, evaluated by torch.
    "tanhshrink": (lambda t: TanhshrinkAnalytic.apply(t), {}),
    # --- end group B ---
}

def points(dtype):
    g = torch.Generator().manual_seed(0)
    rand = (torch.rand(96, generator=g, dtype=torch.float64) * 16 - 8)
    xs = torch.cat([torch.tensor(EDGES, dtype=torch.float64), rand]).to(dtype)
    w = (torch.rand(xs.numel(), generator=g, dtype=torch.float64) * 2 - 1).to(dtype)
    return xs, w

out = {}
for name, (f, params) in ACTS.items():
    entry = {"params": params}
    for dtype, key in ((torch.float32, "float"), (torch.float64, "double")):
        xs, w = points(dtype)
        x = xs.clone().requires_grad_(True)
        y = f(x)
        (y * w).sum().backward()
        # Exact values as hexadecimal floats ("nan", "inf" and "-inf" for the rest), which
        # Swift's Double(String) reads back bit for bit.
        hexes = lambda t: [float(v).hex() for v in t.tolist()]
        entry[key] = {"x": hexes(xs), "w": hexes(w), "y": hexes(y.detach()), "dx": hexes(x.grad)}
        if dtype == torch.float32:
            # The float64 reference at the same (float-rounded) points, for ulp checks.
            x64 = xs.double().clone().requires_grad_(True)
            y64 = f(x64)
            (y64 * w.double()).sum().backward()
            entry[key]["y64"] = hexes(y64.detach())
            entry[key]["dx64"] = hexes(x64.grad)
    out[name] = entry

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump({"torch": torch.__version__, "activations": out}, fh, indent=0)
print(f"wrote {OUT}: {len(out)} activations")
