"""Checks Tapegrad's ONNX export and Caffe write-back against independent implementations (issue 17).

    python Scripts/check_interop.py [--tapegrad PATH] [--epochs N]
    python Scripts/check_interop.py --onnx F.onnx --reference R.safetensors   # one file

Needs a Python with numpy, onnx, onnxruntime, protobuf and grpcio-tools (test-time only; not a
dependency of the package, not run by .ci/run). Builds the release `tapegrad` unless --tapegrad
is given, then:
  1. trains the mlp, cnn and maxout models of `tapegrad train` (--save), exports each with
     `tapegrad export-onnx --checkpoint … --reference …`, and checks the file with
     onnx.checker (full check) and ONNX Runtime on the 360 test digits: within 1e-5 of Tapegrad's
     outputs, the same predicted digits, and the same again on a batch of 3 (dynamic batch);
  2. does the same for one model per catalogue activation (`export-onnx --catalogue`);
  3. imports the Caffe fixture nets with their weights, exports them, checks them the same way,
     and writes their weights back (`import-caffe --save-caffemodel`), read by Python protobuf.
Exits 1 if anything fails; prints one line per model.
"""
import argparse, glob, json, os, struct, subprocess, sys, tempfile

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-5


def safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        s, t = e["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + s : 8 + n + t], dtype=np.float32).reshape(e["shape"])
    return out


def check(name, model_path, reference_path, classify=False):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    ref = safetensors(reference_path)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    y = session.run(None, {"input": ref["input"]})[0]
    small = session.run(None, {"input": ref["input"][:3]})[0]
    ours = ref["output"]
    ok = y.shape == ours.shape and small.shape == (3,) + ours.shape[1:]
    error = float(np.max(np.abs(y.astype(np.float64) - ours))) if ok else float("inf")
    error_small = float(np.max(np.abs(small.astype(np.float64) - ours[:3]))) if ok else float("inf")
    ok = ok and error <= TOLERANCE and error_small <= TOLERANCE and np.array_equal(np.isnan(y), np.isnan(ours))
    extra = ""
    if classify and ok:
        same = int(np.sum(np.argmax(y, axis=1) == np.argmax(ours, axis=1)))
        extra = f", same prediction on {same}/{len(y)}"
        ok = ok and same == len(y)
    ops = sorted({n.op_type for n in model.graph.node} - {"Identity"})
    print(f"{'ok ' if ok else 'FAIL'} {name:18s} max |ORT - ours| {error:.2e} (batch {len(y)}), {error_small:.2e} (batch 3){extra}; ops {', '.join(ops)}")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tapegrad")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--onnx")
    parser.add_argument("--reference")
    args = parser.parse_args()
    if args.onnx:
        sys.exit(0 if check(os.path.basename(args.onnx), args.onnx, args.reference) else 1)
    tool = args.tapegrad
    if tool is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "tapegrad"], cwd=ROOT, check=True)
        tool = os.path.join(ROOT, ".build", "release", "tapegrad")
    run = lambda *a: subprocess.run([tool, *a], check=True, capture_output=True, text=True).stdout
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}; tolerance {TOLERANCE}")
    tmp = tempfile.mkdtemp()
    results = []
    for model, activation in [("mlp", "relu"), ("cnn", "relu"), ("maxout", None), ("mlp", "prelu:per_channel=1"), ("cnn", "swish")]:
        tag = model + (f"-{activation.split(':')[0]}" if activation and activation != "relu" else "")
        ckpt, out, ref = (os.path.join(tmp, f"{tag}.{e}") for e in ("safetensors", "onnx", "ref.safetensors"))
        train = ["train", "--model", model, "--epochs", str(args.epochs), "--save", ckpt, "--quiet", "--plot", os.path.join(tmp, f"{tag}.svg")]
        if activation:
            train += ["--activation", activation]
        run(*train)
        run("export-onnx", "--checkpoint", ckpt, "--output", out, "--reference", ref)
        results.append(check(f"train {tag}", out, ref, classify=True))
    cat = os.path.join(tmp, "catalogue")
    run("export-onnx", "--catalogue", cat)
    for path in sorted(glob.glob(os.path.join(cat, "*.onnx"))):
        name = os.path.basename(path)[: -len(".onnx")]
        results.append(check(name, path, path[: -len(".onnx")] + ".reference.safetensors"))
    fixtures = os.path.join(ROOT, "Tests", "NNTests", "Fixtures", "caffe")
    for net in ("lenet", "activations", "branches"):
        proto, weights = os.path.join(fixtures, f"{net}.prototxt"), os.path.join(fixtures, f"{net}.caffemodel")
        out, ref, back = (os.path.join(tmp, f"caffe-{net}.{e}") for e in ("onnx", "ref.safetensors", "caffemodel"))
        run("export-onnx", "--caffe", proto, "--weights", weights, "--output", out, "--reference", ref)
        results.append(check(f"caffe {net}", out, ref))
        run("import-caffe", proto, "--weights", weights, "--save-caffemodel", back)
        written = subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "caffe_fixtures.py"), "--check", back], capture_output=True, text=True)
        print(("ok  " if written.returncode == 0 else "FAIL") + f" caffe {net} written back, read by Python protobuf: " + written.stdout.splitlines()[0])
        results.append(written.returncode == 0)
    print(f"{sum(results)}/{len(results)} checks passed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
