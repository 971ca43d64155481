import Autograd

/// ReLU: f(x) = max(0, x), written as a select so NaN stays NaN (relu(−0) = −0).
///
/// f′(x) = 1 for x > 0, else 0 (relu′(0) = 0), read from the output: y > 0 exactly where x > 0,
/// so only the output is kept and the in-place form works. f″ = 0.
public struct ReLURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "relu" }
    public static var moduleName: String { "ReLU" }
    public static var summary: String { "max(0, x); derivative 0 at 0" }
    public static var derivativeInput: ActivationDerivativeInput { .output }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: 0)] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(x, Scalar.Vector(repeating: 0)), Scalar.Vector(repeating: 0), x)
    }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), Scalar.Vector(repeating: 1), Scalar.Vector(repeating: 0))
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), g, Scalar.Vector(repeating: 0))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The ReLU module: y = max(0, x) (see `ReLURule`).
public typealias ReLU<Scalar: TensorScalar> = ActivationLayer<ReLURule<Scalar>>

extension Tensor {
    /// ReLU: `x` for x > 0, else 0. NaN in gives NaN out; relu(−0) = −0.
    @inlinable
    public func relu() -> Tensor { activation(ReLURule()) }

    /// ReLU in place: overwrites this tensor (its buffer is reused when it owns it).
    @inlinable
    public mutating func formReLU() { formActivation(ReLURule()) }
}

extension Variable {
    /// ReLU, max(0, x), with derivative 1 for x > 0 and 0 otherwise (0 at 0).
    ///
    /// The derivative reads only the output, so only the output is kept for backward.
    @inlinable
    public func relu() -> Variable { activation(ReLURule()) }
}
