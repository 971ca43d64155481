// How each built-in module writes itself as ONNX (opset 20), in evaluation mode. Shapes other
// than the batch axis are fixed by the example input; reshapes keep the batch axis with 0.

extension ONNXGraph {
    /// A per-channel tensor `values` reshaped so that it broadcasts along `axis` of a rank-`rank`
    /// input (ONNX broadcasts from the right): [C] + [1] × (rank − 1 − axis); a single value stays [1].
    mutating func channelConstant<Scalar: TensorScalar>(_ values: Tensor<Scalar>, axis: Int, rank: Int, name: String) -> String {
        let a = axis < 0 ? axis + rank : axis
        let shape = values.count == 1 ? [1] : [values.count] + Array(repeating: 1, count: Swift.max(rank - 1 - a, 0))
        return constant(values, shape: shape, name: name)
    }
}

extension Sequential: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        var x = input
        for (i, layer) in layers.enumerated() { x = try graph.export(layer, input: x, name: "layers.\(i)") }
        return x.name
    }
}

extension Residual: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let y = try graph.export(body, input: input, name: "body")
        return graph.op("Add", input.name, y.name)
    }
}

extension CaffeGraph: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        var values = [inputName: input]
        for (i, (node, module)) in zip(nodes, modules).enumerated() {
            if let merge = module as? CaffeMerge<Scalar> {
                let inputs = node.bottoms.map { values[$0]!.name }
                let name: String
                switch merge.operation {
                case .concat(let axis): name = graph.node("Concat", inputs, [("axis", .int(axis))])[0]
                case .sum(let c):
                    let terms = zip(inputs, c).map { x, k in k == 1 ? x : graph.op("Mul", x, graph.scalar(k)) }
                    name = terms.count == 1 ? graph.op("Identity", terms[0]) : graph.node("Sum", terms)[0]
                case .product: name = inputs.count == 1 ? graph.op("Identity", inputs[0]) : inputs.dropFirst().reduce(inputs[0]) { graph.op("Mul", $0, $1) }
                case .maximum: name = graph.node("Max", inputs)[0]
                }
                values[node.top] = ONNXValue(name: name, shape: merge.outputShape)
            } else {
                values[node.top] = try graph.export(module, input: values[node.bottom]!, name: "modules.\(i)")
            }
        }
        return values[nodes.last!.top]!.name
    }
}

extension Linear: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let w = graph.constant(weight.value, name: "weight")
        if input.shape.count == 2 {
            var inputs = [input.name, w]
            if let bias { inputs.append(graph.constant(bias.value, name: "bias")) }
            return graph.node("Gemm", inputs, [("transB", .int(1))])[0]
        }
        let product = graph.op("MatMul", input.name, graph.op("Transpose", w, attributes: [("perm", .ints([1, 0]))]))
        guard let bias else { return product }
        return graph.op("Add", product, graph.constant(bias.value, name: "bias"))
    }
}

extension Conv2d: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        var inputs = [input.name, graph.constant(weight.value, name: "weight")]
        if let bias { inputs.append(graph.constant(bias.value, name: "bias")) }
        return graph.node("Conv", inputs, [
            ("kernel_shape", .ints([kernelSize.0, kernelSize.1])), ("strides", .ints([stride.0, stride.1])),
            ("pads", .ints([padding.0, padding.1, padding.0, padding.1])), ("dilations", .ints([dilation.0, dilation.1])),
            ("group", .int(groups)),
        ])[0]
    }
}

extension MaxPool2d: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("MaxPool", input.name, attributes: [
            ("kernel_shape", .ints([kernelSize.0, kernelSize.1])), ("strides", .ints([stride.0, stride.1])),
            ("pads", .ints([padding.0, padding.1, padding.0, padding.1])),
        ])
    }
}

extension AvgPool2d: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("AveragePool", input.name, attributes: [
            ("kernel_shape", .ints([kernelSize.0, kernelSize.1])), ("strides", .ints([stride.0, stride.1])),
            ("pads", .ints([padding.0, padding.1, padding.0, padding.1])), ("count_include_pad", .int(countIncludePad ? 1 : 0)),
        ])
    }
}

extension AdaptiveAvgPool2d: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        if outputSize == (1, 1) { return graph.op("GlobalAveragePool", input.name) }
        let h = input.shape[2], w = input.shape[3]
        guard h % outputSize.0 == 0, w % outputSize.1 == 0 else {
            throw graph.failure(self, "an adaptive pool from \(h)×\(w) to \(outputSize.0)×\(outputSize.1) has uneven windows; ONNX has no adaptive pooling (use sizes that divide)")
        }
        let k = (h / outputSize.0, w / outputSize.1)
        return graph.op("AveragePool", input.name, attributes: [("kernel_shape", .ints([k.0, k.1])), ("strides", .ints([k.0, k.1]))])
    }
}

extension Flatten: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let r = Swift.max(input.shape.count, 1)
        let start = startAxis < 0 ? startAxis + r : startAxis
        let end = endAxis < 0 ? endAxis + r : endAxis
        if end == r - 1 && start >= 1 && start < r { return graph.op("Flatten", input.name, attributes: [("axis", .int(start))]) }
        // General case: a reshape; the batch axis (0) is copied, or merged (−1) when it is flattened.
        var target = Array(input.shape[..<start]) + [input.shape[start...end].reduce(1, *)] + Array(input.shape[(end + 1)...])
        target[0] = start == 0 ? -1 : 0
        return graph.op("Reshape", input.name, graph.int64s(target, name: "shape"))
    }
}

extension Dropout: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("Identity", input.name)
    }
}

extension BatchNorm: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let c = runningMean.count
        let scale = graph.constant(weight?.value ?? Tensor<Scalar>.ones([c]), name: "weight")
        let shift = graph.constant(bias?.value ?? Tensor<Scalar>.zeros([c]), name: "bias")
        return graph.op(
            "BatchNormalization", input.name, scale, shift, graph.constant(runningMean, name: "running_mean"),
            graph.constant(runningVar, name: "running_var"), attributes: [("epsilon", .float(Double(eps)))])
    }
}

extension LayerNorm: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let n = normalizedShape.reduce(1, *)
        let scale = graph.constant(weight?.value ?? Tensor<Scalar>.ones([n]), shape: normalizedShape, name: "weight")
        let shift = graph.constant(bias?.value ?? Tensor<Scalar>.zeros([n]), shape: normalizedShape, name: "bias")
        return graph.op(
            "LayerNormalization", input.name, scale, shift, attributes: [("axis", .int(-normalizedShape.count)), ("epsilon", .float(eps))])
    }
}

extension ChannelAffine: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let rank = input.shape.count
        let y = graph.op("Mul", input.name, graph.channelConstant(weight.value, axis: 1, rank: rank, name: "weight"))
        guard let bias else { return y }
        return graph.op("Add", y, graph.channelConstant(bias.value, axis: 1, rank: rank, name: "bias"))
    }
}

// MARK: - Activation modules

extension ActivationLayer: ONNXExportable where Rule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        rule.exportONNX(to: &graph, input: input.name)
    }
}

extension GELU: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("Gelu", input.name, attributes: [("approximate", .string(approximation == .tanh ? "tanh" : "none"))])
    }
}

extension PReLU: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("PRelu", input.name, graph.channelConstant(alpha.value, axis: channelAxis, rank: input.shape.count, name: "alpha"))
    }
}

extension TrainableSwish: ONNXExportable {
    /// x·σ(βx), β per channel: Mul, Sigmoid, Mul.
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let b = graph.channelConstant(beta.value, axis: channelAxis, rank: input.shape.count, name: "beta")
        return graph.op("Mul", input.name, graph.op("Sigmoid", graph.op("Mul", input.name, b)))
    }
}

extension RReLU: ONNXExportable {
    /// Evaluation mode: the mean slope (lower + upper)/2, a LeakyRelu.
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("LeakyRelu", input.name, attributes: [("alpha", .float((Double(lower) + Double(upper)) / 2))])
    }
}

extension Softmax: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("Softmax", input.name, attributes: [("axis", .int(axis))])
    }
}

extension LogSoftmax: ONNXExportable {
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("LogSoftmax", input.name, attributes: [("axis", .int(axis))])
    }
}

extension Softmin: ONNXExportable {
    /// softmax(−x).
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        graph.op("Softmax", graph.op("Neg", input.name), attributes: [("axis", .int(axis))])
    }
}

extension GLU: ONNXExportable {
    /// a·σ(b), [a, b] the halves along the axis: Split, Sigmoid, Mul.
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let a = axis < 0 ? axis + input.shape.count : axis
        let half = input.shape[a] / 2
        let halves = graph.node("Split", [input.name, graph.int64s([half, half], name: "split")], [("axis", .int(a))], outputs: 2)
        return graph.op("Mul", halves[0], graph.op("Sigmoid", halves[1]))
    }
}

extension ChannelMaxout: ONNXExportable {
    /// The channel axis C split into [C/k, k], ReduceMax over the k.
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let rank = input.shape.count
        let a = channelAxis < 0 ? channelAxis + rank : channelAxis
        guard a > 0 else { throw graph.failure(self, "maxout over the batch axis cannot be exported with a dynamic batch") }
        var grouped = input.shape
        grouped.replaceSubrange(a...a, with: [input.shape[a] / groups, groups])
        grouped[0] = 0
        let r = graph.op("Reshape", input.name, graph.int64s(grouped, name: "shape"))
        return graph.op("ReduceMax", r, graph.int64s([a + 1], name: "axes"), attributes: [("keepdims", .int(0))])
    }
}

extension Maxout: ONNXExportable {
    /// All k pieces in one Gemm ([N, in] → [N, k·out]), reshaped to [N, k, out], ReduceMax over k.
    public func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String {
        let k = pieces, out = outputCount
        let w = graph.constant(weight.value, shape: [k * out, inputCount], name: "weight")
        let b = graph.constant(bias.value, shape: [k * out], name: "bias")
        let z = graph.node("Gemm", [input.name, w, b], [("transB", .int(1))])[0]
        let r = graph.op("Reshape", z, graph.int64s([0, k, out], name: "shape"))
        return graph.op("ReduceMax", r, graph.int64s([1], name: "axes"), attributes: [("keepdims", .int(0))])
    }
}
