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

/// The PReLU layer: y = x for x > 0, a_c·x otherwise, with trainable slopes `alpha` — one shared
/// (`channels: 1`), or one per channel along `channelAxis` (default 1: [N, C] or [N, C, H, W]);
/// init 0.25 (PyTorch's). Derivatives: ∂/∂x = 1 or a_c; ∂/∂a_c = Σ g·x over channel c's x ≤ 0.
/// The parameter is named "alpha" (PyTorch calls it "weight").
public final class PReLU<Scalar: TensorScalar>: Module, Layer {
    /// The slopes, shape [channels]: 1 (shared) or one per channel.
    @Parameter public var alpha: Variable<Scalar>
    /// The axis whose size is the number of slopes (when there is more than one).
    public let channelAxis: Int

    /// `channels` slopes (1 for one shared slope), each `initialValue`.
    public init(channels: Int = 1, initialValue: Scalar = 0.25, channelAxis: Int = 1) {
        tensorCheck(channels >= 1, "PReLU: \(channels) channels. Fix: use 1 (one shared slope) or the number of channels.")
        tensorCheck(initialValue.isFinite, "PReLU: initial slope \(initialValue). Fix: use a finite initial value.")
        _alpha = Parameter(Tensor(shape: [channels], repeating: initialValue))
        self.channelAxis = channelAxis
        super.init()
    }

    /// The number of slopes.
    public var channels: Int { alpha.value.count }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        x.prelu(alpha: alpha, channelAxis: channelAxis)
    }
}
