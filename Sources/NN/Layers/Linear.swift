import Autograd

/// A fully connected layer: y = x Wᵀ + b, with W of shape [outputs, inputs] and b of shape
/// [outputs] (PyTorch's layout, so checkpoints line up).
///
/// Initialization (PyTorch's default): W and b uniform in ±1/√inputs.
/// - Complexity: O(batch · inputs · outputs).
public final class Linear<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var weight: Variable<Scalar>
    /// The bias, absent (and not a parameter, so not in checkpoints) for `bias: false`.
    public let bias: Parameter<Scalar>?

    /// A layer from `inputs` features to `outputs`, initialized from the default generator (see
    /// `manualSeed(_:)`).
    public convenience init(_ inputs: Int, _ outputs: Int, bias: Bool = true) {
        let (w, b) = ModelRandom.withGenerator { Self.initialParameters(inputs, outputs, using: &$0) }
        self.init(weight: w, bias: bias ? b : nil)
    }

    /// A layer from `inputs` features to `outputs`, initialized from `generator`.
    public convenience init(_ inputs: Int, _ outputs: Int, bias: Bool = true, using generator: inout TensorRandom) {
        let (w, b) = Self.initialParameters(inputs, outputs, using: &generator)
        self.init(weight: w, bias: bias ? b : nil)
    }

    static func initialParameters(_ inputs: Int, _ outputs: Int, using g: inout TensorRandom) -> (Tensor<Scalar>, Tensor<Scalar>) {
        tensorCheck(
            inputs > 0 && outputs > 0,
            "Linear: \(inputs) inputs, \(outputs) outputs. Fix: use positive feature counts.")
        let bound = 1 / Scalar(inputs).squareRoot()
        let w = Tensor<Scalar>.randomUniform([outputs, inputs], low: -bound, high: bound, using: &g)
        let b = Tensor<Scalar>.randomUniform([outputs], low: -bound, high: bound, using: &g)
        return (w, b)
    }

    /// A layer with the given weight [outputs, inputs] and optional bias [outputs].
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?) {
        tensorCheck(
            weight.rank == 2 && (bias == nil || bias!.shape == [weight.shape[0]]),
            "Linear: weight \(describeShape(weight.shape)) and bias \(bias.map { describeShape($0.shape) } ?? "none"). Fix: weight [outputs, inputs] and bias [outputs].")
        _weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        super.init()
    }

    public var inputCount: Int { weight.shape[1] }
    public var outputCount: Int { weight.shape[0] }

    public override var summaryLine: String { "Linear<\(Scalar.self)>(\(inputCount) → \(outputCount), bias: \(bias != nil))" }

    /// x of shape [*, inputs] → [*, outputs], as PyTorch: [batch, inputs], a single [inputs], or
    /// any leading axes ([N, L, inputs] for sequences), which are flattened for one matrix product.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let inputs = weight.shape[1]
        tensorCheck(
            x.rank >= 1 && x.shape[x.rank - 1] == inputs,
            "Linear: input of shape \(describeShape(x.shape)) for a layer with \(inputs) inputs. Fix: pass [batch, \(inputs)] (the last axis must be the \(inputs) features; flatten feature maps first).")
        let x2 = x.rank == 2 ? x : x.reshaped(to: [x.value.count / inputs, inputs])
        var y = Variable.matmul(x2, weight, transposingB: true)
        if let bias { y = y + bias.variable }
        return x.rank == 2 ? y : y.reshaped(to: Array(x.shape.dropLast()) + [outputCount])
    }
}
