/// Sigmoid, the logistic function: f(x) = 1/(1 + e^−x), in (0, 1).
///
/// f′ = y(1 − y) and d f′/dy = 1 − 2y, both read from the output y, so only y is kept and the
/// in-place form works (f″(x) = y(1 − y)(1 − 2y)). The forward is `vSigmoid`, the kernel of
/// `Tensor.sigmoid()`: from e^−|x|, so it never overflows. NaN stays NaN.
public struct SigmoidRule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { 0...1 }
    public static var name: String { "sigmoid" }
    public static var moduleName: String { "Sigmoid" }
    public static var summary: String { "1 / (1 + e^−x)" }
    public static var derivativeInput: ActivationDerivativeInput { .output }

    @inlinable public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vSigmoid(x) }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { y * (Scalar.Vector(repeating: 1) - y) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { g * (y * (Scalar.Vector(repeating: 1) - y)) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 1) - y * 2 }
}

extension Variable {
    /// 1/(1 + e^−x); derivative y(1 − y), read from the output (see `SigmoidRule`).
    @inlinable
    public func sigmoid() -> Variable { activation(SigmoidRule()) }
}
