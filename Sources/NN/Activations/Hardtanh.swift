import Autograd

// Hardtanh: clamp(x, min, max). Derivative 1 on the open interval (min, max), 0 at both bounds
// and outside — PyTorch's hardtanh_backward passes the gradient only where min < x < max.
// Second derivative 0 away from the kinks at min and max.
//
// The clamp is two selects, so NaN stays NaN. The derivative reads the output: min < y < max
// exactly where min < x < max. relu6 and boundedReLU(n) are hardtanh(0, n) (ReLU6.swift).

extension Tensor {
    /// Hardtanh: `x` clamped to [min, max] (requires min < max). NaN in gives NaN out.
    @inlinable
    public func hardtanh(min: Scalar = -1, max: Scalar = 1) -> Tensor {
        mapped(grain: TensorRuntime.memoryBoundGrain, kernel: ClampKernel(lower: min, upper: max))
    }
}

/// The clamp kernel of hardtanh/relu6/boundedReLU: two selects, so NaN stays NaN.
@usableFromInline
struct ClampKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let lower: Scalar.Vector
    @usableFromInline let upper: Scalar.Vector
    @inlinable init(lower: Scalar, upper: Scalar) {
        self.lower = Scalar.Vector(repeating: lower)
        self.upper = Scalar.Vector(repeating: upper)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let r = Scalar.vSelect(Scalar.vLess(x, lower), lower, x)
        return Scalar.vSelect(Scalar.vLess(upper, r), upper, r)
    }
}

extension Variable {
    /// Hardtanh, `x` clamped to [min, max] (defaults −1 and 1), with derivative 1 on the open
    /// interval (min, max) and 0 at both bounds and outside (as PyTorch). Requires min < max.
    public func hardtanh(min: Scalar = -1, max: Scalar = 1) -> Variable {
        checkActivationParameter(
            min < max, "hardtanh", "min \(min) with max \(max)",
            "pass min < max, neither of them NaN (e.g. hardtanh(min: -1, max: 1))")
        return ClampActivation(name: "hardtanh", lower: min, upper: max).apply(self)
    }
}

/// The hardtanh layer: y = clamp(x, min, max) (default −1, 1; min < max); derivative 1 on
/// (min, max), else 0 (see `Variable.hardtanh(min:max:)`).
public final class Hardtanh<Scalar: TensorScalar>: Module, Layer {
    public let min: Scalar
    public let max: Scalar

    public init(min: Scalar = -1, max: Scalar = 1) {
        checkActivationParameter(
            min < max, "Hardtanh", "min \(min) with max \(max)",
            "pass min < max, neither of them NaN (e.g. Hardtanh(min: -1, max: 1))")
        self.min = min
        self.max = max
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.hardtanh(min: min, max: max) }
}

/// hardtanh, relu6 and boundedReLU: clamp to [lower, upper] with a mask derivative read from
/// the output.
struct ClampActivation<Scalar: TensorScalar>: DifferentiableFunction {
    let name: String
    let lower: Scalar
    let upper: Scalar
    var savesOutput: Bool { true }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].hardtanh(min: lower, max: upper) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .inside(lower, upper)).apply(gradient, saved[1])]
    }
}
