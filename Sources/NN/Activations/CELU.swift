import Autograd

// CELU (Barron): max(0, x) + min(0, α(e^{x/α} − 1)), i.e. x for x > 0, α·expm1(x/α) otherwise.
// Derivative 1 for x > 0, else e^{x/α} (1 at 0, as PyTorch); second derivative 0 for x > 0,
// else e^{x/α}/α. α may be negative (as in PyTorch) but not 0. The derivative is computed from
// the input (from the output, y/α + 1 cancels for very negative x).

extension Tensor {
    /// CELU: `x` for x > 0, `α(e^{x/α} − 1)` otherwise (via expm1; x/α as x·(1/α), as PyTorch).
    @inlinable
    public func celu(alpha: Scalar = 1) -> Tensor {
        // x/α ≤ 0 on the kept side only when α > 0: then the one-sided expm1; a negative α
        // needs the two-sided one. (Chosen here, once, not per vector.)
        alpha > 0 ? mapped(kernel: CELUKernel(alpha: alpha)) : mapped(kernel: CELUTwoSidedKernel(alpha: alpha))
    }
}

/// The CELU forward kernel for α > 0 (x/α ≤ 0 on the kept side: the one-sided expm1).
@usableFromInline
struct CELUKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let alpha: Scalar.Vector
    @usableFromInline let inverse: Scalar.Vector
    @usableFromInline let zero: Scalar.Vector
    @inlinable init(alpha: Scalar) {
        self.alpha = Scalar.Vector(repeating: alpha)
        inverse = Scalar.Vector(repeating: 1 / alpha)
        zero = Scalar.Vector(repeating: 0)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(zero, x), x, alpha * Scalar.vExpm1NonPositive(x * inverse))
    }
}

/// The CELU forward kernel for α < 0 (x/α > 0 on the kept side: the two-sided expm1).
@usableFromInline
struct CELUTwoSidedKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let alpha: Scalar.Vector
    @usableFromInline let inverse: Scalar.Vector
    @usableFromInline let zero: Scalar.Vector
    @inlinable init(alpha: Scalar) {
        self.alpha = Scalar.Vector(repeating: alpha)
        inverse = Scalar.Vector(repeating: 1 / alpha)
        zero = Scalar.Vector(repeating: 0)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(zero, x), x, alpha * Scalar.vExpm1(x * inverse))
    }
}

extension Variable {
    /// CELU, x for x > 0 and α(e^{x/α} − 1) otherwise; derivative 1 or e^{x/α} (1 at 0).
    public func celu(alpha: Scalar = 1) -> Variable {
        checkActivationParameter(alpha != 0 && alpha.isFinite, "celu", "alpha \(alpha)", "use a finite, nonzero alpha (1 by default)")
        return CELUFunction(alpha: alpha).apply(self)
    }
}

struct CELUFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let alpha: Scalar
    var name: String { "celu" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].celu(alpha: alpha) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [CELUBackward(alpha: alpha).apply(gradient, saved[0])]
    }
}

/// g·(1 if x > 0 else e^{x/α}). Derivatives: ∂/∂g = (1 or e^{x/α}); ∂/∂x = g·e^{x/α}/α where x ≤ 0.
struct CELUBackward<Scalar: TensorScalar>: DifferentiableFunction {
    let alpha: Scalar
    var name: String { "celuBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel(inverse: Scalar.Vector(repeating: 1 / alpha)))
    }

    struct Kernel: BinaryVectorKernel {
        let inverse: Scalar.Vector
        let zero = Scalar.Vector(repeating: 0)
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            Scalar.vSelect(Scalar.vLess(zero, x), g, g * Scalar.vExp(x * inverse))
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let inverse = V(repeating: 1 / alpha)
        let zero = V(repeating: 0)
        let curvature = saved[1].value.mapped { x in
            Scalar.vSelect(Scalar.vLess(zero, x), zero, Scalar.vExp(x * inverse) * inverse)
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}

/// The CELU layer: y = max(0, x) + min(0, α(e^{x/α} − 1)) (α default 1, nonzero); derivative 1
/// or e^{x/α} (see `Variable.celu(alpha:)`).
public final class CELU<Scalar: TensorScalar>: Module, Layer {
    public let alpha: Scalar

    public init(alpha: Scalar = 1) {
        checkActivationParameter(alpha != 0 && alpha.isFinite, "CELU", "alpha \(alpha)", "use a finite, nonzero alpha (1 by default)")
        self.alpha = alpha
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.celu(alpha: alpha) }
}
