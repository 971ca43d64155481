import Autograd

// Tanhshrink: x − tanh x, derivative tanh²x, second derivative 2·tanh x·(1 − tanh²x).
//
// Near 0 the forward value is x³/3 and x − tanh x cancels: PyTorch evaluates exactly that, so a
// Double result follows PyTorch's (e.g. 0 at x = 1e-8, where tanh x rounds to x) and carries
// its relative error there (≈ 1e-16·|x|/|y|, absolute error ≤ 1 ulp of x). The forward is the
// scalar type's `vTanhshrink` (Sources/Tensor/Math/): Float evaluates it in Float with a
// polynomial for |x| < 1 (`TanhshrinkFloat`), within a few ulps of the Double value.

extension Tensor {
    /// Tanhshrink: `x − tanh x` (for Float near 0 via a polynomial, see `Float.vTanhshrink`).
    @inlinable
    public func tanhshrink() -> Tensor { mapped(kernel: TanhshrinkKernel<Scalar>()) }
}

/// x − tanh x: `Scalar.vTanhshrink`.
@usableFromInline
struct TanhshrinkKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vTanhshrink(x) }
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
