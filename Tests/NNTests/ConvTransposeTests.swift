import Foundation
import Testing
import TestSupport

@testable import NN

/// ConvTranspose2d against PyTorch's conv_transpose2d, and as conv2d's adjoint.
@Suite("ConvTranspose2d")
struct ConvTransposeTests {
    static func entry(_ name: String) -> [String: Any] {
        (NormEmbeddingTests.fixture["conv_transpose"] as! [[String: Any]]).first { $0["name"] as! String == name }!
    }
    static func hex(_ any: Any?) -> [Double] { NormEmbeddingTests.hex(any) }
    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool { NormEmbeddingTests.close(a, b, tolerance) }
    static func pair(_ any: Any?) -> (Int, Int) { let v = any as! [Int]; return (v[0], v[1]) }

    @Test("Matches PyTorch: output, input, weight and bias gradients (stride, padding, output padding, dilation, groups)",
          arguments: ["transpose_basic", "transpose_upsample_x2", "transpose_groups_dilation"])
    func matchesPyTorch(_ name: String) {
        let c = Self.entry(name)
        let bias = (c["bias"] as? [String]).map { Tensor<Double>(Self.hex($0)) }
        let layer = ConvTranspose2d<Double>(
            weight: Tensor(shape: c["weight_shape"] as! [Int], scalars: Self.hex(c["weight"])), bias: bias, stride: Self.pair(c["stride"]),
            padding: Self.pair(c["padding"]), outputPadding: Self.pair(c["output_padding"]), groups: c["groups"] as! Int, dilation: Self.pair(c["dilation"]))
        let x = Variable(Tensor(shape: c["x_shape"] as! [Int], scalars: Self.hex(c["x"])), requiresGradient: true)
        let y = layer(x)
        #expect(y.shape == c["y_shape"] as! [Int])
        #expect(Self.close(y.value.scalars, Self.hex(c["y"])))
        (y * Variable(Tensor(shape: y.shape, scalars: Self.hex(c["w"])))).sum().backward()
        #expect(Self.close(x.gradient!.scalars, Self.hex(c["dx"])))
        #expect(Self.close(layer.weight.gradient!.scalars, Self.hex(c["dweight"])))
        if let db = c["dbias"] as? [String] { #expect(Self.close(layer.bias!.variable.gradient!.scalars, Self.hex(db))) }
    }

    @Test("It is conv2d's adjoint: ⟨convT(x), z⟩ = ⟨x, conv2d(z)⟩ with the same weight; second derivatives")
    func adjoint() {
        var g = TensorRandom(seed: 8)
        let w = Tensor<Double>.randomNormal([3, 2, 3, 3], using: &g)  // convT: 3 → 2; conv2d: 2 → 3
        let t = ConvTranspose2d<Double>(weight: w, bias: nil, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        let x = Tensor<Double>.randomNormal([1, 3, 4, 4], using: &g)
        let y = t(Variable(x)).value  // [1, 2, 8, 8]
        let z = Tensor<Double>.randomNormal(y.shape, using: &g)
        let back = Variable(z).conv2d(weight: Variable(w), stride: (2, 2), padding: (1, 1)).value  // [1, 3, 4, 4]
        let lhs = zip(y.scalars, z.scalars).reduce(0) { $0 + $1.0 * $1.1 }, rhs = zip(x.scalars, back.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(Swift.abs(lhs - rhs) < 1e-10 * Swift.max(1, Swift.abs(lhs)))
        let f: ([Variable<Double>]) -> Variable<Double> = { t($0[0]).tanh() }
        let small = Tensor<Double>.randomNormal([1, 3, 2, 2], using: &g)
        #expect(gradcheck(f, at: [small]).passed && gradgradcheck(f, at: [small]).passed)
    }

    @Test("An output padding not below the stride, or the wrong channel count, stops with the fix")
    func badConfig() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ConvTranspose2d<Float>(2, 2, kernelSize: 3, stride: 1, outputPadding: 1)
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("outputPadding (1, 1)") && text.contains("Fix:"), "\(text)")
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ConvTranspose2d<Float>(2, 2, kernelSize: 3)(Variable(Tensor<Float>.zeros([1, 3, 4, 4])))
        }
        let text2 = String(decoding: r2?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text2.contains("[1, 3, 4, 4]") && text2.contains("Fix:"), "\(text2)")
    }
}
