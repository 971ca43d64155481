import Autograd

/// Tanhshrink: f(x) = x − tanh x.
///
/// f′(x) = tanh²x; f″(x) = 2·tanh x·(1 − tanh²x). Near 0 the value is x³/3 and x − tanh x
/// cancels: PyTorch evaluates exactly that, so a Double result follows PyTorch's (e.g. 0 at
/// x = 1e-8, where tanh x rounds to x) and carries its relative error there (≈ 1e-16·|x|/|y|,
/// absolute error ≤ 1 ulp of x). The forward is the scalar type's `vTanhshrink`
/// (Sources/Tensor/Math/): Float evaluates it with a polynomial for |x| < 1 (`TanhshrinkFloat`),
/// within a few ulps of the Double value.
public struct TanhshrinkRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "tanhshrink" }
    public static var moduleName: String { "Tanhshrink" }
    public static var summary: String { "x − tanh x" }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vTanhshrink(x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let t = Scalar.vTanh(x)
        return t * t
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let t = Scalar.vTanh(x)
        return Scalar.Vector(repeating: 2) * t * (Scalar.Vector(repeating: 1) - t * t)
    }
}

/// The tanhshrink module: y = x − tanh x (see `TanhshrinkRule`).
public typealias Tanhshrink<Scalar: TensorScalar> = ActivationLayer<TanhshrinkRule<Scalar>>

extension Tensor {
    /// Tanhshrink: `x − tanh x` (for Float near 0 via a polynomial, see `Float.vTanhshrink`).
    @inlinable
    public func tanhshrink() -> Tensor { activation(TanhshrinkRule()) }
}

extension Variable {
    /// Tanhshrink, x − tanh x, with derivative tanh²x.
    @inlinable
    public func tanhshrink() -> Variable { activation(TanhshrinkRule()) }
}
