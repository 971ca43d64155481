// A runnable, trainable module graph built from a CaffeNet: one module per layer, wired by blob
// names (a DAG; in-place layers rewrite their blob), Caffe's parameters mapped to Tapegrad's
// layers. Weights start from the usual initializations; reading `.caffemodel` weights into the
// graph is in CaffeModel.swift.

/// A per-channel affine map y = γ_c·x + β_c over axis 1: Caffe's Scale layer (after BatchNorm).
public final class ChannelAffine<Scalar: TensorScalar>: Module, Layer {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>?

    public init(channels: Int, bias: Bool = true) {
        tensorCheck(channels > 0, "ChannelAffine: \(channels) channels. Fix: use at least 1 channel.")
        weight = Parameter(Tensor.ones([channels]))
        self.bias = bias ? Parameter(Tensor.zeros([channels])) : nil
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let c = weight.value.count
        tensorCheck(x.rank >= 2 && x.shape[1] == c, "ChannelAffine: input \(describeShape(x.shape)) for \(c) channels. Fix: pass [N, \(c), …].")
        let shape = [1, c] + Array(repeating: 1, count: x.rank - 2)
        var y = x * weight.variable.reshaped(to: shape)
        if let bias { y = y + bias.variable.reshaped(to: shape) }
        return y
    }
}

/// A Caffe net as a module: `forward` takes the first input blob and returns the last layer's
/// first top; `blobs(_:)` returns every blob. Each node is the module of one Caffe layer (a
/// `Sequential` of Flatten + Linear for InnerProduct on images, as Caffe flattens).
public final class CaffeGraph<Scalar: TensorScalar>: Module, Layer {
    public struct Node {
        public let name: String
        public let type: String
        public let bottom: String
        public let top: String
        /// The prototxt line of the layer (for error messages).
        public let line: Int
        /// Every bottom (`bottom` is the first): several for Concat and Eltwise.
        public let bottoms: [String]
    }

    /// The modules, one per node, in layer order (parameter names "modules.<i>.…").
    public let modules: [any Layer<Scalar>]
    public let nodes: [Node]
    public let inputName: String
    public let inputShape: [Int]

    /// Builds the graph for `net`'s first input: each layer's module is made for the shape of
    /// the blob it reads (found by running the modules built so far on zeros).
    /// - Throws: `CaffeError` naming the layer and line for a parameter the mapping does not
    ///   support (several bottoms outside Concat and Eltwise, Caffe's round-up pooling sizes that floor mode would differ
    ///   from, a kernel larger than the input, a missing num_output).
    public init(_ net: CaffeNet) throws {
        guard let input = net.inputs.first else { throw CaffeError(line: 1, layer: nil, reason: "the net has no input blob") }
        guard input.shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1 }) <= 1 << 28 else {
            throw CaffeError(line: 1, layer: nil, reason: "the input \(describeShape(input.shape)) has more than 2²⁸ values")
        }
        var shapes: [String: [Int]] = [input.name: input.shape]
        var modules: [any Layer<Scalar>] = []
        var nodes: [Node] = []
        for layer in net.layers where layer.type != "Input" {
            let merges = CaffeMerge<Scalar>.types.contains(layer.type)
            guard layer.tops.count == 1, merges ? !layer.bottoms.isEmpty : layer.bottoms.count == 1 else {
                throw CaffeError(
                    line: layer.line, layer: layer.name,
                    reason: "\(layer.bottoms.count) bottoms and \(layer.tops.count) tops; a \(layer.type) here takes \(merges ? "one or more bottoms" : "one bottom") and one top")
            }
            let top = layer.tops[0]
            let inputs = try layer.bottoms.map { bottom throws -> [Int] in
                guard let shape = shapes[bottom] else {
                    throw CaffeError(line: layer.line, layer: layer.name, reason: "bottom '\(bottom)' is not reachable from the input '\(input.name)'")
                }
                return shape
            }
            let module: any Layer<Scalar>
            let out: [Int]
            if merges {
                let merge = try CaffeMerge<Scalar>(layer, inputs: inputs)
                module = merge
                out = merge.outputShape
            } else {
                module = try Self.module(for: layer, input: inputs[0])
                out = withoutGradients { () -> [Int] in
                    module.eval()
                    defer { module.train() }
                    return module(Variable(Tensor<Scalar>(shape: inputs[0], repeating: 0))).shape
                }
            }
            shapes[top] = out
            modules.append(module)
            nodes.append(Node(name: layer.name, type: layer.type, bottom: layer.bottoms[0], top: top, line: layer.line, bottoms: layer.bottoms))
        }
        guard !modules.isEmpty else { throw CaffeError(line: 1, layer: nil, reason: "the net has no layers besides its inputs") }
        self.modules = modules
        self.nodes = nodes
        inputName = input.name
        inputShape = input.shape
        super.init()
    }

    /// Every blob's value for `x` fed to the input.
    public func blobs(_ x: Variable<Scalar>) -> [String: Variable<Scalar>] {
        var values = [inputName: x]
        for (node, module) in zip(nodes, modules) {
            if let merge = module as? CaffeMerge<Scalar> {
                values[node.top] = merge.merge(node.bottoms.map { values[$0]! })
            } else {
                values[node.top] = module(values[node.bottom]!)
            }
        }
        return values
    }

    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { blobs(x)[nodes.last!.top]! }

    // MARK: - Caffe layer → module

    static func module(for layer: CaffeLayer, input shape: [Int]) throws -> any Layer<Scalar> {
        func fail(_ reason: String) -> CaffeError { CaffeError(line: layer.line, layer: layer.name, reason: reason) }
        func int(_ message: String, _ field: String, _ fallback: Int? = nil) throws -> Int {
            if let v = layer.number(message, field) {
                guard v == v.rounded(), v >= 0, v <= Double(1 << 24) else { throw fail("\(message).\(field) \(v) is not a whole number in 0...\(1 << 24)") }
                return Int(v)
            }
            guard let fallback else { throw fail("\(message).\(field) is missing") }
            return fallback
        }
        func pair(_ message: String, _ name: String, default d: Int) throws -> (Int, Int) {
            // kernel_size / kernel_h + kernel_w (likewise stride, pad).
            let single = name == "kernel" ? "kernel_size" : name
            if layer.number(message, "\(name)_h") != nil || layer.number(message, "\(name)_w") != nil {
                return (try int(message, "\(name)_h"), try int(message, "\(name)_w"))
            }
            let all = try (layer.parameters[message]?.all(single) ?? []).map { f throws -> Int in
                guard case .number(let v, _) = f.value, v == v.rounded(), v >= 0, v <= Double(1 << 24) else {
                    throw fail("\(message).\(single) must be a whole number in 0...\(1 << 24)")
                }
                return Int(v)
            }
            if all.count >= 2 { return (all[0], all[1]) }
            let v = all.first ?? d
            return (v, v)
        }
        func bool(_ message: String, _ field: String, _ fallback: Bool) -> Bool {
            switch layer.parameters[message]?.first(field)?.value {
            case .identifier(let v)?: return v == "true"
            case .number(let v, _)?: return v != 0
            default: return fallback
            }
        }
        func activation(_ spec: String) throws -> any Layer<Scalar> {
            do { return try ActivationCatalogue.makeLayer(spec, as: Scalar.self) } catch { throw fail("\(error)") }
        }
        let channels = shape.count > 1 ? shape[1] : 1
        // Sizes a file can make absurd are refused before anything is allocated: at most 2²⁸
        // values in a layer's parameters or in its output.
        func limit(_ factors: [Int], _ what: String) throws {
            var n = 1
            for f in factors {
                let (p, overflow) = n.multipliedReportingOverflow(by: Swift.max(f, 0))
                guard !overflow, p <= 1 << 28 else { throw fail("\(what) would hold more than 2²⁸ values (\(factors.map(String.init).joined(separator: " × ")))") }
                n = p
            }
        }
        func spatial(_ n: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int = 1) -> Int { s > 0 ? (n + 2 * p - d * (k - 1) - 1) / s + 1 : 0 }
        switch layer.type {
        case "InnerProduct":
            let outputs = try int("inner_product_param", "num_output")
            guard outputs >= 1 else { throw fail("inner_product_param.num_output must be at least 1") }
            guard !bool("inner_product_param", "transpose", false) else { throw fail("inner_product_param.transpose (weights stored [inputs, outputs]) is not supported") }
            guard try int("inner_product_param", "axis", 1) == 1 else { throw fail("inner_product_param.axis other than 1 is not supported") }
            guard shape.count >= 2 else { throw fail("InnerProduct on an input \(describeShape(shape)); it needs [N, …]") }
            let features = shape.dropFirst().reduce(1, *)
            try limit([features, outputs], "the weight")
            try limit([shape[0], outputs], "the output")
            let linear = Linear<Scalar>(features, outputs, bias: bool("inner_product_param", "bias_term", true))
            return shape.count > 2 ? Sequential<Scalar>([Flatten(), linear]) : linear
        case "Convolution":
            let p = "convolution_param"
            let outputs = try int(p, "num_output")
            guard outputs >= 1 else { throw fail("convolution_param.num_output must be at least 1") }
            let k = try pair(p, "kernel", default: 0), s = try pair(p, "stride", default: 1), pad = try pair(p, "pad", default: 0)
            let dilation = try int(p, "dilation", 1), groups = try int(p, "group", 1)
            guard try int(p, "axis", 1) == 1 else { throw fail("convolution_param.axis other than 1 is not supported") }
            guard k.0 > 0, k.1 > 0, shape.count == 4 else { throw fail("a convolution needs kernel_size and an [N, C, H, W] input (got \(describeShape(shape)))") }
            guard groups >= 1, channels % groups == 0, outputs % groups == 0 else { throw fail("group \(groups) does not divide \(channels) input and \(outputs) output channels") }
            guard s.0 >= 1, s.1 >= 1, dilation >= 1 else { throw fail("stride and dilation must be at least 1") }
            guard spatial(shape[2], k.0, s.0, pad.0, dilation) >= 1, spatial(shape[3], k.1, s.1, pad.1, dilation) >= 1 else {
                throw fail("the kernel \(k.0)×\(k.1) (dilation \(dilation)) does not fit the padded input \(describeShape(shape))")
            }
            try limit([outputs, channels / groups, k.0, k.1], "the weight")
            try limit([shape[0], outputs, spatial(shape[2], k.0, s.0, pad.0, dilation), spatial(shape[3], k.1, s.1, pad.1, dilation)], "the output")
            return Conv2d<Scalar>(channels, outputs, kernelSize: k, stride: s, padding: pad, dilation: (dilation, dilation), groups: groups,
                                  bias: bool(p, "bias_term", true))
        case "Pooling":
            let p = "pooling_param"
            guard shape.count == 4 else { throw fail("pooling needs an [N, C, H, W] input (got \(describeShape(shape)))") }
            let kind: String
            if case .identifier(let v)? = layer.parameters[p]?.first("pool")?.value { kind = v } else { kind = "MAX" }
            if bool(p, "global_pooling", false) {
                guard kind == "AVE" || kind == "MAX" else { throw fail("pool \(kind) is not supported (MAX or AVE)") }
                return kind == "AVE" ? AdaptiveAvgPool2d<Scalar>(outputSize: 1) : MaxPool2d<Scalar>(kernelSize: (shape[2], shape[3]))
            }
            let k = try pair(p, "kernel", default: 0), s = try pair(p, "stride", default: 1), pad = try pair(p, "pad", default: 0)
            guard k.0 > 0, k.1 > 0 else { throw fail("pooling_param needs kernel_size") }
            guard s.0 >= 1, s.1 >= 1 else { throw fail("pooling stride must be at least 1") }
            guard pad.0 <= k.0 / 2, pad.1 <= k.1 / 2 else { throw fail("pooling pad \(pad.0)×\(pad.1) is more than half the kernel \(k.0)×\(k.1)") }
            try limit([shape[0], channels, spatial(shape[2], k.0, s.0, pad.0), spatial(shape[3], k.1, s.1, pad.1)], "the output")
            // Caffe rounds pooled sizes up (unless round_mode: FLOOR), Tapegrad (and PyTorch's
            // default) down: refuse where they differ.
            var floor = false
            if case .identifier(let mode)? = layer.parameters[p]?.first("round_mode")?.value { floor = mode == "FLOOR" }
            for (n, kk, ss, pp) in [(shape[2], k.0, s.0, pad.0), (shape[3], k.1, s.1, pad.1)] {
                let span = n + 2 * pp - kk
                guard span >= 0, floor || span % ss == 0 else {
                    throw fail("Caffe pools \(n) pixels with kernel \(kk), stride \(ss), pad \(pp) to \((span + ss - 1) / ss + 1), rounding up where Tapegrad rounds down; choose sizes that divide evenly")
                }
            }
            switch kind {
            case "MAX": return MaxPool2d<Scalar>(kernelSize: k, stride: s, padding: pad)
            case "AVE": return AvgPool2d<Scalar>(kernelSize: k, stride: s, padding: pad)
            default: throw fail("pool \(kind) is not supported (MAX or AVE)")
            }
        case "ReLU":
            let slope = layer.number("relu_param", "negative_slope") ?? 0
            return slope == 0 ? try activation("relu") : try activation("leaky_relu:negative_slope=\(slope)")
        case "PReLU":
            let shared = bool("prelu_param", "channel_shared", false)
            return PReLU<Scalar>(channels: shared ? 1 : channels)
        case "TanH": return try activation("tanh")
        case "Sigmoid": return try activation("sigmoid")
        case "AbsVal": return try activation("abs")
        case "BNLL": return try activation("softplus")
        case "ELU": return try activation("elu:alpha=\(layer.number("elu_param", "alpha") ?? 1)")
        case "Power":
            let p = "power_param"
            return try activation("power:power=\(layer.number(p, "power") ?? 1),scale=\(layer.number(p, "scale") ?? 1),shift=\(layer.number(p, "shift") ?? 0)")
        case "Exp", "Log":
            let p = layer.type == "Exp" ? "exp_param" : "log_param"
            let base = layer.number(p, "base") ?? -1
            return try activation("\(layer.type.lowercased()):base=\(base == -1 ? 2.718281828459045 : base),scale=\(layer.number(p, "scale") ?? 1),shift=\(layer.number(p, "shift") ?? 0)")
        case "Dropout":
            let p = layer.number("dropout_param", "dropout_ratio") ?? 0.5
            guard p >= 0 && p < 1 else { throw fail("dropout_ratio \(p) is outside [0, 1)") }
            return Dropout<Scalar>(p: p)
        case "Softmax":
            let axis = try int("softmax_param", "axis", 1)
            guard axis < shape.count else { throw fail("softmax axis \(axis) for an input \(describeShape(shape))") }
            return Softmax<Scalar>(alongAxis: axis)
        case "BatchNorm":
            // Caffe's BatchNorm has no affine part (a Scale layer follows); its moving average
            // keeps moving_average_fraction of the old value: momentum 1 − fraction.
            let eps = layer.number("batch_norm_param", "eps") ?? 1e-5
            let momentum = 1 - (layer.number("batch_norm_param", "moving_average_fraction") ?? 0.999)
            guard eps >= 0, eps.isFinite, momentum >= 0, momentum <= 1 else {
                throw fail("batch_norm_param needs eps ≥ 0 and moving_average_fraction in [0, 1]")
            }
            guard shape.count == 2 || shape.count == 4 else { throw fail("BatchNorm on an input \(describeShape(shape)); the importer maps [N, C] and [N, C, H, W]") }
            return shape.count == 4
                ? BatchNorm2d<Scalar>(channels, eps: Scalar(eps), momentum: Scalar(momentum), affine: false)
                : BatchNorm1d<Scalar>(channels, eps: Scalar(eps), momentum: Scalar(momentum), affine: false)
        case "Scale":
            guard shape.count >= 2 else { throw fail("Scale on an input \(describeShape(shape)); it needs [N, C, …]") }
            guard try int("scale_param", "axis", 1) == 1, try int("scale_param", "num_axes", 1) == 1 else {
                throw fail("scale_param with axis or num_axes other than 1 is not supported (one factor per channel)")
            }
            return ChannelAffine<Scalar>(channels: channels, bias: bool("scale_param", "bias_term", false))
        default:
            throw fail("type '\(layer.type)' has no module mapping")
        }
    }
}

/// Caffe's layers with several bottoms: Concat (along `axis`, default 1) and Eltwise (SUM with
/// optional coefficients, PROD, MAX). A node of `CaffeGraph`; `forward` is the one-bottom form.
public final class CaffeMerge<Scalar: TensorScalar>: Module, Layer {
    public enum Operation: Equatable, Sendable {
        case concat(axis: Int)
        case sum(coefficients: [Double])
        case product
        case maximum
    }

    static var types: Set<String> { ["Concat", "Eltwise"] }

    public let operation: Operation
    /// The output's shape for the shapes the net gives the bottoms.
    public let outputShape: [Int]

    init(_ layer: CaffeLayer, inputs: [[Int]]) throws(CaffeError) {
        func fail(_ reason: String) -> CaffeError { CaffeError(line: layer.line, layer: layer.name, reason: reason) }
        let described = inputs.map { describeShape($0) }.joined(separator: ", ")
        if layer.type == "Concat" {
            let value = layer.number("concat_param", "axis") ?? layer.number("concat_param", "concat_dim") ?? 1
            guard value == value.rounded(), Swift.abs(value) <= 64 else { throw fail("concat axis \(value) is not an axis") }
            let axis = Int(value)
            let rank = inputs[0].count
            let a = axis < 0 ? axis + rank : axis
            guard a >= 0, a < rank, inputs.allSatisfy({ $0.count == rank }) else { throw fail("concat axis \(axis) for bottoms \(described)") }
            for shape in inputs {
                for d in 0..<rank where d != a && shape[d] != inputs[0][d] { throw fail("bottoms \(described) differ outside the concat axis \(a)") }
            }
            var out = inputs[0]
            out[a] = inputs.map { $0[a] }.reduce(0, +)
            guard out[a] <= 1 << 24 else { throw fail("the concatenation is too large") }
            operation = .concat(axis: a)
            outputShape = out
        } else {
            guard inputs.allSatisfy({ $0 == inputs[0] }) else { throw fail("Eltwise needs bottoms of one shape (got \(described))") }
            let coefficients = layer.parameters["eltwise_param"]?.all("coeff").compactMap { f -> Double? in
                if case .number(let v, _) = f.value { return v } else { return nil }
            } ?? []
            let kind: String
            if case .identifier(let v)? = layer.parameters["eltwise_param"]?.first("operation")?.value { kind = v } else { kind = "SUM" }
            guard coefficients.isEmpty || (kind == "SUM" && coefficients.count == inputs.count) else {
                throw fail("\(coefficients.count) coeff for \(inputs.count) bottoms (only SUM takes them, one per bottom)")
            }
            switch kind {
            case "SUM": operation = .sum(coefficients: coefficients.isEmpty ? Array(repeating: 1, count: inputs.count) : coefficients)
            case "PROD": operation = .product
            case "MAX": operation = .maximum
            default: throw fail("Eltwise operation \(kind) (SUM, PROD or MAX)")
            }
            outputShape = inputs[0]
        }
        super.init()
    }

    /// The merged value of the bottoms, in the layer's order.
    public func merge(_ inputs: [Variable<Scalar>]) -> Variable<Scalar> {
        switch operation {
        case .concat(let axis): return Variable.concatenate(inputs, alongAxis: axis)
        case .sum(let c):
            var y = c[0] == 1 ? inputs[0] : inputs[0] * Scalar(c[0])
            for (x, k) in zip(inputs.dropFirst(), c.dropFirst()) { y = y + (k == 1 ? x : x * Scalar(k)) }
            return y
        case .product: return inputs.dropFirst().reduce(inputs[0]) { $0 * $1 }
        case .maximum: return inputs.dropFirst().reduce(inputs[0]) { Variable.maximum($0, $1) }
        }
    }

    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { merge([x]) }

    public override var summaryLine: String { "CaffeMerge<\(Scalar.self)>(\(operation))" }
}
