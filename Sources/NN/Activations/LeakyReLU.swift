import Autograd

// Leaky ReLU (Maas et al.; Caffe's `ReLU` with `negative_slope`): x for x > 0, a·x otherwise.
// Derivative 1 for x > 0, else a — a at 0, as PyTorch's leaky_relu_backward (`x > 0 ? g : g·a`).
// Second derivative 0 everywhere except the kink at 0.
//
// The derivative reads the input: from the output it would need a > 0 (a negative slope maps
// negative inputs to positive outputs).

extension Tensor {
    /// Leaky ReLU: `x` for x > 0, `negativeSlope·x` otherwise. NaN in gives NaN out.
    @inlinable
    public func leakyReLU(negativeSlope: Scalar = 0.01) -> Tensor {
        mapped(grain: TensorRuntime.memoryBoundGrain, kernel: LeakyReLUKernel(slope: negativeSlope))
    }
}

/// The leaky ReLU kernel (out of place and in place): x for x > 0, a·x otherwise.
@usableFromInline
struct LeakyReLUKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let slope: Scalar.Vector
    @inlinable init(slope: Scalar) { self.slope = Scalar.Vector(repeating: slope) }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), x, slope * x)
    }
}

extension Variable {
    /// Leaky ReLU, `x` for x > 0 and `a·x` otherwise (a = `negativeSlope`, default 0.01), with
    /// derivative 1 for x > 0 and a for x ≤ 0 (a at the kink 0, as PyTorch).
    public func leakyReLU(negativeSlope: Scalar = 0.01) -> Variable {
        checkActivationParameter(
            negativeSlope.isFinite, "leakyReLU", "negativeSlope \(negativeSlope)",
            "use a finite negativeSlope (typically a small positive number such as 0.01)")
        return LeakyReLUFunction(negativeSlope: negativeSlope).apply(self)
    }
}

/// The leaky ReLU layer: y = x for x > 0, a·x otherwise (a = `negativeSlope`, default 0.01);
/// derivative 1 or a (see `Variable.leakyReLU(negativeSlope:)`).
public final class LeakyReLU<Scalar: TensorScalar>: Module, Layer {
    public let negativeSlope: Scalar

    public init(negativeSlope: Scalar = 0.01) {
        checkActivationParameter(
            negativeSlope.isFinite, "LeakyReLU", "negativeSlope \(negativeSlope)",
            "use a finite negativeSlope (typically a small positive number such as 0.01)")
        self.negativeSlope = negativeSlope
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.leakyReLU(negativeSlope: negativeSlope) }
}

struct LeakyReLUFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let negativeSlope: Scalar
    var name: String { "leakyReLU" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].leakyReLU(negativeSlope: negativeSlope) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .positiveElseScaled(slope: negativeSlope)).apply(gradient, saved[0])]
    }
}
