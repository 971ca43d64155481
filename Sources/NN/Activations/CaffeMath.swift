import Foundation
import Autograd

// Caffe's Power, Exp and Log layers:
//   power: (shift + scale·x)^p                 derivative p·scale·(shift + scale·x)^(p−1)
//   exp:   base^(shift + scale·x)              derivative ln(base)·scale·y
//   log:   log_base(shift + scale·x)           derivative scale / ((shift + scale·x)·ln(base))
// base e by default (Caffe writes −1 for e). Built from primitives with analytic derivatives.

extension Variable {
    /// Caffe's Power layer: (shift + scale·x)^power.
    public func power(_ p: Scalar = 1, scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        checkActivationParameter(p.isFinite && scale.isFinite && shift.isFinite, "power", "power \(p), scale \(scale), shift \(shift)", "use finite parameters")
        return affine(scale: scale, shift: shift).pow(p)
    }

    /// Caffe's Exp layer: base^(shift + scale·x) (base e by default).
    public func caffeExp(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        checkActivationParameter(base > 0 && base.isFinite && scale.isFinite && shift.isFinite, "exp", "base \(base), scale \(scale), shift \(shift)", "use a finite base > 0 and finite scale and shift")
        let lnBase = naturalLogarithm(base)
        return affine(scale: scale * lnBase, shift: shift * lnBase).exp()
    }

    /// Caffe's Log layer: log_base(shift + scale·x) (base e by default).
    public func caffeLog(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        checkActivationParameter(base > 0 && base != 1 && base.isFinite && scale.isFinite && shift.isFinite, "log", "base \(base), scale \(scale), shift \(shift)", "use a finite base > 0 other than 1 and finite scale and shift")
        let lnBase = naturalLogarithm(base)
        return affine(scale: scale, shift: shift).log() / lnBase
    }
}

/// ln(base), exactly 1 for e rounded to `Scalar` (Float's e is not e, and ln of it is not 1, which
/// would make the default Exp and Log layers eˣ and ln x only to a few ulps).
func naturalLogarithm<Scalar: TensorScalar>(_ base: Scalar) -> Scalar {
    base == Scalar(M_E) ? 1 : Scalar(Foundation.log(Double(base)))
}

/// Caffe's Power layer: y = (shift + scale·x)^power (defaults 1, 1, 0); derivative
/// power·scale·(shift + scale·x)^(power−1) (see `Variable.power(_:scale:shift:)`).
public final class Power<Scalar: TensorScalar>: Module, Layer {
    public let power: Scalar
    public let scale: Scalar
    public let shift: Scalar

    public init(_ power: Scalar = 1, scale: Scalar = 1, shift: Scalar = 0) {
        checkActivationParameter(
            power.isFinite && scale.isFinite && shift.isFinite, "Power", "power \(power), scale \(scale), shift \(shift)", "use finite parameters")
        self.power = power
        self.scale = scale
        self.shift = shift
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.power(power, scale: scale, shift: shift) }
}

/// Caffe's Exp layer: y = base^(shift + scale·x) (base e by default, > 0); derivative
/// ln(base)·scale·y (see `Variable.caffeExp(base:scale:shift:)`).
public final class CaffeExp<Scalar: TensorScalar>: Module, Layer {
    public let base: Scalar
    public let scale: Scalar
    public let shift: Scalar

    public init(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) {
        checkActivationParameter(
            base > 0 && base.isFinite && scale.isFinite && shift.isFinite, "CaffeExp", "base \(base), scale \(scale), shift \(shift)",
            "use a finite base > 0 and finite scale and shift")
        self.base = base
        self.scale = scale
        self.shift = shift
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.caffeExp(base: base, scale: scale, shift: shift) }
}

/// Caffe's Log layer: y = log_base(shift + scale·x) (base e by default, > 0, ≠ 1); derivative
/// scale/((shift + scale·x)·ln base) (see `Variable.caffeLog(base:scale:shift:)`).
public final class CaffeLog<Scalar: TensorScalar>: Module, Layer {
    public let base: Scalar
    public let scale: Scalar
    public let shift: Scalar

    public init(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) {
        checkActivationParameter(
            base > 0 && base != 1 && base.isFinite && scale.isFinite && shift.isFinite, "CaffeLog",
            "base \(base), scale \(scale), shift \(shift)", "use a finite base > 0 other than 1 and finite scale and shift")
        self.base = base
        self.scale = scale
        self.shift = shift
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.caffeLog(base: base, scale: scale, shift: shift) }
}
