import Autograd

extension Variable {
    /// 2-D average pooling of x [N, C, H, W]:
    /// y[n, c, oy, ox] = (1/d) Σ_{i<kh, j<kw} x[n, c, oy·sh − ph + i, ox·sw − pw + j] (0 in the padding),
    /// with d = kh·kw when `countIncludePad` (PyTorch's default), else the number of window
    /// positions inside the input.
    ///
    /// Built from im2col and a sum, so its derivative (g/d spread over each window) and second
    /// derivative come from theirs. `stride` defaults to the kernel size; padding must be at most
    /// half the kernel (as PyTorch).
    /// - Complexity: O(N·C·outH·outW·kh·kw).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func avgPool2d(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true
    ) -> Variable {
        let s = stride ?? kernelSize
        tensorCheck(
            padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernelSize.0 / 2 && padding.1 <= kernelSize.1 / 2,
            "avgPool2d: padding (\(padding.0), \(padding.1)) for kernel (\(kernelSize.0), \(kernelSize.1)). Fix: use padding between 0 and half the kernel size."
        )
        let g = windowGeometry(op: "avgPool2d", kernelSize: kernelSize, stride: s, padding: padding, dilation: (1, 1))
        let window = kernelSize.0 * kernelSize.1
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let sums = Im2Col<Scalar>(geometry: g).apply(self)
            .reshaped(to: [g.channels, window, g.columns])
            .sum(alongAxes: [1])  // [C, N·outH·outW]
        let means: Variable
        if countIncludePad || (padding.0 == 0 && padding.1 == 0) {
            means = sums / Scalar(window)
        } else {
            // Window positions inside the input, per output position (the same for every image).
            var counts = [Scalar](repeating: 0, count: oh * ow)
            for oy in 0..<oh {
                let y0 = oy * s.0 - padding.0
                let rows = Swift.min(y0 + kernelSize.0, g.height) - Swift.max(y0, 0)
                for ox in 0..<ow {
                    let x0 = ox * s.1 - padding.1
                    let cols = Swift.min(x0 + kernelSize.1, g.width) - Swift.max(x0, 0)
                    counts[oy * ow + ox] = Scalar(rows * cols)
                }
            }
            let divisor = Tensor(shape: [1, oh * ow], scalars: counts).expanded(to: [g.batch, oh * ow]).reshaped(to: [g.columns])
            means = sums / Variable(divisor)
        }
        return means.reshaped(to: [g.channels, g.batch, oh, ow]).permuted([1, 0, 2, 3])
    }
}

/// 2-D average pooling over NCHW batches (PyTorch's `nn.AvgPool2d`, floor mode, no divisor
/// override). See `Variable.avgPool2d(kernelSize:stride:padding:countIncludePad:)`.
public final class AvgPool2d<Scalar: TensorScalar>: Module, Layer {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let countIncludePad: Bool

    /// Pooling with a kh×kw window; `stride` defaults to the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) {
        let s = stride ?? kernelSize
        tensorCheck(
            kernelSize.0 > 0 && kernelSize.1 > 0 && s.0 > 0 && s.1 > 0,
            "AvgPool2d: kernel (\(kernelSize.0), \(kernelSize.1)), stride (\(s.0), \(s.1)). Fix: use kernel and stride ≥ 1.")
        tensorCheck(
            padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernelSize.0 / 2 && padding.1 <= kernelSize.1 / 2,
            "AvgPool2d: padding (\(padding.0), \(padding.1)) for kernel (\(kernelSize.0), \(kernelSize.1)). Fix: use padding between 0 and half the kernel size.")
        self.kernelSize = kernelSize
        self.stride = s
        self.padding = padding
        self.countIncludePad = countIncludePad
        super.init()
    }

    /// Pooling with a square window, the same stride (default: the kernel) and padding on both axes.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
            countIncludePad: countIncludePad)
    }

    /// x [N, C, H, W] → [N, C, outH, outW].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        x.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}
