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

    /// Gated linear unit: the first half of `axis` times the sigmoid of the second half.
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

struct SoftmaxFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let axis: Int
    let log: Bool
    var name: String { log ? "logSoftmax" : "softmax" }
    var savesOutput: Bool { true }

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
