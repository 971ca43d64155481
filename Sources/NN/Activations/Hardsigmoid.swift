import Autograd

/// Hardsigmoid (PyTorch's F.hardsigmoid): f(x) = min(max(x + 3, 0), 6) / 6, i.e. 0 for x ≤ −3,
/// 1 for x ≥ 3 and x/6 + 1/2 between.
///
/// f′(x) = 1/6 on the open interval (−3, 3), 0 at ±3 and outside (as PyTorch's
/// hardsigmoid_backward); f″ = 0. (x + 3)/6 rather than x/6 + 1/2: near x = −3 the sum is exact
/// and only the division rounds. PyTorch's float64 backward multiplies by the float constant
/// 1.0f/6.0f (0.1666666716…); here 1/6 is rounded in the tensor's own type.
public struct HardsigmoidRule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { 0...1 }
    public static var name: String { "hardsigmoid" }
    public static var moduleName: String { "Hardsigmoid" }
    public static var summary: String { "min(max(x + 3, 0), 6) / 6" }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: -3, derivative: 0), ActivationKink(at: 3, derivative: 0)] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Clamp<Scalar>.value(x + Scalar.Vector(repeating: 3), 0, 6) / Scalar.Vector(repeating: 6)
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(x, -3, 3, Scalar.Vector(repeating: 1 / 6)) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Clamp<Scalar>.inside(x, -3, 3, g * Scalar.Vector(repeating: 1 / 6))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The hardsigmoid module: y = min(max(x + 3, 0), 6)/6 (see `HardsigmoidRule`).
public typealias Hardsigmoid<Scalar: TensorScalar> = ActivationLayer<HardsigmoidRule<Scalar>>

extension Tensor {
    /// Hardsigmoid: `min(max(x + 3, 0), 6) / 6`. NaN in gives NaN out.
    @inlinable
    public func hardsigmoid() -> Tensor { activation(HardsigmoidRule()) }
}

extension Variable {
    /// Hardsigmoid, `min(max(x + 3, 0), 6) / 6`, with derivative 1/6 on the open interval
    /// (−3, 3) and 0 at ±3 and outside (as PyTorch).
    @inlinable
    public func hardsigmoid() -> Variable { activation(HardsigmoidRule()) }
}
