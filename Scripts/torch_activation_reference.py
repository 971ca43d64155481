"""Reference values for Tapegrad's activations, computed with PyTorch.

    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python3 Scripts/torch_activation_reference.py
    # writes Tests/NNTests/Fixtures/torch_activations.json

For every activation PyTorch has, at random points and at the edge set
{±0, ±1e-8, ±1e-3, ±1, ±3, ±6, ±20, ±88, ±89, ±710, ±1e4}, in float32 and float64: the forward
value and the gradient of sum(f(x) * w) with respect to x for a fixed random w (so the test checks
the derivative, not just the sum of it). Run with a Python that has torch (not a dependency of
the package). The float32 values of the vectorized transcendental kernels differ in the last bit
between CPU capabilities (ATen's own kernels, and oneDNN's for float32 gelu); the committed
fixture was made at AVX2 (the two variables above), so that a regeneration on an AVX-512 machine
changes only what the script changes. The Swift tests compare Float results with the float64
reference at the same points (y64, dx64), not with these bits.

The kinks of the piecewise activations (0, ±3, ±6, …) are among the edge points, so their
derivative conventions are PyTorch's own (hardswish'(±3), rrelu'(0) in both modes included).
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

# name → (function of a tensor, parameters recorded for the Swift side); SPECS gives each entry's
# Tapegrad catalogue spec, which the Swift side builds the activation from.
ACTS = {
    "relu": (torch.relu, {}),
    "elu": (lambda t: F.elu(t, alpha=1.0), {"alpha": 1.0}),
    "elu_alpha0.5": (lambda t: F.elu(t, alpha=0.5), {"alpha": 0.5}),
    # --- group A: piecewise activations ---
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.01), {"negative_slope": 0.01}),
    "leaky_relu_slope0.2": (lambda t: F.leaky_relu(t, 0.2), {"negative_slope": 0.2}),
    "relu6": (F.relu6, {}),
    # Bounded ReLU-n has no PyTorch function of its own: hardtanh(0, n) is the same function
    # with the same derivative convention (0 at both bounds).
    "bounded_relu_n3": (lambda t: F.hardtanh(t, 0.0, 3.0), {"n": 3.0}),
    "hardtanh": (lambda t: F.hardtanh(t, -1.0, 1.0), {"min": -1.0, "max": 1.0}),
    "hardtanh_-2_0.5": (lambda t: F.hardtanh(t, -2.0, 0.5), {"min": -2.0, "max": 0.5}),
    "threshold": (lambda t: F.threshold(t, 1.0, -2.0), {"threshold": 1.0, "value": -2.0}),
    "threshold_-3_0": (lambda t: F.threshold(t, -3.0, 0.0), {"threshold": -3.0, "value": 0.0}),
    "softshrink": (lambda t: F.softshrink(t, 0.5), {"lambda": 0.5}),
    "softshrink_lambda3": (lambda t: F.softshrink(t, 3.0), {"lambda": 3.0}),
    "hardshrink": (lambda t: F.hardshrink(t, 0.5), {"lambda": 0.5}),
    "hardshrink_lambda1": (lambda t: F.hardshrink(t, 1.0), {"lambda": 1.0}),
    # PyTorch's hardsigmoid_backward multiplies by the float constant 1.0f/6.0f even in
    # float64 (0.16666667163…, 3e-8 off); relu6(x + 3)/6 is its forward definition with the
    # exact derivative (1/6 on (−3, 3), 0 at ±3, the same convention).
    "hardsigmoid": (lambda t: F.relu6(t + 3.0) / 6.0, {}),
    # F.hardswish as it is: PyTorch 2.x's open interval, hardswish'(−3) = 0, hardswish'(3) = 1.
    "hardswish": (F.hardswish, {}),
    "softsign": (F.softsign, {}),
    # --- end group A ---
    # --- group C: parametric and along-an-axis activations ---
    "prelu": (lambda t: F.prelu(t, torch.tensor([0.25], dtype=t.dtype)), {"alpha": 0.25}),
    # RReLU in evaluation mode: leaky ReLU with the mean slope, a at 0.
    "rrelu": (lambda t: F.rrelu(t, 0.125, 1.0 / 3, training=False), {"lower": 0.125, "upper": 1.0 / 3}),
    # RReLU in training mode; the slopes it draws (1 where x > 0) are written as "slopes" and
    # replayed by the Swift side with rrelu(slopes:). At 0 the derivative is the drawn slope.
    "rrelu_training": ("rrelu_training", {"lower": 0.125, "upper": 1.0 / 3}),
    "softmax": (lambda t: F.softmax(t, dim=0), {}),
    "log_softmax": (lambda t: F.log_softmax(t, dim=0), {}),
    "softmin": (lambda t: F.softmin(t, dim=0), {}),
    "glu": (lambda t: F.glu(t, dim=0), {}),
    # --- end group C ---
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
    "sigmoid": (torch.sigmoid, {}),
    "tanh": (torch.tanh, {}),
    # torch.abs: sign(x) as the derivative, 0 at 0.
    "abs": (torch.abs, {}),
    # Swish with a constant β has no PyTorch function: x·σ(βx), differentiated by autograd.
    "swish_beta1.5": (lambda t: t * torch.sigmoid(1.5 * t), {"beta": 1.5}),
}

SPECS = {
    "relu": "relu",
    "elu": "elu",
    "elu_alpha0.5": "elu:alpha=0.5",
    "leaky_relu": "leaky_relu",
    "leaky_relu_slope0.2": "leaky_relu:negative_slope=0.2",
    "relu6": "relu6",
    "bounded_relu_n3": "bounded_relu:n=3",
    "hardtanh": "hardtanh",
    "hardtanh_-2_0.5": "hardtanh:min_val=-2,max_val=0.5",
    "threshold": "threshold:threshold=1,value=-2",
    "threshold_-3_0": "threshold:threshold=-3,value=0",
    "softshrink": "softshrink",
    "softshrink_lambda3": "softshrink:lambda=3",
    "hardshrink": "hardshrink",
    "hardshrink_lambda1": "hardshrink:lambda=1",
    "hardsigmoid": "hardsigmoid",
    "hardswish": "hardswish",
    "softsign": "softsign",
    "prelu": "prelu:init=0.25",
    "rrelu": "rrelu",
    "rrelu_training": "rrelu",
    "softmax": "softmax:axis=0",
    "log_softmax": "log_softmax:axis=0",
    "softmin": "softmin:axis=0",
    "glu": "glu:axis=0",
    "selu": "selu",
    "celu": "celu",
    "celu_alpha0.5": "celu:alpha=0.5",
    "softplus": "softplus",
    "softplus_beta2_threshold5": "softplus:beta=2,threshold=5",
    "silu": "silu",
    "mish": "mish",
    "gelu": "gelu",
    "gelu_tanh": "gelu_tanh",
    "logsigmoid": "logsigmoid",
    "tanhshrink": "tanhshrink",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "abs": "abs",
    "swish_beta1.5": "swish:beta=1.5",
}
assert set(SPECS) == set(ACTS), set(SPECS) ^ set(ACTS)

def rrelu_training(t, params):
    """torch's training-mode rrelu on a fixed generator; returns the output and the slopes."""
    noise = torch.empty_like(t.detach())
    g = torch.Generator().manual_seed(2)
    y = torch.ops.aten.rrelu_with_noise(t, noise, params["lower"], params["upper"], True, g)
    return y, noise

def points(dtype):
    g = torch.Generator().manual_seed(0)
    rand = (torch.rand(96, generator=g, dtype=torch.float64) * 16 - 8)
    xs = torch.cat([torch.tensor(EDGES, dtype=torch.float64), rand]).to(dtype)
    return xs

def weights(n, dtype):
    # The output gradient: fixed random weights, one per output element.
    g = torch.Generator().manual_seed(1)
    return (torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1).to(dtype)

out = {}
for name, (f, params) in ACTS.items():
    entry = {"params": params, "spec": SPECS[name]}
    for dtype, key in ((torch.float32, "float"), (torch.float64, "double")):
        xs = points(dtype)
        x = xs.clone().requires_grad_(True)
        slopes = None
        if f == "rrelu_training":
            y, slopes = rrelu_training(x, params)
        else:
            y = f(x)
        w = weights(y.numel(), dtype)
        (y * w).sum().backward()
        # Exact values as hexadecimal floats ("nan", "inf" and "-inf" for the rest), which
        # Swift's Double(String) reads back bit for bit.
        hexes = lambda t: [float(v).hex() for v in t.tolist()]
        entry[key] = {"x": hexes(xs), "w": hexes(w), "y": hexes(y.detach()), "dx": hexes(x.grad)}
        if slopes is not None:
            entry[key]["slopes"] = hexes(slopes)
        if dtype == torch.float32:
            # The float64 reference at the same (float-rounded) points, for ulp checks.
            x64 = xs.double().clone().requires_grad_(True)
            if slopes is not None:
                # The same float32 slopes, in float64 (a new draw would give other slopes).
                y64 = torch.where(x64 > 0, x64, x64 * slopes.double())
            else:
                y64 = f(x64)
            (y64 * w.double()).sum().backward()
            entry[key]["y64"] = hexes(y64.detach())
            entry[key]["dx64"] = hexes(x64.grad)
    out[name] = entry

# Parameter gradients: PReLU with one slope per channel on [N, C] = [59, 2] (the points above,
# reshaped), float64: the output, the input gradient and the slopes' gradient.
hexes = lambda t: [float(v).hex() for v in t.reshape(-1).tolist()]
xs = points(torch.float64).reshape(59, 2)
alpha = torch.tensor([0.25, -0.1], dtype=torch.float64, requires_grad=True)
x = xs.clone().requires_grad_(True)
y = F.prelu(x, alpha)
w = weights(y.numel(), torch.float64).reshape(59, 2)
(y * w).sum().backward()
prelu_channels = {"shape": [59, 2], "x": hexes(xs), "alpha": hexes(alpha.detach()), "w": hexes(w),
                  "y": hexes(y.detach()), "dx": hexes(x.grad), "dalpha": hexes(alpha.grad)}

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump({"torch": torch.__version__, "activations": out, "prelu_per_channel": prelu_channels}, fh, indent=0)
print(f"wrote {OUT}: {len(out)} activations")
