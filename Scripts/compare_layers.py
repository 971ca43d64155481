#!/usr/bin/env python3
"""Tapegrad's sequence and attention layers beside PyTorch's, one thread, forward + backward at
small sizes: runs `tapegrad bench --suite layers --json` (release) and the same shapes in
PyTorch, alternating three rounds (each side keeps its best), and prints a Markdown table.

    python Scripts/compare_layers.py [--no-build] > /tmp/layers.md   # then paste into Docs/Performance.md

Run it with a Python that has torch; torch is not a dependency of the package.
"""
import json, os, subprocess, sys, statistics, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if "--no-build" not in sys.argv:
    subprocess.run(["swift", "build", "-c", "release", "--product", "tapegrad"], cwd=ROOT, check=True, capture_output=True)
TOOL = os.path.join(ROOT, ".build", "release", "tapegrad")

TORCH = r'''
import json, statistics, time, torch
torch.set_num_threads(1); torch.manual_seed(0)
def med(fn, inner, reps=11):
    for _ in range(2): fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner): fn()
        ts.append((time.perf_counter() - t) / inner)
    return statistics.median(ts) * 1e6
out = {}
lstm = torch.nn.LSTM(32, 64); gru = torch.nn.GRU(32, 64)
sx = torch.randn(20, 16, 32, requires_grad=True)
out["lstm"] = med(lambda: lstm(sx)[0].sum().backward(), 5)
out["gru"] = med(lambda: gru(sx)[0].sum().backward(), 5)
norm = torch.nn.LayerNorm(256); nx = torch.randn(64, 256, requires_grad=True)
out["layernorm"] = med(lambda: norm(nx).sum().backward(), 50)
mha = torch.nn.MultiheadAttention(64, 4, batch_first=True); ax = torch.randn(8, 16, 64, requires_grad=True)
out["attention"] = med(lambda: mha(ax, ax, ax)[0].sum().backward(), 20)
conv = torch.nn.Conv1d(16, 32, 5, padding=2); cx = torch.randn(8, 16, 128, requires_grad=True)
out["conv1d"] = med(lambda: conv(cx).sum().backward(), 20)
embed = torch.nn.Embedding(1000, 64); idx = torch.tensor([(i * 7919) % 1000 for i in range(640)]).reshape(32, 20)
out["embedding"] = med(lambda: embed(idx).sum().backward(), 50)
print(json.dumps(out))
'''

env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
ours, theirs, shapes = {}, {}, {}
for _ in range(3):
    for line in subprocess.run([TOOL, "bench", "--suite", "layers", "--json"], capture_output=True, text=True, check=True).stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            ours[r["name"]] = min(ours.get(r["name"], float("inf")), r["us_per_call"])
            shapes[r["name"]] = r["shape"]
    t = json.loads(subprocess.run([sys.executable, "-c", TORCH], capture_output=True, text=True, check=True, env=env).stdout.splitlines()[-1])
    for k, v in t.items():
        theirs[k] = min(theirs.get(k, float("inf")), v)

print("| layer | shape | ours µs | PyTorch µs | PyTorch / ours |")
print("|---|---|---|---|---|")
for name in ours:
    print(f"| {name} | {shapes[name]} | {ours[name]:.1f} | {theirs[name]:.1f} | {theirs[name] / ours[name]:.2f} |")
