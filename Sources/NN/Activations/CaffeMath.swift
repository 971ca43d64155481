import Foundation
import Autograd

// Caffe's Power, Exp and Log layers (base e by default; Caffe writes −1 for e). Each first forms
// u = shift + scale·x, with no addition when shift is 0 (so −0 stays −0), then the function of u.

/// u = scale·x + shift; just scale·x when shift is 0.
@inlinable @inline(__always)
func caffeInput<Scalar: TensorScalar>(_ x: Scalar.Vector, _ scale: Scalar, _ shift: Scalar) -> Scalar.Vector {
    shift == 0 ? x * scale : x * scale + shift
}

/// ln(base), exactly 1 for e rounded to `Scalar` (Float's e is not e, and ln of it is not 1, which
/// would make the default Exp and Log layers eˣ and ln x only to a few ulps).
func naturalLogarithm<Scalar: TensorScalar>(_ base: Scalar) -> Scalar {
    base == Scalar(M_E) ? 1 : Scalar(Foundation.log(Double(base)))
}

/// Caffe's Power: f(x) = u^p, u = shift + scale·x (p = 1, scale = 1, shift = 0 by default).
///
/// f′(x) = p·scale·u^(p−1) (0 for p = 0), rounded as (g·(u^(p−1)·p))·scale; d f′/dx =
/// p(p − 1)·scale²·u^(p−2) (0 for p = 0 or 1). u^p is `vPow`, the kernel of `Tensor.pow(_:)`.
public struct PowerRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "power" }
    public static var moduleName: String { "Power" }
    public static var summary: String { "(shift + scale·x)^power (Caffe Power)" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("power", default: 1, "exponent"), ActivationParameter("scale", default: 1, "input scale"),
         ActivationParameter("shift", default: 0, "input shift")]
    }

    public let power: Scalar
    public let scale: Scalar
    public let shift: Scalar

    /// Power with finite parameters (stops otherwise).
    public init(_ power: Scalar = 1, scale: Scalar = 1, shift: Scalar = 0) {
        checkActivationParameter(
            power.isFinite && scale.isFinite && shift.isFinite, "power", "power \(power), scale \(scale), shift \(shift)", "use finite parameters")
        self.power = power
        self.scale = scale
        self.shift = shift
    }

    public init(_ arguments: ActivationArguments) {
        self.init(Scalar(arguments["power"]), scale: Scalar(arguments["scale"]), shift: Scalar(arguments["shift"]))
    }

    /// All x for a whole power ≥ 0; else where u > 0.
    public var domain: ClosedRange<Double> {
        let p = Double(power)
        if p >= 0 && p == p.rounded() { return -Double.infinity...Double.infinity }
        return positiveInputDomain(scale: Double(scale), shift: Double(shift))
    }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vPow(caffeInput(x, scale, shift), power) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { gradient(Scalar.Vector(repeating: 1), x) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        if power == 0 { return g * 0 * scale }
        return g * (Scalar.vPow(caffeInput(x, scale, shift), power - 1) * power) * scale
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        if power == 0 || power == 1 { return Scalar.Vector(repeating: 0) }
        return Scalar.vPow(caffeInput(x, scale, shift), power - 2) * (power * (power - 1)) * (scale * scale)
    }
}

/// Caffe's Exp: f(x) = base^(shift + scale·x) = e^(a·x + b), a = ln(base)·scale,
/// b = ln(base)·shift (base e by default, > 0).
///
/// f′ = a·y, read from the output (only y is kept; the in-place form works); d f′/dy = a. For the
/// default base ln(base) is exactly 1, so f is `vExp`, the kernel of `Tensor.exp()`.
public struct CaffeExpRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "exp" }
    public static var moduleName: String { "CaffeExp" }
    public static var summary: String { "base^(shift + scale·x) (Caffe Exp)" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("base", default: M_E, .positive, "base (e by default)"), ActivationParameter("scale", default: 1, "input scale"),
         ActivationParameter("shift", default: 0, "input shift")]
    }
    public static var derivativeInput: ActivationDerivativeInput { .output }

    public let base: Scalar
    public let scale: Scalar
    public let shift: Scalar
    /// a = ln(base)·scale and b = ln(base)·shift.
    @usableFromInline let _exponentScale: Scalar
    @usableFromInline let _exponentShift: Scalar

    /// Exp with a finite base > 0 and finite scale and shift (stops otherwise).
    public init(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) {
        checkActivationParameter(
            base > 0 && base.isFinite && scale.isFinite && shift.isFinite, "exp", "base \(base), scale \(scale), shift \(shift)",
            "use a finite base > 0 and finite scale and shift")
        self.base = base
        self.scale = scale
        self.shift = shift
        let lnBase = naturalLogarithm(base)
        _exponentScale = scale * lnBase
        _exponentShift = shift * lnBase
    }

    public init(_ arguments: ActivationArguments) {
        self.init(base: Scalar(arguments["base"]), scale: Scalar(arguments["scale"]), shift: Scalar(arguments["shift"]))
    }

    /// Where a·x + b ≤ 709, so that e^(a·x + b) is finite in Double.
    public var domain: ClosedRange<Double> {
        let a = Double(_exponentScale), b = Double(_exponentShift)
        if a > 0 { return -Double.infinity...((709 - b) / a) }
        if a < 0 { return ((709 - b) / a)...Double.infinity }
        return -Double.infinity...Double.infinity
    }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vExp(caffeInput(x, _exponentScale, _exponentShift)) }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { y * _exponentScale }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { g * y * _exponentScale }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: _exponentScale) }
}

/// Caffe's Log: f(x) = log_base(u) = ln(u)/ln(base), u = shift + scale·x (base e by default,
/// > 0, ≠ 1); NaN for u < 0.
///
/// f′(x) = scale/(u·ln base), from the input, rounded as ((g/ln base)/u)·scale; f″(x) =
/// −scale²/(u²·ln base). ln u is `vLog`, the kernel of `Tensor.log()`; ln(base) is exactly 1 for
/// the default base.
public struct CaffeLogRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "log" }
    public static var moduleName: String { "CaffeLog" }
    public static var summary: String { "log_base(shift + scale·x) (Caffe Log)" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("base", default: M_E, .positiveNotOne, "base (e by default)"),
         ActivationParameter("scale", default: 1, "input scale"), ActivationParameter("shift", default: 0, "input shift")]
    }

    public let base: Scalar
    public let scale: Scalar
    public let shift: Scalar
    /// ln(base).
    @usableFromInline let _logBase: Scalar

    /// Log with a finite base > 0 other than 1 and finite scale and shift (stops otherwise).
    public init(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) {
        checkActivationParameter(
            base > 0 && base != 1 && base.isFinite && scale.isFinite && shift.isFinite, "log",
            "base \(base), scale \(scale), shift \(shift)", "use a finite base > 0 other than 1 and finite scale and shift")
        self.base = base
        self.scale = scale
        self.shift = shift
        _logBase = naturalLogarithm(base)
    }

    public init(_ arguments: ActivationArguments) {
        self.init(base: Scalar(arguments["base"]), scale: Scalar(arguments["scale"]), shift: Scalar(arguments["shift"]))
    }

    /// Where u > 0.
    public var domain: ClosedRange<Double> { positiveInputDomain(scale: Double(scale), shift: Double(shift)) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vLog(caffeInput(x, scale, shift)) / _logBase }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { gradient(Scalar.Vector(repeating: 1), x) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { g / _logBase / caffeInput(x, scale, shift) * scale }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let u = caffeInput(x, scale, shift)
        return Scalar.Vector(repeating: -(scale * scale / _logBase)) / (u * u)
    }
}

/// Caffe's Power module: y = (shift + scale·x)^power (see `PowerRule`).
public typealias Power<Scalar: TensorScalar> = ActivationLayer<PowerRule<Scalar>>
/// Caffe's Exp module: y = base^(shift + scale·x) (see `CaffeExpRule`).
public typealias CaffeExp<Scalar: TensorScalar> = ActivationLayer<CaffeExpRule<Scalar>>
/// Caffe's Log module: y = log_base(shift + scale·x) (see `CaffeLogRule`).
public typealias CaffeLog<Scalar: TensorScalar> = ActivationLayer<CaffeLogRule<Scalar>>

extension ActivationLayer {
    /// Caffe's Power with finite parameters (defaults 1, 1, 0).
    @inlinable
    public convenience init<S>(_ power: S = 1, scale: S = 1, shift: S = 0) where Rule == PowerRule<S> {
        self.init(PowerRule(power, scale: scale, shift: shift))
    }

    /// Caffe's Exp with a finite base > 0 (e by default).
    @inlinable
    public convenience init<S>(base: S = S(M_E), scale: S = 1, shift: S = 0) where Rule == CaffeExpRule<S> {
        self.init(CaffeExpRule(base: base, scale: scale, shift: shift))
    }

    /// Caffe's Log with a finite base > 0 other than 1 (e by default).
    @inlinable
    public convenience init<S>(base: S = S(M_E), scale: S = 1, shift: S = 0) where Rule == CaffeLogRule<S> {
        self.init(CaffeLogRule(base: base, scale: scale, shift: shift))
    }
}

extension Variable {
    /// Caffe's Power layer: (shift + scale·x)^power.
    @inlinable
    public func power(_ p: Scalar = 1, scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        activation(PowerRule(p, scale: scale, shift: shift))
    }

    /// Caffe's Exp layer: base^(shift + scale·x) (base e by default).
    @inlinable
    public func caffeExp(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        activation(CaffeExpRule(base: base, scale: scale, shift: shift))
    }

    /// Caffe's Log layer: log_base(shift + scale·x) (base e by default).
    @inlinable
    public func caffeLog(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        activation(CaffeLogRule(base: base, scale: scale, shift: shift))
    }
}

/// The x where u = shift + scale·x > 0 (all of them when scale is 0).
func positiveInputDomain(scale: Double, shift: Double) -> ClosedRange<Double> {
    if scale > 0 { return (-shift / scale)...Double.infinity }
    if scale < 0 { return -Double.infinity...(-shift / scale) }
    return -Double.infinity...Double.infinity
}
