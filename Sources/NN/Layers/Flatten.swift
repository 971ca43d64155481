import Autograd

/// Flattens axes `startAxis...endAxis` into one (PyTorch's `nn.Flatten`, defaults 1 and −1):
/// [N, C, H, W] → [N, C·H·W]. A view when the input's strides allow it; its derivative reshapes
/// the gradient back.
public final class Flatten<Scalar: TensorScalar>: Module, Layer {
    public let startAxis: Int
    public let endAxis: Int

    /// Flattens from `startAxis` through `endAxis` (negative values count from the end).
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let r = Swift.max(x.rank, 1)
        let start = startAxis < 0 ? startAxis + r : startAxis
        let end = endAxis < 0 ? endAxis + r : endAxis
        tensorCheck(
            start >= 0 && end < r && start <= end,
            "Flatten: axes \(startAxis)...\(endAxis) for an input of shape \(describeShape(x.shape)) (rank \(x.rank)). Fix: use startAxis ≤ endAxis, both in \(-r)..<\(r).")
        if x.rank == 0 { return x.reshaped(to: [1]) }
        let shape = x.shape
        let newShape = Array(shape[..<start]) + [shape[start...end].reduce(1, *)] + Array(shape[(end + 1)...])
        return newShape == shape ? x : x.reshaped(to: newShape)
    }
}
