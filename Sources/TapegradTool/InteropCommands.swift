import Foundation
import NN

/// Reads a file given on the command line; a failure is a `CLIError.file`.
private func readFile(_ path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw CLIError.file(path: path, reason: "cannot be read (\((error as NSError).localizedDescription))")
    }
}

/// A Caffe net from a prototxt path, with the weights of a `.caffemodel` when given. Every
/// problem is one line naming the file (and the line, or the layer) and nothing is half-loaded.
func loadCaffeGraph(prototxt path: String, weights: String?) throws -> CaffeGraph<Float> {
    guard let text = String(data: try readFile(path), encoding: .utf8) else { throw CLIError.file(path: path, reason: "not UTF-8 text") }
    let graph: CaffeGraph<Float>
    do {
        graph = try CaffeGraph<Float>(CaffeNet(prototxt: text))
    } catch {
        throw CLIError.file(path: path, reason: "\(error)")
    }
    if let weights {
        do {
            try graph.load(CaffeWeights(caffemodel: [UInt8](try readFile(weights))))
        } catch let error as ProtobufError {
            throw CLIError.file(path: weights, reason: "not a readable .caffemodel: \(error)")
        } catch let error as CaffeError {
            throw CLIError.file(path: weights, reason: "does not fit \(path): \(error)")
        }
    }
    graph.eval()
    return graph
}

/// `tapegrad import-caffe NET.prototxt [--weights W.caffemodel] [--save OUT.safetensors]
/// [--save-caffemodel OUT.caffemodel] [--summary]`.
enum ImportCaffeCommand {
    static let allowed: Set<String> = ["--weights", "--save", "--save-caffemodel", "--summary"]

    static func run(_ options: Options) throws {
        guard let path = options.positional.first else { throw CLIError.usage("import-caffe needs a NET.prototxt") }
        let weights = options.string("--weights")
        let graph = try loadCaffeGraph(prototxt: path, weights: weights)
        let counts = graph.parameterCounts
        print("imported \(graph.nodes.count) layers from \(path) (input '\(graph.inputName)' \(graph.inputShape)), \(counts.trainable + counts.frozen) parameters, weights \(weights.map { "from \($0)" } ?? "freshly initialized (no --weights)")")
        if options.flag("--summary") {
            let width = graph.nodes.map { $0.name.count + $0.type.count + 3 }.max() ?? 0
            for (i, node) in graph.nodes.enumerated() {
                let caffe = "\(node.name) (\(node.type))"
                print("  \(caffe.padding(toLength: Swift.max(width, caffe.count), withPad: " ", startingAt: 0))  \(node.bottom) → \(node.top)  as modules.\(i)")
            }
            print(graph.summary(inputShape: graph.inputShape))
        }
        if let save = options.string("--save") {
            do {
                try graph.checkpoint(metadata: ["caffe.prototxt": URL(fileURLWithPath: path).lastPathComponent, "caffe.input_shape": graph.inputShape.map(String.init).joined(separator: ",")])
                    .write(to: URL(fileURLWithPath: save))
            } catch {
                throw CLIError.file(path: save, reason: "\(error)")
            }
            print("saved the weights to \(save) (safetensors; names as in --summary)")
        }
        if let save = options.string("--save-caffemodel") {
            do {
                try AtomicFile.write(graph.caffeWeights(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent).caffemodel(), to: URL(fileURLWithPath: save))
            } catch {
                throw CLIError.file(path: save, reason: "\(error)")
            }
            print("wrote the weights back as \(save) (Caffe binary NetParameter)")
        }
    }
}

/// `tapegrad export-onnx`: a trained model (a `tapegrad train --save` checkpoint, or a Caffe net)
/// as an ONNX file, with optionally our outputs on the 360 test digits for checking.
enum ExportONNXCommand {
    static let allowed: Set<String> = ["--model", "--activation", "--checkpoint", "--output", "--reference", "--caffe", "--weights", "--catalogue", "--seed", "--data"]

    static func run(_ options: Options) throws {
        if let dir = options.string("--catalogue") { return try catalogue(dir, seed: UInt64(try options.int("--seed", default: 0, range: 0...Int(Int32.max)))) }
        guard let output = options.string("--output") else { throw CLIError.usage("export-onnx needs --output F.onnx") }
        let model: any Layer<Float>
        let inputShape: [Int]
        var described: String
        if let net = options.string("--caffe") {
            for flag in ["--model", "--activation"] where options.flag(flag) {
                throw CLIError.usage("\(flag) with --caffe: the Caffe net defines the model")
            }
            let graph = try loadCaffeGraph(prototxt: net, weights: options.string("--weights"))
            if let checkpoint = options.string("--checkpoint") { try load(graph, checkpoint) }
            model = graph
            inputShape = graph.inputShape
            described = "Caffe net \(net)"
        } else {
            var name = options.string("--model"), activation = options.string("--activation")
            var metadata: [String: String] = [:]
            if let checkpoint = options.string("--checkpoint") {
                metadata = try peekMetadata(checkpoint)
                for (flag, key) in [("--model", "model"), ("--activation", "activation")] {
                    if let given = options.string(flag), let saved = metadata[key], given != saved {
                        throw CLIError.usage("\(flag) \(given) with --checkpoint \(checkpoint), which holds a \(key) '\(oneLine(saved))'; leave \(flag) out")
                    }
                }
                name = name ?? metadata["model"]
                activation = activation ?? metadata["activation"]
            }
            let modelName = name ?? "mlp"
            guard TrainCommand.models.contains(modelName) else {
                throw CLIError.badValue(flag: "--model", value: modelName, expected: TrainCommand.models.joined(separator: ", "))
            }
            manualSeed(UInt64(try options.int("--seed", default: 0, range: 0...Int(Int32.max))))
            let built = try TrainCommand.makeModel(modelName, activation: activation ?? "relu")
            if let checkpoint = options.string("--checkpoint") { try load(built, checkpoint) }
            model = built
            inputShape = modelName == "cnn" ? [1, 1, 8, 8] : [1, 64]
            described = "\(modelName) with \(modelName == "maxout" ? "maxout units" : activation ?? "relu"), \(options.string("--checkpoint").map { "weights from \($0)" } ?? "untrained (seeded) weights: give --checkpoint for a trained model")"
        }
        let bytes: [UInt8]
        do {
            bytes = try model.onnxModel(inputShape: inputShape)
            try AtomicFile.write(bytes, to: URL(fileURLWithPath: output))
        } catch let error as FileWriteError {
            throw CLIError.file(path: output, reason: "\(error)")
        }
        print("wrote \(output): \(described); ONNX opset \(ONNXGraph.opset), input 'input' [N, \(inputShape.dropFirst().map(String.init).joined(separator: ", "))], output 'output', \(bytes.count) bytes")
        if let reference = options.string("--reference") {
            let x: Tensor<Float>
            if options.flag("--caffe") {
                // A Caffe net's input: 64 seeded uniform rows in [−1, 1).
                manualSeed(1)
                x = Tensor<Float>.randomUniform([64] + inputShape.dropFirst(), low: -1, high: 1)
            } else {
                let url = options.string("--data").map { URL(fileURLWithPath: $0) } ?? Dataset<Float>.shippedDigitsURL()
                let data: Dataset<Float>
                do { data = try Dataset<Float>.digits(at: url) } catch { throw CLIError.file(path: url.path, reason: "\(error)") }
                guard data.count > 360, data.featureCount == 64 else { throw CLIError.file(path: url.path, reason: "need more than 360 rows of 64 features") }
                let test = data.split(at: data.count - 360).1.features
                x = test.reshaped(to: [360] + inputShape.dropFirst())
            }
            model.eval()  // as exported: dropout off, BatchNorm on its running statistics
            try writeReference(input: x, output: withoutGradients { model(Variable(x)).value }, to: reference)
            print("wrote \(reference): 'input' \(x.shape) and our 'output' for it (safetensors)")
        }
    }

    static func peekMetadata(_ path: String) throws -> [String: String] {
        do { return try SafeTensorsFile(contentsOf: URL(fileURLWithPath: path)).metadata } catch { throw CLIError.file(path: path, reason: "\(error)") }
    }

    static func load(_ model: Module, _ path: String) throws {
        do { _ = try model.load(from: URL(fileURLWithPath: path)) } catch { throw CLIError.file(path: path, reason: "\(error)") }
    }

    static func writeReference(input: Tensor<Float>, output: Tensor<Float>, to path: String) throws {
        do {
            var file = SafeTensorsFile(metadata: ["producer": "tapegrad export-onnx"])
            try file.append("input", input)
            try file.append("output", output)
            try file.write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.file(path: path, reason: "\(error)")
        }
    }

    /// Non-default parameters for each catalogue entry's exported model (entries not listed use
    /// their defaults; one that needs a value and has none here is reported, not skipped).
    static let catalogueSpecs: [String: String] = [
        "leaky_relu": "negative_slope=0.2", "prelu": "channels=6,init=0.3", "rrelu": "lower=0.1,upper=0.4", "elu": "alpha=0.7",
        "celu": "alpha=1.3", "bounded_relu": "n=2.5", "hardtanh": "min_val=-0.5,max_val=1.5", "softplus": "beta=2,threshold=3",
        "swish": "beta=1.5", "trainable_swish": "channels=6,init=0.8", "softshrink": "lambda=0.3", "hardshrink": "lambda=0.4",
        "threshold": "threshold=0.2,value=-1.5", "power": "power=2,scale=0.5,shift=1.5", "exp": "base=2,scale=0.3,shift=-0.1",
        "log": "base=10,scale=0.5,shift=3", "maxout": "inputs=5,outputs=4,pieces=3", "channel_maxout": "groups=3",
        "softmax": "axis=1", "log_softmax": "axis=1", "softmin": "axis=1", "glu": "axis=1", "isru": "alpha=0.5",
    ]

    /// One ONNX model per catalogue entry (the activation alone on [N, 6, 4, 5], maxout on [N, 5])
    /// with a reference file each: `--catalogue DIR`.
    static func catalogue(_ dir: String, seed: UInt64) throws {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch { throw CLIError.file(path: dir, reason: "cannot create the directory") }
        for entry in ActivationCatalogue.entries {
            let spec = catalogueSpecs[entry.name].map { "\(entry.name):\($0)" } ?? entry.name
            manualSeed(seed)
            let layer = try ActivationCatalogue.makeLayer(spec, as: Float.self)
            // Trainable slopes start equal; give each channel its own value.
            for p in layer.parameters() where Set(p.value.scalars).count == 1 {
                p.assign(Tensor<Float>.randomUniform(p.value.shape, low: -0.5, high: 1.5))
            }
            let shape = entry.name == "maxout" ? [7, 5] : [7, 6, 4, 5]
            var x = Tensor<Float>.randomUniform(shape, low: -3, high: 3)
            // The kinks: 0 and the parameters' values, exactly.
            var scalars = x.scalars
            let kinks: [Float] = [0, -0.0, 0.2, 0.3, -0.3, 0.4, -0.4, 2.5, -0.5, 1.5, 6, -3, 3]
            for (i, k) in kinks.enumerated() where i * 3 < scalars.count { scalars[i * 3] = k }
            x = Tensor(shape: shape, scalars: scalars)
            let bytes: [UInt8]
            do { bytes = try layer.onnxModel(inputShape: [1] + shape.dropFirst()) } catch { throw CLIError.usage("\(spec): \(error)") }
            let base = URL(fileURLWithPath: dir).appendingPathComponent(entry.name).path
            do { try AtomicFile.write(bytes, to: URL(fileURLWithPath: base + ".onnx")) } catch { throw CLIError.file(path: base + ".onnx", reason: "\(error)") }
            layer.eval()
            try writeReference(input: x, output: withoutGradients { layer(Variable(x)).value }, to: base + ".reference.safetensors")
            print("\(spec) -> \(base).onnx")
        }
    }
}
