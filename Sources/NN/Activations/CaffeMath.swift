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
        let lnBase = Scalar(Foundation.log(Double(base)))
        return affine(scale: scale * lnBase, shift: shift * lnBase).exp()
    }

    /// Caffe's Log layer: log_base(shift + scale·x) (base e by default).
    public func caffeLog(base: Scalar = Scalar(M_E), scale: Scalar = 1, shift: Scalar = 0) -> Variable {
        checkActivationParameter(base > 0 && base != 1 && base.isFinite && scale.isFinite && shift.isFinite, "log", "base \(base), scale \(scale), shift \(shift)", "use a finite base > 0 other than 1 and finite scale and shift")
        let lnBase = Scalar(Foundation.log(Double(base)))
        return affine(scale: scale, shift: shift).log() / lnBase
    }
}
