import Autograd

// PReLU (He et al.): x for x > 0, a_c·x otherwise, with a trainable slope a — one shared, or
// one per channel (channel axis 1: [N, C] or [N, C, H, W]). Derivatives: ∂/∂x = 1 or a_c (a_c
// at 0); ∂/∂a_c = Σ g·x over the elements of channel c with x ≤ 0.

extension Variable {
    /// PReLU with slopes `alpha` (1 element, or one per channel along `channelAxis`).
    public func prelu(alpha: Variable, channelAxis: Int = 1) -> Variable {
        let count = alpha.value.count
        if count == 1 {
            let a = alpha.reshaped(to: [Int](repeating: 1, count: rank))
            return Variable.select(value .> Tensor(0), self, a * self)
        }
        let axis = channelAxis < 0 ? channelAxis + rank : channelAxis
        tensorCheck(
            axis >= 0 && axis < rank && shape[axis] == count,
            "prelu: \(count) slopes for an input of shape \(describeShape(shape)) with channel axis \(channelAxis)\(axis >= 0 && axis < rank ? " (\(shape[axis]) channels)" : ""). Fix: use 1 slope (shared) or exactly one per channel."
        )
        var slopeShape = [Int](repeating: 1, count: rank)
        slopeShape[axis] = count
        let a = alpha.reshaped(to: slopeShape)
        return Variable.select(value .> Tensor(0), self, a * self)
    }
}

/// A PReLU layer: its slopes are a trainable parameter (init 0.25, PyTorch's default).
public struct PReLU<Scalar: TensorScalar> {
    /// The slopes: 1 (shared) or one per channel.
    public var alpha: Variable<Scalar>
    public var channelAxis: Int

    /// `channels` slopes (1 for one shared slope), each `initialValue`.
    public init(channels: Int = 1, initialValue: Scalar = 0.25, channelAxis: Int = 1) {
        tensorCheck(channels >= 1, "PReLU: \(channels) channels. Fix: use 1 (one shared slope) or the number of channels.")
        tensorCheck(initialValue.isFinite, "PReLU: initial slope \(initialValue). Fix: use a finite initial value.")
        alpha = Variable(Tensor(shape: [channels], repeating: initialValue), requiresGradient: true)
        self.channelAxis = channelAxis
    }

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        x.prelu(alpha: alpha, channelAxis: channelAxis)
    }
}
