"""Reference values for Tapegrad's optimizers, schedules and losses, computed with PyTorch.

    /work/venv/bin/python Scripts/torch_optim_reference.py   # writes Tests/NNTests/Fixtures/torch_optim.json

Optimizers: PyTorch's SGD (plain, momentum, dampening, Nesterov, weight decay), Adam, AdamW and
RMSprop (plain, centered, momentum, both) run for 5 steps in float64 on two small parameters
with fixed gradient sequences (one step leaves the second parameter without a gradient, which
PyTorch skips); every parameter value after every step is recorded. Schedules: StepLR and
CosineAnnealingLR learning rates per epoch. Losses: value and input gradients of cross-entropy,
NLL, MSE and BCE-with-logits for every reduction, including logits of ±1e4. Floats are written
with repr (round-trips exactly). Run with a Python that has torch (not a package dependency).
"""
import json, math, os, torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NNTests", "Fixtures", "torch_optim.json")
torch.manual_seed(0)
STEPS = 5
F = torch.nn.functional


def flat(t):
    return [repr(float(v)) for v in t.detach().reshape(-1).tolist()]


# Fixed starting values and gradient sequences shared by every optimizer case.
P0 = [torch.randn(3, dtype=torch.float64), torch.randn(2, 2, dtype=torch.float64)]
GRADS = [[torch.randn(3, dtype=torch.float64), torch.randn(2, 2, dtype=torch.float64)] for _ in range(STEPS)]
GRADS[2][1] = None  # the second parameter gets no gradient at step 3 (PyTorch skips it)

CASES = {
    "sgd": (torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum": (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    "sgd_momentum_dampening": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    "sgd_nesterov": (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": (torch.optim.SGD, {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}),
    "adam": (torch.optim.Adam, {"lr": 1e-3}),
    "adam_custom": (torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.1}),
    "adamw": (torch.optim.AdamW, {"lr": 1e-3}),
    "adamw_custom": (torch.optim.AdamW, {"lr": 0.05, "betas": (0.85, 0.99), "eps": 1e-7, "weight_decay": 0.3}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 1e-2}),
    "rmsprop_centered": (torch.optim.RMSprop, {"lr": 1e-2, "centered": True}),
    "rmsprop_momentum": (torch.optim.RMSprop, {"lr": 1e-2, "momentum": 0.9, "alpha": 0.9, "weight_decay": 0.05}),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, {"lr": 1e-2, "momentum": 0.5, "centered": True, "eps": 1e-4}),
    "adagrad": (torch.optim.Adagrad, {"lr": 1e-2}),
    "adagrad_custom": (torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.2, "eps": 1e-6}),
}


def run_optimizer(cls, kwargs):
    params = [p.clone().requires_grad_(True) for p in P0]
    opt = cls(params, **kwargs)
    trajectory = []
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        for p, g in zip(params, GRADS[step]):
            p.grad = None if g is None else g.clone()
        opt.step()
        trajectory.append([flat(p) for p in params])
    return trajectory


optimizers = {}
for name, (cls, kwargs) in CASES.items():
    hyper = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    optimizers[name] = {"optimizer": cls.__name__, "hyperparameters": hyper, "trajectory": run_optimizer(cls, kwargs)}


def schedule(make, epochs):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    rates = []
    for _ in range(epochs):
        rates.append(repr(sched.get_last_lr()[0]))
        opt.step()
        sched.step()
    return rates


schedules = {
    "step": {"stepSize": 3, "gamma": 0.5, "base": 0.1,
             "rates": schedule(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 12)},
    "step_default_gamma": {"stepSize": 2, "gamma": 0.1, "base": 0.1,
                           "rates": schedule(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2), 7)},
    "cosine": {"epochs": 10, "minimum": 0.001, "base": 0.1,
               "rates": schedule(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 11)},
    "exponential": {"gamma": 0.8, "base": 0.1,
                    "rates": schedule(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8), 8)},
    "linear_warmup": {"epochs": 4, "startFactor": 0.25, "endFactor": 1.0, "base": 0.1,
                      "rates": schedule(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4), 8)},
    "linear_warmup_defaults": {"epochs": 5, "startFactor": 1.0 / 3, "endFactor": 1.0, "base": 0.1,
                               "rates": schedule(lambda o: torch.optim.lr_scheduler.LinearLR(o), 8)},
    "onecycle": {"maxRate": 0.5, "totalSteps": 20, "percentStart": 0.3, "base": 0.1,
                 "rates": schedule(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=20), 20)},
    "onecycle_custom": {"maxRate": 0.2, "totalSteps": 13, "percentStart": 0.4, "divFactor": 10.0, "finalDivFactor": 100.0, "base": 0.1,
                        "rates": schedule(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.2, total_steps=13, pct_start=0.4, div_factor=10.0, final_div_factor=100.0), 13)},
    "cosine_zero_minimum": {"epochs": 7, "minimum": 0.0, "base": 0.1,
                            "rates": schedule(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7), 8)},
}


def loss_case(fn, inputs, grad_of, extra=None, dtype=torch.float64):
    """fn(*variables) → loss; records the loss and the gradient of Σ loss·w for each input in grad_of."""
    vs = [torch.tensor(x, dtype=dtype, requires_grad=(i in grad_of)) for i, x in enumerate(inputs)]
    y = fn(*vs)
    w = torch.linspace(0.5, 1.5, y.numel(), dtype=dtype).reshape(y.shape)
    (y * w).sum().backward()
    case = {"inputs": [flat(v) for v in vs], "shapes": [list(v.shape) for v in vs], "w": flat(w),
            "loss": flat(y), "loss_shape": list(y.shape), "grads": [flat(vs[i].grad) for i in grad_of]}
    if extra:
        case.update(extra)
    return case


g = torch.Generator().manual_seed(1)
logits = (torch.randn(4, 5, generator=g, dtype=torch.float64) * 2).tolist()
labels = [3, 0, 4, 1]
extreme = [[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [0.0, 0.0, -1e4], [1e4, 1e4, -1e4]]
extreme_labels = [1, 1, 2, 0]
logp = torch.log_softmax(torch.randn(3, 4, generator=g, dtype=torch.float64), 1).tolist()
nll_labels = [2, 0, 3]
pred = torch.randn(2, 3, generator=g, dtype=torch.float64).tolist()
target = torch.randn(2, 3, generator=g, dtype=torch.float64).tolist()
bce_x = [[-1e4, -30.0, -2.5, 0.0], [0.7, 3.0, 30.0, 1e4]]
bce_t = [[0.0, 1.0, 0.25, 0.5], [1.0, 0.0, 0.9, 1.0]]

losses = {}
for red in ("mean", "sum", "none"):
    losses[f"cross_entropy_{red}"] = loss_case(lambda x: F.cross_entropy(x, torch.tensor(labels), reduction=red), [logits], [0], {"labels": labels})
    losses[f"cross_entropy_extreme_{red}"] = loss_case(lambda x: F.cross_entropy(x, torch.tensor(extreme_labels), reduction=red), [extreme], [0], {"labels": extreme_labels})
    losses[f"nll_{red}"] = loss_case(lambda x: F.nll_loss(x, torch.tensor(nll_labels), reduction=red), [logp], [0], {"labels": nll_labels})
    losses[f"mse_{red}"] = loss_case(lambda p, t: F.mse_loss(p, t, reduction=red), [pred, target], [0, 1])
    losses[f"bce_{red}"] = loss_case(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=red), [bce_x, bce_t], [0, 1])
hub_p = (torch.randn(3, 4, generator=g, dtype=torch.float64) * 1.5).tolist()
hub_t = torch.randn(3, 4, generator=g, dtype=torch.float64).tolist()
hub_p[0][0], hub_t[0][0] = 0.7, 0.0     # |d| = δ exactly: PyTorch's convention at the joint
hub_p[0][1], hub_t[0][1] = 0.25, 0.25   # d = 0
kl_x = torch.log_softmax(torch.randn(3, 5, generator=g, dtype=torch.float64), 1).tolist()
kl_t = torch.softmax(torch.randn(3, 5, generator=g, dtype=torch.float64), 1)
kl_t[1, 2] = 0.0                        # a zero target probability: 0·log 0 = 0
kl_t = kl_t.tolist()
class_weights = [0.5, 2.0, 1.0, 0.25, 1.5]
for red in ("mean", "sum", "none"):
    losses[f"huber_{red}"] = loss_case(lambda p, t: F.huber_loss(p, t, delta=0.7, reduction=red), [hub_p, hub_t], [0, 1], {"delta": 0.7})
    losses[f"smooth_l1_{red}"] = loss_case(lambda p, t: F.smooth_l1_loss(p, t, beta=0.7, reduction=red), [hub_p, hub_t], [0, 1], {"beta": 0.7})
    losses[f"kl_div_{red}"] = loss_case(lambda x: F.kl_div(x, torch.tensor(kl_t, dtype=torch.float64), reduction=red), [kl_x], [0], {"target": flat(torch.tensor(kl_t, dtype=torch.float64))})
    losses[f"cross_entropy_weighted_smoothed_{red}"] = loss_case(
        lambda x: F.cross_entropy(x, torch.tensor(labels), weight=torch.tensor(class_weights, dtype=torch.float64), label_smoothing=0.1, reduction=red),
        [logits], [0], {"labels": labels, "weights": flat(torch.tensor(class_weights, dtype=torch.float64)), "label_smoothing": 0.1})
    losses[f"cross_entropy_smoothed_{red}"] = loss_case(
        lambda x: F.cross_entropy(x, torch.tensor(labels), label_smoothing=0.2, reduction=red), [logits], [0], {"labels": labels, "label_smoothing": 0.2})
losses["kl_div_batchmean"] = loss_case(lambda x: F.kl_div(x, torch.tensor(kl_t, dtype=torch.float64), reduction="batchmean"), [kl_x], [0], {"target": flat(torch.tensor(kl_t, dtype=torch.float64))})
losses["kl_div_log_target_batchmean"] = loss_case(
    lambda x: F.kl_div(x, torch.log(torch.tensor(kl_t, dtype=torch.float64).clamp_min(1e-300)), reduction="batchmean", log_target=True), [kl_x], [0],
    {"target": flat(torch.log(torch.tensor(kl_t, dtype=torch.float64).clamp_min(1e-300))), "log_target": True})
losses["cross_entropy_extreme_float32"] = loss_case(lambda x: F.cross_entropy(x, torch.tensor(extreme_labels), reduction="none"), [extreme], [0], {"labels": extreme_labels}, dtype=torch.float32)
losses["bce_float32"] = loss_case(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"), [bce_x, bce_t], [0], dtype=torch.float32)

# ReduceLROnPlateau: the rate after each epoch's metric.
plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.9, 0.91, 0.92, 0.93, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4999, 0.5, 0.5, 0.5, 0.5]
def plateau(**kwargs):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    rates = []
    for m in plateau_metrics:
        opt.step()
        sched.step(m)
        rates.append(repr(opt.param_groups[0]["lr"]))
    return rates
plateaus = {
    "defaults_patience2": {"kwargs": {"patience": 2}, "rates": plateau(patience=2)},
    "factor_cooldown_min": {"kwargs": {"patience": 1, "factor": 0.5, "cooldown": 2, "min_lr": 0.02}, "rates": plateau(patience=1, factor=0.5, cooldown=2, min_lr=0.02)},
}

fixture = {
    "torch": torch.__version__,
    "initial": [flat(p) for p in P0],
    "shapes": [list(p.shape) for p in P0],
    "gradients": [[None if gr is None else flat(gr) for gr in step] for step in GRADS],
    "optimizers": optimizers,
    "schedules": schedules,
    "losses": losses,
    "plateau_metrics": plateau_metrics,
    "plateaus": plateaus,
}
with open(OUT, "w") as f:
    json.dump(fixture, f, indent=1)
print("wrote", OUT)
