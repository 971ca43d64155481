/// Absolute value (Caffe's AbsVal): f(x) = |x|, by clearing the sign bit (|−0| = +0, NaN stays
/// NaN), the kernel of `Tensor.abs()`.
///
/// f′(x) = sign(x): 1 for x > 0, −1 for x < 0, 0 at ±0 (abs′(0) = 0), NaN for NaN. It reads the
/// input (the output has lost the sign), so there is no in-place form. f″ = 0.
public struct AbsRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "abs" }
    public static var moduleName: String { "Abs" }
    public static var summary: String { "|x| (Caffe AbsVal)" }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: 0)] }

    @inlinable public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vAbs(x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let zero = V(repeating: 0)
        let sign = Scalar.vSelect(Scalar.vLess(zero, x), V(repeating: 1), Scalar.vSelect(Scalar.vLess(x, zero), V(repeating: -1), zero))
        return Scalar.vSelect(Scalar.vNotEqual(x, x), x, sign)
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

extension Variable {
    /// |x|; derivative sign(x), 0 at 0 (see `AbsRule`).
    @inlinable
    public func abs() -> Variable { activation(AbsRule()) }
}
