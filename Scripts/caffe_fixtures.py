"""Caffe fixtures for Tapegrad's importer (issue 17), made independently of Tapegrad's code.

    python Scripts/caffe_fixtures.py            # writes Tests/NNTests/Fixtures/caffe/*
    python Scripts/caffe_fixtures.py --check F  # reads a .caffemodel Tapegrad wrote, prints its blobs

Needs a Python with torch, numpy, protobuf and grpcio-tools (test-time only, never a dependency
of the package). The .caffemodel files are written by Python protobuf from Scripts/caffe_subset.proto
(Caffe's field numbers), compiled here by grpcio-tools' protoc; the reference outputs are computed
by PyTorch from Caffe's definitions of each layer (below), in float64. Writes, for each net:
  <net>.prototxt    the network definition (text, written here by hand)
  <net>.caffemodel  its trained weights (binary), blobs in both shape styles
and caffe_reference.json: each net's input and every blob's value after a TEST-phase forward.
"""
import importlib, json, math, os, sys, tempfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NNTests", "Fixtures", "caffe")
F = torch.nn.functional
D = torch.float64


def compile_proto():
    from grpc_tools import protoc

    tmp = tempfile.mkdtemp()
    proto = os.path.join(ROOT, "Scripts", "caffe_subset.proto")
    rc = protoc.main(["protoc", f"-I{os.path.dirname(proto)}", f"--python_out={tmp}", proto])
    if rc != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, tmp)
    return importlib.import_module("caffe_subset_pb2")


pb = compile_proto()
rng = np.random.default_rng(17)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def rand(*shape, low=-1.0, high=1.0):
    return f32(rng.uniform(low, high, size=shape))


def blob(layer, array, style="shape", as_double=False):
    b = layer.blobs.add()
    if style == "shape":
        b.shape.dim.extend(array.shape)
    else:  # legacy num/channels/height/width, leading 1s
        dims = [1] * (4 - array.ndim) + list(array.shape)
        b.num, b.channels, b.height, b.width = dims
    if as_double:
        b.double_data.extend(array.astype(np.float64).reshape(-1).tolist())
    else:
        b.data.extend(array.reshape(-1).tolist())


def t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


# ---------------------------------------------------------------- LeNet-style net
LENET = """# A LeNet-style net for Tapegrad's Caffe import tests (written by Scripts/caffe_fixtures.py).
name: "LeNetFixture"
input: "data"
input_shape { dim: 2 dim: 1 dim: 12 dim: 12 }
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  param { lr_mult: 1 }
  param { lr_mult: 2 }
  convolution_param {
    num_output: 4
    kernel_size: 3
    stride: 1
    weight_filler { type: "xavier" }
    bias_filler { type: "constant" }
  }
}
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2" convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
layer { name: "bn2" type: "BatchNorm" bottom: "conv2" top: "conv2" batch_norm_param { use_global_stats: true eps: 0.001 } }
layer { name: "scale2" type: "Scale" bottom: "conv2" top: "conv2" scale_param { bias_term: true } }
layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
layer { name: "ip1" type: "InnerProduct" bottom: "pool2" top: "ip1" inner_product_param { num_output: 16 } }
layer { name: "relu3" type: "ReLU" bottom: "ip1" top: "ip1" relu_param { negative_slope: 0.1 } }
layer { name: "drop1" type: "Dropout" bottom: "ip1" top: "ip1" dropout_param { dropout_ratio: 0.3 } }
layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2" inner_product_param { num_output: 10 } }
layer { name: "prob" type: "Softmax" bottom: "ip2" top: "prob" }
layer {
  name: "loss"
  type: "SoftmaxWithLoss"
  bottom: "ip2"
  bottom: "label"
  top: "loss"
  include { phase: TRAIN }
}
"""


def lenet():
    net = pb.NetParameter(name="LeNetFixture")
    w1, b1 = rand(4, 1, 3, 3), rand(4, low=-0.1, high=0.1)
    w2, b2 = rand(6, 4, 3, 3, low=-0.4, high=0.4), rand(6, low=-0.1, high=0.1)
    mean, var, factor = rand(6, low=-0.2, high=0.2), rand(6, low=0.5, high=2.0), f32(0.5)
    gamma, beta = rand(6, low=0.5, high=1.5), rand(6, low=-0.2, high=0.2)
    wi1, bi1 = rand(16, 24, low=-0.4, high=0.4), rand(16, low=-0.1, high=0.1)
    wi2, bi2 = rand(10, 16, low=-0.5, high=0.5), rand(10, low=-0.1, high=0.1)

    def layer(name, type_, bottom, top):
        l = net.layer.add(name=name, type=type_)
        l.bottom.append(bottom)
        l.top.append(top)
        return l

    l = layer("conv1", "Convolution", "data", "conv1"); blob(l, w1); blob(l, b1)
    l = layer("conv2", "Convolution", "pool1", "conv2"); blob(l, w2); blob(l, b2, as_double=True)
    l = layer("bn2", "BatchNorm", "conv2", "conv2"); blob(l, mean); blob(l, var); blob(l, f32([factor]))
    l = layer("scale2", "Scale", "conv2", "conv2"); blob(l, gamma); blob(l, beta)
    l = layer("ip1", "InnerProduct", "pool2", "ip1"); blob(l, wi1, "legacy"); blob(l, bi1, "legacy")
    l = layer("ip2", "InnerProduct", "ip1", "ip2"); blob(l, wi2); blob(l, bi2)
    # A training-only layer with a blob the TEST net does not have: Caffe skips it by name.
    l = layer("loss_weights_unused", "InnerProduct", "ip2", "unused"); blob(l, rand(3, 10))

    x = rand(2, 1, 12, 12)
    blobs = {"data": t(x)}
    c1 = F.conv2d(t(x), t(w1), t(b1))
    blobs["conv1"] = c1
    p1 = F.max_pool2d(c1, 2, 2)
    blobs["pool1"] = p1
    c2 = F.conv2d(p1, t(w2), t(b2), padding=1)
    # Caffe BatchNorm (TEST): mean and variance are the stored blobs divided by the factor blob.
    m, v = t(mean) / float(factor), t(var) / float(factor)
    c2 = (c2 - m.view(1, -1, 1, 1)) / torch.sqrt(v.view(1, -1, 1, 1) + 0.001)
    c2 = c2 * t(gamma).view(1, -1, 1, 1) + t(beta).view(1, -1, 1, 1)
    c2 = torch.relu(c2)
    blobs["conv2"] = c2  # in place: the blob's last value
    p2 = F.avg_pool2d(c2, 3, 2)
    blobs["pool2"] = p2
    i1 = p2.reshape(2, -1) @ t(wi1).T + t(bi1)
    i1 = torch.where(i1 > 0, i1, 0.1 * i1)  # dropout is the identity at TEST
    blobs["ip1"] = i1
    i2 = i1 @ t(wi2).T + t(bi2)
    blobs["ip2"] = i2
    blobs["prob"] = torch.softmax(i2, dim=1)
    return LENET, net, blobs


# ---------------------------------------------------------------- every activation layer
ACTIVATIONS = """# Every activation layer Tapegrad's Caffe import maps, with non-default parameters, each on the
# input blob (written by Scripts/caffe_fixtures.py).
name: "ActivationsFixture"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
layer { name: "leaky" type: "ReLU" bottom: "data" top: "leaky" relu_param { negative_slope: 0.2 } }
layer { name: "relu" type: "ReLU" bottom: "data" top: "relu" }
layer { name: "prelu_c" type: "PReLU" bottom: "data" top: "prelu_c" }
layer { name: "prelu_s" type: "PReLU" bottom: "data" top: "prelu_s" prelu_param { channel_shared: true } }
layer { name: "elu" type: "ELU" bottom: "data" top: "elu" elu_param { alpha: 0.7 } }
layer { name: "tanh" type: "TanH" bottom: "data" top: "tanh" }
layer { name: "sigmoid" type: "Sigmoid" bottom: "data" top: "sigmoid" }
layer { name: "absval" type: "AbsVal" bottom: "data" top: "absval" }
layer { name: "bnll" type: "BNLL" bottom: "data" top: "bnll" }
layer { name: "power" type: "Power" bottom: "data" top: "power" power_param { power: 2 scale: 0.5 shift: 1.5 } }
layer { name: "power_cube" type: "Power" bottom: "data" top: "power_cube" power_param { power: 3 scale: -1.2 shift: 0.3 } }
layer { name: "power_sqrt" type: "Power" bottom: "data" top: "power_sqrt" power_param { power: 0.5 scale: 0.5 shift: 3 } }
layer { name: "exp" type: "Exp" bottom: "data" top: "exp" exp_param { base: 2 scale: 0.3 shift: -0.1 } }
layer { name: "exp_e" type: "Exp" bottom: "data" top: "exp_e" exp_param { scale: 1.5 } }
layer { name: "log" type: "Log" bottom: "data" top: "log" log_param { base: 10 scale: 0.5 shift: 3 } }
layer { name: "log_e" type: "Log" bottom: "data" top: "log_e" log_param { shift: 2.5 } }
layer { name: "drop" type: "Dropout" bottom: "data" top: "drop" dropout_param { dropout_ratio: 0.3 } }
layer { name: "chain" type: "TanH" bottom: "leaky" top: "chain" }
layer { name: "chain_inplace" type: "Sigmoid" bottom: "chain" top: "chain" }
layer { name: "softmax" type: "Softmax" bottom: "data" top: "softmax" softmax_param { axis: 1 } }
"""


def activations():
    net = pb.NetParameter(name="ActivationsFixture")
    slopes_c, slope_s = f32([0.1, -0.3, 0.7]), f32([0.05])
    l = net.layer.add(name="prelu_c", type="PReLU"); l.bottom.append("data"); l.top.append("prelu_c"); blob(l, slopes_c)
    l = net.layer.add(name="prelu_s", type="PReLU"); l.bottom.append("data"); l.top.append("prelu_s"); blob(l, slope_s)
    x = rand(2, 3, 4, 4, low=-2, high=2)
    x[0, 0, 0, :3] = [0.0, -0.0, 1.0]  # the kinks
    X = t(x)
    b = {"data": X}
    b["leaky"] = torch.where(X > 0, X, 0.2 * X)
    b["relu"] = torch.clamp(X, min=0)
    b["prelu_c"] = torch.where(X > 0, X, t(slopes_c).view(1, 3, 1, 1) * X)
    b["prelu_s"] = torch.where(X > 0, X, float(slope_s[0]) * X)
    b["elu"] = torch.where(X > 0, X, 0.7 * torch.expm1(X))
    b["tanh"] = torch.tanh(X)
    b["sigmoid"] = torch.sigmoid(X)
    b["absval"] = torch.abs(X)
    b["bnll"] = torch.where(X > 0, X + torch.log1p(torch.exp(-X)), torch.log1p(torch.exp(X)))
    b["power"] = (1.5 + 0.5 * X) ** 2
    b["power_cube"] = (0.3 - 1.2 * X) ** 3
    b["power_sqrt"] = torch.sqrt(3 + 0.5 * X)
    b["exp"] = torch.exp(math.log(2) * (-0.1 + 0.3 * X))
    b["exp_e"] = torch.exp(1.5 * X)
    b["log"] = torch.log(3 + 0.5 * X) / math.log(10)
    b["log_e"] = torch.log(2.5 + X)
    b["drop"] = X
    b["chain"] = torch.sigmoid(torch.tanh(b["leaky"]))
    b["softmax"] = torch.softmax(X, dim=1)
    return ACTIVATIONS, net, b


# ---------------------------------------------------------------- a DAG: branches that merge
BRANCHES = """# Branches that merge (Concat, Eltwise SUM with coefficients, PROD, MAX), written by
# Scripts/caffe_fixtures.py.
name: "BranchesFixture"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 4 kernel_size: 1 } }
layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 2 kernel_size: 3 pad: 1 bias_term: false } }
layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat" concat_param { axis: 1 } }
layer { name: "r" type: "ReLU" bottom: "cat" top: "r" }
layer { name: "t" type: "TanH" bottom: "cat" top: "t" }
layer { name: "sum" type: "Eltwise" bottom: "r" bottom: "t" bottom: "cat" top: "sum" eltwise_param { operation: SUM coeff: 1 coeff: -0.5 coeff: 2 } }
layer { name: "prod" type: "Eltwise" bottom: "sum" bottom: "t" top: "prod" eltwise_param { operation: PROD } }
layer { name: "max" type: "Eltwise" bottom: "prod" bottom: "r" top: "max" eltwise_param { operation: MAX } }
layer { name: "pool" type: "Pooling" bottom: "max" top: "pool" pooling_param { pool: AVE global_pooling: true } }
layer { name: "ip" type: "InnerProduct" bottom: "pool" top: "ip" inner_product_param { num_output: 3 } }
"""


def branches():
    net = pb.NetParameter(name="BranchesFixture")
    wa, ba = rand(4, 3, 1, 1), rand(4, low=-0.2, high=0.2)
    wb = rand(2, 3, 3, 3, low=-0.5, high=0.5)
    wi, bi = rand(3, 6), rand(3, low=-0.1, high=0.1)
    for name, blobs in [("a", [wa, ba]), ("b", [wb]), ("ip", [wi, bi])]:
        l = net.layer.add(name=name)
        for b in blobs:
            blob(l, b)
    X = t(rand(2, 3, 4, 4, low=-2, high=2))
    v = {"data": X}
    v["a"] = F.conv2d(X, t(wa), t(ba))
    v["b"] = F.conv2d(X, t(wb), padding=1)
    v["cat"] = torch.cat([v["a"], v["b"]], dim=1)
    v["r"] = torch.relu(v["cat"])
    v["t"] = torch.tanh(v["cat"])
    v["sum"] = v["r"] - 0.5 * v["t"] + 2 * v["cat"]
    v["prod"] = v["sum"] * v["t"]
    v["max"] = torch.maximum(v["prod"], v["r"])
    v["pool"] = v["max"].mean(dim=(2, 3), keepdim=True)
    v["ip"] = v["pool"].reshape(2, -1) @ t(wi).T + t(bi)
    return BRANCHES, net, v


def write():
    os.makedirs(OUT, exist_ok=True)
    reference = {}
    for name, make in [("lenet", lenet), ("activations", activations), ("branches", branches)]:
        text, net, blobs = make()
        with open(os.path.join(OUT, f"{name}.prototxt"), "w") as f:
            f.write(text)
        with open(os.path.join(OUT, f"{name}.caffemodel"), "wb") as f:
            f.write(net.SerializeToString())
        reference[name] = {k: {"shape": list(v.shape), "values": v.reshape(-1).tolist()} for k, v in blobs.items()}
    with open(os.path.join(OUT, "caffe_reference.json"), "w") as f:
        json.dump(reference, f)
    print("wrote", sorted(os.listdir(OUT)))


def check(path):
    net = pb.NetParameter()
    with open(path, "rb") as f:
        net.ParseFromString(f.read())
    print(f"net '{net.name}': {len(net.layer)} layers with weights")
    for layer in net.layer:
        shapes = [list(b.shape.dim) for b in layer.blobs]
        counts = [len(b.data) for b in layer.blobs]
        ok = all(int(np.prod(s)) == c for s, c in zip(shapes, counts))
        print(f"  {layer.name} ({layer.type}) {list(layer.bottom)} -> {list(layer.top)}: {shapes} {'ok' if ok else 'COUNT MISMATCH'}")
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        write()
