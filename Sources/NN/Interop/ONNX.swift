import Foundation

// ONNX export: a module tree written as an ONNX ModelProto (protobuf wire format, field numbers
// of onnx.proto) at opset 20, IR version 9, with a dynamic batch axis. Each module maps itself
// through `ONNXExportable` (ONNXModules.swift); each element-wise activation rule through
// `ONNXActivation` (ONNXActivations.swift), native ONNX operators where they exist, an expansion
// into primitive operators otherwise. Weights become float32 initializers.

/// Why a model could not be exported: the module (its path in the model and its summary line)
/// and the reason, one line.
public struct ONNXExportError: Error, Equatable, CustomStringConvertible {
    public let module: String
    public let reason: String

    public init(module: String, reason: String) {
        self.module = module
        self.reason = reason
    }

    public var description: String { oneLine("onnx export: \(module): \(reason)") }
}

/// An ONNX node attribute.
public enum ONNXAttribute: Sendable {
    case float(Double)
    case int(Int)
    case ints([Int])
    case floats([Double])
    case string(String)
}

/// A value of the graph being built: its name and its shape for the example input (the batch
/// axis is dynamic in the exported model; the other sizes are as here).
public struct ONNXValue: Sendable {
    public let name: String
    public let shape: [Int]
}

/// A module that writes itself as ONNX nodes. Conform a custom module to export it; built-in
/// layers conform in ONNXModules.swift.
public protocol ONNXExportable {
    /// Adds the nodes computing this module's output from `input` (evaluation mode) and returns
    /// the output's name. Sub-modules go through `graph.export(_:input:name:)`.
    func exportONNX(to graph: inout ONNXGraph, input: ONNXValue) throws(ONNXExportError) -> String
}

/// An element-wise activation rule that writes itself as ONNX nodes (the rule's hyperparameters
/// as attributes or constants). `ActivationLayer<Rule>` exports when its rule conforms.
public protocol ONNXActivation {
    func exportONNX(to graph: inout ONNXGraph, input x: String) -> String
}

/// The ONNX graph under construction: nodes, initializers and fresh names.
public struct ONNXGraph {
    /// The operator set version the exporter writes (ONNX 1.15+; ONNX Runtime 1.17+).
    public static let opset = 20
    /// The IR version that goes with opset 20.
    public static let irVersion = 9

    var nodes: [[UInt8]] = []
    var initializers: [[UInt8]] = []
    var taken: Set<String> = []
    var scalarCache: [UInt64: String] = [:]
    var path: [String] = []
    /// The exported module's path in the model ("layers.2"), for error messages.
    public var currentPath: String { path.filter { !$0.isEmpty }.joined(separator: ".") }

    init(reserved: [String]) { taken = Set(reserved) }

    /// A name not used yet, from `hint`.
    public mutating func freshName(_ hint: String) -> String {
        let base = hint.isEmpty ? "v" : hint
        var name = base
        var k = 1
        while taken.contains(name) {
            name = "\(base)_\(k)"
            k += 1
        }
        taken.insert(name)
        return name
    }

    /// Adds a node and returns its output names.
    @discardableResult
    public mutating func node(_ op: String, _ inputs: [String], _ attributes: [(String, ONNXAttribute)] = [], outputs count: Int = 1) -> [String] {
        let outputs = (0..<count).map { _ in freshName((currentPath.isEmpty ? "" : currentPath + "/") + op) }
        var w = ProtobufWriter()
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        w.string(3, outputs[0])
        w.string(4, op)
        for (name, value) in attributes {
            w.message(5) { a in
                a.string(1, name)
                switch value {
                case .float(let f):
                    a.float(2, Float(f))
                    a.varint(20, 1)
                case .int(let i):
                    a.varint(3, Int64(i))
                    a.varint(20, 2)
                case .string(let s):
                    a.string(4, s)
                    a.varint(20, 3)
                case .floats(let fs):
                    for f in fs { a.float(7, Float(f)) }
                    a.varint(20, 6)
                case .ints(let values):
                    for i in values { a.varint(8, Int64(i)) }
                    a.varint(20, 7)
                }
            }
        }
        nodes.append(w.bytes)
        return outputs
    }

    /// Adds a one-output node and returns its output's name.
    public mutating func op(_ op: String, _ inputs: String..., attributes: [(String, ONNXAttribute)] = []) -> String {
        node(op, inputs, attributes)[0]
    }

    /// A float32 initializer (raw little-endian data) and its name.
    public mutating func constant(_ values: [Float], shape: [Int], name hint: String = "const") -> String {
        tensorCheck(values.count == shape.reduce(1, *), "ONNXGraph.constant: \(values.count) values for shape \(describeShape(shape)). Fix: pass one value per element.")
        let name = freshName(hint)
        var t = ProtobufWriter()
        for d in shape { t.varint(1, Int64(d)) }
        t.varint(2, 1)  // FLOAT
        t.string(8, name)
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw += $0 } }
        t.bytesField(9, raw)
        initializers.append(t.bytes)
        return name
    }

    /// A tensor's values as a float32 initializer, reshaped to `shape` (its own by default).
    public mutating func constant<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, shape: [Int]? = nil, name hint: String) -> String {
        constant(tensor.scalars.map { Float(Double($0)) }, shape: shape ?? tensor.shape, name: (currentPath.isEmpty ? "" : currentPath + ".") + hint)
    }

    /// A float32 scalar (shape []), shared between uses of the same value.
    public mutating func scalar(_ value: Double) -> String {
        let bits = Float(value).bitPattern
        if let name = scalarCache[UInt64(bits)] { return name }
        let name = constant([Float(value)], shape: [], name: "c")
        scalarCache[UInt64(bits)] = name
        return name
    }

    /// An int64 initializer (shapes, axes, split sizes).
    public mutating func int64s(_ values: [Int], name hint: String = "ints") -> String {
        let name = freshName(hint)
        var t = ProtobufWriter()
        t.varint(1, Int64(values.count))
        t.varint(2, 7)  // INT64
        t.string(8, name)
        t.packedVarints(7, values.map { Int64($0) })
        initializers.append(t.bytes)
        return name
    }

    /// Exports a sub-module: its nodes from `input`, and its output with the shape it has for
    /// the example input (the module runs once on zeros, in evaluation mode, without gradients).
    /// - Throws: `ONNXExportError` naming the module when it (or a module inside it) has no mapping.
    public mutating func export<Scalar: TensorScalar>(_ module: any Layer<Scalar>, input: ONNXValue, name: String) throws(ONNXExportError) -> ONNXValue {
        path.append(name)
        defer { path.removeLast() }
        guard let exportable = module as? any ONNXExportable else {
            let hint = (module is any ActivationLayerProtocol) ? " (conform its rule to ONNXActivation)" : " (conform it to ONNXExportable)"
            throw ONNXExportError(module: describeModule(module), reason: "has no ONNX mapping\(hint)")
        }
        let output = try exportable.exportONNX(to: &self, input: input)
        let shape = withoutGradients { module(Variable(Tensor<Scalar>(shape: input.shape, repeating: 0))).shape }
        return ONNXValue(name: output, shape: shape)
    }

    /// "'layers.2' (LSTM<Float>(…))" for messages.
    public func describeModule(_ module: Module) -> String {
        (currentPath.isEmpty ? "the model" : "'\(currentPath)'") + " (\(module.summaryLine))"
    }

    /// An error about the module being exported.
    public func failure(_ module: Module, _ reason: String) -> ONNXExportError {
        ONNXExportError(module: describeModule(module), reason: reason)
    }
}

/// Lets the exporter tell an activation layer without an ONNX rule from other modules.
protocol ActivationLayerProtocol {}
extension ActivationLayer: ActivationLayerProtocol {}

extension Layer {
    /// The model as ONNX bytes (opset 20): input "input" of shape `inputShape` with a dynamic
    /// batch axis "N", output "output". Runs in evaluation mode (dropout off, BatchNorm on its
    /// running statistics, RReLU at its mean slope) and restores each module's mode after.
    /// - Throws: `ONNXExportError` naming the first module without an ONNX mapping.
    public func onnxModel(inputShape: [Int], producer: String = "Tapegrad") throws(ONNXExportError) -> [UInt8] {
        tensorCheck(
            inputShape.count >= 1 && inputShape.allSatisfy { $0 > 0 },
            "onnxModel(inputShape:): input shape \(inputShape). Fix: give the shape of one batch, batch axis first, all sizes positive.")
        let modules = namedModules()
        let modes = modules.map(\.module.isTraining)
        eval()
        defer { for ((_, module), mode) in zip(modules, modes) { module.setTrainingFlag(mode) } }
        var graph = ONNXGraph(reserved: ["input", "output"])
        let result = try graph.export(self, input: ONNXValue(name: "input", shape: inputShape), name: "")
        // The graph's output: an Identity named "output".
        var last = ProtobufWriter()
        last.string(1, result.name)
        last.string(2, "output")
        last.string(3, "output")
        last.string(4, "Identity")
        graph.nodes.append(last.bytes)

        func valueInfo(_ w: inout ProtobufWriter, _ field: Int, _ name: String, _ shape: [Int]) {
            w.message(field) { v in
                v.string(1, name)
                v.message(2) { type in
                    type.message(1) { tensor in
                        tensor.varint(1, 1)  // FLOAT
                        tensor.message(2) { s in
                            for (axis, d) in shape.enumerated() {
                                s.message(1) { dim in
                                    if axis == 0 { dim.string(2, "N") } else { dim.varint(1, Int64(d)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        var model = ProtobufWriter()
        model.varint(1, Int64(ONNXGraph.irVersion))
        model.string(2, producer)
        model.string(3, "1")
        model.message(7) { g in
            for n in graph.nodes { g.bytesField(1, n) }
            g.string(2, "\(type(of: self))".replacingOccurrences(of: "<Float>", with: ""))
            for t in graph.initializers { g.bytesField(5, t) }
            valueInfo(&g, 11, "input", inputShape)
            valueInfo(&g, 12, "output", result.shape)
        }
        model.message(8) { o in
            o.string(1, "")
            o.varint(2, Int64(ONNXGraph.opset))
        }
        return model.bytes
    }

    /// Writes `onnxModel(inputShape:)` to `url` atomically.
    public func exportONNX(to url: URL, inputShape: [Int]) throws {
        try AtomicFile.write(try onnxModel(inputShape: inputShape), to: url)
    }
}
