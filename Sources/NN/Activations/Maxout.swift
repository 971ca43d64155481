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

    /// Maxout with k affine pieces: yⱼ = maxᵢ (x Wᵢᵀ + bᵢ)ⱼ for x of shape [N, inputs], `weight`
    /// [k, outputs, inputs] and `bias` [k, outputs]; result [N, outputs]. The gradient goes to the
    /// arg-max piece (the first on ties).
    /// - Complexity: O(N · k · inputs · outputs).
    public func maxout(weight: Variable, bias: Variable) -> Variable {
        tensorCheck(
            weight.rank == 3 && bias.shape == [weight.shape[0], weight.shape[1]],
            "maxout: weight \(describeShape(weight.shape)) and bias \(describeShape(bias.shape)). Fix: weight [k, outputs, inputs] and bias [k, outputs]."
        )
        let k = weight.shape[0]
        let out = weight.shape[1]
        let inputs = weight.shape[2]
        tensorCheck(
            rank == 2 && shape[1] == inputs,
            "maxout: input of shape \(describeShape(shape)) for \(inputs) inputs. Fix: pass [batch, \(inputs)]."
        )
        // All pieces in one product: [N, in] × [in, k·out] → [N, k, out], then the max over k.
        let z = Variable.matmul(self, weight.reshaped(to: [k * out, inputs]), transposingB: true) + bias.reshaped(to: [k * out])
        return z.reshaped(to: [shape[0], k, out]).max(alongAxis: 1).values
    }
}

/// The maxout layer with k trainable affine pieces: y = maxᵢ (x Wᵢᵀ + bᵢ), parameters "weight"
/// [k, outputs, inputs] and "bias" [k, outputs] (see `Variable.maxout(weight:bias:)`).
///
/// Initialization (PyTorch's Linear default, per piece): uniform in ±1/√inputs.
/// - Complexity: O(batch · k · inputs · outputs).
public final class Maxout<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var weight: Variable<Scalar>
    @Parameter public var bias: Variable<Scalar>

    /// k = `pieces` pieces from `inputs` features to `outputs`, drawn from the default generator
    /// (see `manualSeed(_:)`).
    public convenience init(inputs: Int, outputs: Int, pieces k: Int) {
        let (w, b) = ModelRandom.withGenerator { Self.initialParameters(inputs, outputs, k, using: &$0) }
        self.init(weight: w, bias: b)
    }

    /// k = `pieces` pieces from `inputs` features to `outputs`, drawn from `generator`.
    public convenience init(inputs: Int, outputs: Int, pieces k: Int, using generator: inout TensorRandom) {
        let (w, b) = Self.initialParameters(inputs, outputs, k, using: &generator)
        self.init(weight: w, bias: b)
    }

    /// A layer with the given weight [k, outputs, inputs] and bias [k, outputs].
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>) {
        tensorCheck(
            weight.rank == 3 && bias.shape == [weight.shape[0], weight.shape[1]],
            "Maxout: weight \(describeShape(weight.shape)) and bias \(describeShape(bias.shape)). Fix: weight [k, outputs, inputs] and bias [k, outputs].")
        _weight = Parameter(weight)
        _bias = Parameter(bias)
        super.init()
    }

    static func initialParameters(_ inputs: Int, _ outputs: Int, _ k: Int, using g: inout TensorRandom) -> (Tensor<Scalar>, Tensor<Scalar>) {
        checkActivationParameter(k > 0, "Maxout", "k = \(k)", "use k ≥ 1 pieces")
        checkActivationParameter(inputs > 0 && outputs > 0, "Maxout", "inputs \(inputs), outputs \(outputs)", "use positive sizes")
        let bound = 1 / Scalar(inputs).squareRoot()
        let w = Tensor<Scalar>.randomUniform([k, outputs, inputs], low: -bound, high: bound, using: &g)
        let b = Tensor<Scalar>.randomUniform([k, outputs], low: -bound, high: bound, using: &g)
        return (w, b)
    }

    /// The number of pieces k.
    public var pieces: Int { weight.shape[0] }
    public var inputCount: Int { weight.shape[2] }
    public var outputCount: Int { weight.shape[1] }

    /// x of shape [N, inputs] → [N, outputs].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        tensorCheck(
            x.rank == 2 && x.shape[1] == inputCount,
            "Maxout: input of shape \(describeShape(x.shape)) for a layer with \(inputCount) inputs. Fix: pass [batch, \(inputCount)]."
        )
        return x.maxout(weight: weight, bias: bias)
    }
}

/// The channel-grouping maxout layer for feature maps: the maximum over groups of k consecutive
/// channels along `channelAxis` (default 1), [N, C, H, W] → [N, C/k, H, W]; no parameters (see
/// `Variable.maxout(groups:channelAxis:)`).
public final class ChannelMaxout<Scalar: TensorScalar>: Module, Layer {
    public let groups: Int
    public let channelAxis: Int

    public init(groups k: Int, channelAxis: Int = 1) {
        checkActivationParameter(k > 0, "ChannelMaxout", "k = \(k)", "use k ≥ 1 pieces")
        groups = k
        self.channelAxis = channelAxis
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { x.maxout(groups: groups, channelAxis: channelAxis) }
}
