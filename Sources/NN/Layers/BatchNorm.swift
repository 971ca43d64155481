import Autograd

/// Batch normalization over the channel axis 1 (PyTorch's `nn.BatchNorm1d`/`nn.BatchNorm2d`):
///
/// y = (x − μ) / √(σ² + ε) · γ + β
///
/// per channel c, with μ and σ² the mean and biased variance of x over every axis but 1 (the
/// batch, and the length or height and width) in training, and the running estimates in
/// evaluation. Each training call updates the running estimates:
/// running ← (1 − momentum)·running + momentum·batch, with the unbiased variance
/// σ²·n/(n − 1) (n values per channel) for `runningVar`.
///
/// Built from differentiable mean, subtraction, square root and division, so its first and
/// second derivatives come from theirs (in training the gradient flows through μ and σ² too).
/// - Complexity: O(elements).
public class BatchNorm<Scalar: TensorScalar>: Module, Layer {
    /// γ, shape [C] (ones at start); absent without `affine`.
    public let weight: Parameter<Scalar>?
    /// β, shape [C] (zeros at start); absent without `affine`.
    public let bias: Parameter<Scalar>?
    /// The running mean, shape [C] (zeros at start).
    @Buffer public var runningMean: Tensor<Scalar>
    /// The running (unbiased) variance, shape [C] (ones at start).
    @Buffer public var runningVar: Tensor<Scalar>
    public let features: Int
    public let eps: Scalar
    public let momentum: Scalar
    public let affine: Bool
    let name: String
    /// The input ranks accepted, and what they look like (for messages).
    let ranks: [Int]
    let expected: String

    init(name: String, ranks: [Int], expected: String, features: Int, eps: Scalar, momentum: Scalar, affine: Bool) {
        tensorCheck(
            features > 0 && eps >= 0 && momentum >= 0 && momentum <= 1,
            "\(name): features \(features), eps \(eps), momentum \(momentum). Fix: use features ≥ 1, eps ≥ 0 and momentum in [0, 1].")
        weight = affine ? Parameter(Tensor.ones([features])) : nil
        bias = affine ? Parameter(Tensor.zeros([features])) : nil
        _runningMean = Buffer(wrappedValue: Tensor.zeros([features]))
        _runningVar = Buffer(wrappedValue: Tensor.ones([features]))
        self.features = features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.name = name
        self.ranks = ranks
        self.expected = expected
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        tensorCheck(
            ranks.contains(x.rank) && x.shape[1] == features,
            "\(name): input of shape \(describeShape(x.shape)) for a layer with \(features) features. Fix: pass \(expected) with C = \(features).")
        let axes = [0] + Array(2..<x.rank)
        var statShape = [Int](repeating: 1, count: x.rank)
        statShape[1] = features
        let normalized: Variable<Scalar>
        if isTraining {
            let n = x.value.count / features
            tensorCheck(
                n > 1,
                "\(name): input of shape \(describeShape(x.shape)) has \(n) value per channel; training statistics need more than 1. Fix: use a batch of at least 2, or call eval() to normalize with the running statistics.")
            let mean = x.mean(alongAxes: axes, keepingDimensions: true)
            let centered = x - mean
            let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
            normalized = centered * (1 / (variance + eps).sqrt())
            withoutGradients {
                let m = momentum
                let batchMean = mean.value.reshaped(to: [features])
                let unbiased = variance.value.reshaped(to: [features]) * (Scalar(n) / Scalar(n - 1))
                runningMean = runningMean * (1 - m) + batchMean * m
                runningVar = runningVar * (1 - m) + unbiased * m
            }
        } else {
            let mean = Variable(runningMean.reshaped(to: statShape))
            let invStd = Variable(1 / (runningVar.reshaped(to: statShape) + eps).sqrt())
            normalized = (x - mean) * invStd
        }
        guard let weight, let bias else { return normalized }
        return normalized * weight.variable.reshaped(to: statShape) + bias.variable.reshaped(to: statShape)
    }
}

/// Batch normalization of [N, C] or [N, C, L] inputs (statistics over N, or N and L).
/// See `BatchNorm`.
public final class BatchNorm1d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    /// Normalization of `features` channels; PyTorch's defaults eps 1e-5, momentum 0.1, affine.
    public init(_ features: Int, eps: Scalar = 1e-5, momentum: Scalar = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm1d", ranks: [2, 3], expected: "[N, C] or [N, C, L]", features: features, eps: eps, momentum: momentum, affine: affine)
    }
}

/// Batch normalization of [N, C, H, W] inputs (statistics over N, H and W). See `BatchNorm`.
public final class BatchNorm2d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    /// Normalization of `features` channels; PyTorch's defaults eps 1e-5, momentum 0.1, affine.
    public init(_ features: Int, eps: Scalar = 1e-5, momentum: Scalar = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm2d", ranks: [4], expected: "[N, C, H, W]", features: features, eps: eps, momentum: momentum, affine: affine)
    }
}
