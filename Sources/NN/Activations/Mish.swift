import Autograd

// Mish (Misra): x·tanh(softplus(x)). With e = e^−|x|, tanh(softplus(x)) is a ratio of
// polynomials in e, evaluated without tanh, log or cancellation:
//   x < 0: t = n/(n + 2), n = e(e + 2)      x ≥ 0: t = (1 + 2e)/(1 + 2e + 2e²)
// Derivative t + x·σ(x)(1 − t²); second derivative σ(x)(1 − t²)(2 + x·σ(−x) − 2x·t·σ(x)).
//
// The forward and the derivative are special functions of the scalar type (`Scalar.vMish`,
// `Scalar.vMishDerivative`, in Sources/Tensor/Math/; Float's forward by one division). The
// derivative crosses zero at x ≈ −1.1924. For x < 0 it is evaluated as
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

/// The mish forward kernel: `Scalar.vMish`.
@usableFromInline
struct MishKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vMish(x) }
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

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { g * Scalar.vMishDerivative(x) }
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
