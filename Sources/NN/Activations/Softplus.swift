import Autograd

/// Softplus: f(x) = (1/β)·log(1 + e^{βx}), and f(x) = x where βx > threshold (β ≠ 0, default 1;
/// threshold default 20; exactly as PyTorch; Caffe's BNLL is β = 1).
///
/// Computed as (max(βx, 0) + log1p(e^{−|βx|}))/β, which neither overflows nor cancels.
/// f′(x) = σ(βx) (stable logistic), 1 where linear; f″(x) = β·σ(βx)σ(−βx) below the threshold,
/// 0 above. At βx = threshold itself the log form still applies (the linear side is strict):
/// f′ = σ(threshold) there.
public struct SoftplusRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "softplus" }
    public static var moduleName: String { "Softplus" }
    public static var summary: String { "(1/beta)·log(1 + e^{beta·x}), linear where beta·x > threshold" }
    public static var parameters: [ActivationParameter] {
        [
            ActivationParameter("beta", default: 1, .nonzero, "sharpness"),
            ActivationParameter("threshold", default: 20, "beta·x above which the result is x"),
        ]
    }
    public var kinks: [ActivationKink] {
        let t = Double(threshold)
        return [ActivationKink(at: t / Double(beta), derivative: Double.vSigmoid(SIMD8(repeating: t))[0])]
    }

    public let beta: Scalar
    public let threshold: Scalar

    /// Softplus with a finite β ≠ 0 and a threshold that is a number (stops otherwise).
    public init(beta: Scalar = 1, threshold: Scalar = 20) {
        checkActivationParameter(beta != 0 && beta.isFinite, "softplus", "beta \(beta)", "use a finite, nonzero beta (1 by default)")
        checkActivationParameter(!threshold.isNaN, "softplus", "threshold \(threshold)", "use a number for threshold (20 by default)")
        self.beta = beta
        self.threshold = threshold
    }

    public init(_ arguments: ActivationArguments) {
        self.init(beta: Scalar(arguments["beta"]), threshold: Scalar(arguments["threshold"]))
    }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        // β = 1 (the default): z = x and the division by β is exact, so a form without either;
        // from `log1pExpIsIdentityAbove` on (Float: 16) the linear branch changes nothing —
        // log(1 + e^x) rounds to x there — so the comparison goes too. (Branches on the
        // hyperparameters, the same for every vector; the values are those of the full form.)
        let t = Scalar.Vector(repeating: threshold)
        if beta == 1 {
            if threshold >= Scalar.log1pExpIsIdentityAbove { return Scalar.vLog1pExp(x) }
            return Scalar.vSelect(Scalar.vLess(t, x), x, Scalar.vLog1pExp(x))
        }
        let b = Scalar.Vector(repeating: beta)
        let z = b * x
        return Scalar.vSelect(Scalar.vLess(t, z), x, Scalar.vLog1pExp(z) / b)
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let z = Scalar.Vector(repeating: beta) * x
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: threshold), z), Scalar.Vector(repeating: 1), Scalar.vSigmoid(z))
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        let z = Scalar.Vector(repeating: beta) * x
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: threshold), z), g, g * Scalar.vSigmoid(z))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let b = Scalar.Vector(repeating: beta)
        let z = b * x
        let (e, p, _) = SmoothKernels.logistic(z, Scalar.self)
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: threshold), z), Scalar.Vector(repeating: 0), b * (e * p * p))
    }
}

/// The softplus module: y = (1/β)·log(1 + e^{βx}), x where βx > threshold (see `SoftplusRule`).
public typealias Softplus<Scalar: TensorScalar> = ActivationLayer<SoftplusRule<Scalar>>

extension ActivationLayer {
    /// Softplus with a finite β ≠ 0 (default 1) and a threshold (default 20).
    @inlinable
    public convenience init<S>(beta: S = 1, threshold: S = 20) where Rule == SoftplusRule<S> {
        self.init(SoftplusRule(beta: beta, threshold: threshold))
    }
}

extension Tensor {
    /// Softplus: `(1/β)·log(1 + e^{βx})`, and `x` where βx > threshold.
    @inlinable
    public func softplus(beta: Scalar = 1, threshold: Scalar = 20) -> Tensor {
        activation(SoftplusRule(beta: beta, threshold: threshold))
    }
}

extension Variable {
    /// Softplus, (1/β)·log(1 + e^{βx}) (x where βx > threshold); derivative σ(βx) (1 where linear).
    @inlinable
    public func softplus(beta: Scalar = 1, threshold: Scalar = 20) -> Variable {
        activation(SoftplusRule(beta: beta, threshold: threshold))
    }
}
