import Autograd

/// Hardshrink (PyTorch's F.hardshrink): f(x) = 0 on the closed interval [−λ, λ], x elsewhere
/// (λ any number but NaN, default 0.5; a negative λ makes it the identity, as PyTorch allows).
///
/// f′(x) = 1 outside [−λ, λ], 0 inside it — 0 at ±λ, as PyTorch's hardshrink_backward
/// (`−λ ≤ x ≤ λ ? 0 : g`); f″ = 0. The forward is the derivative's mask applied to x itself;
/// NaN fails both comparisons and passes through (and its gradient is g).
public struct HardshrinkRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "hardshrink" }
    public static var moduleName: String { "Hardshrink" }
    public static var summary: String { "x outside [−lambda, lambda], 0 inside" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("lambda", default: 0.5, "half-width of the zero band")]
    }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { Shrink<Scalar>.kinks(lambda) }

    public let lambda: Scalar

    /// Hardshrink with a λ that is not NaN (stops otherwise).
    public init(lambda: Scalar = 0.5) {
        checkActivationParameter(!lambda.isNaN, "hardshrink", "lambda \(lambda)", "use a lambda that is not NaN (PyTorch's default is 0.5)")
        self.lambda = lambda
    }

    public init(_ arguments: ActivationArguments) { self.init(lambda: Scalar(arguments["lambda"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Shrink<Scalar>.outside(x, lambda, x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Shrink<Scalar>.outside(x, lambda, Scalar.Vector(repeating: 1)) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Shrink<Scalar>.outside(x, lambda, g) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The hardshrink module: y = x outside [−λ, λ], 0 inside (see `HardshrinkRule`).
public typealias Hardshrink<Scalar: TensorScalar> = ActivationLayer<HardshrinkRule<Scalar>>

extension ActivationLayer {
    /// Hardshrink with a λ that is not NaN (default 0.5).
    @inlinable
    public convenience init<S>(lambda: S = 0.5) where Rule == HardshrinkRule<S> { self.init(HardshrinkRule(lambda: lambda)) }
}

extension Tensor {
    /// Hardshrink: 0 for −λ ≤ x ≤ λ, `x` otherwise (default λ 0.5). NaN in gives NaN out.
    @inlinable
    public func hardshrink(lambda: Scalar = 0.5) -> Tensor { activation(HardshrinkRule(lambda: lambda)) }
}

extension Variable {
    /// Hardshrink, 0 on [−λ, λ] and `x` elsewhere (default λ 0.5), with derivative 1 outside
    /// [−λ, λ] and 0 inside it, 0 at ±λ (as PyTorch).
    @inlinable
    public func hardshrink(lambda: Scalar = 0.5) -> Variable { activation(HardshrinkRule(lambda: lambda)) }
}

/// The closed zero band of softshrink and hardshrink.
@usableFromInline
enum Shrink<S: TensorScalar> {
    /// 0 where −λ ≤ x ≤ λ (closed), else `a` (also for NaN x).
    @inlinable @inline(__always)
    static func outside(_ x: S.Vector, _ lambda: S, _ a: S.Vector) -> S.Vector {
        S.vSelect(S.vLessEqual(x, S.Vector(repeating: lambda)), S.vSelect(S.vLessEqual(S.Vector(repeating: -lambda), x), S.Vector(repeating: 0), a), a)
    }

    /// The kinks at ±λ, with derivative 0 (the band is closed); none for λ < 0 (no band).
    static func kinks(_ lambda: S) -> [ActivationKink] {
        let l = Double(lambda)
        if l < 0 { return [] }
        return l == 0 ? [ActivationKink(at: 0, derivative: 0)] : [ActivationKink(at: -l, derivative: 0), ActivationKink(at: l, derivative: 0)]
    }
}
