import Autograd

/// Hardtanh: f(x) = clamp(x, min, max) (min < max; defaults −1 and 1).
///
/// f′(x) = 1 on the open interval (min, max), 0 at both bounds and outside — PyTorch's
/// hardtanh_backward passes the gradient only where min < x < max; f″ = 0. The derivative reads
/// the output (min < y < max exactly where min < x < max), so the in-place form works. The clamp
/// is two selects, so NaN stays NaN. relu6 and boundedReLU(n) are hardtanh(0, n) (ReLU6.swift).
public struct HardtanhRule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { Double(min)...Double(max) }
    public static var name: String { "hardtanh" }
    public static var moduleName: String { "Hardtanh" }
    public static var summary: String { "clamp(x, min_val, max_val)" }
    public static var parameters: [ActivationParameter] {
        [
            ActivationParameter("min_val", default: -1, "lower bound"),
            ActivationParameter("max_val", default: 1, "upper bound"),
        ]
    }
    public static var orderedParameters: (lower: String, upper: String, strict: Bool)? { ("min_val", "max_val", true) }
    public static var derivativeInput: ActivationDerivativeInput { .output }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] {
        [ActivationKink(at: Double(min), derivative: 0), ActivationKink(at: Double(max), derivative: 0)]
    }

    public let min: Scalar
    public let max: Scalar

    /// Hardtanh with min < max (stops otherwise, and for a NaN bound).
    public init(min: Scalar = -1, max: Scalar = 1) {
        checkActivationParameter(
            min < max, "hardtanh", "min \(min) with max \(max)",
            "pass min < max, neither of them NaN (e.g. hardtanh(min: -1, max: 1))")
        self.min = min
        self.max = max
    }

    public init(_ arguments: ActivationArguments) { self.init(min: Scalar(arguments["min_val"]), max: Scalar(arguments["max_val"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.value(x, min, max) }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(y, min, max, Scalar.Vector(repeating: 1)) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(y, min, max, g) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The hardtanh module: y = clamp(x, min, max) (see `HardtanhRule`).
public typealias Hardtanh<Scalar: TensorScalar> = ActivationLayer<HardtanhRule<Scalar>>

extension ActivationLayer {
    /// Hardtanh with min < max (defaults −1 and 1).
    @inlinable
    public convenience init<S>(min: S = -1, max: S = 1) where Rule == HardtanhRule<S> { self.init(HardtanhRule(min: min, max: max)) }
}

extension Tensor {
    /// Hardtanh: `x` clamped to [min, max] (requires min < max). NaN in gives NaN out.
    @inlinable
    public func hardtanh(min: Scalar = -1, max: Scalar = 1) -> Tensor { activation(HardtanhRule(min: min, max: max)) }
}

extension Variable {
    /// Hardtanh, `x` clamped to [min, max] (defaults −1 and 1), with derivative 1 on the open
    /// interval (min, max) and 0 at both bounds and outside (as PyTorch). Requires min < max.
    @inlinable
    public func hardtanh(min: Scalar = -1, max: Scalar = 1) -> Variable { activation(HardtanhRule(min: min, max: max)) }
}

/// The clamp of hardtanh, relu6 and bounded ReLU, and the open-interval mask of their
/// derivatives (hardsigmoid's and hardswish's too).
@usableFromInline
enum Clamp<S: TensorScalar> {
    /// x clamped to [lo, hi] by two selects, so NaN stays NaN.
    @inlinable @inline(__always)
    static func value(_ x: S.Vector, _ lo: S, _ hi: S) -> S.Vector {
        let lower = S.Vector(repeating: lo)
        let upper = S.Vector(repeating: hi)
        let r = S.vSelect(S.vLess(x, lower), lower, x)
        return S.vSelect(S.vLess(upper, r), upper, r)
    }

    /// `a` where lo < s < hi (open), else 0 (also for NaN s).
    @inlinable @inline(__always)
    static func inside(_ s: S.Vector, _ lo: S, _ hi: S, _ a: S.Vector) -> S.Vector {
        let zero = S.Vector(repeating: 0)
        return S.vSelect(S.vLess(S.Vector(repeating: lo), s), S.vSelect(S.vLess(s, S.Vector(repeating: hi)), a, zero), zero)
    }
}
