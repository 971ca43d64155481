import Autograd

// Tanhshrink: x − tanh x, derivative tanh²x, second derivative 2·tanh x·(1 − tanh²x).
//
// Near 0 the forward value is x³/3 and x − tanh x cancels: PyTorch evaluates exactly that, so a
// Double result follows PyTorch's (e.g. 0 at x = 1e-8, where tanh x rounds to x) and carries
// its relative error there (≈ 1e-16·|x|/|y|, absolute error ≤ 1 ulp of x). The Float forward is
// evaluated in Float with a polynomial for |x| < 3/2 (see `TanhshrinkKernel`), within a few ulps
// of the Double value.

extension Tensor {
    /// Tanhshrink: `x − tanh x` (for Float near 0 via a polynomial, see `TanhshrinkKernel`).
    @inlinable
    public func tanhshrink() -> Tensor { mapped(kernel: TanhshrinkKernel<Scalar>()) }
}

/// x − tanh x. Double: as written (PyTorch's float64). Float, in Float: for |x| < 3/2 as
/// x³·P(x² − 9/8), P a degree-10 least-squares fit of (x − tanh x)/x³ on [0, 9/4] (≈ 1.5 ulp);
/// below |x| = 2⁻²⁰ that value is rounded to the grid of the Double ulp of x, as the float64
/// cancellation does (so e.g. tanhshrink(1e-8) = 0, like PyTorch's); from 3/2 on, x − tanh x as
/// sign(x)·((|x| − 1) + 2e/(1 + e)), e = e^{−2|x|}.
@usableFromInline
struct TanhshrinkKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline typealias V = Scalar.Vector
    @usableFromInline let c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10: V
    @usableFromInline let center = V(repeating: 1.125)
    @usableFromInline let polynomialLimit = V(repeating: 1.5)
    @usableFromInline let tinyLimit = V(repeating: 0x1p-20)
    @usableFromInline let gridScale = V(repeating: 0x1p-29)
    @usableFromInline let zero = V(repeating: 0)
    @usableFromInline let one = V(repeating: 1)
    @inlinable init() {
        c0 = V(repeating: Scalar(0.23024970201019931))
        c1 = V(repeating: Scalar(-0.06298397333798247))
        c2 = V(repeating: Scalar(0.017491038300060706))
        c3 = V(repeating: Scalar(-0.004867060439742388))
        c4 = V(repeating: Scalar(0.001354714745348639))
        c5 = V(repeating: Scalar(-0.00037768391625481597))
        c6 = V(repeating: Scalar(0.00010520944008602183))
        c7 = V(repeating: Scalar(-2.8236750692728915e-05))
        c8 = V(repeating: Scalar(7.791997022111164e-06))
        c9 = V(repeating: Scalar(-2.998577811860854e-06))
        c10 = V(repeating: Scalar(8.562344504422853e-07))
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        if Scalar.self == Double.self {
            return x - Scalar.vTanh(x)
        }
        let a = Scalar.vAbs(x)
        let t = a * a
        let s = t - center
        var f = c10
        f = c9.addingProduct(f, s)
        f = c8.addingProduct(f, s)
        f = c7.addingProduct(f, s)
        f = c6.addingProduct(f, s)
        f = c5.addingProduct(f, s)
        f = c4.addingProduct(f, s)
        f = c3.addingProduct(f, s)
        f = c2.addingProduct(f, s)
        f = c1.addingProduct(f, s)
        f = c0.addingProduct(f, s)
        let p = a * (t * f)
        // Round p to multiples of the Double ulp of x: a·2⁻²⁹ has that ulp in Float.
        let k = a * gridScale
        let tiny = (p + k) - k
        let small = Scalar.vSelect(Scalar.vLess(a, tinyLimit), tiny, p)
        // From 3/2 on, |x| − tanh|x| = (|x| − 1) + 2e/(1 + e), e = e^{−2|x|} (no cancellation,
        // no overflow: the one-sided exponential).
        let e = Scalar.vExpNegAbs(a + a)
        let big = (a - one) + (e + e) / (one + e)
        let magnitude = Scalar.vSelect(Scalar.vLess(a, polynomialLimit), small, big)
        return Scalar.vSelect(Scalar.vLess(x, zero), -magnitude, magnitude)
    }
}

extension Variable {
    /// Tanhshrink, x − tanh x, with derivative tanh²x.
    public func tanhshrink() -> Variable { TanhshrinkFunction<Scalar>().apply(self) }
}

struct TanhshrinkFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "tanhshrink" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].tanhshrink() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [TanhshrinkBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g·tanh²x. Derivatives: ∂/∂g = tanh²x; ∂/∂x = g·2·tanh x·(1 − tanh²x).
struct TanhshrinkBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "tanhshrinkBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let t = Scalar.vTanh(x)
            return g * (t * t)
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let curvature = saved[1].value.mapped { x in
            let t = Scalar.vTanh(x)
            return V(repeating: 2) * t * (V(repeating: 1) - t * t)
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}

/// The tanhshrink layer: y = x − tanh x; derivative tanh²x (see `Variable.tanhshrink()`).
public final class Tanhshrink<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.tanhshrink() }
}
