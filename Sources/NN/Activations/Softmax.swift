import Autograd

// Softmax family along an axis, max-subtracted so nothing overflows.
//   softmax:    yᵢ = e^{xᵢ−m} / Σⱼ e^{xⱼ−m}            dx = y ⊙ (g − Σ g⊙y)
//   logSoftmax: yᵢ = xᵢ − m − log Σⱼ e^{xⱼ−m}          dx = g − e^y ⊙ Σ g
//   softmin:    softmax(−x)
//   glu:        a ⊙ σ(b), [a, b] the two halves of x along the axis
// The derivatives are written with differentiable operations, so they can be differentiated
// again.

extension Tensor {
    /// Softmax along `axis` (max-subtracted).
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let e = (self - max(alongAxes: [axis], keepingDimensions: true)).exp()
        return e / e.sum(alongAxes: [axis], keepingDimensions: true)
    }

    /// log(softmax(x)) along `axis`, computed without forming the softmax.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let shifted = self - max(alongAxes: [axis], keepingDimensions: true)
        return shifted - shifted.exp().sum(alongAxes: [axis], keepingDimensions: true).log()
    }
}

extension Variable {
    /// Softmax along `axis`; derivative y ⊙ (g − Σ g ⊙ y).
    public func softmax(alongAxis axis: Int = -1) -> Variable {
        SoftmaxFunction<Scalar>(axis: axis < 0 ? axis + rank : axis, log: false).apply(self)
    }

    /// log(softmax(x)) along `axis`; derivative g − e^y ⊙ Σ g.
    public func logSoftmax(alongAxis axis: Int = -1) -> Variable {
        SoftmaxFunction<Scalar>(axis: axis < 0 ? axis + rank : axis, log: true).apply(self)
    }

    /// softmax(−x) along `axis`.
    public func softmin(alongAxis axis: Int = -1) -> Variable { (-self).softmax(alongAxis: axis) }

    // Specialized here: sigmoid is an inlinable rule, which runs generic (slow) inside unspecialized code.
    /// Gated linear unit: the first half of `axis` times the sigmoid of the second half.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func glu(alongAxis axis: Int = -1) -> Variable {
        let a = axis < 0 ? axis + rank : axis
        tensorCheck(
            a >= 0 && a < rank && shape[a] % 2 == 0,
            "glu: axis \(axis) of shape \(describeShape(shape)) must exist and have an even size. Fix: pass an axis whose size is even (the input is split in two halves along it)."
        )
        let half = shape[a] / 2
        return sliced(alongAxis: a, from: 0, to: half) * sliced(alongAxis: a, from: half).sigmoid()
    }
}

/// The softmax layer along an axis (default −1, the last): yᵢ = e^{xᵢ−m}/Σⱼ e^{xⱼ−m}; derivative
/// y ⊙ (g − Σ g⊙y) (see `Variable.softmax(alongAxis:)`).
public final class Softmax<Scalar: TensorScalar>: Module, Layer {
    public let axis: Int
    public init(alongAxis axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { x.softmax(alongAxis: axis) }
}

/// The log-softmax layer along an axis (default −1): yᵢ = xᵢ − m − log Σⱼ e^{xⱼ−m}; derivative
/// g − eʸ Σ g (see `Variable.logSoftmax(alongAxis:)`).
public final class LogSoftmax<Scalar: TensorScalar>: Module, Layer {
    public let axis: Int
    public init(alongAxis axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { x.logSoftmax(alongAxis: axis) }
}

/// The softmin layer along an axis (default −1): y = softmax(−x) (see `Variable.softmin(alongAxis:)`).
public final class Softmin<Scalar: TensorScalar>: Module, Layer {
    public let axis: Int
    public init(alongAxis axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { x.softmin(alongAxis: axis) }
}

/// The gated linear unit layer along an axis (default −1, of even size): y = a ⊙ σ(b) with [a, b]
/// the two halves of x (see `Variable.glu(alongAxis:)`).
public final class GLU<Scalar: TensorScalar>: Module, Layer {
    public let axis: Int
    public init(alongAxis axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { x.glu(alongAxis: axis) }
}

struct SoftmaxFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let axis: Int
    let log: Bool
    var name: String { log ? "logSoftmax" : "softmax" }
    var savesOutput: Bool { true }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        tensorCheck(
            axis >= 0 && axis < inputs[0].rank,
            "\(name): axis \(axis) is out of range for shape \(describeShape(inputs[0].shape)). Fix: use an axis in \(-inputs[0].rank)..<\(inputs[0].rank)."
        )
        return log ? inputs[0].logSoftmax(alongAxis: axis) : inputs[0].softmax(alongAxis: axis)
    }

    func backward(gradient g: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let y = saved[1]
        if log {
            return [g - y.exp() * g.sum(alongAxes: [axis], keepingDimensions: true)]
        }
        return [y * (g - (g * y).sum(alongAxes: [axis], keepingDimensions: true))]
    }
}
