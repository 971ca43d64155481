import Foundation
import Testing
import TestSupport

@testable import NN

/// The Caffe fixtures (Scripts/caffe_fixtures.py): prototxt written by hand, .caffemodel written by
/// Python protobuf from Caffe's field numbers, every blob's value computed by PyTorch from Caffe's
/// layer definitions in float64.
enum CaffeFixtures {
    struct Blob: Decodable {
        let shape: [Int]
        let values: [Double]
    }

    static func url(_ name: String, _ ext: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/caffe")!
    }

    static let reference: [String: [String: Blob]] = {
        try! JSONDecoder().decode([String: [String: Blob]].self, from: Data(contentsOf: url("caffe_reference", "json")))
    }()

    static func prototxt(_ net: String) -> String { try! String(contentsOf: url(net, "prototxt"), encoding: .utf8) }
    static func caffemodel(_ net: String) -> [UInt8] { [UInt8](try! Data(contentsOf: url(net, "caffemodel"))) }

    /// The net with its trained weights, in evaluation mode.
    static func loaded(_ net: String) throws -> CaffeGraph<Float> {
        let graph = try CaffeGraph<Float>(CaffeNet(prototxt: prototxt(net)))
        try graph.load(CaffeWeights(caffemodel: caffemodel(net)))
        graph.eval()
        return graph
    }

    /// The largest |ours − reference| over every blob of `net`, with the blob where it occurs.
    static func worstError(_ graph: CaffeGraph<Float>, _ net: String) -> (blob: String, error: Double, blobs: Int) {
        let ref = reference[net]!
        let input = ref["data"]!
        let blobs = withoutGradients { graph.blobs(Variable(Tensor<Float>(shape: input.shape, scalars: input.values.map { Float($0) }))) }
        var worst = ("", 0.0)
        for (name, expected) in ref {
            guard let ours = blobs[name], ours.shape == expected.shape else { return (name, .infinity, blobs.count) }
            for (a, b) in zip(ours.value.scalars, expected.values) {
                let e = Swift.abs(Double(a) - b)
                if !(e <= worst.1) { worst = (name, e) }
            }
        }
        return (worst.0, worst.1, ref.count)
    }
}

@Suite("Caffe .caffemodel weights")
struct CaffeModelTests {
    @Test("LeNet-style net with trained weights: every blob within 1e-5 of PyTorch's Caffe semantics")
    func lenetMatchesReference() throws {
        let graph = try CaffeFixtures.loaded("lenet")
        let (blob, error, count) = CaffeFixtures.worstError(graph, "lenet")
        #expect(count == 8)
        #expect(error <= 1e-5, "largest error \(error) in blob \(blob)")
    }

    @Test("Every activation layer with non-default parameters: every blob within 1e-5 of PyTorch")
    func activationsMatchReference() throws {
        let graph = try CaffeFixtures.loaded("activations")
        let (blob, error, count) = CaffeFixtures.worstError(graph, "activations")
        #expect(count == 20)
        #expect(error <= 1e-5, "largest error \(error) in blob \(blob)")
    }

    @Test("A DAG whose branches merge (Concat, Eltwise SUM with coefficients, PROD, MAX): every blob within 1e-5; trainable")
    func branchesMatchReference() throws {
        let graph = try CaffeFixtures.loaded("branches")
        let (blob, error, count) = CaffeFixtures.worstError(graph, "branches")
        #expect(count == 11)
        #expect(error <= 1e-5, "largest error \(error) in blob \(blob)")
        #expect(graph.nodes.first { $0.name == "sum" }!.bottoms == ["r", "t", "cat"])
        graph.train()
        graph(Variable(Tensor<Float>.randomNormal([2, 3, 4, 4]))).sum().backward()
        #expect(graph.parameters().count == 5 && graph.parameters().allSatisfy { $0.variable.gradient != nil })
        // Merges that do not fit are refused with the layer and line.
        let bad = """
            input: "x" input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }
            layer { name: "p" type: "Pooling" bottom: "x" top: "p" pooling_param { pool: MAX kernel_size: 3 } }
            layer { name: "s" type: "Eltwise" bottom: "x" bottom: "p" top: "s" }
            """
        #expect(throws: CaffeError(line: 3, layer: "s", reason: "Eltwise needs bottoms of one shape (got [1, 2, 3, 3], [1, 2, 1, 1])")) {
            try CaffeGraph<Float>(CaffeNet(prototxt: bad))
        }
    }

    @Test("Both blob shape styles and double_data are read; a training-only layer of the file is skipped")
    func shapeStyles() throws {
        let weights = try CaffeWeights(caffemodel: CaffeFixtures.caffemodel("lenet"))
        let ip1 = weights.layers.first { $0.name == "ip1" }!
        #expect(ip1.blobs.map(\.shape) == [[1, 1, 16, 24], [1, 1, 1, 16]] && ip1.blobs.allSatisfy(\.legacyShape))
        let conv2 = weights.layers.first { $0.name == "conv2" }!
        #expect(conv2.blobs.map(\.shape) == [[6, 4, 3, 3], [6]] && conv2.blobs.map(\.data.count) == [216, 6])
        #expect(weights.layers.contains { $0.name == "loss_weights_unused" })
    }

    @Test("Round trip: the graph's weights written as .caffemodel, read back into a fresh graph, give the same outputs")
    func roundTrip() throws {
        for net in ["lenet", "activations", "branches"] {
            let graph = try CaffeFixtures.loaded(net)
            let bytes = graph.caffeWeights(name: net).caffemodel()
            let reread = try CaffeWeights(caffemodel: bytes)
            #expect(reread.name == net)
            // Every stored value comes back bit for bit (BatchNorm with its factor folded in).
            #expect(reread.layers.map(\.blobs.count) == graph.caffeWeights().layers.map(\.blobs.count))
            #expect(reread.layers == graph.caffeWeights(name: net).layers)
            manualSeed(99)
            let fresh = try CaffeGraph<Float>(CaffeNet(prototxt: CaffeFixtures.prototxt(net)))
            try fresh.load(reread)
            fresh.eval()
            let (blob, error, _) = CaffeFixtures.worstError(fresh, net)
            #expect(error <= 1e-5, "round trip of \(net): \(error) in \(blob)")
        }
    }

    @Test("A wrong shape, a missing layer or a wrong blob count is a typed error naming the layer and line; nothing is loaded")
    func refusals() throws {
        let net = try CaffeNet(prototxt: CaffeFixtures.prototxt("lenet"))
        let good = try CaffeWeights(caffemodel: CaffeFixtures.caffemodel("lenet"))
        manualSeed(1)
        let graph = try CaffeGraph<Float>(net)
        let before = graph.namedTensors().map { $0.tensor.littleEndianBytes() }
        func expectRefused(_ weights: CaffeWeights, _ layer: String, _ fragment: String) {
            do {
                try graph.load(weights)
                Issue.record("loaded weights that should be refused (\(fragment))")
            } catch {
                #expect(error.layer == layer && error.line == net.layers.first { $0.name == layer }!.line)
                #expect(error.description.contains(fragment), "\(error)")
            }
            #expect(graph.namedTensors().map { $0.tensor.littleEndianBytes() } == before, "a refused load changed the graph")
        }
        // ip2's weight with the axes swapped (same count): refused, and conv1 (loaded earlier) untouched.
        var swapped = good
        let ip2 = swapped.layers.firstIndex { $0.name == "ip2" }!
        swapped.layers[ip2].blobs[0].shape = [16, 10]
        expectRefused(swapped, "ip2", "blob 0 has shape [16, 10]; the layer needs [10, 16]")
        var missing = good
        missing.layers.removeAll { $0.name == "scale2" }
        expectRefused(missing, "scale2", "the weights have no layer 'scale2'")
        var short = good
        short.layers[short.layers.firstIndex { $0.name == "bn2" }!].blobs.removeLast()
        expectRefused(short, "bn2", "2 blobs")
        var retyped = good
        retyped.layers[retyped.layers.firstIndex { $0.name == "conv1" }!].type = "InnerProduct"
        expectRefused(retyped, "conv1", "is a InnerProduct, the net's a Convolution")
    }

    @Test("Unknown fields in a layer or in its parameters are typed errors with the line")
    func unknownFields() throws {
        let misspelt = """
            input: "x" input_shape { dim: 1 dim: 2 }
            layer { name: "r" type: "ReLU" bottom: "x" top: "r"
              relu_param { negative_slop: 0.1 } }
            """
        #expect(throws: CaffeError(line: 3, layer: "r", reason: "unknown field 'negative_slop' in relu_param (known: engine, negative_slope)")) {
            try CaffeNet(prototxt: misspelt)
        }
        let strayField = """
            input: "x" input_shape { dim: 1 dim: 2 }
            layer { name: "r" type: "ReLU" bottom: "x" top: "r"
              bottoms: "y" }
            """
        #expect(throws: CaffeError(line: 3, layer: "r", reason: "unknown layer field 'bottoms'")) { try CaffeNet(prototxt: strayField) }
    }

    @Test("Fuzzed .caffemodel bytes: truncations, bit flips, huge lengths and deep nesting give typed errors, never a trap")
    func fuzz() throws {
        let bytes = CaffeFixtures.caffemodel("lenet")
        let net = try CaffeNet(prototxt: CaffeFixtures.prototxt("lenet"))
        let graph = try CaffeGraph<Float>(net)
        var outcomes = (parsed: 0, refused: 0)
        func attempt(_ b: [UInt8]) {
            do {
                let w = try CaffeWeights(caffemodel: b)
                outcomes.parsed += 1
                // A parse that succeeds is still checked against the net before anything is written.
                do { try graph.load(w) } catch {}
            } catch {
                outcomes.refused += 1
            }
        }
        for n in 0..<bytes.count { attempt(Array(bytes[..<n])) }
        var generator = TensorRandom(seed: 17)
        for _ in 0..<3000 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                b[Int.random(in: 0..<b.count, using: &generator)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            }
            attempt(b)
        }
        // A length of 2⁶² bytes, and a blob claiming a 2³¹ × 2³¹ shape with no data: refused
        // before anything that size is allocated.
        attempt([0xA2, 0x06] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F])
        var huge = ProtobufWriter()
        huge.message(100) { l in l.string(1, "ip1"); l.message(7) { b in b.message(7) { s in s.packedVarints(1, [1 << 31, 1 << 31]) } } }
        attempt(huge.bytes)
        // Layers nested in layers ten thousand deep: the reader only descends where the schema does.
        var deep: [UInt8] = []
        for _ in 0..<10_000 {
            var w = ProtobufWriter()
            w.bytesField(100, deep)
            deep = w.bytes
            if deep.count > 200_000 { break }
        }
        attempt(deep)
        #expect(outcomes.refused > bytes.count / 2)
        #expect(outcomes.parsed + outcomes.refused == bytes.count + 3003)
    }

    @Test("Prototxt nested a million deep is a typed error, not a stack overflow")
    func deepPrototxt() {
        let text = String(repeating: "a { ", count: 1_000_000)
        #expect(throws: ProtoTextError.self) { try ProtoTextMessage.parse(text) }
    }
}

@Suite("Caffe prototxt fuzzing")
struct CaffePrototxtFuzzTests {
    /// Reads damaged text all the way to a graph: a typed error or a graph, never a trap.
    static func attempt(_ text: String) -> Bool {
        do {
            _ = try CaffeGraph<Float>(CaffeNet(prototxt: text))
            return true
        } catch is ProtoTextError {
            return false
        } catch is CaffeError {
            return false
        } catch {
            Issue.record("an untyped error: \(error)")
            return false
        }
    }

    @Test("Every truncation and 2,000 seeded byte changes of the LeNet prototxt: typed errors or a graph, bounded sizes")
    func fuzz() {
        let bytes = Array(CaffeFixtures.prototxt("lenet").utf8)
        var built = 0
        for n in stride(from: 0, to: bytes.count, by: 3) { built += Self.attempt(String(decoding: bytes[..<n], as: UTF8.self)) ? 1 : 0 }
        var generator = TensorRandom(seed: 5)
        let alphabet = Array("0123456789 {}:\"#-.eE\n_axyz".utf8)
        for round in 0..<2000 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let i = Int.random(in: 0..<b.count, using: &generator)
                if round % 2 == 0 {
                    b[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                } else {
                    b[i] = alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                }
            }
            built += Self.attempt(String(decoding: b, as: UTF8.self)) ? 1 : 0
        }
        // Huge sizes are refused before allocation, not attempted.
        #expect(!Self.attempt("input: \"x\" input_shape { dim: 100000 dim: 100000 dim: 100 }\nlayer { name: \"r\" type: \"ReLU\" bottom: \"x\" top: \"r\" }"))
        #expect(!Self.attempt("input: \"x\" input_shape { dim: 1 dim: 100000 }\nlayer { name: \"ip\" type: \"InnerProduct\" bottom: \"x\" top: \"y\" inner_product_param { num_output: 16000000 } }"))
        #expect(!Self.attempt("input: \"x\" input_dim: 1e300 input_dim: 1 input_dim: 1 input_dim: 1\nlayer { name: \"r\" type: \"ReLU\" bottom: \"x\" top: \"r\" }"))
        #expect(built > 0)
    }
}
