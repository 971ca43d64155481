"""Reference values for Tapegrad's layers (Conv2d, MaxPool2d, AvgPool2d, BatchNorm), from PyTorch.

    /work/venv/bin/python Scripts/torch_layer_reference.py   # writes Tests/NNTests/Fixtures/torch_layers.json

Everything in float64, stored as hexadecimal floats (float.hex(); "nan" for NaN) so Swift's
Double(String) reads the values back bit for bit. For each case: the inputs, a fixed random
output weight w, the output y and the gradients of sum(y * w) with respect to the input and the
parameters. Run with a Python that has torch (not a dependency of the package).
"""
import json, os, torch

F = torch.nn.functional
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NNTests", "Fixtures", "torch_layers.json")
D = torch.float64
gen = torch.Generator().manual_seed(0)


def rand(*shape):
    return torch.rand(*shape, generator=gen, dtype=D) * 2 - 1


def hexes(t):
    return [float(v).hex() for v in t.detach().reshape(-1).tolist()]


def weighted_backward(y):
    w = rand(*y.shape)
    (y * w).sum().backward()
    return w


conv = []
# (name, N, Cin, H, W, Cout, kernel, stride, padding, dilation, groups, bias)
CONV = [
    ("basic_3x3", 2, 3, 5, 6, 4, (3, 3), (1, 1), (0, 0), (1, 1), 1, True),
    ("stride_padding_rect", 2, 2, 5, 7, 3, (2, 3), (2, 1), (1, 2), (1, 1), 1, True),
    ("dilation_padding", 1, 2, 7, 7, 2, (3, 3), (1, 1), (1, 1), (2, 2), 1, True),
    ("groups_no_bias", 2, 4, 5, 6, 6, (3, 2), (1, 2), (0, 1), (1, 1), 2, False),
    ("depthwise_mixed", 2, 3, 6, 5, 6, (3, 3), (2, 2), (1, 1), (2, 1), 3, True),
    ("one_by_one_stride3", 3, 2, 7, 8, 5, (1, 1), (3, 3), (0, 0), (1, 1), 1, True),
]
for name, n, cin, h, w_, cout, k, s, p, d, g, has_bias in CONV:
    x = rand(n, cin, h, w_).requires_grad_(True)
    weight = rand(cout, cin // g, *k).requires_grad_(True)
    bias = rand(cout).requires_grad_(True) if has_bias else None
    y = F.conv2d(x, weight, bias, stride=s, padding=p, dilation=d, groups=g)
    w = weighted_backward(y)
    conv.append({
        "name": name, "x_shape": list(x.shape), "weight_shape": list(weight.shape), "y_shape": list(y.shape),
        "stride": list(s), "padding": list(p), "dilation": list(d), "groups": g,
        "x": hexes(x), "weight": hexes(weight), "bias": hexes(bias) if has_bias else None,
        "w": hexes(w), "y": hexes(y), "dx": hexes(x.grad), "dweight": hexes(weight.grad),
        "dbias": hexes(bias.grad) if has_bias else None,
    })

pools = []
# (name, kind, shape, kernel, stride, padding, count_include_pad, integer-valued input (ties))
POOLS = [
    ("max_2x2", "max", (2, 3, 4, 6), (2, 2), None, (0, 0), True, False),
    ("max_3x2_s21_p11", "max", (2, 2, 5, 5), (3, 2), (2, 1), (1, 1), True, False),
    ("max_3x3_s2_p1_ties", "max", (1, 2, 6, 7), (3, 3), (2, 2), (1, 1), True, True),
    ("max_nan", "max", (1, 1, 4, 4), (2, 2), None, (0, 0), True, False),
    ("avg_2x2", "avg", (2, 3, 4, 6), (2, 2), None, (0, 0), True, False),
    ("avg_3x3_s2_p1_include", "avg", (2, 2, 6, 7), (3, 3), (2, 2), (1, 1), True, False),
    ("avg_3x3_s2_p1_exclude", "avg", (2, 2, 6, 7), (3, 3), (2, 2), (1, 1), False, False),
    ("avg_2x3_s12_p11_exclude", "avg", (1, 3, 5, 6), (2, 3), (1, 2), (1, 1), False, False),
]
for name, kind, shape, k, s, p, cip, ties in POOLS:
    base = torch.randint(-2, 3, shape, generator=gen).to(D) if ties else rand(*shape)
    if name == "max_nan":
        base[0, 0, 0, 1] = float("nan")
        base[0, 0, 3, 3] = float("nan")
    x = base.clone().requires_grad_(True)
    if kind == "max":
        y = F.max_pool2d(x, k, stride=s, padding=p)
    else:
        y = F.avg_pool2d(x, k, stride=s, padding=p, count_include_pad=cip)
    w = weighted_backward(y)
    pools.append({
        "name": name, "kind": kind, "x_shape": list(shape), "y_shape": list(y.shape), "kernel": list(k),
        "stride": list(s) if s else None, "padding": list(p), "count_include_pad": cip,
        "x": hexes(x), "w": hexes(w), "y": hexes(y), "dx": hexes(x.grad),
    })

batchnorm = []
# (name, module, input shape); the affine parameters are set to random values before the step.
BN = [
    ("bn1d_nc", torch.nn.BatchNorm1d, (6, 3)),
    ("bn1d_ncl", torch.nn.BatchNorm1d, (3, 2, 5)),
    ("bn2d", torch.nn.BatchNorm2d, (2, 3, 4, 5)),
]
for name, cls, shape in BN:
    c = shape[1]
    m = cls(c).to(D)
    with torch.no_grad():
        m.weight.copy_(rand(c) + 1)
        m.bias.copy_(rand(c))
    weight0, bias0 = m.weight.detach().clone(), m.bias.detach().clone()
    x = (rand(*shape) * 3 + 0.5).requires_grad_(True)
    m.train()
    y = m(x)
    w = weighted_backward(y)
    x2 = rand(*shape) * 2
    m.train()
    y2 = m(x2)  # a second training step: running statistics after two updates
    m.eval()
    x_eval = rand(*shape)
    y_eval = m(x_eval)
    batchnorm.append({
        "name": name, "shape": list(shape), "weight": hexes(weight0), "bias": hexes(bias0),
        "x": hexes(x), "w": hexes(w), "y": hexes(y), "dx": hexes(x.grad),
        "dweight": hexes(m.weight.grad), "dbias": hexes(m.bias.grad),
        "x2": hexes(x2), "y2": hexes(y2),
        "running_mean": hexes(m.running_mean), "running_var": hexes(m.running_var),
        "x_eval": hexes(x_eval), "y_eval": hexes(y_eval),
    })

layernorm = []
# (name, input shape, normalized shape, elementwise_affine, bias)
LN = [
    ("ln_last_axis", (2, 3, 4), (4,), True, True),
    ("ln_two_axes", (3, 2, 5), (2, 5), True, True),
    ("ln_no_affine", (4, 6), (6,), False, False),
    ("ln_no_bias", (2, 5), (5,), True, False),
]
for name, shape, norm, affine, has_bias in LN:
    m = torch.nn.LayerNorm(norm, elementwise_affine=affine, bias=has_bias).to(D)
    if affine:
        with torch.no_grad():
            m.weight.copy_(rand(*norm) + 1)
            if has_bias:
                m.bias.copy_(rand(*norm))
    x = (rand(*shape) * 3 + 0.5).requires_grad_(True)
    y = m(x)
    w = weighted_backward(y)
    layernorm.append({
        "name": name, "shape": list(shape), "normalized_shape": list(norm), "affine": affine, "bias": has_bias,
        "weight": hexes(m.weight) if affine else None, "bias_value": hexes(m.bias) if affine and has_bias else None,
        "x": hexes(x), "w": hexes(w), "y": hexes(y), "dx": hexes(x.grad),
        "dweight": hexes(m.weight.grad) if affine else None, "dbias": hexes(m.bias.grad) if affine and has_bias else None,
    })

embedding = []
# (name, table rows, dimension, indices (nested), padding index)
EMB = [
    ("embedding_repeats", 7, 3, [[1, 4, 4], [0, 6, 2]], None),
    ("embedding_padding", 5, 2, [2, 0, 2, 3], 2),
]
for name, rows, dim, idx, pad in EMB:
    table = rand(rows, dim)
    m = torch.nn.Embedding.from_pretrained(table.clone(), freeze=False, padding_idx=pad)
    y = m(torch.tensor(idx))
    w = weighted_backward(y)
    embedding.append({
        "name": name, "rows": rows, "dimension": dim, "indices": idx, "padding_index": pad,
        "weight": hexes(table), "w": hexes(w), "y": hexes(y), "y_shape": list(y.shape), "dweight": hexes(m.weight.grad),
    })

conv1d = []
# (name, N, Cin, L, Cout, kernel, stride, padding, dilation, groups, bias)
C1 = [
    ("conv1d_basic", 2, 3, 9, 4, 3, 1, 0, 1, 1, True),
    ("conv1d_stride_pad_dilation_groups", 2, 4, 11, 6, 3, 2, 2, 2, 2, False),
]
for name, n, cin, length, cout, k, st, pad, dil, g_, has_bias in C1:
    x = rand(n, cin, length).requires_grad_(True)
    weight = rand(cout, cin // g_, k).requires_grad_(True)
    bias = rand(cout).requires_grad_(True) if has_bias else None
    y = F.conv1d(x, weight, bias, stride=st, padding=pad, dilation=dil, groups=g_)
    w = weighted_backward(y)
    conv1d.append({
        "name": name, "x_shape": list(x.shape), "weight_shape": list(weight.shape), "y_shape": list(y.shape),
        "stride": st, "padding": pad, "dilation": dil, "groups": g_,
        "x": hexes(x), "weight": hexes(weight), "bias": hexes(bias) if has_bias else None,
        "w": hexes(w), "y": hexes(y), "dx": hexes(x.grad), "dweight": hexes(weight.grad),
        "dbias": hexes(bias.grad) if has_bias else None,
    })

adaptive = []
for name, shape, out in [("adaptive_global", (2, 3, 5, 4), (1, 1)), ("adaptive_overlapping", (1, 2, 5, 7), (2, 3)),
                         ("adaptive_exact", (2, 1, 6, 6), (3, 3)), ("adaptive_upsampling", (1, 1, 2, 3), (4, 5))]:
    x = rand(*shape).requires_grad_(True)
    y = F.adaptive_avg_pool2d(x, out)
    w = weighted_backward(y)
    adaptive.append({"name": name, "x_shape": list(shape), "output_size": list(out), "x": hexes(x), "w": hexes(w),
                     "y": hexes(y), "dx": hexes(x.grad)})

recurrent = []
# (name, kind, input size, hidden, layers, N, L, batch_first)
REC = [
    ("lstm_two_layers_batch_first", "lstm", 3, 4, 2, 2, 5, True),
    ("gru_one_layer", "gru", 3, 4, 1, 3, 4, False),
    ("rnn_tanh", "rnn_tanh", 2, 3, 1, 2, 4, False),
    ("rnn_relu_two_layers", "rnn_relu", 2, 3, 2, 2, 3, False),
]
for name, kind, inp, hid, layers, n, length, bf in REC:
    if kind == "lstm":
        m = torch.nn.LSTM(inp, hid, layers, batch_first=bf)
    elif kind == "gru":
        m = torch.nn.GRU(inp, hid, layers, batch_first=bf)
    else:
        m = torch.nn.RNN(inp, hid, layers, nonlinearity="tanh" if kind == "rnn_tanh" else "relu", batch_first=bf)
    m = m.to(D)
    with torch.no_grad():
        for p_ in m.parameters():
            p_.copy_(rand(*p_.shape) * 0.8)
    x = rand(*((n, length, inp) if bf else (length, n, inp))).requires_grad_(True)
    h0 = rand(layers, n, hid).requires_grad_(True)
    if kind == "lstm":
        c0 = rand(layers, n, hid).requires_grad_(True)
        out, (hn, cn) = m(x, (h0, c0))
    else:
        c0 = None
        out, hn = m(x, h0)
        cn = None
    w, wh = rand(*out.shape), rand(*hn.shape)
    wc = rand(*cn.shape) if cn is not None else None
    loss = (out * w).sum() + (hn * wh).sum() + ((cn * wc).sum() if cn is not None else 0)
    loss.backward()
    entry = {"name": name, "kind": kind, "input_size": inp, "hidden_size": hid, "layers": layers, "batch_first": bf,
             "x_shape": list(x.shape), "x": hexes(x), "h0": hexes(h0), "c0": hexes(c0) if c0 is not None else None,
             "w": hexes(w), "wh": hexes(wh), "wc": hexes(wc) if wc is not None else None,
             "out": hexes(out), "hn": hexes(hn), "cn": hexes(cn) if cn is not None else None,
             "dx": hexes(x.grad), "dh0": hexes(h0.grad), "dc0": hexes(c0.grad) if c0 is not None else None, "params": {}}
    for pname, p_ in m.named_parameters():
        entry["params"][pname] = {"shape": list(p_.shape), "value": hexes(p_), "grad": hexes(p_.grad)}
    recurrent.append(entry)

attention = []
# (name, E, heads, L, S, N, batch_first, self-attention, attention mask [L][S], key padding mask [N][S])
ATT = [
    ("mha_self", 6, 2, 4, 4, 2, False, True, None, None),
    ("mha_cross_masked_batch_first", 4, 2, 3, 5, 2, True, False,
     [[False, True, True, False, False], [False, False, True, False, False], [False, False, False, False, True]],
     [[False, False, False, True, True], [False, False, False, False, False]]),
]
for name, e, heads, l, s_, n, bf, is_self, amask, kpm in ATT:
    m = torch.nn.MultiheadAttention(e, heads, batch_first=bf).to(D)
    with torch.no_grad():
        for p_ in m.parameters():
            p_.copy_(rand(*p_.shape))
    qshape = (n, l, e) if bf else (l, n, e)
    kshape = (n, s_, e) if bf else (s_, n, e)
    q = rand(*qshape).requires_grad_(True)
    if is_self:
        k = v = q
    else:
        k = rand(*kshape).requires_grad_(True)
        v = rand(*kshape).requires_grad_(True)
    out, weights = m(q, k, v, attn_mask=torch.tensor(amask) if amask else None,
                     key_padding_mask=torch.tensor(kpm) if kpm else None, need_weights=True, average_attn_weights=True)
    w, ww = rand(*out.shape), rand(*weights.shape)
    ((out * w).sum() + (weights * ww).sum()).backward()
    entry = {"name": name, "embed_dim": e, "heads": heads, "batch_first": bf, "self": is_self,
             "attention_mask": amask, "key_padding_mask": kpm, "q_shape": list(q.shape), "k_shape": list(k.shape),
             "q": hexes(q), "k": hexes(k), "v": hexes(v), "w": hexes(w), "ww": hexes(ww),
             "out": hexes(out), "out_shape": list(out.shape), "weights": hexes(weights), "weights_shape": list(weights.shape),
             "dq": hexes(q.grad), "dk": None if is_self else hexes(k.grad), "dv": None if is_self else hexes(v.grad), "params": {}}
    for pname, p_ in m.named_parameters():
        entry["params"][pname] = {"shape": list(p_.shape), "value": hexes(p_), "grad": hexes(p_.grad)}
    attention.append(entry)

conv_transpose = []
# (name, N, Cin, H, W, Cout, kernel, stride, padding, output_padding, dilation, groups, bias)
CT = [
    ("transpose_basic", 2, 3, 4, 5, 2, (3, 3), (1, 1), (0, 0), (0, 0), (1, 1), 1, True),
    ("transpose_upsample_x2", 1, 2, 3, 4, 3, (3, 3), (2, 2), (1, 1), (1, 1), (1, 1), 1, True),
    ("transpose_groups_dilation", 2, 4, 3, 3, 4, (2, 3), (2, 1), (0, 1), (1, 0), (1, 2), 2, False),
]
for name, n, cin, h, w_, cout, k, st, pad, opad, dil, g_, has_bias in CT:
    x = rand(n, cin, h, w_).requires_grad_(True)
    weight = rand(cin, cout // g_, *k).requires_grad_(True)
    bias = rand(cout).requires_grad_(True) if has_bias else None
    y = F.conv_transpose2d(x, weight, bias, stride=st, padding=pad, output_padding=opad, groups=g_, dilation=dil)
    w = weighted_backward(y)
    conv_transpose.append({
        "name": name, "x_shape": list(x.shape), "weight_shape": list(weight.shape), "y_shape": list(y.shape),
        "stride": list(st), "padding": list(pad), "output_padding": list(opad), "dilation": list(dil), "groups": g_,
        "x": hexes(x), "weight": hexes(weight), "bias": hexes(bias) if has_bias else None,
        "w": hexes(w), "y": hexes(y), "dx": hexes(x.grad), "dweight": hexes(weight.grad),
        "dbias": hexes(bias.grad) if has_bias else None,
    })

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump({"torch": torch.__version__, "conv2d": conv, "pools": pools, "batchnorm": batchnorm,
               "layernorm": layernorm, "embedding": embedding, "conv1d": conv1d, "adaptive": adaptive, "recurrent": recurrent,
               "attention": attention, "conv_transpose": conv_transpose}, fh, indent=0)
print(f"wrote {OUT}: {len(conv)} conv, {len(pools)} pool, {len(batchnorm)} batchnorm cases")
