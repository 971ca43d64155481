import Autograd

// Mish (Misra): x·tanh(softplus(x)). With e = e^−|x|, tanh(softplus(x)) is a ratio of
// polynomials in e, evaluated without tanh, log or cancellation:
//   x < 0: t = n/(n + 2), n = e(e + 2)      x ≥ 0: t = (1 + 2e)/(1 + 2e + 2e²)
// Derivative t + x·σ(x)(1 − t²); second derivative σ(x)(1 − t²)(2 + x·σ(−x) − 2x·t·σ(x)).
//
// The derivative crosses zero at x ≈ −1.1924. For x < 0 it is evaluated as
//   e·[(4 + 4x) + e(6 + 4x) + 4e² + e³] / (n + 2)²,
// where 4 + 4x and 6 + 4x are exact near the crossing, so only the rounding of e is left; within
// about 1e-3 of the crossing the derivative is accurate in absolute terms only (≈ 1 ulp of 0.3):
// the point is ill-conditioned for any evaluation in the working precision.
//
// Below x = −709.78 (|mish′| < 2e-305) the x·σ(x) term is flushed to 0 as in PyTorch (see
// `pytorchSigmoidFlush`), leaving mish′ = t, which matches PyTorch's float64 values.

extension Tensor {
    /// Mish: `x·tanh(softplus(x))`; no overflow for any finite x. NaN in gives NaN out.
    @inlinable
    public func mish() -> Tensor { mapped(kernel: MishKernel<Scalar>()) }
}

/// The mish forward kernel.
@usableFromInline
struct MishKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let zero = Scalar.Vector(repeating: 0)
    @usableFromInline let one = Scalar.Vector(repeating: 1)
    @usableFromInline let two = Scalar.Vector(repeating: 2)
    @usableFromInline let inf = Scalar.Vector(repeating: .infinity)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        if Scalar.self == Float.self {
            return unsafeBitCast(MishFloat.forward(unsafeBitCast(x, to: SIMD16<Float>.self)), to: Scalar.Vector.self)
        }
        let e = Scalar.vExpNegAbs(x)
        let n = e * (e + two)
        let a = one + two * e
        let t = Scalar.vSelect(Scalar.vLess(x, zero), n / (n + two), a / (a + two * e * e))
        // mish(−∞) = −0 (the limit; x·t would be −∞·0 = NaN).
        return Scalar.vSelect(Scalar.vEqual(x, -inf), Scalar.Vector(repeating: -0.0), x * t)
    }
}

/// Mish in Float with one division: with E = e·2⁶⁴, e = e^{−|x|} and x_c = max(−|x|, −110) (see
/// `VectorMath.expNonPositiveScaled`), tanh(softplus(x)) = a/(a + 2e²), a = 1 + 2e, for x ≥ 0
/// and n/(n + 2), n = e(e + 2), for x < 0; numerator and denominator are chosen by x's sign bit
/// before the one division, and the negative side is (x_c·E·(e + 2)/(n + 2))·2⁻⁶⁴, so a
/// subnormal e never limits the accuracy and x = −∞ gives the limit −0.
@usableFromInline
enum MishFloat {
    @usableFromInline typealias F = SIMD16<Float>
    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        let (scaled, clamped) = VectorMath.expNonPositiveScaled(VectorMath.negativeAbs(x))
        let e = scaled * 0x1p-64
        let ePlus2 = e + 2
        let n = e * ePlus2
        let a = (e + e) + 1
        let numerator = Float.vSignSelect(x, (clamped * scaled) * ePlus2, x * a)
        let denominator = Float.vSignSelect(x, n + 2, a.addingProduct(e + e, e))
        return (numerator / denominator) * Float.vSignSelect(x, F(repeating: 0x1p-64), F(repeating: 1))
    }
}

extension Variable {
    /// Mish, x·tanh(softplus(x)); derivative tanh(sp) + x·σ(x)(1 − tanh²(sp)).
    public func mish() -> Variable { MishFunction<Scalar>().apply(self) }
}

/// The mish layer: y = x·tanh(softplus(x)); derivative tanh(sp) + x·σ(x)(1 − tanh²(sp)) (see
/// `Variable.mish()`).
public final class Mish<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.mish() }
}

struct MishFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "mish" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].mish() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MishBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g·mish′(x). Derivatives: ∂/∂g = mish′(x); ∂/∂x = g·mish″(x).
struct MishBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "mishBackward" }

    @inline(__always)
    static func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let one = V(repeating: 1)
        let two = V(repeating: 2)
        let four = V(repeating: 4)
        let e = Scalar.vExpNegAbs(x)
        // x < 0 (e = eˣ): e·[(4 + 4x) + e((6 + 4x) + e(4 + e))] / (e² + 2e + 2)²
        let d = e * (e + two) + two
        let inner = (four + four * x) + e * ((V(repeating: 6) + four * x) + e * (four + e))
        let full = e * inner / (d * d)
        // Below −709.78 PyTorch's σ(x) is 0, leaving t = n/(n + 2) = e(e + 2)/d (in Float e is
        // already 0 there, so that is 0: no third division).
        let flushed = Scalar.self == Float.self ? V(repeating: 0) : e * (e + two) / d
        let negative = Scalar.vSelect(Scalar.vLess(x, V(repeating: Scalar(pytorchSigmoidFlush))), flushed, full)
        // x ≥ 0 (e = e^−x): t + 4x·e²(1 + e)/D², D = 1 + 2e + 2e²
        let a = one + two * e
        let big = a + two * e * e
        let t = a / big
        // At x = +∞ the correction term is ∞·0: mish′(+∞) = 1, its limit.
        let correction = four * x * (e * e) * (one + e) / (big * big)
        let positive = t + Scalar.vSelect(Scalar.vEqual(e, V(repeating: 0)), V(repeating: 0), correction)
        return Scalar.vSelect(Scalar.vLess(x, V(repeating: 0)), negative, positive)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { g * MishBackward.derivative(x) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let one = V(repeating: 1)
        let two = V(repeating: 2)
        let four = V(repeating: 4)
        let curvature = saved[1].value.mapped { x in
            let e = Scalar.vExpNegAbs(x)
            let p = one / (one + e)
            let isNegative = Scalar.vLess(x, V(repeating: 0))
            let s = Scalar.vSelect(isNegative, e * p, p)       // σ(x)
            let sm = Scalar.vSelect(isNegative, p, e * p)      // σ(−x)
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
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}
