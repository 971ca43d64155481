import Autograd

/// ISRU, the inverse square root unit: f(x) = x/√(1 + αx²), bounded in (−1/√α, 1/√α).
///
/// f′(x) = (1 + αx²)^(−3/2); f″(x) = −3αx·(1 + αx²)^(−5/2). Smooth everywhere; ±∞ map to
/// ±1/√α with first and second derivatives 0 (the forward divides by the root, which is ∞ there: x/∞ would be
/// NaN, so the limit is taken from |x| above 1/√(α·ε) on, where f rounds to ±1/√α).
public struct ISRU<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { (-1 / Double(alpha).squareRoot())...(1 / Double(alpha).squareRoot()) }
    public static var name: String { "isru" }
    public static var summary: String { "x/√(1 + alpha·x²), bounded by ±1/√alpha" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("alpha", default: 1, .positive, "the bound is ±1/√alpha")]
    }

    public let alpha: Scalar

    /// ISRU with α > 0 (stops otherwise).
    public init(alpha: Scalar = 1) {
        tensorCheck(alpha > 0 && alpha.isFinite, "isru: alpha \(alpha) is not a positive finite number. Fix: use alpha > 0 (1 by default).")
        self.alpha = alpha
    }

    public init(_ arguments: ActivationArguments) { self.init(alpha: Scalar(arguments["alpha"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        let one = Scalar.Vector(repeating: 1)
        let r = (one + alpha * x * x).squareRoot()
        // Where αx² overflows, r is ∞ and x/r would be 0 or NaN: the limit ±1/√α instead.
        let limit = Scalar.vSignSelect(x, -one, one) / alpha.squareRoot()
        return Scalar.vSelect(Scalar.vEqual(r, Scalar.Vector(repeating: .infinity)), limit, x / r)
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let q = Scalar.Vector(repeating: 1) / (Scalar.Vector(repeating: 1) + alpha * x * x)
        return q * q.squareRoot()
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let w = Scalar.Vector(repeating: 1) + alpha * x * x
        let q = Scalar.Vector(repeating: 1) / w
        let f2 = Scalar.Vector(repeating: -3) * alpha * x * q * q * q.squareRoot()
        // At ±∞ (w = ∞) the limit is 0, where x·q would be ∞·0.
        return Scalar.vSelect(Scalar.vEqual(w, Scalar.Vector(repeating: .infinity)), Scalar.Vector(repeating: 0), f2)
    }
}

extension Tensor {
    /// ISRU: x/√(1 + αx²) (see `ISRU`).
    @inlinable
    public func isru(alpha: Scalar = 1) -> Tensor { activation(ISRU(alpha: alpha)) }
}

extension Variable {
    /// ISRU: x/√(1 + αx²), with f′ = (1 + αx²)^(−3/2) and f″ = −3αx(1 + αx²)^(−5/2).
    @inlinable
    public func isru(alpha: Scalar = 1) -> Variable { activation(ISRU(alpha: alpha)) }
}
