import Foundation
import Testing
import TestSupport

@testable import NN

/// The exported ONNX bytes read back with the protobuf reader: what the ModelProto holds. The
/// numerical check against ONNX Runtime is Scripts/check_interop.py (Python, test-time only).
struct ONNXModelView {
    struct Node {
        var op: String
        var inputs: [String]
        var outputs: [String]
        var floatAttributes: [String: Float]
        var intAttributes: [String: [Int64]]
    }

    var irVersion: Int64 = 0
    var opset: Int64 = 0
    var nodes: [Node] = []
    var initializers: [String: (shape: [Int], values: [Float])] = [:]
    var inputDims: [String] = []
    var outputDims: [String] = []

    init(_ bytes: [UInt8]) throws {
        for f in try ProtobufReader.fields(bytes[...]) {
            switch f.number {
            case 1: irVersion = f.int64
            case 8: opset = try ProtobufReader.fields(f.payload).first { $0.number == 2 }!.int64
            case 7:
                for g in try ProtobufReader.fields(f.payload) {
                    switch g.number {
                    case 1:
                        var node = Node(op: "", inputs: [], outputs: [], floatAttributes: [:], intAttributes: [:])
                        for n in try ProtobufReader.fields(g.payload) {
                            switch n.number {
                            case 1: node.inputs.append(n.string)
                            case 2: node.outputs.append(n.string)
                            case 4: node.op = n.string
                            case 5:
                                let a = try ProtobufReader.fields(n.payload)
                                let name = a.first { $0.number == 1 }!.string
                                if let v = a.first(where: { $0.number == 2 }) { node.floatAttributes[name] = v.float }
                                let ints = a.filter { $0.number == 3 || $0.number == 8 }.map(\.int64)
                                if !ints.isEmpty { node.intAttributes[name] = ints }
                            default: break
                            }
                        }
                        nodes.append(node)
                    case 5:
                        let t = try ProtobufReader.fields(g.payload)
                        let name = t.first { $0.number == 8 }!.string
                        let dims = t.filter { $0.number == 1 }.map { Int($0.int64) }
                        let raw = t.first { $0.number == 9 }?.payload ?? []
                        let values = stride(from: raw.startIndex, to: raw.endIndex, by: 4).map { k in
                            Float(bitPattern: UInt32(raw[k]) | UInt32(raw[k + 1]) << 8 | UInt32(raw[k + 2]) << 16 | UInt32(raw[k + 3]) << 24)
                        }
                        initializers[name] = (dims, values)
                    case 11, 12:
                        // ValueInfo → TypeProto → Tensor → Shape → Dimension (dim_value or dim_param).
                        let info = try ProtobufReader.fields(g.payload)
                        let tensor = try ProtobufReader.fields(try ProtobufReader.fields(info.first { $0.number == 2 }!.payload).first { $0.number == 1 }!.payload)
                        let shape = try ProtobufReader.fields(tensor.first { $0.number == 2 }!.payload)
                        let dims = try shape.map { d -> String in
                            let v = try ProtobufReader.fields(d.payload)[0]
                            return v.number == 1 ? String(v.int64) : v.string
                        }
                        if g.number == 11 { inputDims = dims } else { outputDims = dims }
                    default: break
                    }
                }
            default: break
            }
        }
    }

    var ops: [String] { nodes.map(\.op) }
}

@Suite("ONNX export")
struct ONNXExportTests {
    @Test("An MLP: opset 20, IR 9, dynamic batch; Gemm with transB and the weights as initializers, bit for bit")
    func mlp() throws {
        manualSeed(3)
        let model = Sequential<Float> { Linear(4, 3); LeakyReLU(negativeSlope: 0.2); Linear(3, 2) }
        let view = try ONNXModelView(model.onnxModel(inputShape: [1, 4]))
        #expect(view.irVersion == 9 && view.opset == 20)
        #expect(view.inputDims == ["N", "4"] && view.outputDims == ["N", "2"])
        #expect(view.ops == ["Gemm", "LeakyRelu", "Gemm", "Identity"])
        #expect(view.nodes[0].intAttributes["transB"] == [1])
        #expect(view.nodes[1].floatAttributes["alpha"] == 0.2)
        let linear = model.layers[0] as! Linear<Float>
        let w = try #require(view.initializers[view.nodes[0].inputs[1]])
        #expect(w.shape == [3, 4] && w.values == linear.weight.value.scalars)
        #expect(view.initializers[view.nodes[0].inputs[2]]!.values == linear.bias!.value.scalars)
        // Every node reads the input, an initializer or an earlier node's output; the last writes "output".
        var known = Set(["input"]).union(view.initializers.keys)
        for node in view.nodes {
            #expect(node.inputs.allSatisfy(known.contains), "\(node.op) reads an undefined value")
            known.formUnion(node.outputs)
        }
        #expect(view.nodes.last!.outputs == ["output"])
    }

    @Test("Every catalogue activation exports: element-wise rules through ONNXActivation, the others as modules")
    func catalogue() throws {
        for entry in ActivationCatalogue.entries {
            let spec: String
            switch entry.name {
            case "maxout": spec = "maxout:inputs=5,outputs=4,pieces=3"
            case "channel_maxout": spec = "channel_maxout:groups=3"
            case "threshold": spec = "threshold:threshold=0.5,value=-1"
            default: spec = entry.name
            }
            let layer = try ActivationCatalogue.makeLayer(spec, as: Float.self)
            let view = try ONNXModelView(layer.onnxModel(inputShape: entry.name == "maxout" ? [1, 5] : [1, 6, 2, 2]))
            #expect(view.ops.count >= 2, "\(spec) exported no nodes")
        }
    }

    @Test("BatchNorm exports its running statistics; the model's training modes are restored after the export")
    func modesRestored() throws {
        let model = Sequential<Float> { Conv2d(1, 2, kernelSize: 3, padding: 1); BatchNorm2d(2); ReLU(); MaxPool2d(kernelSize: 2); Flatten(); Dropout(p: 0.5); Linear(8, 3) }
        (model.layers[1] as! BatchNorm2d<Float>).runningMean = Tensor([0.5, -0.25])
        model.layers[5].eval()
        let view = try ONNXModelView(model.onnxModel(inputShape: [2, 1, 4, 4]))
        #expect(view.ops == ["Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Identity", "Gemm", "Identity"])
        #expect(view.initializers[view.nodes[1].inputs[3]]!.values == [0.5, -0.25])
        #expect(view.nodes[0].intAttributes["pads"] == [1, 1, 1, 1])
        #expect(model.isTraining && model.layers[1].isTraining && !model.layers[5].isTraining)
    }

    @Test("A module without a mapping is a typed error naming it and where it sits")
    func unsupported() throws {
        let model = Sequential<Float> { Linear(4, 4); Sequential { ReLU(); Embedding(10, 4) } }
        #expect(throws: ONNXExportError(module: "'layers.1.layers.1' (\(Embedding<Float>(10, 4).summaryLine))", reason: "has no ONNX mapping (conform it to ONNXExportable)")) {
            try model.onnxModel(inputShape: [1, 4])
        }
        // A custom rule exports once it conforms to ONNXActivation.
        #expect(throws: ONNXExportError.self) { try Sequential<Float> { ActivationLayer(CubeRule<Float>()) }.onnxModel(inputShape: [1, 3]) }
        let view = try ONNXModelView(Sequential<Float> { ActivationLayer(CubeONNXRule<Float>()) }.onnxModel(inputShape: [1, 3]))
        #expect(view.ops == ["Pow", "Identity"])
    }

    @Test("export(to:) writes atomically: a failed export leaves an existing file as it was")
    func atomic() throws {
        let dir = toolScratchDirectory()
        let url = dir.appendingPathComponent("m.onnx")
        try Data([1, 2, 3]).write(to: url)
        #expect(throws: ONNXExportError.self) { try Sequential<Float> { Embedding(3, 2) }.exportONNX(to: url, inputShape: [1, 1]) }
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        try Sequential<Float> { Linear(2, 2) }.exportONNX(to: url, inputShape: [1, 2])
        #expect(try ONNXModelView([UInt8](Data(contentsOf: url))).ops == ["Gemm", "Identity"])
    }
}

/// x³, a user's rule with no ONNX mapping.
struct CubeRule<Scalar: TensorScalar>: ElementwiseActivation {
    static var name: String { "cube_test" }
    static var summary: String { "x³" }
    init() {}
    init(_ arguments: ActivationArguments) {}
    func value(_ x: Scalar.Vector) -> Scalar.Vector { x * x * x }
    func derivative(_ x: Scalar.Vector) -> Scalar.Vector { 3 * x * x }
    func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { 6 * x }
}

/// The same with its ONNX form.
struct CubeONNXRule<Scalar: TensorScalar>: ElementwiseActivation, ONNXActivation {
    static var name: String { "cube_onnx_test" }
    static var summary: String { "x³" }
    init() {}
    init(_ arguments: ActivationArguments) {}
    func value(_ x: Scalar.Vector) -> Scalar.Vector { x * x * x }
    func derivative(_ x: Scalar.Vector) -> Scalar.Vector { 3 * x * x }
    func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { 6 * x }
    func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Pow", x, graph.scalar(3)) }
}
