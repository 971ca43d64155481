import Autograd

/// CELU (Barron): f(x) = max(0, x) + min(0, α(e^{x/α} − 1)), i.e. x for x > 0, α·expm1(x/α)
/// otherwise (α ≠ 0, default 1; negative α as in PyTorch).
///
/// f′(x) = 1 for x > 0, else e^{x/α} (1 at 0, as PyTorch); f″(x) = 0 for x > 0, else e^{x/α}/α
/// (f is C¹ at 0, f″ jumps there). x/α is x·(1/α), as PyTorch. The derivative reads the input:
/// from the output, y/α + 1 cancels for very negative x.
public struct CELURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "celu" }
    public static var moduleName: String { "CELU" }
    public static var summary: String { "max(0, x) + min(0, alpha·(e^{x/alpha} − 1))" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("alpha", default: 1, .nonzero, "scale of the negative side")]
    }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: 1)] }
    public var secondOrderKinks: [Double] { [0] }

    public let alpha: Scalar

    /// CELU with a finite α ≠ 0 (stops otherwise).
    public init(alpha: Scalar = 1) {
        checkActivationParameter(alpha != 0 && alpha.isFinite, "celu", "alpha \(alpha)", "use a finite, nonzero alpha (1 by default)")
        self.alpha = alpha
    }

    public init(_ arguments: ActivationArguments) { self.init(alpha: Scalar(arguments["alpha"])) }

    /// With α > 0, x/α ≤ 0 on the kept side: the one-sided expm1 (here); a negative α needs the
    /// two-sided one (`CELUNegativeAlpha`, chosen once per tensor).
    @inlinable public var forwardVariant: CELUNegativeAlpha<Scalar>? { alpha > 0 ? nil : CELUNegativeAlpha(rule: self) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        let z = x * Scalar.Vector(repeating: 1 / alpha)
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), x, Scalar.Vector(repeating: alpha) * Scalar.vExpm1NonPositive(z))
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let e = Scalar.vExp(x * Scalar.Vector(repeating: 1 / alpha))
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), Scalar.Vector(repeating: 1), e)
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), g, g * Scalar.vExp(x * Scalar.Vector(repeating: 1 / alpha)))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let inverse = Scalar.Vector(repeating: 1 / alpha)
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), Scalar.Vector(repeating: 0), Scalar.vExp(x * inverse) * inverse)
    }
}

/// CELU's forward for α < 0, where x/α > 0 on the kept side: the two-sided expm1. Only its
/// `value` runs (as `CELURule.forwardVariant`); the derivatives are CELURule's.
public struct CELUNegativeAlpha<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { CELURule<Scalar>.name }
    public static var summary: String { CELURule<Scalar>.summary }
    public let rule: CELURule<Scalar>
    @inlinable public init(rule: CELURule<Scalar>) { self.rule = rule }
    public init(_ arguments: ActivationArguments) { rule = CELURule(arguments) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        let z = x * Scalar.Vector(repeating: 1 / rule.alpha)
        return Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), x, Scalar.Vector(repeating: rule.alpha) * Scalar.vExpm1(z))
    }
    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { rule.derivative(x) }
    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { rule.derivativeOfDerivative(x) }
}

/// The CELU module: y = x for x > 0, α(e^{x/α} − 1) otherwise (see `CELURule`).
public typealias CELU<Scalar: TensorScalar> = ActivationLayer<CELURule<Scalar>>

extension ActivationLayer {
    /// CELU with a finite α ≠ 0 (default 1).
    @inlinable
    public convenience init<S>(alpha: S = 1) where Rule == CELURule<S> { self.init(CELURule(alpha: alpha)) }
}

extension Tensor {
    /// CELU: `x` for x > 0, `α(e^{x/α} − 1)` otherwise (via expm1; x/α as x·(1/α), as PyTorch).
    @inlinable
    public func celu(alpha: Scalar = 1) -> Tensor { activation(CELURule(alpha: alpha)) }
}

extension Variable {
    /// CELU, x for x > 0 and α(e^{x/α} − 1) otherwise; derivative 1 or e^{x/α} (1 at 0).
    @inlinable
    public func celu(alpha: Scalar = 1) -> Variable { activation(CELURule(alpha: alpha)) }
}
