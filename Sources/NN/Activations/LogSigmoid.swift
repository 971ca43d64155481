import Autograd

/// logSigmoid: f(x) = log σ(x) = −softplus(−x), computed as min(x, 0) − log1p(e^−|x|)
/// (PyTorch's stable form; never overflows).
///
/// f′(x) = 1 − σ(x) = σ(−x), evaluated without cancellation; f″(x) = −σ(x)σ(−x).
public struct LogSigmoidRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "logsigmoid" }
    public static var moduleName: String { "LogSigmoid" }
    public static var summary: String { "log σ(x) = min(x, 0) − log1p(e^{−|x|})" }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { -Scalar.vLog1pExp(-x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let (e, p, negative) = SmoothKernels.logistic(x, Scalar.self)
        return Scalar.vSelect(negative, p, e * p)
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let (e, p, _) = SmoothKernels.logistic(x, Scalar.self)
        return -(e * p * p)
    }
}

/// The log-sigmoid module: y = log σ(x) (see `LogSigmoidRule`).
public typealias LogSigmoid<Scalar: TensorScalar> = ActivationLayer<LogSigmoidRule<Scalar>>

extension Tensor {
    /// log σ(x) = `min(x, 0) − log1p(e^−|x|)`; never overflows. NaN in gives NaN out.
    @inlinable
    public func logSigmoid() -> Tensor { activation(LogSigmoidRule()) }
}

extension Variable {
    /// log σ(x), with derivative σ(−x) = 1 − σ(x).
    @inlinable
    public func logSigmoid() -> Variable { activation(LogSigmoidRule()) }
}
