import Autograd

/// Mish (Misra): f(x) = x·tanh(softplus(x)).
///
/// With e = e^−|x|, t = tanh(softplus(x)) is a ratio of polynomials in e, evaluated without
/// tanh, log or cancellation: t = n/(n + 2), n = e(e + 2), for x < 0 and
/// t = (1 + 2e)/(1 + 2e + 2e²) for x ≥ 0. f′(x) = t + x·σ(x)(1 − t²);
/// f″(x) = σ(x)(1 − t²)(2 + x·σ(−x) − 2x·t·σ(x)). The forward and f′ are special functions of
/// the scalar type (`Scalar.vMish`, `Scalar.vMishDerivative`: f′ keeps its relative accuracy
/// away from its zero crossing at x ≈ −1.1924, and flushes the x·σ(x) term below x = −709.78 as
/// PyTorch's float64 does).
public struct MishRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "mish" }
    public static var moduleName: String { "Mish" }
    public static var summary: String { "x·tanh(softplus(x))" }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vMish(x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vMishDerivative(x) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let one = V(repeating: 1)
        let two = V(repeating: 2)
        let four = V(repeating: 4)
        let (e, p, isNegative) = SmoothKernels.logistic(x, Scalar.self)
        let s = Scalar.vSelect(isNegative, e * p, p)  // σ(x)
        let sm = Scalar.vSelect(isNegative, p, e * p)  // σ(−x)
        let n = e * (e + two)
        let a = one + two * e
        let big = a + two * e * e
        let t = Scalar.vSelect(isNegative, n / (n + two), a / big)
        let onePlusE = one + e
        let oneMinusT2 = Scalar.vSelect(
            isNegative, four * onePlusE * onePlusE / ((n + two) * (n + two)),
            four * (e * e) * onePlusE * onePlusE / (big * big))
        return s * oneMinusT2 * (two + x * sm - two * x * t * s)
    }
}

/// The mish module: y = x·tanh(softplus(x)) (see `MishRule`).
public typealias Mish<Scalar: TensorScalar> = ActivationLayer<MishRule<Scalar>>

extension Tensor {
    /// Mish: `x·tanh(softplus(x))`; no overflow for any finite x. NaN in gives NaN out.
    @inlinable
    public func mish() -> Tensor { activation(MishRule()) }
}

extension Variable {
    /// Mish, x·tanh(softplus(x)); derivative tanh(sp) + x·σ(x)(1 − tanh²(sp)).
    @inlinable
    public func mish() -> Variable { activation(MishRule()) }
}
