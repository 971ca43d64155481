import Autograd

/// Hardswish (Howard et al., MobileNetV3; PyTorch's F.hardswish): f(x) = x·min(max(x + 3, 0), 6)/6.
///
/// f′(x) = 0 for x ≤ −3, x/3 + 1/2 on the open interval (−3, 3), 1 for x ≥ 3 — so f′(−3) = 0
/// and f′(3) = 1, PyTorch 2.x's convention (checked against 2.15's hardswish_backward; PyTorch
/// 1.x used the closed interval and gave −1/2 and 3/2); g for NaN x, as PyTorch's scalar loop.
/// f″ = 1/3 on (−3, 3), exactly 0 outside (whatever the incoming gradient, as PyTorch's
/// `where`). The middle piece of f′ is computed as (x + 3/2)/3: the same value, without the
/// cancellation of x/3 + 1/2 near its zero at x = −3/2.
public struct HardswishRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "hardswish" }
    public static var moduleName: String { "Hardswish" }
    public static var summary: String { "x·min(max(x + 3, 0), 6) / 6" }
    public static var isMemoryBound: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: -3, derivative: 0), ActivationKink(at: 3, derivative: 1)] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let c = Clamp<Scalar>.value(x + V(repeating: 3), 0, 6)
        // hardswish(−∞) = −0 like every x < −3 (x·0 would be −∞·0 = NaN).
        return Scalar.vSelect(Scalar.vEqual(c, V(repeating: 0)), V(repeating: -0.0), x * c / V(repeating: 6))
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { gradient(Scalar.Vector(repeating: 1), x) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let three = V(repeating: 3)
        let middle = Scalar.vSelect(Scalar.vLess(x, three), g * ((x + V(repeating: 1.5)) / three), g)
        return Scalar.vSelect(Scalar.vLessEqual(x, V(repeating: -3)), V(repeating: 0), middle)
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(x, -3, 3, Scalar.Vector(repeating: 1 / 3)) }

    @inlinable @inline(__always)
    public func curvatureGradient(_ h: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Clamp<Scalar>.inside(x, -3, 3, h * Scalar.Vector(repeating: 1 / 3))
    }
}

/// The hardswish module: y = x·min(max(x + 3, 0), 6)/6 (see `HardswishRule`).
public typealias Hardswish<Scalar: TensorScalar> = ActivationLayer<HardswishRule<Scalar>>

extension Tensor {
    /// Hardswish: `x · min(max(x + 3, 0), 6) / 6`. NaN in gives NaN out.
    @inlinable
    public func hardswish() -> Tensor { activation(HardswishRule()) }
}

extension Variable {
    /// Hardswish, `x · min(max(x + 3, 0), 6) / 6`, with derivative 0 for x ≤ −3, x/3 + 1/2 on
    /// the open (−3, 3) and 1 for x ≥ 3 (so 0 at −3 and 1 at 3, as PyTorch 2.x); double backward
    /// gives 1/3 on (−3, 3).
    @inlinable
    public func hardswish() -> Variable { activation(HardswishRule()) }
}
