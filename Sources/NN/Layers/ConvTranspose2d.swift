import Autograd

/// Transposed 2-D convolution (PyTorch's `nn.ConvTranspose2d`, "deconvolution"): the adjoint of
/// `conv2d`, which upsamples. Input [N, in, H, W] → output [N, out, OH, OW] with
///
///     OH = (H − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1   (OW likewise)
///
/// Parameters in PyTorch's shapes: "weight" [in, out/groups, kh, kw], "bias" [out]; uniform
/// ±1/√(out/groups·kh·kw) initialization, as PyTorch. Computed as the weight's transpose times
/// the input, then col2im (the adjoint of conv2d's im2col), so it has second derivatives.
/// `outputPadding` (< stride) resolves the output size a strided conv2d leaves ambiguous
/// (PyTorch also accepts outputPadding < dilation; Tapegrad does not).
public final class ConvTranspose2d<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var weight: Variable<Scalar>
    public let bias: Parameter<Scalar>?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let outputPadding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        outputPadding: (Int, Int) = (0, 0), groups: Int = 1, bias: Bool = true, dilation: (Int, Int) = (1, 1)
    ) {
        tensorCheck(
            inChannels > 0 && outChannels > 0 && groups > 0 && inChannels % groups == 0 && outChannels % groups == 0 && kernelSize.0 > 0 && kernelSize.1 > 0,
            "ConvTranspose2d: \(inChannels) → \(outChannels) channels, kernel \(kernelSize), groups \(groups). Fix: use positive sizes and channel counts divisible by groups."
        )
        let bound = 1 / Scalar(outChannels / groups * kernelSize.0 * kernelSize.1).squareRoot()
        let (w, b) = ModelRandom.withGenerator { g in
            (Tensor<Scalar>.randomUniform([inChannels, outChannels / groups, kernelSize.0, kernelSize.1], low: -bound, high: bound, using: &g),
             Tensor<Scalar>.randomUniform([outChannels], low: -bound, high: bound, using: &g))
        }
        self.init(weight: w, bias: bias ? b : nil, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups, dilation: dilation)
    }

    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        groups: Int = 1, bias: Bool = true, dilation: Int = 1
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding),
            outputPadding: (outputPadding, outputPadding), groups: groups, bias: bias, dilation: (dilation, dilation))
    }

    public init(
        weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        outputPadding: (Int, Int) = (0, 0), groups: Int = 1, dilation: (Int, Int) = (1, 1)
    ) {
        tensorCheck(
            weight.rank == 4 && groups > 0 && weight.shape[0] % groups == 0 && (bias == nil || bias!.shape == [weight.shape[1] * groups]),
            "ConvTranspose2d: weight \(describeShape(weight.shape)), bias \(bias.map { describeShape($0.shape) } ?? "none"), groups \(groups). Fix: weight [in, out/groups, kh, kw] with in divisible by groups, bias [out]."
        )
        tensorCheck(
            stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0 && padding.0 >= 0 && padding.1 >= 0
                && outputPadding.0 >= 0 && outputPadding.1 >= 0
                && outputPadding.0 < stride.0 && outputPadding.1 < stride.1,
            "ConvTranspose2d: stride \(stride), padding \(padding), outputPadding \(outputPadding), dilation \(dilation). Fix: stride and dilation ≥ 1, padding ≥ 0, and outputPadding smaller than the stride."
        )
        _weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    public override var summaryLine: String {
        let w = weight.shape
        return "ConvTranspose2d<\(Scalar.self)>(\(w[0]) → \(w[1] * groups), kernel: \(w[2])×\(w[3]), stride: \(stride), padding: \(padding)"
            + (outputPadding != (0, 0) ? ", outputPadding: \(outputPadding)" : "") + (groups != 1 ? ", groups: \(groups)" : "") + ", bias: \(bias != nil))"
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let w = weight.shape  // [in, out/groups, kh, kw]
        tensorCheck(
            x.rank == 4 && x.shape[1] == w[0],
            "ConvTranspose2d: input of shape \(describeShape(x.shape)) for weight \(describeShape(w)). Fix: pass [N, \(w[0]), H, W]."
        )
        let (n, h, wd) = (x.shape[0], x.shape[2], x.shape[3])
        let inPerGroup = w[0] / groups, outPerGroup = w[1]
        let oh = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (w[2] - 1) + outputPadding.0 + 1
        let ow = (wd - 1) * stride.1 - 2 * padding.1 + dilation.1 * (w[3] - 1) + outputPadding.1 + 1
        tensorCheck(oh > 0 && ow > 0, "ConvTranspose2d: input \(describeShape(x.shape)) gives an output of \(oh)×\(ow). Fix: use less padding or a larger input.")
        // The geometry of the output image: conv2d over it with these windows gives back H×W.
        let geometry = WindowGeometry(
            batch: n, channels: outPerGroup, height: oh, width: ow, kernelHeight: w[2], kernelWidth: w[3],
            strideHeight: stride.0, strideWidth: stride.1, paddingHeight: padding.0, paddingWidth: padding.1,
            dilationHeight: dilation.0, dilationWidth: dilation.1)
        var parts: [Variable<Scalar>] = []
        for g in 0..<groups {
            let xg = groups == 1 ? x : x.sliced(alongAxis: 1, (g * inPerGroup)..<((g + 1) * inPerGroup))
            let wg = groups == 1 ? weight : weight.sliced(alongAxis: 0, (g * inPerGroup)..<((g + 1) * inPerGroup))
            // [in, N·H·W] and [in, out·kh·kw]: columns = Wᵀ X, one window per input pixel.
            let columns = Variable.matmul(
                wg.reshaped(to: [inPerGroup, outPerGroup * w[2] * w[3]]),
                xg.permuted([1, 0, 2, 3]).reshaped(to: [inPerGroup, n * h * wd]), transposingA: true)
            parts.append(Col2Im<Scalar>(geometry: geometry).apply(columns))
        }
        var y = groups == 1 ? parts[0] : Variable.concatenate(parts, alongAxis: 1)
        if let bias { y = y + bias.variable.reshaped(to: [1, w[1] * groups, 1, 1]) }
        return y
    }
}
