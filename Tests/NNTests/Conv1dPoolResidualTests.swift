import Foundation
import Testing
import TestSupport

@testable import NN

/// Conv1d and AdaptiveAvgPool2d against PyTorch; Residual against its definition.
@Suite("Conv1d, AdaptiveAvgPool2d, Residual")
struct Conv1dPoolResidualTests {
    static func entry(_ kind: String, _ name: String) -> [String: Any] {
        (NormEmbeddingTests.fixture[kind] as! [[String: Any]]).first { $0["name"] as! String == name }!
    }
    static func hex(_ any: Any?) -> [Double] { NormEmbeddingTests.hex(any) }
    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool { NormEmbeddingTests.close(a, b, tolerance) }

    @Test("Conv1d matches PyTorch: output, input, weight and bias gradients", arguments: ["conv1d_basic", "conv1d_stride_pad_dilation_groups"])
    func conv1d(_ name: String) {
        let c = Self.entry("conv1d", name)
        let xs = c["x_shape"] as! [Int], ws = c["weight_shape"] as! [Int]
        let bias = (c["bias"] as? [String]).map { Tensor<Double>(Self.hex($0)) }
        let layer = Conv1d<Double>(
            weight: Tensor(shape: ws, scalars: Self.hex(c["weight"])), bias: bias, stride: c["stride"] as! Int,
            padding: c["padding"] as! Int, dilation: c["dilation"] as! Int, groups: c["groups"] as! Int)
        let x = Variable(Tensor(shape: xs, scalars: Self.hex(c["x"])), requiresGradient: true)
        let y = layer(x)
        #expect(y.shape == c["y_shape"] as! [Int])
        #expect(Self.close(y.value.scalars, Self.hex(c["y"]), 1e-12))
        (y * Variable(Tensor(shape: y.shape, scalars: Self.hex(c["w"])))).sum().backward()
        #expect(Self.close(x.gradient!.scalars, Self.hex(c["dx"]), 1e-12))
        #expect(Self.close(layer.weight.gradient!.scalars, Self.hex(c["dweight"]), 1e-12))
        if let db = c["dbias"] as? [String] { #expect(Self.close(layer.bias!.variable.gradient!.scalars, Self.hex(db), 1e-12)) }
        #expect(layer.namedTensors().map(\.name) == (bias == nil ? ["weight"] : ["weight", "bias"]))
    }

    @Test("AdaptiveAvgPool2d matches PyTorch: global, overlapping, exact and upsampling windows",
          arguments: ["adaptive_global", "adaptive_overlapping", "adaptive_exact", "adaptive_upsampling"])
    func adaptive(_ name: String) {
        let c = Self.entry("adaptive", name)
        let out = c["output_size"] as! [Int]
        let x = Variable(Tensor(shape: c["x_shape"] as! [Int], scalars: Self.hex(c["x"])), requiresGradient: true)
        let y = AdaptiveAvgPool2d<Double>(outputSize: (out[0], out[1]))(x)
        #expect(Self.close(y.value.scalars, Self.hex(c["y"])))
        (y * Variable(Tensor(shape: y.shape, scalars: Self.hex(c["w"])))).sum().backward()
        #expect(Self.close(x.gradient!.scalars, Self.hex(c["dx"])))
    }

    @Test("Conv1d and AdaptiveAvgPool2d have second derivatives; a strided input works")
    func secondOrder() {
        var g = TensorRandom(seed: 3)
        let conv = Conv1d<Double>(weight: Tensor.randomNormal([2, 3, 2], using: &g), bias: Tensor([0.1, -0.2]), stride: 2, padding: 1)
        let input = Tensor<Double>.randomNormal([10, 3, 1], using: &g).permuted([2, 1, 0])  // [1, 3, 10], strided
        let f: ([Variable<Double>]) -> Variable<Double> = { conv($0[0]).tanh() }
        #expect(gradcheck(f, at: [input]).passed && gradgradcheck(f, at: [input]).passed)
        let pool = AdaptiveAvgPool2d<Double>(outputSize: (2, 2))
        let img = Tensor<Double>.randomNormal([3, 1, 5, 5], using: &g).transposed(0, 1)  // [1, 3, 5, 5], strided
        let p: ([Variable<Double>]) -> Variable<Double> = { pool($0[0]).tanh() }
        #expect(gradcheck(p, at: [img]).passed && gradgradcheck(p, at: [img]).passed)
    }

    @Test("Residual is x + body(x), its parameters named body.layers.i; a shape change stops")
    func residual() async {
        var g = TensorRandom(seed: 4)
        let inner = Linear<Double>(3, 3, using: &g)
        let block = Residual<Double> { inner; Tanh() }
        let x = Tensor<Double>.randomNormal([2, 3], using: &g)
        let expected = withoutGradients { (Variable(x) + inner(Variable(x)).tanh()).value.scalars }
        #expect(block(x).value.scalars == expected)
        #expect(block.namedTensors().map(\.name) == ["body.layers.0.weight", "body.layers.0.bias"])
        let f: ([Variable<Double>]) -> Variable<Double> = { block($0[0]) }
        #expect(gradcheck(f, at: [x]).passed)
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Residual<Float> { Linear(3, 4) }(Tensor<Float>.zeros([1, 3]))
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("Residual") && text.contains("[1, 4]") && text.contains("Fix:"), "\(text)")
    }
}
