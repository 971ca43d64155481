import Autograd

/// Threshold (PyTorch's F.threshold): f(x) = x where x > t, else the value v (both required,
/// neither NaN).
///
/// f′(x) = 1 where x > t, else 0 (0 at x = t, as PyTorch's threshold_backward
/// `x <= t ? 0 : g`); f″ = 0. Written as `x ≤ t ? v : x`, so NaN (never ≤ t) passes through,
/// with gradient g.
public struct ThresholdRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "threshold" }
    public static var moduleName: String { "Threshold" }
    public static var summary: String { "x if x > threshold, else value" }
    public static var parameters: [ActivationParameter] {
        [
            ActivationParameter("threshold", default: nil, "the threshold t"),
            ActivationParameter("value", default: nil, "the replacement for x ≤ t"),
        ]
    }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: Double(threshold), derivative: 0)] }

    public let threshold: Scalar
    /// The replacement for x ≤ t.
    public let value: Scalar

    /// Threshold with a threshold and a value that are not NaN (stops otherwise).
    public init(threshold: Scalar, value: Scalar) {
        checkActivationParameter(
            !threshold.isNaN && !value.isNaN, "threshold", "threshold \(threshold) with value \(value)",
            "pass a threshold and a value that are not NaN")
        self.threshold = threshold
        self.value = value
    }

    public init(_ arguments: ActivationArguments) {
        self.init(threshold: Scalar(arguments["threshold"]), value: Scalar(arguments["value"]))
    }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLessEqual(x, Scalar.Vector(repeating: threshold)), Scalar.Vector(repeating: value), x)
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { gradient(Scalar.Vector(repeating: 1), x) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLessEqual(x, Scalar.Vector(repeating: threshold)), Scalar.Vector(repeating: 0), g)
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The threshold module: y = x where x > t, else v (see `ThresholdRule`).
public typealias Threshold<Scalar: TensorScalar> = ActivationLayer<ThresholdRule<Scalar>>

extension ActivationLayer {
    /// Threshold with a threshold and a value that are not NaN (PyTorch's `Threshold(threshold, value)`).
    @inlinable
    public convenience init<S>(threshold: S, value: S) where Rule == ThresholdRule<S> {
        self.init(ThresholdRule(threshold: threshold, value: value))
    }
}

extension Tensor {
    /// Threshold: `x` where x > threshold, else `value`. NaN in gives NaN out.
    @inlinable
    public func threshold(threshold: Scalar, value: Scalar) -> Tensor { activation(ThresholdRule(threshold: threshold, value: value)) }
}

extension Variable {
    /// Threshold, `x` where x > t and `value` otherwise, with derivative 1 for x > t and 0 for
    /// x ≤ t (0 at t, as PyTorch). Neither parameter may be NaN.
    @inlinable
    public func threshold(threshold: Scalar, value: Scalar) -> Variable { activation(ThresholdRule(threshold: threshold, value: value)) }
}
