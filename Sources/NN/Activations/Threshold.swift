import Autograd

// Threshold (PyTorch's F.threshold): x where x > t, else the value v. Derivative 1 where x > t,
// else 0 (0 at x = t, as PyTorch's threshold_backward `x <= t ? 0 : g`). Second derivative 0.
//
// Written as `x ≤ t ? v : x`, so NaN (never ≤ t) passes through.

extension Tensor {
    /// Threshold: `x` where x > threshold, else `value`. NaN in gives NaN out.
    @inlinable
    public func threshold(threshold: Scalar, value: Scalar) -> Tensor {
        mapped(grain: TensorRuntime.memoryBoundGrain, kernel: ThresholdKernel(threshold: threshold, value: value))
    }
}

/// The threshold forward kernel: `value` where x ≤ t, x elsewhere (NaN stays NaN).
@usableFromInline
struct ThresholdKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let t: Scalar.Vector
    @usableFromInline let v: Scalar.Vector
    @inlinable init(threshold: Scalar, value: Scalar) {
        t = Scalar.Vector(repeating: threshold)
        v = Scalar.Vector(repeating: value)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vSelect(Scalar.vLessEqual(x, t), v, x) }
}

extension Variable {
    /// Threshold, `x` where x > t and `value` otherwise, with derivative 1 for x > t and 0 for
    /// x ≤ t (0 at t, as PyTorch). Neither parameter may be NaN.
    public func threshold(threshold: Scalar, value: Scalar) -> Variable {
        checkActivationParameter(
            !threshold.isNaN && !value.isNaN, "threshold", "threshold \(threshold) with value \(value)",
            "pass a threshold and a value that are not NaN")
        return ThresholdFunction(threshold: threshold, value: value).apply(self)
    }
}

/// The threshold layer: y = x where x > t, else v (PyTorch's `Threshold(threshold, value)`, both
/// required); derivative 1 where x > t, else 0 (see `Variable.threshold(threshold:value:)`).
public final class Threshold<Scalar: TensorScalar>: Module, Layer {
    public let threshold: Scalar
    public let value: Scalar

    public init(threshold: Scalar, value: Scalar) {
        checkActivationParameter(
            !threshold.isNaN && !value.isNaN, "Threshold", "threshold \(threshold) with value \(value)",
            "pass a threshold and a value that are not NaN")
        self.threshold = threshold
        self.value = value
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.threshold(threshold: threshold, value: value) }
}

struct ThresholdFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let threshold: Scalar
    let value: Scalar
    var name: String { "threshold" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].threshold(threshold: threshold, value: value) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .above(threshold)).apply(gradient, saved[0])]
    }
}
