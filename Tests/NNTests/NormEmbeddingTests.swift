import Foundation
import Testing
import TestSupport

@testable import NN

/// LayerNorm and Embedding against PyTorch (Scripts/torch_layer_reference.py, float64, hex
/// floats), finite differences and their messages.
@Suite("LayerNorm and Embedding")
struct NormEmbeddingTests {
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "torch_layers", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func hex(_ any: Any?) -> [Double] { (any as! [String]).map { Double($0)! } }
    static func entry(_ kind: String, _ name: String) -> [String: Any] {
        (fixture[kind] as! [[String: Any]]).first { $0["name"] as! String == name }!
    }
    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
    }

    @Test("LayerNorm matches PyTorch: output, input, weight and bias gradients",
          arguments: ["ln_last_axis", "ln_two_axes", "ln_no_affine", "ln_no_bias"])
    func layerNormMatchesPyTorch(_ name: String) {
        let c = Self.entry("layernorm", name)
        let shape = c["shape"] as! [Int], norm = c["normalized_shape"] as! [Int]
        let affine = c["affine"] as! Bool, hasBias = c["bias"] as! Bool
        let layer = LayerNorm<Double>(norm, elementwiseAffine: affine, bias: hasBias)
        if affine { layer.weight!.assign(Tensor(shape: norm, scalars: Self.hex(c["weight"]))) }
        if affine && hasBias { layer.bias!.assign(Tensor(shape: norm, scalars: Self.hex(c["bias_value"]))) }
        #expect((layer.weight != nil) == affine && (layer.bias != nil) == (affine && hasBias))
        let x = Variable(Tensor(shape: shape, scalars: Self.hex(c["x"])), requiresGradient: true)
        let y = layer(x)
        #expect(Self.close(y.value.scalars, Self.hex(c["y"])))
        (y * Variable(Tensor(shape: shape, scalars: Self.hex(c["w"])))).sum().backward()
        #expect(Self.close(x.gradient!.scalars, Self.hex(c["dx"]), 1e-11))
        if affine { #expect(Self.close(layer.weight!.variable.gradient!.scalars, Self.hex(c["dweight"]), 1e-11)) }
        if affine && hasBias { #expect(Self.close(layer.bias!.variable.gradient!.scalars, Self.hex(c["dbias"]), 1e-11)) }
    }

    @Test("LayerNorm: second derivatives, a strided input, Float beside Double")
    func layerNormGradcheck() {
        let norm = LayerNorm<Double>([3])
        norm.weight!.assign(Tensor([1.5, -0.5, 2]))
        norm.bias!.assign(Tensor([0.1, 0.2, -0.3]))
        let x = Tensor<Double>(shape: [3, 4], scalars: (0..<12).map { sin(Double($0)) * 2 }).transposed()  // [4, 3], strided
        let f: ([Variable<Double>]) -> Variable<Double> = { norm($0[0]) }
        #expect(gradcheck(f, at: [x]).passed)
        #expect(gradgradcheck(f, at: [x]).passed)
        let float = LayerNorm<Float>([3])
        float.weight!.assign(Tensor([1.5, -0.5, 2]))
        float.bias!.assign(Tensor([0.1, 0.2, -0.3]))
        let yf = float(Variable(Tensor<Float>(shape: [4, 3], scalars: x.contiguous().scalars.map(Float.init)))).value.scalars
        let yd = norm(Variable(x)).value.scalars
        #expect(zip(yf, yd).allSatisfy { Swift.abs(Double($0) - $1) < 1e-5 })
    }

    @Test("Embedding matches PyTorch: lookups and the scatter-added table gradient; the padding row gets none",
          arguments: ["embedding_repeats", "embedding_padding"])
    func embeddingMatchesPyTorch(_ name: String) {
        let c = Self.entry("embedding", name)
        let rows = c["rows"] as! Int, dim = c["dimension"] as! Int
        let table = Tensor(shape: [rows, dim], scalars: Self.hex(c["weight"]))
        let layer = Embedding<Double>(weight: table, paddingIndex: c["padding_index"] as? Int)
        let y: Variable<Double>
        if let nested = c["indices"] as? [[Int]] { y = layer(indices: nested) } else { y = layer(indices: c["indices"] as! [Int]) }
        #expect(y.shape == c["y_shape"] as! [Int])
        #expect(y.value.scalars == Self.hex(c["y"]))
        (y * Variable(Tensor(shape: y.shape, scalars: Self.hex(c["w"])))).sum().backward()
        #expect(Self.close(layer.weight.gradient!.scalars, Self.hex(c["dweight"])))
    }

    @Test("Embedding: a new table is N(0, 1) with a zero padding row; the layer form takes integral values; double backward")
    func embeddingForms() {
        var g = TensorRandom(seed: 5)
        let e = Embedding<Double>(6, 4, paddingIndex: 1, using: &g)
        #expect(e.weight.value[1].scalars == [0, 0, 0, 0] && e.namedTensors().map(\.name) == ["weight"])
        let viaLayer = e(Variable(Tensor<Double>([[3, 1], [5, 0]])))
        #expect(viaLayer.shape == [2, 2, 4] && viaLayer.value.scalars == e(indices: [[3, 1], [5, 0]]).value.scalars)
        // Second order: d/dW of Σ (lookup)² is 2·(scatter of lookups); gradgradcheck on the table.
        let f: ([Variable<Double>]) -> Variable<Double> = { w in
            EmbeddingLookup<Double>(indices: [4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3], tableShape: [3, 4], outputShape: [3, 4], skippedRows: [], dimension: 4).apply(w[0]).tanh().sum()
        }
        let w = Tensor<Double>(shape: [3, 4], scalars: (0..<12).map { cos(Double($0)) })
        #expect(gradcheck(f, at: [w]).passed && gradgradcheck(f, at: [w]).passed)
    }

    @Test("Bad shapes and indices stop with the fix", arguments: ["layernorm shape", "embedding range", "embedding fraction"])
    func badInput(_ which: String) async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [which] in
            switch which {
            case "layernorm shape": _ = LayerNorm<Float>(4)(Variable(Tensor<Float>.zeros([2, 3])))
            case "embedding range": _ = Embedding<Float>(3, 2)(indices: [0, 3])
            default: _ = Embedding<Float>(3, 2)(Variable(Tensor<Float>([0.5])))
            }
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        let expected = ["layernorm shape": "[2, 3]", "embedding range": "index 3", "embedding fraction": "0.5"][which]!
        #expect(text.contains(expected) && text.contains("Fix:"), "\(text)")
    }
}
