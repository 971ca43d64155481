import Autograd

// Swish with a trainable β (one shared, or one per channel along axis 1): x·σ(βx).
// Derivatives: ∂/∂x = σ(βx) + βx·σ(βx)(1 − σ(βx)); ∂/∂β = x²·σ(βx)(1 − σ(βx)), summed over the
// elements that share a β. Built from differentiable primitives (sigmoid's derivative from its
// output), so second derivatives work too.

extension Variable {
    /// Swish with trainable slopes `beta` (1 element, or one per channel along `channelAxis`).
    public func swish(beta: Variable, channelAxis: Int = 1) -> Variable {
        let count = beta.value.count
        var shape = [Int](repeating: 1, count: rank)
        if count != 1 {
            let axis = channelAxis < 0 ? channelAxis + rank : channelAxis
            tensorCheck(
                axis >= 0 && axis < rank && self.shape[axis] == count,
                "swish: \(count) β values for an input of shape \(describeShape(self.shape)) with channel axis \(channelAxis). Fix: use 1 β (shared) or exactly one per channel."
            )
            shape[axis] = count
        }
        return self * (beta.reshaped(to: shape) * self).sigmoid()
    }
}

/// A Swish layer whose β is a trainable parameter (init 1, i.e. SiLU at the start).
public struct Swish<Scalar: TensorScalar> {
    public var beta: Variable<Scalar>
    public var channelAxis: Int

    /// `channels` β values (1 for one shared β), each `initialValue`.
    public init(channels: Int = 1, initialValue: Scalar = 1, channelAxis: Int = 1) {
        checkActivationParameter(channels >= 1, "Swish", "\(channels) channels", "use 1 (shared β) or the number of channels")
        checkActivationParameter(initialValue.isFinite, "Swish", "initial β \(initialValue)", "use a finite initial β")
        beta = Variable(Tensor(shape: [channels], repeating: initialValue), requiresGradient: true)
        self.channelAxis = channelAxis
    }

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        x.swish(beta: beta, channelAxis: channelAxis)
    }
}
