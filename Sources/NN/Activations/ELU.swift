import Autograd

// ELU (Clevert et al.): x for x > 0, α(eˣ − 1) otherwise. Derivative 1 for x > 0, else αeˣ
// (α at 0, as PyTorch); second derivative 0 for x > 0, else αeˣ.
//
// The derivative is computed from the input: from the output it would be y + α, which cancels
// catastrophically for very negative x in Float (y rounds to −α). The in-place form, which only
// has the output, accepts that loss.

extension Tensor {
    /// ELU: `x` for x > 0, `α(eˣ − 1)` otherwise (via expm1, accurate near 0).
    @inlinable
    public func elu(alpha: Scalar = 1) -> Tensor { mapped(kernel: ELUKernel(alpha: alpha)) }
}

/// The ELU forward kernel.
@usableFromInline
struct ELUKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let alpha: Scalar.Vector
    @inlinable init(alpha: Scalar) { self.alpha = Scalar.Vector(repeating: alpha) }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), x, alpha * Scalar.vExpm1NonPositive(x))
    }
}

extension Variable {
    /// ELU, `x` for x > 0 and `α(eˣ − 1)` otherwise, with derivative 1 or αeˣ (α at 0).
    public func elu(alpha: Scalar = 1) -> Variable {
        checkActivationParameter(alpha > 0 && alpha.isFinite, "elu", "alpha \(alpha)", "use a finite alpha > 0")
        return ELUFunction(alpha: alpha).apply(self)
    }
}

/// The ELU layer: y = x for x > 0, α(eˣ − 1) otherwise (α default 1); derivative 1 or αeˣ
/// (see `Variable.elu(alpha:)`).
public final class ELU<Scalar: TensorScalar>: Module, Layer {
    public let alpha: Scalar

    public init(alpha: Scalar = 1) {
        checkActivationParameter(alpha > 0 && alpha.isFinite, "ELU", "alpha \(alpha)", "use a finite alpha > 0")
        self.alpha = alpha
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.elu(alpha: alpha) }
}

struct ELUFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let alpha: Scalar
    var name: String { "elu" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].elu(alpha: alpha) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [ELUBackward(alpha: alpha).apply(gradient, saved[0])]
    }
}

/// g·(1 if x > 0 else αeˣ). Derivatives: ∂/∂g = (1 or αeˣ); ∂/∂x = g·αeˣ where x ≤ 0.
struct ELUBackward<Scalar: TensorScalar>: DifferentiableFunction {
    let alpha: Scalar
    var name: String { "eluBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel(alpha: Scalar.Vector(repeating: alpha)))
    }

    struct Kernel: BinaryVectorKernel {
        let alpha: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), g, g * (alpha * Scalar.vExp(x)))
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let g = saved[0]
        let x = saved[1]
        let curvature = Variable(Tensor.select(x.value .<= Tensor(0), (x.value.exp() * alpha), Tensor(0)))
        return [apply(gradient, x), gradient * g * curvature]
    }
}
