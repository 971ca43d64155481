import Autograd

// SELU (Klambauer et al.): λ·elu(x, α) with the self-normalizing constants
// α = 1.6732632423543772848170429916717, λ = 1.0507009873554804934193349852946 (PyTorch's).
// Derivative λ for x > 0, else λαeˣ (λα at 0, as PyTorch); second derivative 0 for x > 0, else
// λαeˣ. Like ELU, the derivative is computed from the input: from the output (y + λα) it would
// cancel for very negative x in Float.

/// SELU's α.
public let seluAlpha = 1.6732632423543772848170429916717
/// SELU's λ (scale).
public let seluScale = 1.0507009873554804934193349852946

extension Tensor {
    /// SELU: `λx` for x > 0, `λα(eˣ − 1)` otherwise (via expm1), with PyTorch's α and λ.
    @inlinable
    public func selu() -> Tensor { mapped(kernel: SELUKernel<Scalar>()) }
}

/// The SELU forward kernel.
@usableFromInline
struct SELUKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let scale: Scalar.Vector
    @usableFromInline let scaledAlpha: Scalar.Vector
    @usableFromInline let zero: Scalar.Vector
    @inlinable init() {
        scale = Scalar.Vector(repeating: Scalar(seluScale))
        scaledAlpha = Scalar.Vector(repeating: Scalar(seluScale * seluAlpha))
        zero = Scalar.Vector(repeating: 0)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(zero, x), scale * x, scaledAlpha * Scalar.vExpm1NonPositive(x))
    }
}

extension Variable {
    /// SELU, λx for x > 0 and λα(eˣ − 1) otherwise; derivative λ or λαeˣ (λα at 0).
    public func selu() -> Variable { SELUFunction<Scalar>().apply(self) }
}

/// The SELU layer: y = λ·elu(x, α) with α ≈ 1.6733, λ ≈ 1.0507; derivative λ or λαeˣ
/// (see `Variable.selu()`).
public final class SELU<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.selu() }
}

struct SELUFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "selu" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].selu() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [SELUBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g·(λ if x > 0 else λαeˣ). Derivatives: ∂/∂g = (λ or λαeˣ); ∂/∂x = g·λαeˣ where x ≤ 0.
struct SELUBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "seluBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        let scale = Scalar.Vector(repeating: Scalar(seluScale))
        let scaledAlpha = Scalar.Vector(repeating: Scalar(seluScale * seluAlpha))
        let zero = Scalar.Vector(repeating: 0)
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            Scalar.vSelect(Scalar.vLess(zero, x), g * scale, g * (scaledAlpha * Scalar.vExp(x)))
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let scaledAlpha = V(repeating: Scalar(seluScale * seluAlpha))
        let zero = V(repeating: 0)
        let curvature = saved[1].value.mapped { x in
            Scalar.vSelect(Scalar.vLess(zero, x), zero, scaledAlpha * Scalar.vExp(x))
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}
