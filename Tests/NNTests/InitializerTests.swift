import Foundation
import Testing
import TestSupport

@testable import NN

/// Sample mean and (population) variance.
private func moments(_ t: Tensor<Double>) -> (mean: Double, variance: Double) {
    let s = t.scalars
    let mean = s.reduce(0, +) / Double(s.count)
    return (mean, s.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(s.count))
}

@Suite("Initializers")
struct InitializerTests {
    @Test("calculateGain follows PyTorch's table")
    func gains() {
        for f in [Nonlinearity.linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid] {
            #expect(calculateGain(f) == 1)
        }
        #expect(calculateGain(.tanh) == 5.0 / 3)
        #expect(calculateGain(.relu) == 2.0.squareRoot())
        #expect(calculateGain(.leakyReLU) == (2 / (1 + 0.01 * 0.01)).squareRoot())
        #expect(calculateGain(.leakyReLU, parameter: 0.2) == (2 / 1.04).squareRoot())
        #expect(calculateGain(.leakyReLU, parameter: 0) == 2.0.squareRoot())
        #expect(calculateGain(.selu) == 0.75)
        #expect(calculateGain(.relu, parameter: 5) == 2.0.squareRoot())  // ignored, as PyTorch
    }

    @Test("Fans of Linear and convolution weights")
    func fanCounts() {
        #expect(fans(ofShape: [64, 128]) == (128, 64))
        #expect(fans(ofShape: [16, 3, 5, 5]) == (75, 400))
        #expect(fans(ofShape: [8, 4, 3]) == (12, 24))
    }

    @Test("Uniform initializers: inside their bound, mean 0 and variance bound²/3 within sampling error")
    func uniformStatistics() {
        var g = TensorRandom(seed: 11)
        let shape = [200, 300]
        let n = 60_000.0
        let cases: [(Tensor<Double>, Double)] = [
            (.xavierUniform(shape, gain: 2, using: &g), 2 * (6.0 / 500).squareRoot()),
            (.kaimingUniform(shape, using: &g), 3.0.squareRoot() * 2.0.squareRoot() / 300.0.squareRoot()),
            (.kaimingUniform(shape, a: 0.5, mode: .fanOut, nonlinearity: .leakyReLU, using: &g),
             3.0.squareRoot() * (2 / 1.25).squareRoot() / 200.0.squareRoot()),
        ]
        for (t, bound) in cases {
            #expect(t.shape == shape)
            #expect(t.scalars.allSatisfy { Swift.abs($0) <= bound })
            #expect(t.scalars.max()! > 0.99 * bound && t.scalars.min()! < -0.99 * bound)
            let (mean, variance) = moments(t)
            let expectedVariance = bound * bound / 3
            // 5 standard errors: σ/√n for the mean, ≈ √(4/5)·σ²/√n... use the uniform's 4th moment.
            #expect(Swift.abs(mean) < 5 * (expectedVariance / n).squareRoot())
            let varianceSE = ((bound * bound * bound * bound / 5 - expectedVariance * expectedVariance) / n).squareRoot()
            #expect(Swift.abs(variance - expectedVariance) < 5 * varianceSE)
        }
    }

    @Test("Normal initializers: mean 0 and the formula's variance within sampling error")
    func normalStatistics() {
        var g = TensorRandom(seed: 12)
        let shape = [20, 30, 10, 10]  // conv weight: fan in 3000, fan out 2000
        let n = 60_000.0
        let cases: [(Tensor<Double>, Double)] = [
            (.xavierNormal(shape, using: &g), (2.0 / 5000).squareRoot()),
            (.kaimingNormal(shape, nonlinearity: .relu, using: &g), 2.0.squareRoot() / 3000.0.squareRoot()),
            (.kaimingNormal(shape, mode: .fanOut, nonlinearity: .tanh, using: &g), 5.0 / 3 / 2000.0.squareRoot()),
        ]
        for (t, std) in cases {
            let (mean, variance) = moments(t)
            let v = std * std
            #expect(Swift.abs(mean) < 5 * std / n.squareRoot())
            #expect(Swift.abs(variance - v) < 5 * v * (2 / n).squareRoot())
        }
    }

    @Test("A parameter re-initializes in place: same shape and slot, fresh values, no gradient")
    func reinitialize() {
        let layer = Linear<Float>(4, 3)
        let params = Dictionary(uniqueKeysWithValues: layer.namedParameters(of: Float.self).map { ($0.name, $0.parameter) })
        let weight = params["weight"]!, bias = params["bias"]!
        (layer(Variable(Tensor.ones([2, 4]))).sum()).backward()
        #expect(weight.gradient != nil)
        var g = TensorRandom(seed: 5)
        weight.initialize(.xavierUniform(), using: &g)
        var g2 = TensorRandom(seed: 5)
        #expect(layer.weight.value == Tensor<Float>.xavierUniform([3, 4], using: &g2))
        #expect(weight.gradient == nil)
        bias.initialize(.constant(0))
        #expect(layer.bias!.value.scalars == [0, 0, 0])
    }

    @Test func fansOfAVectorStop() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var g = TensorRandom(seed: 0)
            _ = Tensor<Float>.xavierUniform([10], using: &g)
        }
        expectStop(r, mentions: ["fans(ofShape:)", "[10]"])
    }
}
