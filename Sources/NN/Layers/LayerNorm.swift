import Autograd

/// Layer normalization over the trailing `normalizedShape` axes (PyTorch's `nn.LayerNorm`):
///
///   y = (x − μ)/√(σ² + ε) · γ + β,  μ and σ² (biased) over the normalized axes of each sample
///
/// γ ("weight", ones) and β ("bias", zeros) have `normalizedShape`; `elementwiseAffine: false`
/// leaves them out, `bias: false` keeps γ only. Unlike BatchNorm it has no running statistics and
/// behaves the same in training and evaluation. Built from differentiable operations, so it has
/// second derivatives. Stops when the input's trailing axes are not `normalizedShape`.
/// - Complexity: O(elements).
public final class LayerNorm<Scalar: TensorScalar>: Module, Layer {
    public let weight: Parameter<Scalar>?
    public let bias: Parameter<Scalar>?
    public let normalizedShape: [Int]
    public let eps: Double

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        tensorCheck(
            !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 } && eps >= 0,
            "LayerNorm: normalized shape \(describeShape(normalizedShape)), eps \(eps). Fix: give the trailing axes to normalize (e.g. [features]), all positive, and eps ≥ 0."
        )
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        self.bias = elementwiseAffine && bias ? Parameter(Tensor.zeros(normalizedShape)) : nil
        super.init()
    }

    /// Normalizes over the last axis of size `features`.
    public convenience init(_ features: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    public override var summaryLine: String {
        "LayerNorm<\(Scalar.self)>(\(normalizedShape), eps: \(eps), elementwiseAffine: \(weight != nil), bias: \(bias != nil))"
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let k = normalizedShape.count
        tensorCheck(
            x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape,
            "LayerNorm: input of shape \(describeShape(x.shape)) for normalized shape \(describeShape(normalizedShape)). Fix: the input's last \(k) ax\(k == 1 ? "is" : "es") must be \(describeShape(normalizedShape)) (reshape, or build LayerNorm with the input's trailing shape)."
        )
        let axes = Array((x.rank - k)..<x.rank)
        let mean = x.mean(alongAxes: axes, keepingDimensions: true)
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
        var y = centered / (variance + Scalar(eps)).sqrt()
        if let weight { y = y * weight.variable }
        if let bias { y = y + bias.variable }
        return y
    }
}
