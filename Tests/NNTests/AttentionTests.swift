import Foundation
import Testing
import TestSupport

@testable import NN

/// MultiheadAttention against PyTorch's nn.MultiheadAttention: output, head-averaged weights,
/// and the gradients of queries, keys, values and every parameter, with and without masks.
@Suite("Multi-head attention")
struct AttentionTests {
    static func entry(_ name: String) -> [String: Any] {
        (NormEmbeddingTests.fixture["attention"] as! [[String: Any]]).first { $0["name"] as! String == name }!
    }
    static func hex(_ any: Any?) -> [Double] { NormEmbeddingTests.hex(any) }
    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool { NormEmbeddingTests.close(a, b, tolerance) }

    @Test("Matches PyTorch: self-attention, and batch-first cross-attention with an attention mask and key padding",
          arguments: ["mha_self", "mha_cross_masked_batch_first"])
    func matchesPyTorch(_ name: String) {
        let c = Self.entry(name)
        let mha = MultiheadAttention<Double>(embedDim: c["embed_dim"] as! Int, heads: c["heads"] as! Int, batchFirst: c["batch_first"] as! Bool)
        let params = c["params"] as! [String: [String: Any]]
        let named = Dictionary(uniqueKeysWithValues: mha.namedParameters(of: Double.self).map { ($0.name, $0.parameter) })
        #expect(Set(named.keys) == Set(params.keys))
        for (key, p) in params { named[key]!.assign(Tensor(shape: p["shape"] as! [Int], scalars: Self.hex(p["value"]))) }
        let isSelf = c["self"] as! Bool
        let q = Variable(Tensor(shape: c["q_shape"] as! [Int], scalars: Self.hex(c["q"])), requiresGradient: true)
        let k = isSelf ? q : Variable(Tensor(shape: c["k_shape"] as! [Int], scalars: Self.hex(c["k"])), requiresGradient: true)
        let v = isSelf ? q : Variable(Tensor(shape: c["k_shape"] as! [Int], scalars: Self.hex(c["v"])), requiresGradient: true)
        let (out, weights) = mha(query: q, key: k, value: v, attentionMask: c["attention_mask"] as? [[Bool]], keyPaddingMask: c["key_padding_mask"] as? [[Bool]])
        #expect(out.shape == c["out_shape"] as! [Int] && weights.shape == c["weights_shape"] as! [Int])
        #expect(Self.close(out.value.scalars, Self.hex(c["out"])))
        #expect(Self.close(weights.value.scalars, Self.hex(c["weights"])))
        ((out * Variable(Tensor(shape: out.shape, scalars: Self.hex(c["w"])))).sum()
            + (weights * Variable(Tensor(shape: weights.shape, scalars: Self.hex(c["ww"])))).sum()).backward()
        #expect(Self.close(q.gradient!.scalars, Self.hex(c["dq"]), 1e-11))
        if !isSelf {
            #expect(Self.close(k.gradient!.scalars, Self.hex(c["dk"]), 1e-11))
            #expect(Self.close(v.gradient!.scalars, Self.hex(c["dv"]), 1e-11))
        }
        for (key, p) in params { #expect(Self.close(named[key]!.variable.gradient!.scalars, Self.hex(p["grad"]), 1e-11), "\(key)") }
    }

    @Test("A query with every key masked gives NaN, as PyTorch; the Layer form is unmasked self-attention")
    func maskedRowAndLayer() {
        manualSeed(1)
        let mha = MultiheadAttention<Double>(embedDim: 4, heads: 2, batchFirst: true)
        let x = Variable(Tensor<Double>.randomNormal([1, 2, 4]))
        let (out, _) = mha(query: x, key: x, value: x, keyPaddingMask: [[true, true]])
        #expect(out.value.scalars.allSatisfy { $0.isNaN })
        #expect(mha(x).value.scalars == mha(query: x, key: x, value: x).output.value.scalars)
        let f: ([Variable<Double>]) -> Variable<Double> = { mha($0[0]) }
        #expect(gradcheck(f, at: [x.value]).passed)
    }

    @Test("An embedding size not divisible by the heads, or a wrong width, stops with the fix")
    func badShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MultiheadAttention<Float>(embedDim: 6, heads: 4)
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("embedDim 6, heads 4") && text.contains("Fix:"), "\(text)")
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MultiheadAttention<Float>(embedDim: 4, heads: 2)(Variable(Tensor<Float>.zeros([3, 1, 5])))
        }
        let text2 = String(decoding: r2?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text2.contains("query of shape [3, 1, 5]") && text2.contains("Fix:"), "\(text2)")
    }
}
