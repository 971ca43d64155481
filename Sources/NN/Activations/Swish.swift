import Autograd

// Swish (Ramachandran et al.) with a constant β: x·σ(βx); SiLU is β = 1. With z = βx,
// derivative σ(z) + z·σ(z)σ(−z) = σ(z)(1 + z·σ(−z)); second derivative β·σ(z)σ(−z)(2 − z·tanh(z/2)).
//
// The derivative crosses zero (at z ≈ −1.2785); there 1 + z·σ(−z) cancels. For z < 0 it is
// evaluated as e·p²·((1 + z) + e) with e = e^z, p = 1/(1 + e), where 1 + z is exact for
// z ∈ [−2, −½], so only the rounding of e remains; within about 1e-3 of the zero crossing the
// result is still only accurate in absolute terms (≈ 1 ulp of 0.28), not relative: the point is
// ill-conditioned for any evaluation in the working precision.
//
// For z < −709.78 (where |y| < 2e-305) σ(z) is flushed to 0 as in PyTorch (see
// `pytorchSigmoidFlush`), so silu(−710) = −0 with derivative 0, matching its float64 values.

extension Tensor {
    /// Swish: `x·σ(βx)` (stable logistic).
    @inlinable
    public func swish(beta: Scalar = 1) -> Tensor {
        // β = 1 (SiLU): the scalar type's `vSiLU` (in Float fused, one division), chosen here
        // once (a Bool tested inside the kernel was if-converted into computing both kernels for
        // every vector).
        if beta == 1 { return mapped(kernel: SiLUKernel<Scalar>()) }
        return mapped(kernel: SwishKernel(beta: beta))
    }

    /// SiLU: `x·σ(x)` (swish with β = 1).
    @inlinable
    public func silu() -> Tensor { swish(beta: 1) }
}

/// The swish forward kernel.
@usableFromInline
struct SwishKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let beta: Scalar.Vector
    @usableFromInline let flush: Scalar.Vector
    @usableFromInline let zero: Scalar.Vector
    @usableFromInline let lowest: Scalar.Vector
    @usableFromInline let side: Scalar.Vector
    @inlinable init(beta: Scalar) {
        self.beta = Scalar.Vector(repeating: beta)
        flush = Scalar.Vector(repeating: Scalar(pytorchSigmoidFlush))
        zero = Scalar.Vector(repeating: 0)
        // σ(βx) flushes to 0 only on the side where βx → −∞: x → −∞ for β > 0, x → +∞ for β < 0.
        side = Scalar.Vector(repeating: beta < 0 ? -1 : 1)
        lowest = Scalar.Vector(repeating: beta == 0 ? -.infinity : -Scalar.greatestFiniteMagnitude)
    }
    @usableFromInline typealias V = Scalar.Vector
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let z = beta * x
        // Flushed lanes give x·0 = ±0 with x's sign; an infinite x on the flushing side is first
        // pulled in to the largest finite value (∞·0 would be NaN; the limit is ±0). One max on
        // that side instead of a second select: a second select doubled this kernel's time.
        let s = Scalar.vSelect(Scalar.vLess(z, flush), zero, SmoothKernels.sigmoid(z, Scalar.self))
        let u = side * x
        return side * Scalar.vSelect(Scalar.vLess(u, lowest), lowest, u) * s
    }
}

/// The SiLU kernel: `Scalar.vSiLU`, the same values as `SwishKernel` with β = 1.
@usableFromInline
struct SiLUKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vSiLU(x) }
}

extension Variable {
    /// Swish with a constant β, x·σ(βx); derivative σ(βx) + βx·σ(βx)(1 − σ(βx)).
    public func swish(beta: Scalar = 1) -> Variable {
        checkActivationParameter(beta.isFinite, "swish", "beta \(beta)", "use a finite beta (1 by default; 1 is SiLU)")
        return SwishFunction(beta: beta, name: "swish").apply(self)
    }

    /// SiLU, x·σ(x); derivative σ(x)(1 + x·σ(−x)).
    public func silu() -> Variable { SwishFunction(beta: 1, name: "silu").apply(self) }
}

/// The swish layer with a constant β: y = x·σ(βx) (β default 1, finite); derivative
/// σ(βx)(1 + βx·σ(−βx)) (see `Variable.swish(beta:)`). For a trainable β use `TrainableSwish`.
public final class Swish<Scalar: TensorScalar>: Module, Layer {
    public let beta: Scalar

    public init(beta: Scalar = 1) {
        checkActivationParameter(beta.isFinite, "Swish", "beta \(beta)", "use a finite beta (1 by default; 1 is SiLU)")
        self.beta = beta
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.swish(beta: beta) }
}

/// The SiLU layer: y = x·σ(x) (swish with β = 1); derivative σ(x)(1 + x·σ(−x)) (see
/// `Variable.silu()`).
public final class SiLU<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.silu() }
}

struct SwishFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let beta: Scalar
    let name: String
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].swish(beta: beta) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [SwishBackward(beta: beta).apply(gradient, saved[0])]
    }
}

/// g·σ(z)(1 + z·σ(−z)), z = βx. Derivatives: ∂/∂g = that factor; ∂/∂x = g·β·σ(z)σ(−z)(2 − z·tanh(z/2)).
struct SwishBackward<Scalar: TensorScalar>: DifferentiableFunction {
    let beta: Scalar
    var name: String { "swishBackward" }

    /// σ(z)(1 + z·σ(−z)), without cancellation away from its zero crossing.
    @inline(__always)
    static func derivative(_ z: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let one = V(repeating: 1)
        let (e, p, negative) = SmoothKernels.logistic(z, Scalar.self)
        // z·σ(−z) is 0 once e^−z is 0 (z·0 would be NaN at z = +∞).
        let zs = Scalar.vSelect(Scalar.vEqual(e, V(repeating: 0)), V(repeating: 0), z * (e * p))
        let positive = p * (one + zs)
        let negativeSide = (e * p) * p * ((one + z) + e)
        let flushed = Scalar.vSelect(Scalar.vLess(z, V(repeating: Scalar(pytorchSigmoidFlush))), V(repeating: 0), negativeSide)
        return Scalar.vSelect(negative, flushed, positive)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel(beta: Scalar.Vector(repeating: beta)))
    }

    struct Kernel: BinaryVectorKernel {
        let beta: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { g * SwishBackward.derivative(beta * x) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let b = V(repeating: beta)
        let one = V(repeating: 1)
        let curvature = saved[1].value.mapped { x in
            let z = b * x
            let (e, p, _) = SmoothKernels.logistic(z, Scalar.self)
            // z·tanh(z/2) = |z|(1 − e)/(1 + e)
            return b * (e * p * p) * (V(repeating: 2) - Scalar.vAbs(z) * (one - e) * p)
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}
