#!/usr/bin/env python3
"""Reference values for Tapegrad's functional transforms (jvp, vjp, jacobian, hessian,
hessianVectorProduct), from torch.func in float64.

    python Scripts/torch_functional_reference.py   # writes Tests/NNTests/Fixtures/functional_reference.json

Every case's inputs are written out too, so the Swift tests rebuild the same functions.
"""
import json
import os

import torch
from torch.func import hessian, jacfwd, jacrev, jvp, vjp

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(20261207)


def rand(*shape, scale=1.0):
    return (torch.randn(*shape, generator=g) * scale)


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


cases = {}

# 1. softmax(A x): a vector function with a dense Jacobian.
A = rand(4, 5)
x1 = rand(5)
t1 = rand(5)
u1 = rand(4)
f1 = lambda x: torch.softmax(A @ x, dim=0)
cases["softmax_affine"] = {
    "A": flat(A), "x": flat(x1), "tangent": flat(t1), "cotangent": flat(u1),
    "value": flat(f1(x1)),
    "jacobian": flat(jacrev(f1)(x1)), "jacobian_forward": flat(jacfwd(f1)(x1)),
    "jvp": flat(jvp(f1, (x1,), (t1,))[1]), "vjp": flat(vjp(f1, x1)[1](u1)[0]),
}

# 2. A 2-layer tanh MLP, 3 → 4 → 2: y = W2 tanh(W1 x + b1) + b2.
W1, b1, W2, b2 = rand(4, 3), rand(4), rand(2, 4), rand(2)
x2, t2, u2 = rand(3), rand(3), rand(2)
f2 = lambda x: W2 @ torch.tanh(W1 @ x + b1) + b2
cases["mlp"] = {
    "W1": flat(W1), "b1": flat(b1), "W2": flat(W2), "b2": flat(b2), "x": flat(x2),
    "tangent": flat(t2), "cotangent": flat(u2), "value": flat(f2(x2)),
    "jacobian": flat(jacrev(f2)(x2)), "jvp": flat(jvp(f2, (x2,), (t2,))[1]), "vjp": flat(vjp(f2, x2)[1](u2)[0]),
}

# 3. The loss of a 2-layer tanh net (2 → 2 → 1) as a function of its 9 parameters:
#    θ = [W1 (2×2), b1 (2), W2 (1×2), b2 (1)], loss = mean((net(X) − y)²) over 4 rows.
X, Y = rand(4, 2), rand(4)
theta = rand(9, scale=0.8)
w3 = rand(9)


def loss(th):
    W1, b1, W2, b2 = th[0:4].reshape(2, 2), th[4:6], th[6:8].reshape(1, 2), th[8:9]
    out = (torch.tanh(X @ W1.T + b1) @ W2.T + b2).reshape(-1)
    return ((out - Y) ** 2).mean()


H3 = hessian(loss)(theta)
cases["tanh_net_loss"] = {
    "X": flat(X), "Y": flat(Y), "theta": flat(theta), "vector": flat(w3), "value": float(loss(theta)),
    "gradient": flat(jacrev(loss)(theta)), "hessian": flat(H3), "hvp": flat(H3 @ w3),
}

# 4. Activations: the Hessian of Σ mish(x) (diagonal: mish″) and of cross-entropy in the logits.
x4 = rand(6, scale=2)
cases["mish_sum"] = {"x": flat(x4), "hessian": flat(hessian(lambda x: torch.nn.functional.mish(x).sum())(x4))}
z5 = rand(5)
label = 3
ce = lambda z: torch.nn.functional.cross_entropy(z.reshape(1, -1), torch.tensor([label]))
cases["cross_entropy_logits"] = {"z": flat(z5), "label": label, "hessian": flat(hessian(ce)(z5)), "gradient": flat(jacrev(ce)(z5))}

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "NNTests", "Fixtures", "functional_reference.json")
with open(out, "w") as f:
    json.dump({"generator": "Scripts/torch_functional_reference.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
print("wrote", os.path.normpath(out))
