import Autograd

// Swish with a trainable β (one shared, or one per channel along axis 1): x·σ(βx).
// Derivatives: ∂/∂x = σ(βx) + βx·σ(βx)(1 − σ(βx)); ∂/∂β = x²·σ(βx)(1 − σ(βx)), summed over the
// elements that share a β. Built from differentiable primitives (sigmoid's derivative from its
// output), so second derivatives work too.

extension Variable {
    // Specialized here: sigmoid is an inlinable rule, which runs generic (slow) inside unspecialized code.
    /// Swish with trainable slopes `beta` (1 element, or one per channel along `channelAxis`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
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

/// The swish layer with a trainable β (one shared, or one per channel along `channelAxis`,
/// default 1): y = x·σ(βx), β initialized to 1 (SiLU at the start). Derivatives: ∂/∂x =
/// σ(βx) + βx·σ(βx)(1 − σ(βx)); ∂/∂β = x²·σ(βx)(1 − σ(βx)). The parameter is named "beta".
/// For a constant β use `Swish`.
public final class TrainableSwish<Scalar: TensorScalar>: Module, Layer {
    /// β, shape [channels]: 1 (shared) or one per channel.
    @Parameter public var beta: Variable<Scalar>
    /// The axis whose size is the number of β values (when there is more than one).
    public let channelAxis: Int

    /// `channels` β values (1 for one shared β), each `initialValue`.
    public init(channels: Int = 1, initialValue: Scalar = 1, channelAxis: Int = 1) {
        checkActivationParameter(channels >= 1, "TrainableSwish", "\(channels) channels", "use 1 (shared β) or the number of channels")
        checkActivationParameter(initialValue.isFinite, "TrainableSwish", "initial β \(initialValue)", "use a finite initial β")
        _beta = Parameter(Tensor(shape: [channels], repeating: initialValue))
        self.channelAxis = channelAxis
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        x.swish(beta: beta, channelAxis: channelAxis)
    }
}
