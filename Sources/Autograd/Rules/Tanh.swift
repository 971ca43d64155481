/// Tanh: f(x) = tanh x, in (−1, 1).
///
/// f′ = 1 − y² and d f′/dy = −2y, both read from the output y, so only y is kept and the in-place
/// form works (f″(x) = −2y(1 − y²)). The forward is `vTanh`, the kernel of `Tensor.tanh()`.
/// f′ is 0 once y rounds to ±1.
public struct TanhRule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { -1...1 }
    public static var name: String { "tanh" }
    public static var moduleName: String { "Tanh" }
    public static var summary: String { "tanh x" }
    public static var derivativeInput: ActivationDerivativeInput { .output }

    @inlinable public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vTanh(x) }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 1) - y * y }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { g * (Scalar.Vector(repeating: 1) - y * y) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { y * -2 }
}

extension Variable {
    /// tanh x; derivative 1 − y², read from the output (see `TanhRule`).
    @inlinable
    public func tanh() -> Variable { activation(TanhRule()) }
}
