import Foundation
import Testing
import TestSupport

@testable import NN

/// `tapegrad import-caffe` and `tapegrad export-onnx` (the debug binary), on the Caffe fixtures.
@Suite("Interop commands")
struct InteropCLITests {
    func tool(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let tool = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let run = try CLICatalogue.run(tool, arguments, in: directory)
        #expect(run.reason == .exit, "\(arguments): killed by signal \(run.status): \(run.stderr)")
        return (run.status, run.stdout, run.stderr)
    }

    @Test("import-caffe: the fixture nets with weights, --summary, --save and --save-caffemodel round trip")
    func importCaffe() throws {
        let dir = toolScratchDirectory()
        let proto = CaffeFixtures.url("lenet", "prototxt").path, weights = CaffeFixtures.url("lenet", "caffemodel").path
        let saved = dir.appendingPathComponent("lenet.safetensors"), back = dir.appendingPathComponent("back.caffemodel")
        let run = try tool(["import-caffe", proto, "--weights", weights, "--summary", "--save", saved.path, "--save-caffemodel", back.path], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        // conv1 4·1·3·3 + 4, conv2 6·4·3·3 + 6, scale2 6 + 6, ip1 16·24 + 16, ip2 10·16 + 10.
        #expect(run.stdout.contains("imported 12 layers") && run.stdout.contains("Trainable parameters: \(40 + 222 + 12 + 400 + 170)"), "\(run.stdout)")
        #expect(run.stdout.contains("bn2 (BatchNorm)") && run.stdout.contains("conv2 → conv2  as modules.3"), "\(run.stdout)")
        // The saved weights load into a fresh graph and give the reference outputs; so does the
        // written-back caffemodel.
        let fresh = try CaffeGraph<Float>(CaffeNet(prototxt: CaffeFixtures.prototxt("lenet")))
        _ = try fresh.load(from: saved)
        fresh.eval()
        #expect(CaffeFixtures.worstError(fresh, "lenet").error <= 1e-5)
        let other = try CaffeGraph<Float>(CaffeNet(prototxt: CaffeFixtures.prototxt("lenet")))
        try other.load(CaffeWeights(caffemodel: [UInt8](Data(contentsOf: back))))
        other.eval()
        #expect(CaffeFixtures.worstError(other, "lenet").error <= 1e-5)
    }

    @Test("import-caffe refusals: one line, exit 2, the line number for a malformed prototxt, nothing written")
    func refusals() throws {
        let dir = toolScratchDirectory()
        let bad = dir.appendingPathComponent("bad.prototxt")
        try "input: \"data\"\ninput_shape { dim: 1 dim: 4 }\nlayer { name: \"r\" type: \"ReLU\"\n  bottom: \"data\" top: \"r\" relu_param { negative_slope 0.1 } }\n".write(to: bad, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.safetensors")
        let cases: [([String], String)] = [
            (["import-caffe", bad.path, "--save", out.path], "line 4, column"),
            (["import-caffe", dir.appendingPathComponent("missing.prototxt").path], "cannot be read"),
            (["import-caffe", CaffeFixtures.url("lenet", "prototxt").path, "--weights", CaffeFixtures.url("activations", "caffemodel").path, "--save", out.path],
             "the weights have no layer 'conv1'"),
            (["import-caffe", CaffeFixtures.url("lenet", "prototxt").path, "--weights", CaffeFixtures.url("lenet", "prototxt").path], "not a readable .caffemodel"),
            (["import-caffe"], "needs a NET.prototxt"),
            (["export-onnx", "--model", "mlp"], "needs --output"),
            (["export-onnx", "--caffe", CaffeFixtures.url("lenet", "prototxt").path, "--model", "cnn", "--output", "x.onnx"], "--model with --caffe"),
        ]
        for (arguments, fragment) in cases {
            let run = try tool(arguments, in: dir)
            #expect(run.status == 2 && run.stdout.isEmpty, "\(arguments): \(run.status) \(run.stdout)")
            #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains(fragment), "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.onnx").path))
    }

    @Test("export-onnx: a trained checkpoint's model and activation; a Caffe net; the reference file")
    func exportONNX() throws {
        let dir = toolScratchDirectory()
        let ckpt = dir.appendingPathComponent("m.safetensors").path
        #expect(try tool(["train", "--model", "mlp", "--activation", "elu", "--epochs", "1", "--save", ckpt, "--quiet", "--plot", "p.svg"], in: dir).status == 0)
        let run = try tool(["export-onnx", "--checkpoint", ckpt, "--output", "m.onnx", "--reference", "r.safetensors"], in: dir)
        #expect(run.status == 0 && run.stdout.contains("mlp with elu, weights from"), "\(run.stderr)")
        let view = try ONNXModelView([UInt8](Data(contentsOf: dir.appendingPathComponent("m.onnx"))))
        #expect(view.ops == ["Gemm", "Elu", "Gemm", "Elu", "Gemm", "Identity"])
        let reference = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("r.safetensors"))
        #expect(reference.entry(named: "input")?.shape == [360, 64] && reference.entry(named: "output")?.shape == [360, 10])
        let mismatch = try tool(["export-onnx", "--checkpoint", ckpt, "--activation", "relu", "--output", "n.onnx"], in: dir)
        #expect(mismatch.status == 2 && mismatch.stderr.contains("holds a activation 'elu'"), "\(mismatch.stderr)")
        let caffe = try tool(["export-onnx", "--caffe", CaffeFixtures.url("activations", "prototxt").path, "--weights", CaffeFixtures.url("activations", "caffemodel").path, "--output", "c.onnx"], in: dir)
        #expect(caffe.status == 0, "\(caffe.stderr)")
        #expect(try ONNXModelView([UInt8](Data(contentsOf: dir.appendingPathComponent("c.onnx")))).ops.contains("PRelu"))
    }
}
