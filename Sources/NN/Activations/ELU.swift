import Autograd

/// ELU (Clevert et al.): f(x) = x for x > 0, α(eˣ − 1) otherwise (α > 0, default 1).
///
/// f′(x) = 1 for x > 0, else αeˣ (α at 0, as PyTorch); f″(x) = 0 for x > 0, else αeˣ. The
/// derivative reads the input: from the output it would be y + α, which cancels for very
/// negative x in Float (y rounds to −α). The in-place form, which only has the output, uses
/// y + α and accepts that loss.
public struct ELURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "elu" }
    public static var moduleName: String { "ELU" }
    public static var summary: String { "x if x > 0, else alpha·(eˣ − 1)" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("alpha", default: 1, .positive, "saturation value for x → −∞ is −alpha")]
    }
    public static var derivativeInput: ActivationDerivativeInput { .both }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: Double(alpha))] }
    public var secondOrderKinks: [Double] { [0] }

    public let alpha: Scalar

    /// ELU with α > 0 (stops otherwise).
    public init(alpha: Scalar = 1) {
        checkActivationParameter(alpha > 0 && alpha.isFinite, "elu", "alpha \(alpha)", "use a finite alpha > 0")
        self.alpha = alpha
    }

    public init(_ arguments: ActivationArguments) { self.init(alpha: Scalar(arguments["alpha"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), x, alpha * Scalar.vExpm1NonPositive(x))
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), Scalar.Vector(repeating: 1), alpha * Scalar.vExp(x))
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), g, g * (alpha * Scalar.vExp(x)))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLessEqual(x, Scalar.Vector(repeating: 0)), Scalar.vExp(x) * alpha, Scalar.Vector(repeating: 0))
    }

    @inlinable @inline(__always)
    public func derivative(fromOutput y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), Scalar.Vector(repeating: 1), y + alpha)
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, fromOutput y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), g, g * (y + alpha))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(fromOutput y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), Scalar.Vector(repeating: 0), Scalar.Vector(repeating: 1))
    }
}

/// The ELU module: y = x for x > 0, α(eˣ − 1) otherwise (see `ELURule`).
public typealias ELU<Scalar: TensorScalar> = ActivationLayer<ELURule<Scalar>>

extension ActivationLayer {
    /// ELU with α > 0 (default 1).
    @inlinable
    public convenience init<S>(alpha: S = 1) where Rule == ELURule<S> { self.init(ELURule(alpha: alpha)) }
}

extension Tensor {
    /// ELU: `x` for x > 0, `α(eˣ − 1)` otherwise (via expm1, accurate near 0).
    @inlinable
    public func elu(alpha: Scalar = 1) -> Tensor { activation(ELURule(alpha: alpha)) }
}

extension Variable {
    /// ELU, `x` for x > 0 and `α(eˣ − 1)` otherwise, with derivative 1 or αeˣ (α at 0).
    @inlinable
    public func elu(alpha: Scalar = 1) -> Variable { activation(ELURule(alpha: alpha)) }
}
