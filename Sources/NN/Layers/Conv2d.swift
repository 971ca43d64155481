import Autograd

// Convolution. With groups = 1 and images of some size, one matrix product per image written
// straight into the NCHW output, the images split over the threads (Conv2dKernel.swift).
// Otherwise (groups > 1, or tiny images such as the 8×8 digits, where one product for the whole
// batch is faster): the input is unfolded into columns (im2col, see Unfold.swift), the weight
// viewed as [groups, out/groups, in/groups·kh·kw], and W × cols gives every output position
// of every image at once, then reordered to NCHW. The derivative comes from the matmul rule
// and col2im; double backward works because both are differentiable.

extension Variable {
    /// 2-D cross-correlation (PyTorch's `conv2d`) of x [N, C, H, W] with weight
    /// [O, C/groups, kh, kw] and optional bias [O]:
    ///
    /// y[n, o, oy, ox] = b[o] + Σ_{c∈group(o), i, j} W[o, c, i, j] · x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]
    ///
    /// (x is 0 outside the input). Output [N, O, outH, outW] with
    /// outH = ⌊(H + 2·ph − dh·(kh − 1) − 1)/sh⌋ + 1 (outW likewise).
    /// - Complexity: O(N·O·(C/groups)·kh·kw·outH·outW), in one matrix product per group.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func conv2d(
        weight: Variable, bias: Variable? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) -> Variable {
        tensorCheck(
            weight.rank == 4 && groups >= 1 && weight.shape[0] % groups == 0,
            "conv2d: weight of shape \(describeShape(weight.shape)) with groups = \(groups). Fix: pass weight [outChannels, inChannels/groups, kh, kw] with outChannels divisible by groups ≥ 1."
        )
        tensorCheck(
            rank == 4 && shape[1] == weight.shape[1] * groups,
            "conv2d: input of shape \(describeShape(shape)) for weight \(describeShape(weight.shape)) and groups = \(groups), which expect [N, \(weight.shape[1] * groups), H, W]. Fix: pass a batch of images [N, C, H, W] with C = \(weight.shape[1] * groups) channels (unsqueeze a single image to [1, C, H, W])."
        )
        let out = weight.shape[0]
        if let bias {
            tensorCheck(
                bias.shape == [out],
                "conv2d: bias of shape \(describeShape(bias.shape)) for \(out) output channels. Fix: pass bias [\(out)] or none.")
        }
        let g = windowGeometry(op: "conv2d", kernelSize: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
        if groups == 1 && out * g.rows * g.outputHeight * g.outputWidth >= FusedConv2d<Scalar>.minimumImageWork {
            // Image by image, straight into NCHW (Conv2dKernel.swift); tiny images (the 8×8
            // digits) stay with one product for the whole batch below.
            let conv = FusedConv2d<Scalar>(geometry: g, outChannels: out)
            return bias.map { conv.apply(self, weight, $0) } ?? conv.apply(self, weight)
        }
        let cols = Im2Col<Scalar>(geometry: g).apply(self)  // [C·kh·kw, N·L]
        let k = g.rows / groups
        let y: Variable
        if groups == 1 {
            y = Variable.matmul(weight.reshaped(to: [out, k]), cols)  // [O, N·L]
        } else {
            y = Variable.matmul(weight.reshaped(to: [groups, out / groups, k]), cols.reshaped(to: [groups, k, g.columns]))
        }
        // [O, N·outH·outW] → [N, O, outH, outW], the bias added in the same pass.
        let reorder = ChannelRowsToImages<Scalar>(
            channels: out, batch: g.batch, outputHeight: g.outputHeight, outputWidth: g.outputWidth)
        let rows = groups == 1 ? y : y.reshaped(to: [out, g.columns])
        guard let bias else { return reorder.apply(rows) }
        return reorder.apply(rows, bias)
    }
}

/// The output reordering of a convolution: rows [O, N·L] (one row per output channel, L =
/// outH·outW positions per image) become images [N, O, outH, outW], plus an optional bias [O]:
///
/// out[n, o, l] = rows[o, n·L + l] + b[o]
///
/// Derivative: the inverse reordering of g for the rows, Σ_{n, l} g[n, o, l] for the bias (a
/// differentiable sum when recording, so double backward works).
struct ChannelRowsToImages<Scalar: TensorScalar>: DifferentiableFunction {
    let channels, batch, outputHeight, outputWidth: Int
    var name: String { "conv2dOutput" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let (o, n, l) = (channels, batch, outputHeight * outputWidth)
        let bias: Tensor<Scalar>? = inputs.count > 1 ? inputs[1].contiguous() : nil
        return inputs[0].withUnsafeBufferPointer { rowsBuffer in
            Tensor(uninitializedShape: [n, o, outputHeight, outputWidth]) { outBuffer in
                let rows = rowsBuffer.baseAddress!, out = outBuffer.baseAddress!
                if let bias {
                    bias.withUnsafeBufferPointer { b in
                        for c in 0..<o {
                            let shift = b[c]
                            for image in 0..<n {
                                let src = rows + (c &* n &+ image) &* l
                                let dst = out + (image &* o &+ c) &* l
                                for k in 0..<l { dst[k] = src[k] + shift }
                            }
                        }
                    }
                } else {
                    for c in 0..<o {
                        for image in 0..<n {
                            (out + (image &* o &+ c) &* l).initialize(from: rows + (c &* n &+ image) &* l, count: l)
                        }
                    }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let rows = ImagesToChannelRows<Scalar>(
            channels: channels, batch: batch, outputHeight: outputHeight, outputWidth: outputWidth
        ).apply(gradient)
        guard saved.count > 1 else { return [rows] }
        if GradientMode.isEnabled { return [rows, gradient.sum(alongAxes: [0, 2, 3])] }
        // Not recording: the bias sum straight from the reordered rows (contiguous per channel).
        let count = batch * outputHeight * outputWidth
        let sums = rows.value.withUnsafeBufferPointer { r in
            Tensor<Scalar>(uninitializedShape: [channels]) { s in
                for c in 0..<channels {
                    // Vectorized sums of blocks of 4,096 (Float lanes), the blocks added in
                    // Double: the error stays that of a 4,096-term sum at any batch size.
                    let row = r.baseAddress! + c &* count
                    var total: Double = 0
                    var start = 0
                    while start < count {
                        let n = Swift.min(4096, count - start)
                        total += Double(Scalar._reduceKernel(.sum, row + start, n))
                        start += n
                    }
                    s[c] = Scalar(total)
                }
            }
        }
        return [rows, Variable(sums)]
    }
}

/// The inverse of `ChannelRowsToImages` without bias: images [N, O, outH, outW] → rows [O, N·L].
/// Derivative: `ChannelRowsToImages` of g.
struct ImagesToChannelRows<Scalar: TensorScalar>: DifferentiableFunction {
    let channels, batch, outputHeight, outputWidth: Int
    var name: String { "conv2dOutputAdjoint" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let (o, n, l) = (channels, batch, outputHeight * outputWidth)
        return inputs[0].withUnsafeBufferPointer { imagesBuffer in
            Tensor(uninitializedShape: [o, n &* l]) { rowsBuffer in
                let images = imagesBuffer.baseAddress!, rows = rowsBuffer.baseAddress!
                for c in 0..<o {
                    for image in 0..<n {
                        (rows + (c &* n &+ image) &* l).initialize(from: images + (image &* o &+ c) &* l, count: l)
                    }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [ChannelRowsToImages<Scalar>(channels: channels, batch: batch, outputHeight: outputHeight, outputWidth: outputWidth)
            .apply(gradient)]
    }
}

/// A 2-D convolution layer over NCHW batches (PyTorch's `nn.Conv2d`):
/// y = conv2d(x, W) + b with W of shape [out, in/groups, kh, kw] and b of shape [out].
///
/// Initialization (PyTorch's default): W and b uniform in ±1/√fanIn, fanIn = in/groups·kh·kw.
/// - Complexity: O(N·out·(in/groups)·kh·kw·outH·outW) per call.
public final class Conv2d<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var weight: Variable<Scalar>
    /// The bias [out]; absent (not a parameter, not in checkpoints) for `bias: false`.
    public let bias: Parameter<Scalar>?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    public override var summaryLine: String {
        let w = weight.shape  // [out, in/groups, kh, kw]
        return "Conv2d<\(Scalar.self)>(\(w[1] * groups) → \(w[0]), kernel: \(w[2])×\(w[3]), stride: \(stride), padding: \(padding)"
            + (dilation != (1, 1) ? ", dilation: \(dilation)" : "") + (groups != 1 ? ", groups: \(groups)" : "") + ", bias: \(bias != nil))"
    }

    /// A convolution from `inChannels` to `outChannels` with a kh×kw kernel, initialized from
    /// the default generator (see `manualSeed(_:)`).
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true
    ) {
        let (w, b) = ModelRandom.withGenerator {
            Self.initialParameters(inChannels, outChannels, kernelSize, groups, using: &$0)
        }
        self.init(weight: w, bias: bias ? b : nil, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// A convolution with a square kernel and the same stride, padding and dilation along both
    /// axes, initialized from the default generator.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias)
    }

    /// A convolution initialized from `generator`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
        using generator: inout TensorRandom
    ) {
        let (w, b) = Self.initialParameters(inChannels, outChannels, kernelSize, groups, using: &generator)
        self.init(weight: w, bias: bias ? b : nil, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// A convolution with a square kernel and the same stride, padding and dilation along both
    /// axes, initialized from `generator`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, using generator: inout TensorRandom
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias, using: &generator)
    }

    static func initialParameters(
        _ inChannels: Int, _ outChannels: Int, _ kernel: (Int, Int), _ groups: Int, using g: inout TensorRandom
    ) -> (Tensor<Scalar>, Tensor<Scalar>) {
        tensorCheck(
            inChannels > 0 && outChannels > 0 && kernel.0 > 0 && kernel.1 > 0 && groups > 0,
            "Conv2d: \(inChannels) input channels, \(outChannels) output channels, kernel (\(kernel.0), \(kernel.1)), groups \(groups). Fix: use positive sizes."
        )
        tensorCheck(
            inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: \(inChannels) input and \(outChannels) output channels are not both divisible by groups = \(groups). Fix: choose groups dividing both channel counts (e.g. 1, or the greatest common divisor)."
        )
        let fanIn = inChannels / groups * kernel.0 * kernel.1
        let bound = 1 / Scalar(fanIn).squareRoot()
        let w = Tensor<Scalar>.randomUniform([outChannels, inChannels / groups, kernel.0, kernel.1], low: -bound, high: bound, using: &g)
        let b = Tensor<Scalar>.randomUniform([outChannels], low: -bound, high: bound, using: &g)
        return (w, b)
    }

    /// A convolution with the given weight [out, in/groups, kh, kw] and optional bias [out].
    public init(
        weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) {
        tensorCheck(
            weight.rank == 4 && groups > 0 && weight.shape[0] % groups == 0 && (bias == nil || bias!.shape == [weight.shape[0]]),
            "Conv2d: weight \(describeShape(weight.shape)), bias \(bias.map { describeShape($0.shape) } ?? "none"), groups \(groups). Fix: weight [out, in/groups, kh, kw] with out divisible by groups, bias [out]."
        )
        tensorCheck(
            stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
            "Conv2d: stride (\(stride.0), \(stride.1)), padding (\(padding.0), \(padding.1)), dilation (\(dilation.0), \(dilation.1)). Fix: use stride and dilation ≥ 1 and padding ≥ 0."
        )
        _weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    public var inChannels: Int { weight.shape[1] * groups }
    public var outChannels: Int { weight.shape[0] }
    public var kernelSize: (Int, Int) { (weight.shape[2], weight.shape[3]) }

    /// x [N, in, H, W] → [N, out, outH, outW].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        tensorCheck(
            x.rank == 4 && x.shape[1] == inChannels,
            "Conv2d: input of shape \(describeShape(x.shape)) for a layer with \(inChannels) input channels. Fix: pass [N, \(inChannels), H, W] (unsqueeze a single image to [1, \(inChannels), H, W])."
        )
        return x.conv2d(
            weight: weight, bias: bias?.variable, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
