import Autograd

/// Swish (Ramachandran et al.) with a constant β: f(x) = x·σ(βx) (β finite, default 1; 1 is
/// SiLU). For a trainable β see `TrainableSwish`.
///
/// With z = βx: f′(x) = σ(z)(1 + z·σ(−z)); f″(x) = β·σ(z)σ(−z)(2 − z·tanh(z/2)). f′ crosses
/// zero at z ≈ −1.2785, where 1 + z·σ(−z) cancels: for z < 0 it is evaluated as
/// e·p²·((1 + z) + e), e = e^z, p = 1/(1 + e), with 1 + z exact for z ∈ [−2, −½], so only the
/// rounding of e remains; within about 1e-3 of the crossing f′ is accurate in absolute terms
/// only (≈ 1 ulp of 0.28): the point is ill-conditioned in any working precision. Below
/// z = −709.78 (|y| < 2e-305) σ(z) is flushed to 0 as in PyTorch's float64
/// (`SmoothKernels.pytorchSigmoidFlush`), so swish(−710) = −0 with derivative 0.
public struct SwishRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "swish" }
    public static var moduleName: String { "Swish" }
    public static var summary: String { "x·σ(beta·x) with a constant beta" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("beta", default: 1, "slope inside the sigmoid (1 is silu)")]
    }

    public let beta: Scalar

    /// Swish with a finite β (stops otherwise).
    public init(beta: Scalar = 1) {
        checkActivationParameter(beta.isFinite, "swish", "beta \(beta)", "use a finite beta (1 by default; 1 is SiLU)")
        self.beta = beta
    }

    public init(_ arguments: ActivationArguments) { self.init(beta: Scalar(arguments["beta"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        // β = 1: the scalar type's SiLU (in Float fused, one division); a branch on β, the same
        // for every vector.
        if beta == 1 { return Scalar.vSiLU(x) }
        typealias V = Scalar.Vector
        let z = V(repeating: beta) * x
        // Flushed lanes give x·0 = ±0 with x's sign; an infinite x on the flushing side (x → −∞
        // for β > 0, +∞ for β < 0) is first pulled in to the largest finite value (∞·0 would be
        // NaN; the limit is ±0), by one select on that side.
        let s = Scalar.vSelect(Scalar.vLess(z, V(repeating: Scalar(SmoothKernels.pytorchSigmoidFlush))), V(repeating: 0), Scalar.vSigmoid(z))
        let side = V(repeating: beta < 0 ? -1 : 1)
        let lowest = V(repeating: beta == 0 ? -.infinity : -Scalar.greatestFiniteMagnitude)
        let u = side * x
        return side * Scalar.vSelect(Scalar.vLess(u, lowest), lowest, u) * s
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Self.derivative(at: Scalar.Vector(repeating: beta) * x) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let b = Scalar.Vector(repeating: beta)
        let (a, c) = Self.curvatureFactors(at: b * x)
        return b * a * c
    }

    /// σ(z)(1 + z·σ(−z)), without cancellation away from its zero crossing.
    @inlinable @inline(__always)
    static func derivative(at z: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let one = V(repeating: 1)
        let (e, p, negative) = SmoothKernels.logistic(z, Scalar.self)
        // z·σ(−z) is 0 once e^−z is 0 (z·0 would be NaN at z = +∞).
        let zs = Scalar.vSelect(Scalar.vEqual(e, V(repeating: 0)), V(repeating: 0), z * (e * p))
        let positive = p * (one + zs)
        let negativeSide = (e * p) * p * ((one + z) + e)
        let flushed = Scalar.vSelect(Scalar.vLess(z, V(repeating: Scalar(SmoothKernels.pytorchSigmoidFlush))), V(repeating: 0), negativeSide)
        return Scalar.vSelect(negative, flushed, positive)
    }

    /// f″/β as two factors, σ(z)σ(−z) and 2 − z·tanh(z/2) (z·tanh(z/2) = |z|(1 − e)/(1 + e)),
    /// multiplied by the caller in the order the fixtures were taken with.
    @inlinable @inline(__always)
    static func curvatureFactors(at z: Scalar.Vector) -> (Scalar.Vector, Scalar.Vector) {
        let (e, p, _) = SmoothKernels.logistic(z, Scalar.self)
        return (e * p * p, Scalar.Vector(repeating: 2) - Scalar.vAbs(z) * (Scalar.Vector(repeating: 1) - e) * p)
    }
}

/// SiLU: f(x) = x·σ(x), swish with β = 1 (`Scalar.vSiLU`; σ flushed to 0 below x = −709.78 as
/// in PyTorch's float64, −∞ gives −0).
///
/// f′(x) = σ(x)(1 + x·σ(−x)); f″(x) = σ(x)σ(−x)(2 − x·tanh(x/2)), as `SwishRule` at β = 1.
public struct SiLURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "silu" }
    public static var moduleName: String { "SiLU" }
    public static var summary: String { "x·σ(x)" }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vSiLU(x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { SwishRule<Scalar>.derivative(at: x) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let (a, b) = SwishRule<Scalar>.curvatureFactors(at: x)
        return a * b
    }
}

/// The swish module with a constant β: y = x·σ(βx) (see `SwishRule`).
public typealias Swish<Scalar: TensorScalar> = ActivationLayer<SwishRule<Scalar>>

/// The SiLU module: y = x·σ(x) (see `SiLURule`).
public typealias SiLU<Scalar: TensorScalar> = ActivationLayer<SiLURule<Scalar>>

extension ActivationLayer {
    /// Swish with a finite constant β (default 1).
    @inlinable
    public convenience init<S>(beta: S = 1) where Rule == SwishRule<S> { self.init(SwishRule(beta: beta)) }
}

extension Tensor {
    /// Swish: `x·σ(βx)` (stable logistic).
    @inlinable
    public func swish(beta: Scalar = 1) -> Tensor { activation(SwishRule(beta: beta)) }

    /// SiLU: `x·σ(x)` (swish with β = 1).
    @inlinable
    public func silu() -> Tensor { activation(SiLURule()) }
}

extension Variable {
    /// Swish with a constant β, x·σ(βx); derivative σ(βx) + βx·σ(βx)(1 − σ(βx)).
    @inlinable
    public func swish(beta: Scalar = 1) -> Variable { activation(SwishRule(beta: beta)) }

    /// SiLU, x·σ(x); derivative σ(x)(1 + x·σ(−x)).
    @inlinable
    public func silu() -> Variable { activation(SiLURule()) }
}
