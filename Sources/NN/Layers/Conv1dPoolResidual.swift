import Autograd

/// 1-D convolution (PyTorch's `nn.Conv1d`): input [N, in, L] → output [N, out, outL] with
/// outL = ⌊(L + 2·padding − dilation·(kernel − 1) − 1)/stride⌋ + 1, weight [out, in/groups,
/// kernel], bias [out]; uniform ±1/√(in/groups·kernel) initialization, as PyTorch.
///
/// It is `conv2d` on [N, in, 1, L] with a [out, in/groups, 1, kernel] weight (the same
/// im2col + matrix product, with second derivatives); the parameters keep PyTorch's shapes, so
/// checkpoints load both ways. Bad shapes stop with conv2d's messages, named for Conv1d where
/// the 1-D view matters.
public final class Conv1d<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var weight: Variable<Scalar>
    public let bias: Parameter<Scalar>?
    public let stride: Int
    public let padding: Int
    public let dilation: Int
    public let groups: Int

    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        groups: Int = 1, bias: Bool = true
    ) {
        let conv = Conv2d<Scalar>(inChannels, outChannels, kernelSize: (1, kernelSize), groups: groups, bias: bias)
        self.init(
            weight: conv.weight.value.reshaped(to: [outChannels, inChannels / groups, kernelSize]), bias: conv.bias?.value,
            stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        tensorCheck(
            weight.rank == 3 && (bias == nil || bias!.shape == [weight.shape[0]]) && stride > 0 && dilation > 0 && padding >= 0 && groups > 0
                && weight.shape[0] % groups == 0,
            "Conv1d: weight \(describeShape(weight.shape)), bias \(bias.map { describeShape($0.shape) } ?? "none"), stride \(stride), padding \(padding), dilation \(dilation), groups \(groups). Fix: weight [out, in/groups, kernel] with out divisible by groups, bias [out], stride and dilation ≥ 1, padding ≥ 0."
        )
        _weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    public override var summaryLine: String {
        let w = weight.shape
        return "Conv1d<\(Scalar.self)>(\(w[1] * groups) → \(w[0]), kernel: \(w[2]), stride: \(stride), padding: \(padding)"
            + (dilation != 1 ? ", dilation: \(dilation)" : "") + (groups != 1 ? ", groups: \(groups)" : "") + ", bias: \(bias != nil))"
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let w = weight.shape
        tensorCheck(
            x.rank == 3 && x.shape[1] == w[1] * groups,
            "Conv1d: input of shape \(describeShape(x.shape)) for weight \(describeShape(w)) and groups \(groups), which expect [N, \(w[1] * groups), L]. Fix: pass a batch of sequences [N, C, L] (unsqueeze a single one to [1, C, L])."
        )
        let y = x.unsqueezed(axis: 2).conv2d(
            weight: weight.unsqueezed(axis: 2), bias: bias?.variable, stride: (1, stride), padding: (0, padding),
            dilation: (1, dilation), groups: groups)
        return y.squeezed(axis: 2)
    }
}

/// Adaptive average pooling (PyTorch's `nn.AdaptiveAvgPool2d`): [N, C, H, W] → [N, C, oh, ow],
/// output cell (i, j) the mean over rows ⌊i·H/oh⌋ ..< ⌈(i + 1)·H/oh⌉ and the same for columns —
/// windows that may overlap or differ in size, chosen so any input size gives the output size.
/// (1, 1) is global average pooling.
///
/// Computed as one matrix product with a fixed pooling matrix [H·W, oh·ow] (so it has second
/// derivatives); O(N·C·H·W·oh·ow), meant for the small outputs it is used for.
public final class AdaptiveAvgPool2d<Scalar: TensorScalar>: Module, Layer {
    public let outputSize: (Int, Int)

    public init(outputSize: (Int, Int)) {
        tensorCheck(outputSize.0 > 0 && outputSize.1 > 0, "AdaptiveAvgPool2d: output size \(outputSize). Fix: use positive sizes ((1, 1) for global average pooling).")
        self.outputSize = outputSize
        super.init()
    }

    public convenience init(outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    /// The pooling matrix [H·W, oh·ow]: 1/|window| where a pixel is in an output cell's window.
    static func matrix(_ h: Int, _ w: Int, _ oh: Int, _ ow: Int) -> Tensor<Scalar> {
        func bins(_ n: Int, _ o: Int) -> [Range<Int>] {
            (0..<o).map { i in (i * n / o)..<(((i + 1) * n + o - 1) / o) }
        }
        let rows = bins(h, oh), cols = bins(w, ow)
        var p = [Scalar](repeating: 0, count: h * w * oh * ow)
        for (i, r) in rows.enumerated() {
            for (j, c) in cols.enumerated() {
                let weight = 1 / Scalar(r.count * c.count)
                for y in r { for x in c { p[(y * w + x) * (oh * ow) + i * ow + j] = weight } }
            }
        }
        return Tensor(shape: [h * w, oh * ow], scalars: p)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        tensorCheck(
            x.rank == 4 && x.shape[2] > 0 && x.shape[3] > 0,
            "AdaptiveAvgPool2d: input of shape \(describeShape(x.shape)). Fix: pass [N, C, H, W] with H, W ≥ 1."
        )
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = outputSize
        let pooled = Variable.matmul(x.reshaped(to: [n * c, h * w]), Variable(Self.matrix(h, w, oh, ow)))
        return pooled.reshaped(to: [n, c, oh, ow])
    }
}

/// y = x + body(x): a residual block (He et al. 2016), written with the builder syntax.
///
///     let block = Residual<Float> { Linear(64, 64); ReLU(); Linear(64, 64) }
///
/// The body's output must have the input's shape (no projection is added: put a Linear or a
/// 1×1 Conv2d in front of the block to change the width). Parameters are "body.layers.<i>.…".
public final class Residual<Scalar: TensorScalar>: Module, Layer {
    public let body: Sequential<Scalar>

    public init(_ body: Sequential<Scalar>) {
        self.body = body
        super.init()
    }

    public convenience init(@LayerBuilder<Scalar> _ build: () throws -> [any Layer<Scalar>]) rethrows {
        self.init(Sequential(try build()))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let y = body(x)
        tensorCheck(
            y.shape == x.shape,
            "Residual: the body maps \(describeShape(x.shape)) to \(describeShape(y.shape)), so x + body(x) is undefined. Fix: make the body keep the shape, or project the input before the block."
        )
        return x + y
    }
}
