import Autograd

// logSigmoid: log σ(x) = −softplus(−x), computed as min(x, 0) − log1p(e^−|x|) (PyTorch's stable
// form). Derivative 1 − σ(x) = σ(−x), evaluated without cancellation; second derivative
// −σ(x)σ(−x).

extension Tensor {
    /// log σ(x) = `min(x, 0) − log1p(e^−|x|)`; never overflows. NaN in gives NaN out.
    @inlinable
    public func logSigmoid() -> Tensor { mapped(kernel: LogSigmoidKernel<Scalar>()) }
}

/// The logSigmoid forward kernel.
@usableFromInline
struct LogSigmoidKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        -SmoothKernels.log1pExp(-x, Scalar.self)
    }
}

extension Variable {
    /// log σ(x), with derivative σ(−x) = 1 − σ(x).
    public func logSigmoid() -> Variable { LogSigmoidFunction<Scalar>().apply(self) }
}

struct LogSigmoidFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "logSigmoid" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].logSigmoid() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [LogSigmoidBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g·σ(−x). Derivatives: ∂/∂g = σ(−x); ∂/∂x = −g·σ(x)σ(−x).
struct LogSigmoidBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "logSigmoidBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let (e, p, negative) = SmoothKernels.logistic(x, Scalar.self)
            return g * Scalar.vSelect(negative, p, e * p)
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let curvature = saved[1].value.mapped { x in
            let (e, p, _) = SmoothKernels.logistic(x, Scalar.self)
            return -(e * p * p)
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}

/// The log-sigmoid layer: y = log σ(x) = min(x, 0) − log1p(e^{−|x|}); derivative σ(−x) (see
/// `Variable.logSigmoid()`).
public final class LogSigmoid<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.logSigmoid() }
}
