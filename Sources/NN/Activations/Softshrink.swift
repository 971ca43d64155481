import Autograd

/// Softshrink (PyTorch's F.softshrink): f(x) = x − λ for x > λ, x + λ for x < −λ, 0 on [−λ, λ]
/// (λ ≥ 0, default 0.5).
///
/// f′(x) = 1 outside the closed interval [−λ, λ], 0 inside it — 0 at ±λ, as PyTorch's
/// softshrink_backward (`−λ ≤ x ≤ λ ? 0 : g`); f″ = 0. The selects are ordered so NaN (which
/// fails every comparison) reaches `x − λ` and stays NaN.
public struct SoftshrinkRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "softshrink" }
    public static var moduleName: String { "Softshrink" }
    public static var summary: String { "x ∓ lambda outside [−lambda, lambda], 0 inside" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("lambda", default: 0.5, .nonNegative, "half-width of the zero band")]
    }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { Shrink<Scalar>.kinks(lambda) }

    public let lambda: Scalar

    /// Softshrink with λ ≥ 0 (stops otherwise).
    public init(lambda: Scalar = 0.5) {
        checkActivationParameter(lambda >= 0, "softshrink", "lambda \(lambda)", "use lambda >= 0 (PyTorch's default is 0.5)")
        self.lambda = lambda
    }

    public init(_ arguments: ActivationArguments) { self.init(lambda: Scalar(arguments["lambda"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        let l = Scalar.Vector(repeating: lambda)
        let upper = Scalar.vSelect(Scalar.vLessEqual(x, l), Scalar.Vector(repeating: 0), x - l)
        return Scalar.vSelect(Scalar.vLess(x, Scalar.Vector(repeating: -lambda)), x + l, upper)
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Shrink<Scalar>.outside(x, lambda, Scalar.Vector(repeating: 1)) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Shrink<Scalar>.outside(x, lambda, g) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The softshrink module: y = x − λ for x > λ, x + λ for x < −λ, 0 between (see `SoftshrinkRule`).
public typealias Softshrink<Scalar: TensorScalar> = ActivationLayer<SoftshrinkRule<Scalar>>

extension ActivationLayer {
    /// Softshrink with λ ≥ 0 (default 0.5).
    @inlinable
    public convenience init<S>(lambda: S = 0.5) where Rule == SoftshrinkRule<S> { self.init(SoftshrinkRule(lambda: lambda)) }
}

extension Tensor {
    /// Softshrink: `x − λ` for x > λ, `x + λ` for x < −λ, 0 otherwise (λ ≥ 0, default 0.5).
    /// NaN in gives NaN out.
    @inlinable
    public func softshrink(lambda: Scalar = 0.5) -> Tensor { activation(SoftshrinkRule(lambda: lambda)) }
}

extension Variable {
    /// Softshrink, `x − λ` for x > λ, `x + λ` for x < −λ and 0 on [−λ, λ] (λ ≥ 0, default 0.5),
    /// with derivative 1 outside [−λ, λ] and 0 inside it, 0 at ±λ (as PyTorch).
    @inlinable
    public func softshrink(lambda: Scalar = 0.5) -> Variable { activation(SoftshrinkRule(lambda: lambda)) }
}
