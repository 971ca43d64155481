import Autograd

/// Multi-head scaled dot-product attention (PyTorch's `nn.MultiheadAttention`, same
/// parameters and formulas): with d = embedDim/heads,
///
///     Q = q W_qᵀ + b_q,  K = k W_kᵀ + b_k,  V = v W_vᵀ + b_v        (W_q, W_k, W_v: in_proj_weight's thirds)
///     A_h = softmax(Q_h K_hᵀ/√d + mask)                            per head h
///     out = concat_h(A_h V_h) W_oᵀ + b_o
///
/// Inputs are [L, N, E] for queries and [S, N, E] for keys and values ([N, L, E] with
/// `batchFirst`). `attentionMask` [L, S] (true: may not attend) and `keyPaddingMask` [N, S]
/// (true: a padding key) add −∞ before the softmax; a query row with every key masked gives NaN,
/// as in PyTorch. Returns the output and the attention weights averaged over the heads [N, L, S].
/// Parameters "in_proj_weight" [3E, E] (Xavier uniform), "in_proj_bias" [3E] (zeros),
/// "out_proj.weight" [E, E], "out_proj.bias" [E] (zeros), as PyTorch names them.
public final class MultiheadAttention<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var in_proj_weight: Variable<Scalar>
    public let in_proj_bias: Parameter<Scalar>?
    public let out_proj: Linear<Scalar>
    public let embedDim: Int
    public let heads: Int
    public let batchFirst: Bool

    public init(embedDim: Int, heads: Int, bias: Bool = true, batchFirst: Bool = false) {
        tensorCheck(
            embedDim > 0 && heads > 0 && embedDim % heads == 0,
            "MultiheadAttention: embedDim \(embedDim), heads \(heads). Fix: use an embedding size divisible by the number of heads (both ≥ 1)."
        )
        let w = ModelRandom.withGenerator { Tensor<Scalar>.xavierUniform([3 * embedDim, embedDim], using: &$0) }
        _in_proj_weight = Parameter(w)
        in_proj_bias = bias ? Parameter(Tensor.zeros([3 * embedDim])) : nil
        let out = Linear<Scalar>(embedDim, embedDim, bias: bias)
        if let b = out.bias { b.assign(Tensor.zeros([embedDim])) }
        out_proj = out
        self.embedDim = embedDim
        self.heads = heads
        self.batchFirst = batchFirst
        super.init()
    }

    public override var summaryLine: String {
        "MultiheadAttention<\(Scalar.self)>(embedDim: \(embedDim), heads: \(heads), bias: \(in_proj_bias != nil), batchFirst: \(batchFirst))"
    }

    /// Rows [part·E, (part + 1)·E) of the packed projection, applied to x [N, T, E].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func project(_ x: Variable<Scalar>, _ part: Int) -> Variable<Scalar> {
        let e = embedDim
        let w = in_proj_weight.sliced(alongAxis: 0, (part * e)..<((part + 1) * e))
        var y = Variable.matmul(x, w, transposingB: true)
        if let b = in_proj_bias { y = y + b.variable.sliced(alongAxis: 0, (part * e)..<((part + 1) * e)) }
        return y
    }

    /// Attention of `query` over `key`/`value`; see the type's notes for shapes and masks.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(
        query: Variable<Scalar>, key: Variable<Scalar>, value: Variable<Scalar>,
        attentionMask: [[Bool]]? = nil, keyPaddingMask: [[Bool]]? = nil
    ) -> (output: Variable<Scalar>, weights: Variable<Scalar>) {
        let e = embedDim, h = heads, d = e / h
        for (name, t) in [("query", query), ("key", key), ("value", value)] {
            tensorCheck(
                t.rank == 3 && t.shape[2] == e,
                "MultiheadAttention: \(name) of shape \(describeShape(t.shape)). Fix: pass [\(batchFirst ? "N, length" : "length, N"), \(e)] (batchFirst: \(batchFirst))."
            )
        }
        // To [N, T, E].
        let (q, k, v) = batchFirst ? (query, key, value) : (query.transposed(0, 1), key.transposed(0, 1), value.transposed(0, 1))
        let (n, l, s) = (q.shape[0], q.shape[1], k.shape[1])
        tensorCheck(
            k.shape[0] == n && v.shape[0] == n && v.shape[1] == s,
            "MultiheadAttention: query \(describeShape(query.shape)), key \(describeShape(key.shape)), value \(describeShape(value.shape)). Fix: use one batch size, and keys and values of the same length."
        )
        // [N, T, E] → [N, heads, T, d].
        func split(_ x: Variable<Scalar>, _ t: Int) -> Variable<Scalar> { x.reshaped(to: [n, t, h, d]).permuted([0, 2, 1, 3]) }
        let qh = split(project(q, 0), l), kh = split(project(k, 1), s), vh = split(project(v, 2), s)
        var scores = Variable.matmul(qh, kh, transposingB: true) / Scalar(d).squareRoot()  // [N, h, L, S]
        if attentionMask != nil || keyPaddingMask != nil {
            var additive = [Scalar](repeating: 0, count: n * l * s)
            if let m = attentionMask {
                tensorCheck(m.count == l && m.allSatisfy { $0.count == s }, "MultiheadAttention: attentionMask of \(m.count) rows for \(l) queries and \(s) keys. Fix: pass [L][S] booleans (true: may not attend).")
                for b in 0..<n { for i in 0..<l { for j in 0..<s where m[i][j] { additive[(b * l + i) * s + j] = -.infinity } } }
            }
            if let m = keyPaddingMask {
                tensorCheck(m.count == n && m.allSatisfy { $0.count == s }, "MultiheadAttention: keyPaddingMask of \(m.count) rows for batch \(n) and \(s) keys. Fix: pass [N][S] booleans (true: padding).")
                for b in 0..<n { for i in 0..<l { for j in 0..<s where m[b][j] { additive[(b * l + i) * s + j] = -.infinity } } }
            }
            scores = scores + Variable(Tensor(shape: [n, 1, l, s], scalars: additive))
        }
        let weights = scores.softmax(alongAxis: 3)
        let context = Variable.matmul(weights, vh).permuted([0, 2, 1, 3]).reshaped(to: [n, l, e])  // [N, L, E]
        var output = out_proj(context)
        if !batchFirst { output = output.transposed(0, 1) }
        return (output, weights.mean(alongAxes: [1]))
    }

    /// Self-attention without masks (the `Layer` form): `x` is query, key and value.
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { self(query: x, key: x, value: x).output }
}
