import Autograd

/// ReLU6: f(x) = min(max(0, x), 6), as PyTorch's relu6 (hardtanh(0, 6)).
///
/// f′(x) = 1 on the open interval (0, 6), 0 at both bounds and outside; f″ = 0. Read from the
/// output like hardtanh's, so the in-place form works.
public struct ReLU6Rule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { 0...6 }
    public static var name: String { "relu6" }
    public static var moduleName: String { "ReLU6" }
    public static var summary: String { "min(max(0, x), 6)" }
    public static var derivativeInput: ActivationDerivativeInput { .output }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: 0), ActivationKink(at: 6, derivative: 0)] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.value(x, 0, 6) }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(y, 0, 6, Scalar.Vector(repeating: 1)) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(y, 0, 6, g) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// Bounded ReLU-n: f(x) = min(max(0, x), n) (n > 0, default 6; relu6 is n = 6).
///
/// f′(x) = 1 on the open interval (0, n), 0 at both bounds and outside; f″ = 0. Read from the
/// output.
public struct BoundedReLURule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { 0...Double(n) }
    public static var name: String { "bounded_relu" }
    public static var moduleName: String { "BoundedReLU" }
    public static var summary: String { "min(max(0, x), n): ReLU bounded at n" }
    public static var parameters: [ActivationParameter] { [ActivationParameter("n", default: 6, .positive, "upper bound")] }
    public static var derivativeInput: ActivationDerivativeInput { .output }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: 0), ActivationKink(at: Double(n), derivative: 0)] }

    public let n: Scalar

    /// Bounded ReLU with n > 0 (stops otherwise).
    public init(n: Scalar = 6) {
        checkActivationParameter(n > 0, "boundedReLU", "n \(n)", "use a bound n > 0 (relu6 is n = 6)")
        self.n = n
    }

    public init(_ arguments: ActivationArguments) { self.init(n: Scalar(arguments["n"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.value(x, 0, n) }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(y, 0, n, Scalar.Vector(repeating: 1)) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { Clamp<Scalar>.inside(y, 0, n, g) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The ReLU6 module: y = min(max(0, x), 6) (see `ReLU6Rule`).
public typealias ReLU6<Scalar: TensorScalar> = ActivationLayer<ReLU6Rule<Scalar>>

/// The bounded ReLU-n module: y = min(max(0, x), n) (see `BoundedReLURule`).
public typealias BoundedReLU<Scalar: TensorScalar> = ActivationLayer<BoundedReLURule<Scalar>>

extension ActivationLayer {
    /// Bounded ReLU-n with n > 0 (default 6).
    @inlinable
    public convenience init<S>(n: S = 6) where Rule == BoundedReLURule<S> { self.init(BoundedReLURule(n: n)) }
}

extension Tensor {
    /// ReLU6: `x` clamped to [0, 6]. NaN in gives NaN out.
    @inlinable
    public func relu6() -> Tensor { activation(ReLU6Rule()) }

    /// Bounded ReLU-n: `x` clamped to [0, n] (n > 0, default 6). NaN in gives NaN out.
    @inlinable
    public func boundedReLU(n: Scalar = 6) -> Tensor { activation(BoundedReLURule(n: n)) }
}

extension Variable {
    /// ReLU6, min(max(0, x), 6), with derivative 1 on (0, 6) and 0 at 0, at 6 and outside.
    @inlinable
    public func relu6() -> Variable { activation(ReLU6Rule()) }

    /// Bounded ReLU-n, min(max(0, x), n) (n > 0, default 6), with derivative 1 on the open
    /// interval (0, n) and 0 at both bounds and outside.
    @inlinable
    public func boundedReLU(n: Scalar = 6) -> Variable { activation(BoundedReLURule(n: n)) }
}
