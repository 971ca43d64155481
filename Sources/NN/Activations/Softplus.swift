import Autograd

// Softplus: (1/β)·log(1 + e^{βx}), linear (y = x, y′ = 1) where βx > threshold, exactly as
// PyTorch (β 1, threshold 20; Caffe's BNLL is β = 1). Computed as (max(βx, 0) + log1p(e^−|βx|))/β,
// which neither overflows nor cancels. Derivative σ(βx) (stable logistic); second derivative
// β·σ(βx)σ(−βx) below the threshold, 0 above it.

extension Tensor {
    /// Softplus: `(1/β)·log(1 + e^{βx})`, and `x` where βx > threshold.
    @inlinable
    public func softplus(beta: Scalar = 1, threshold: Scalar = 20) -> Tensor {
        // β = 1 (the default): z = x and the division by β is exact, so a kernel without either
        // (chosen here once, not by a flag inside the kernel). From the scalar type's
        // `log1pExpIsIdentityAbove` on (Float: 16) the linear branch changes nothing — there
        // log(1 + e^x) rounds to x — so the comparison is skipped (again by kernel type).
        if beta == 1 {
            if threshold >= Scalar.log1pExpIsIdentityAbove { return mapped(kernel: Log1pExpKernel<Scalar>()) }
            return mapped(kernel: UnitSoftplusKernel(threshold: threshold))
        }
        return mapped(kernel: SoftplusKernel(beta: beta, threshold: threshold))
    }
}

/// The softplus forward kernel.
@usableFromInline
struct SoftplusKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let beta: Scalar.Vector
    @usableFromInline let threshold: Scalar.Vector
    @inlinable init(beta: Scalar, threshold: Scalar) {
        self.beta = Scalar.Vector(repeating: beta)
        self.threshold = Scalar.Vector(repeating: threshold)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let z = beta * x
        return Scalar.vSelect(Scalar.vLess(threshold, z), x, SmoothKernels.log1pExp(z, Scalar.self) / beta)
    }
}

/// The softplus forward kernel for β = 1.
@usableFromInline
struct UnitSoftplusKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let threshold: Scalar.Vector
    @inlinable init(threshold: Scalar) { self.threshold = Scalar.Vector(repeating: threshold) }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(threshold, x), x, SmoothKernels.log1pExp(x, Scalar.self))
    }
}

/// The softplus forward kernel for β = 1 and a threshold ≥ `Scalar.log1pExpIsIdentityAbove`:
/// log1pExp(x), whose value above the threshold is x itself (see `Tensor.softplus`).
@usableFromInline
struct Log1pExpKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vLog1pExp(x) }
}

extension Variable {
    /// Softplus, (1/β)·log(1 + e^{βx}) (x where βx > threshold); derivative σ(βx) (1 where linear).
    public func softplus(beta: Scalar = 1, threshold: Scalar = 20) -> Variable {
        checkActivationParameter(beta != 0 && beta.isFinite, "softplus", "beta \(beta)", "use a finite, nonzero beta (1 by default)")
        checkActivationParameter(!threshold.isNaN, "softplus", "threshold \(threshold)", "use a number for threshold (20 by default)")
        return SoftplusFunction(beta: beta, threshold: threshold).apply(self)
    }
}

struct SoftplusFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let beta: Scalar
    let threshold: Scalar
    var name: String { "softplus" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].softplus(beta: beta, threshold: threshold) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [SoftplusBackward(beta: beta, threshold: threshold).apply(gradient, saved[0])]
    }
}

/// g·(1 if βx > threshold else σ(βx)). Derivatives: ∂/∂g = that factor; ∂/∂x = g·β·σ(βx)σ(−βx)
/// below the threshold.
struct SoftplusBackward<Scalar: TensorScalar>: DifferentiableFunction {
    let beta: Scalar
    let threshold: Scalar
    var name: String { "softplusBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(
            inputs[0], inputs[1],
            kernel: Kernel(beta: Scalar.Vector(repeating: beta), threshold: Scalar.Vector(repeating: threshold)))
    }

    struct Kernel: BinaryVectorKernel {
        let beta: Scalar.Vector
        let threshold: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let z = beta * x
            return Scalar.vSelect(Scalar.vLess(threshold, z), g, g * SmoothKernels.sigmoid(z, Scalar.self))
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let b = V(repeating: beta)
        let t = V(repeating: threshold)
        let curvature = saved[1].value.mapped { x in
            let z = b * x
            let (e, p, _) = SmoothKernels.logistic(z, Scalar.self)
            return Scalar.vSelect(Scalar.vLess(t, z), V(repeating: 0), b * (e * p * p))
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}

/// The softplus layer: y = (1/β)·log(1 + e^{βx}), linear (y = x) where βx > threshold (β default
/// 1, nonzero; threshold default 20); derivative σ(βx) (see `Variable.softplus(beta:threshold:)`).
public final class Softplus<Scalar: TensorScalar>: Module, Layer {
    public let beta: Scalar
    public let threshold: Scalar

    public init(beta: Scalar = 1, threshold: Scalar = 20) {
        checkActivationParameter(beta != 0 && beta.isFinite, "Softplus", "beta \(beta)", "use a finite, nonzero beta (1 by default)")
        checkActivationParameter(!threshold.isNaN, "Softplus", "threshold \(threshold)", "use a number for threshold (20 by default)")
        self.beta = beta
        self.threshold = threshold
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.softplus(beta: beta, threshold: threshold) }
}
