"""Run Tapegrad's benchmark and PyTorch/numpy side by side on this machine, in one go, and write
the tables into Docs/Performance.md.

    python3 Scripts/compare_bench.py [--no-build] [--quick]
    python3 Scripts/compare_bench.py --scaling [--no-build]   # the MNIST-size table only (SCALING_ROUNDS, default 3)

Run it with a Python that has torch and numpy (a virtual environment outside the project, e.g.
`python3 -m venv ~/venv && ~/venv/bin/pip install torch numpy`). The PyTorch side is
../shared/anchors/torch_bench.py (path overridable with TAPEGRAD_ANCHORS) plus the few extra
shapes and ops measured below. Neither torch nor numpy is a dependency of the package.
"""
import json, os, re, statistics, subprocess, sys, time, datetime, platform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANCHORS = os.environ.get("TAPEGRAD_ANCHORS", os.path.join(ROOT, "..", "shared", "anchors"))
args = sys.argv[1:]

def sh(cmd, env=None):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout

def med(fn, reps=15, warm=3):
    for _ in range(warm): fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

# --- Scaling: the MNIST-size workloads, both sides alternately --------------------------------
SCALING_WORKLOADS = ["mlp128", "mlp32", "cnn", "conv", "linear"]

def scaling(rounds):
    """`tapegrad bench --suite scaling --only W --threads T` and torch_scaling.py W T, alternately
    (ours, PyTorch, ours, …) `rounds` times per workload and thread count; returns
    {(workload, threads): (our medians, our mins, PyTorch medians, PyTorch mins)} in ms."""
    tool = os.path.join(ROOT, ".build", "release", "tapegrad")
    env = dict(os.environ)
    results = {}
    for w in SCALING_WORKLOADS:
        for t in (1, 2):
            env["OMP_NUM_THREADS"] = str(t)
            ours_med, ours_min, torch_med, torch_min = [], [], [], []
            for _ in range(rounds):
                r = [json.loads(l) for l in sh([tool, "bench", "--suite", "scaling", "--only", w, "--threads", str(t), "--json"]).splitlines() if l.startswith("{")][0]
                ours_med.append(r["median_ms"]); ours_min.append(r["min_ms"])
                line = [l for l in sh([sys.executable, os.path.join(ANCHORS, "torch_scaling.py"), w, str(t)], env=env).splitlines() if l.startswith("RESULT")][0]
                fields = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
                torch_med.append(float(fields["median"])); torch_min.append(float(fields["min"]))
            results[(w, t)] = (ours_med, ours_min, torch_med, torch_min)
            print(f"{w} {t} thread(s): ours {statistics.median(ours_med):.2f} ms, torch {statistics.median(torch_med):.2f} ms", file=sys.stderr, flush=True)
    return results

def scaling_table(results, rounds):
    out = ["<!-- scaling:begin -->", "## MNIST-size workloads, 1 and 2 threads (`tapegrad bench --suite scaling`)\n",
           f"Measured by `python3 Scripts/compare_bench.py --scaling` on {datetime.date.today()} ({platform.machine()}, {os.cpu_count()} cores, "
           f"{cpu_model()}): ours and ../shared/anchors/torch_scaling.py (PyTorch {torch_version()}) run alternately, {rounds} rounds each; "
           "the shapes, data sizes and hyperparameters are the anchor's. Times are the median over rounds of each run's median "
           "(ms per epoch for the training workloads, per forward + backward call for conv and linear); the ratio is ours / PyTorch "
           "(below 1: Tapegrad is faster), the min/min ratio in brackets. 'speedup' is each side's 1-thread time over its 2-thread time.\n",
           "| workload | ours 1 thread | PyTorch 1 thread | ratio | ours 2 threads | PyTorch 2 threads | ratio | speedup ours | speedup PyTorch |",
           "|---|---|---|---|---|---|---|---|---|"]
    names = {"mlp128": "MLP 784-256-128-10, Adam, batch 128, 10,000 samples", "mlp32": "same, batch 32",
             "cnn": "CNN 1×28×28 (conv 32, pool, conv 64, pool, linear), batch 64, 2,048 samples",
             "conv": "Conv2d 64→64 3×3 pad 1 on [32, 64, 32, 32], fwd+bwd", "linear": "Linear 1024→1024 on [256, 1024], fwd+bwd"}
    for w in SCALING_WORKLOADS:
        row = [names[w]]
        meds = {}
        for t in (1, 2):
            om, on, tm, tn = results[(w, t)]
            a, b = statistics.median(om), statistics.median(tm)
            meds[t] = (a, b)
            row += [f"{a:.2f}", f"{b:.2f}", f"**{a / b:.2f}** ({min(on) / min(tn):.2f})"]
        row += [f"{meds[1][0] / meds[2][0]:.2f}", f"{meds[1][1] / meds[2][1]:.2f}"]
        out.append("| " + " | ".join(row) + " |")
    out.append("<!-- scaling:end -->")
    return "\n".join(out)

def cpu_model():
    try:
        return [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0] + \
            (", AVX-512" if "avx512f" in open("/proc/cpuinfo").read() else ", AVX2")
    except Exception:
        return platform.processor()

def torch_version():
    return sh([sys.executable, "-c", "import torch; print(torch.__version__)"]).strip()

def replace_block(text, block, begin, end):
    if begin in text and end in text:
        return text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    return text.rstrip("\n") + "\n\n" + block + "\n"

if "--scaling" in args:
    if "--no-build" not in args:
        sh(["swift", "build", "-c", "release", "--product", "tapegrad"])
    rounds = int(os.environ.get("SCALING_ROUNDS", "3"))
    block = scaling_table(scaling(rounds), rounds)
    path = os.path.join(ROOT, "Docs", "Performance.md")
    text = open(path).read() if os.path.exists(path) else ""
    open(path, "w").write(replace_block(text, block, "<!-- scaling:begin -->", "<!-- scaling:end -->"))
    print(block)
    sys.exit(0)

# --- Tapegrad ---------------------------------------------------------------------------------
if "--no-build" not in args:
    sh(["swift", "build", "-c", "release", "--product", "tapegrad"])
bench = [os.path.join(ROOT, ".build", "release", "tapegrad"), "bench", "--json"] + (["--quick"] if "--quick" in args else [])
ours = [json.loads(l) for l in sh(bench).splitlines() if l.startswith("{")]

# --- PyTorch / numpy (same machine, right after) -----------------------------------------------
env = dict(os.environ)
for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"): env.pop(k, None)
env["OPENBLAS_NUM_THREADS"] = "1"; env["OMP_NUM_THREADS"] = "1"
anchor = sh([sys.executable, os.path.join(ANCHORS, "torch_bench.py"), "1"], env=env)
torch_act, torch_copy, torch_gemm, torch_tape = {}, {}, {}, None
for line in anchor.splitlines():
    m = re.match(r"act n=(\d+) (\w+) fwd_ns_per_elem=([\d.]+) fwdbwd_ns_per_elem=([\d.]+)", line)
    if m: torch_act[(m[2], int(m[1]))] = (float(m[3]), float(m[4]))
    m = re.match(r"copy n=(\d+) ns_per_elem=([\d.]+)", line)
    if m: torch_copy[int(m[1])] = float(m[2])
    m = re.match(r"sgemm m=(\d+) numpy_gflops=([\d.]+) torch_gflops=([\d.]+)", line)
    if m: torch_gemm[(int(m[1]),) * 3] = (float(m[2]), float(m[3]))
    m = re.match(r"tiny_op_overhead_us_per_op=([\d.]+)", line)
    if m: torch_tape = float(m[1])

extra = sh([sys.executable, "-c", r'''
import time, statistics, torch, numpy as np, json
torch.set_num_threads(1)
def med(fn, reps=15, warm=3):
    for _ in range(warm): fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
out = {}
for n in (1 << 16, 1 << 24):
    x = torch.randn(n); y = torch.randn(n); p = x.abs() + 0.5
    for name, f in (("add", lambda: x + y), ("mul_scalar", lambda: x * 1.5), ("exp", lambda: torch.exp(x)),
                    ("expm1", lambda: torch.expm1(x)), ("log", lambda: torch.log(p)), ("log1p", lambda: torch.log1p(p)),
                    ("tanh", lambda: torch.tanh(x)), ("erf", lambda: torch.erf(x)), ("sigmoid", lambda: torch.sigmoid(x)),
                    ("sqrt", lambda: torch.sqrt(p)), ("sum", lambda: x.sum())):
        out[f"{name} {n}"] = med(f, reps=7 if n > 1e6 else 15) / n * 1e9
# The activations PyTorch has beyond the anchor's twelve, measured the anchor's way.
F = torch.nn.functional
more = {"celu": F.celu, "hardtanh": F.hardtanh, "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish,
        "logsigmoid": F.logsigmoid, "softshrink": F.softshrink, "hardshrink": F.hardshrink,
        "tanhshrink": F.tanhshrink, "gelu_tanh": lambda t: F.gelu(t, approximate="tanh")}
for n in (1 << 16, 1 << 24):
    x = torch.randn(n); xg = torch.randn(n, requires_grad=True); go = torch.randn(n)
    for name, f in more.items():
        fwd = med(lambda: f(x), reps=7 if n > 1e6 else 15)
        def fb():
            y = f(xg); y.backward(go); xg.grad = None
        both = med(fb, reps=7 if n > 1e6 else 15)
        out[f"act {name} {n}"] = (fwd / n * 1e9, both / n * 1e9)
print(json.dumps(out))
'''], env=env)
extra = json.loads(extra.strip().splitlines()[-1])
for key in [k for k in extra if k.startswith("act ")]:
    _, name, n = key.split()
    torch_act[(name, int(n))] = tuple(extra.pop(key))

# Matmul: on a shared machine single measurements swing by ±30%, so ours and numpy/PyTorch
# are measured in alternation for ROUNDS rounds and each side keeps its best round.
ROUNDS = 3
GEMM_SNIPPET = r'''
import time, statistics, torch, numpy as np, json
torch.set_num_threads(1)
def med(fn, reps=9, warm=3):
    for _ in range(warm): fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
out = {}
for (m, k, n) in ((32, 64, 128), (64, 784, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024)):
    A = np.random.rand(m, k).astype(np.float32); B = np.random.rand(k, n).astype(np.float32)
    tn = med(lambda: A @ B); At = torch.from_numpy(A); Bt = torch.from_numpy(B)
    tt = med(lambda: At @ Bt)
    out[f"gemm {m} {k} {n}"] = (2 * m * n * k / tn / 1e9, 2 * m * n * k / tt / 1e9)
print(json.dumps(out))
'''
best_ours = {}
for _ in range(ROUNDS):
    for l in sh([bench[0], "bench", "--json", "--suite", "matmul"]).splitlines():
        if l.startswith("{"):
            r = json.loads(l)
            key = (r["m"], r["k"], r["n"], r["threads"])
            best_ours[key] = max(best_ours.get(key, 0), r["gflops"])
    theirs = json.loads(sh([sys.executable, "-c", GEMM_SNIPPET], env=env).strip().splitlines()[-1])
    for key, (npg, tg) in theirs.items():
        old = extra.get(key, (0, 0))
        extra[key] = (max(old[0], npg), max(old[1], tg))
ours = [r for r in ours if r["suite"] != "matmul"] + [
    {"suite": "matmul", "m": m, "k": k, "n": n, "threads": t, "gflops": g} for (m, k, n, t), g in best_ours.items()]

# --- Tables ------------------------------------------------------------------------------------
def ours_get(**kw):
    for r in ours:
        if all(r.get(k) == v for k, v in kw.items()): return r
    return None

lines = []
lines.append("# Performance\n")
lines.append(f"Measured by `Scripts/compare_bench.py` on {datetime.date.today()} ({platform.machine()}, "
             f"{os.cpu_count()} cores): Tapegrad's `tapegrad bench --json` (release build) and PyTorch/numpy "
             "right after it, on the same machine, PyTorch and OpenBLAS single-threaded. Every figure is a "
             "median of repeats; compare ratios from one run, never absolute times across runs.\n")
lines.append("## Elementwise (Float32)\n")
lines.append("ns per element; 'copy ×' is the op's time over a plain copy of the same number of bytes into an existing buffer measured in the same run; "
             "'vs torch' is PyTorch's time over ours (above 1 means Tapegrad is faster).\n")
for n in sorted({r["n"] for r in ours if r["suite"] == "elementwise"}):
    lines.append(f"### n = {n:,}\n")
    lines.append("| op | ours 1 thread | copy × | ours 2 threads | copy × | PyTorch 1 thread | vs torch |")
    lines.append("|---|---|---|---|---|---|---|")
    c1 = ours_get(suite="copy", n=n, threads=1); c2 = ours_get(suite="copy", n=n, threads=2)
    lines.append(f"| copy | {c1['ns_per_elem']:.3f} | 1.00 | {c2['ns_per_elem'] if c2 else float('nan'):.3f} | 1.00 | {torch_copy.get(n, float('nan')):.3f} | {torch_copy.get(n, float('nan')) / c1['ns_per_elem']:.2f} |")
    for r in ours:
        if r["suite"] != "elementwise" or r["n"] != n or r["threads"] != 1: continue
        r2 = ours_get(suite="elementwise", name=r["name"], n=n, threads=2)
        t = extra.get(f"{r['name']} {n}")
        two = f"{r2['ns_per_elem']:.3f} | {r2['ratio_to_copy']:.2f}" if r2 else "– | –"
        lines.append(f"| {r['name']} | {r['ns_per_elem']:.3f} | {r['ratio_to_copy']:.2f} | {two} | {t:.3f} | {t / r['ns_per_elem']:.2f} |")
    lines.append("")
acts = [r for r in ours if r["suite"] == "activation"]
if acts:
    lines.append("## Activations (Float32)\n")
    lines.append("ns per element, forward and forward + backward (with a given output gradient), 1 thread; 'vs torch' is PyTorch's "
                 "time over ours. 'fwd / copy' is our forward over a copy of the same bytes measured right before it (1 thread). "
                 "At 16M the last two columns are the default configuration (all cores, here 2) against a copy on as many threads.\n")
    for n in sorted({r["n"] for r in acts}):
        big = any(r["n"] == n and "fwd2_ns_per_elem" in r for r in acts)
        lines.append(f"### n = {n:,}\n")
        head = "| activation | ours fwd | PyTorch fwd | vs torch | ours fwd+bwd | PyTorch fwd+bwd | vs torch | fwd / copy |"
        rule = "|---|---|---|---|---|---|---|---|"
        if big:
            head += " fwd 2 threads | / copy 2 threads |"; rule += "---|---|"
        lines.append(head); lines.append(rule)
        c1 = ours_get(suite="copy", n=n, threads=1)
        for r in acts:
            if r["n"] != n: continue
            t = torch_act.get((r["name"], n))
            tf, tb = (t if t else (float("nan"), float("nan")))
            copy = r.get("copy_ns_per_elem") or (c1["ns_per_elem"] if c1 else float("nan"))
            row = f"| {r['name']} | {r['fwd_ns_per_elem']:.3f} | {tf:.3f} | {tf / r['fwd_ns_per_elem']:.2f} | {r['fwdbwd_ns_per_elem']:.3f} | {tb:.3f} | {tb / r['fwdbwd_ns_per_elem']:.2f} | {r['fwd_ns_per_elem'] / copy:.2f} |"
            if big:
                row += f" {r['fwd2_ns_per_elem']:.3f} | {r['fwd2_ns_per_elem'] / r['copy2_ns_per_elem']:.2f} |"
            lines.append(row)
        lines.append("")
lines.append("## Matmul (Float32 GFLOP/s)\n")
lines.append(f"Best of {ROUNDS} alternating rounds for each side (medians of repeats within a round).\n")
lines.append("| m×k×n | ours 1 thread | ours 2 threads | numpy/OpenBLAS 1 thread | PyTorch 1 thread | ours/OpenBLAS | ours/PyTorch |")
lines.append("|---|---|---|---|---|---|---|")
for r in ours:
    if r["suite"] != "matmul" or r["threads"] != 1: continue
    m, k, n = r["m"], r["k"], r["n"]
    r2 = ours_get(suite="matmul", m=m, k=k, n=n, threads=2)
    npg, tg = extra.get(f"gemm {m} {k} {n}", (float("nan"), float("nan")))
    lines.append(f"| {m}×{k}×{n} | {r['gflops']:.1f} | {r2['gflops'] if r2 else float('nan'):.1f} | {npg:.1f} | {tg:.1f} | {r['gflops'] / npg:.2f} | {r['gflops'] / tg:.2f} |")
lines.append("")
tape = ours_get(suite="tape")
if tape and torch_tape:
    lines.append("## Autograd overhead on tiny tensors\n")
    lines.append("The anchor's chain of 50 × (tanh, ×1.01) on 8 elements, a sum and backward: µs per op, forward + backward.\n")
    lines.append("| ours | PyTorch | PyTorch / ours |")
    lines.append("|---|---|---|")
    lines.append(f"| {tape['us_per_op']:.3f} | {torch_tape:.2f} | {torch_tape / tape['us_per_op']:.1f} |")
    lines.append("")
lines.append("## PyTorch anchor (../shared/anchors/torch_bench.py, same run)\n")
lines.append("```")
lines.append(anchor.strip())
lines.append("```")
# The layer comparison (Scripts/compare_layers.py) lives between markers and is kept as it is.
path = os.path.join(ROOT, "Docs", "Performance.md")
old = open(path).read() if os.path.exists(path) else ""
for begin, end in [("<!-- layers:begin -->", "<!-- layers:end -->"), ("<!-- scaling:begin -->", "<!-- scaling:end -->"),
                   ("<!-- profile:begin -->", "<!-- profile:end -->")]:
    if begin in old and end in old:
        lines.append("")
        lines.append(old[old.index(begin):old.index(end) + len(end)])
open(path, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
