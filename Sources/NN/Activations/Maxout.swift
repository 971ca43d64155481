import Autograd

// Maxout (Goodfellow et al.): the largest of k affine pieces, yⱼ = maxᵢ (Wᵢx + bᵢ)ⱼ. The gradient
// goes to the arg-max piece (the first on ties), so each piece's W and b get gradient only where
// they won. The channel-grouping form for conv feature maps takes the max over k consecutive
// channels: [N, C, H, W] → [N, C/k, H, W].

extension Variable {
    /// The maximum over groups of `k` consecutive channels along `channelAxis` (default 1):
    /// [N, C, …] → [N, C/k, …].
    public func maxout(groups k: Int, channelAxis: Int = 1) -> Variable {
        let axis = channelAxis < 0 ? channelAxis + rank : channelAxis
        checkActivationParameter(k > 0, "maxout", "k = \(k)", "use k ≥ 1 pieces")
        tensorCheck(
            axis >= 0 && axis < rank && shape[axis] % k == 0,
            "maxout: \(axis >= 0 && axis < rank ? "\(shape[axis]) features" : "axis \(channelAxis)") of shape \(describeShape(shape)) \(axis >= 0 && axis < rank ? "are not divisible by k = \(k)" : "is out of range"). Fix: use a feature count that is a multiple of k, or another k."
        )
        var grouped = shape
        grouped[axis] = shape[axis] / k
        grouped.insert(k, at: axis + 1)
        return reshaped(to: grouped).max(alongAxis: axis + 1).values
    }
}

/// A maxout layer with k trainable affine pieces: `weight` k × out × in, `bias` k × out.
public struct Maxout<Scalar: TensorScalar> {
    public var weight: Variable<Scalar>
    public var bias: Variable<Scalar>
    public let pieces: Int

    /// Pieces initialized uniformly in ±1/√inputs (PyTorch's Linear default), from `seed`.
    public init(inputs: Int, outputs: Int, pieces k: Int, seed: UInt64 = 0) {
        checkActivationParameter(k > 0, "Maxout", "k = \(k)", "use k ≥ 1 pieces")
        checkActivationParameter(inputs > 0 && outputs > 0, "Maxout", "inputs \(inputs), outputs \(outputs)", "use positive sizes")
        var g = TensorRandom(seed: seed)
        let bound = 1 / Scalar(inputs).squareRoot()
        weight = Variable(Tensor.randomUniform([k, outputs, inputs], low: -bound, high: bound, using: &g), requiresGradient: true)
        bias = Variable(Tensor.randomUniform([k, outputs], low: -bound, high: bound, using: &g), requiresGradient: true)
        pieces = k
    }

    /// y = maxᵢ (x Wᵢᵀ + bᵢ) for x of shape [N, inputs]; result [N, outputs].
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let k = weight.shape[0]
        let out = weight.shape[1]
        let inputs = weight.shape[2]
        tensorCheck(
            x.rank == 2 && x.shape[1] == inputs,
            "Maxout: input of shape \(describeShape(x.shape)) for a layer with \(inputs) inputs. Fix: pass [batch, \(inputs)]."
        )
        // All pieces in one product: [N, in] × [in, k·out] → [N, k, out], then the max over k.
        let z = Variable.matmul(x, weight.reshaped(to: [k * out, inputs]), transposingB: true) + bias.reshaped(to: [k * out])
        return z.reshaped(to: [x.shape[0], k, out]).max(alongAxis: 1).values
    }
}
