import Autograd

/// Leaky ReLU (Maas et al.; Caffe's `ReLU` with `negative_slope`): f(x) = x for x > 0, a·x
/// otherwise (a finite, default 0.01).
///
/// f′(x) = 1 for x > 0, else a — a at the kink 0, as PyTorch's leaky_relu_backward
/// (`x > 0 ? g : g·a`); f″ = 0. Out of place the derivative reads the input; in place it reads
/// the output (y > 0 exactly where x > 0), which needs a > 0: a negative slope maps negative
/// inputs to positive outputs, and a zero slope maps them all to 0.
public struct LeakyReLURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "leaky_relu" }
    public static var moduleName: String { "LeakyReLU" }
    public static var summary: String { "x if x > 0, else negative_slope·x" }
    public static var parameters: [ActivationParameter] {
        [ActivationParameter("negative_slope", default: 0.01, "slope for x ≤ 0")]
    }
    public static var derivativeInput: ActivationDerivativeInput { .both }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: Double(negativeSlope))] }
    public var inPlaceRefusal: String? {
        negativeSlope > 0 ? nil : "with a slope ≤ 0 the output's sign no longer tells the input's"
    }

    public let negativeSlope: Scalar

    /// Leaky ReLU with a finite slope (stops otherwise).
    public init(negativeSlope: Scalar = 0.01) {
        checkActivationParameter(
            negativeSlope.isFinite, "leakyReLU", "negativeSlope \(negativeSlope)",
            "use a finite negativeSlope (typically a small positive number such as 0.01)")
        self.negativeSlope = negativeSlope
    }

    public init(_ arguments: ActivationArguments) { self.init(negativeSlope: Scalar(arguments["negative_slope"])) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), x, negativeSlope * x)
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), Scalar.Vector(repeating: 1), Scalar.Vector(repeating: negativeSlope))
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), g, negativeSlope * g)
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }

    // For a > 0 the output has the input's sign, so the same masks read y.
    @inlinable @inline(__always)
    public func derivative(fromOutput y: Scalar.Vector) -> Scalar.Vector { derivative(y) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, fromOutput y: Scalar.Vector) -> Scalar.Vector { gradient(g, y) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(fromOutput y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The leaky ReLU module: y = x for x > 0, a·x otherwise (see `LeakyReLURule`).
public typealias LeakyReLU<Scalar: TensorScalar> = ActivationLayer<LeakyReLURule<Scalar>>

extension ActivationLayer {
    /// Leaky ReLU with a finite slope (default 0.01).
    @inlinable
    public convenience init<S>(negativeSlope: S = 0.01) where Rule == LeakyReLURule<S> {
        self.init(LeakyReLURule(negativeSlope: negativeSlope))
    }
}

extension Tensor {
    /// Leaky ReLU: `x` for x > 0, `negativeSlope·x` otherwise. NaN in gives NaN out.
    @inlinable
    public func leakyReLU(negativeSlope: Scalar = 0.01) -> Tensor { activation(LeakyReLURule(negativeSlope: negativeSlope)) }
}

extension Variable {
    /// Leaky ReLU, `x` for x > 0 and `a·x` otherwise (a = `negativeSlope`, default 0.01), with
    /// derivative 1 for x > 0 and a for x ≤ 0 (a at the kink 0, as PyTorch).
    @inlinable
    public func leakyReLU(negativeSlope: Scalar = 0.01) -> Variable { activation(LeakyReLURule(negativeSlope: negativeSlope)) }
}
