import Foundation
import Testing
import TestSupport

@testable import NN

@Suite struct LayerActivationTests {
    @Test func rreluTrainingIsSeededAndEvaluationUsesTheMeanSlope() {
        let a = RReLU<Double>(seed: 7)
        let b = RReLU<Double>(seed: 7)
        let x = DV(DT([-1, -2, 3, 0, -4, -0.0]), requiresGradient: true)
        let ya = a(x)
        #expect(ya.value.scalars == b(x).value.scalars)
        for (i, s) in a.lastSlopes!.scalars.enumerated() {
            #expect(s >= 1.0 / 8 && s < 1.0 / 3)
            if x.value.scalars[i] <= 0 { #expect(ya.value.scalars[i] == s * x.value.scalars[i]) }
        }
        // The saved slopes are the derivative for x ≤ 0 (so the drawn slope at 0 and −0, as
        // PyTorch 2.x's training-mode rrelu); 1 for x > 0.
        ya.sum().backward()
        let slopes = a.lastSlopes!.scalars
        #expect(x.gradient!.scalars == [slopes[0], slopes[1], 1, slopes[3], slopes[4], slopes[5]])
        #expect(ya.value.scalars[3].sign == .plus && ya.value.scalars[5].sign == .minus)
        // Frozen slopes make it one fixed function for gradcheck.
        a.freezeSlopes = true
        #expect(gradcheck({ a($0[0]) }, at: [DT([-1, -2, 3, 0.5, -4])]).passed)
        a.eval()
        #expect(a(DV(DT([-3]))).value.scalars == [-3 * (1.0 / 8 + 1.0 / 3) / 2])
        // Evaluation mode: the mean slope at 0 too.
        let z = DV(DT([0, -0.0, 2]), requiresGradient: true)
        a(z).sum().backward()
        #expect(z.gradient!.scalars == [(1.0 / 8 + 1.0 / 3) / 2, (1.0 / 8 + 1.0 / 3) / 2, 1])
    }

    @Test func maxoutLayerAndChannelGrouping() {
        var g = TensorRandom(seed: 1)
        let layer = Maxout<Double>(inputs: 3, outputs: 2, pieces: 4, using: &g)
        let x = DT.randomNormal([5, 3], seed: 2)
        let y = layer(DV(x))
        #expect(y.shape == [5, 2])
        // Against the definition: max over pieces of x·Wᵢᵀ + bᵢ.
        for n in 0..<5 {
            for j in 0..<2 {
                var best = -Double.infinity
                for i in 0..<4 {
                    var z = layer.bias.value.scalar(at: [i, j])
                    for p in 0..<3 { z += x.scalar(at: [n, p]) * layer.weight.value.scalar(at: [i, j, p]) }
                    best = Swift.max(best, z)
                }
                #expect(Swift.abs(y.value.scalar(at: [n, j]) - best) < 1e-12)
            }
        }
        // Gradients for input, weights and biases against finite differences.
        let w = layer.weight.value
        let b = layer.bias.value
        let r = gradcheck({ $0[0].maxout(weight: $0[1], bias: $0[2]) }, at: [x, w, b])
        #expect(r.passed, "\(r)")
        // Channel grouping on a feature map: [N, 6, H, W] with k = 3 → [N, 2, H, W].
        let fm = DT.randomNormal([2, 6, 2, 2], seed: 3)
        let grouped = DV(fm).maxout(groups: 3)
        #expect(grouped.shape == [2, 2, 2, 2])
        #expect(grouped.value.scalar(at: [1, 1, 0, 1]) == (3..<6).map { fm.scalar(at: [1, $0, 0, 1]) }.max()!)
        #expect(gradcheck({ $0[0].maxout(groups: 3) }, at: [fm]).passed)
    }

    @Test func caffePowerExpLog() {
        let x = DT([0.5, 1, 2.5])
        let p = DV(x).power(3, scale: 2, shift: 1).value.scalars
        #expect(maxRelativeError(p, [0.5, 1, 2.5].map { Foundation.pow(1 + 2 * $0, 3) }) < 1e-15)
        let e = DV(x).caffeExp(base: 2, scale: 0.5, shift: 1).value.scalars
        #expect(maxRelativeError(e, [0.5, 1, 2.5].map { Foundation.pow(2, 1 + 0.5 * $0) }) < 1e-15)
        let l = DV(x).caffeLog(base: 10, scale: 3, shift: 0.5).value.scalars
        #expect(maxRelativeError(l, [0.5, 1, 2.5].map { Foundation.log10(0.5 + 3 * $0) }) < 1e-15)
        #expect(gradcheck({ $0[0].power(2.5, scale: 2, shift: 1) }, at: [x]).passed)
        #expect(gradgradcheck({ $0[0].caffeExp(base: 3, scale: -0.5, shift: 0.2) }, at: [x]).passed)
        #expect(gradgradcheck({ $0[0].caffeLog(base: 2, scale: 1.5, shift: 0.1) }, at: [x]).passed)
    }

    @Test func maxoutFeaturesNotDivisibleByKStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>.zeros([2, 5, 3, 3])).maxout(groups: 2)
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("maxout") && text.contains("5 features") && text.contains("k = 2") && text.contains("Fix:"), "\(text)")
    }

    @Test func maxoutWithNoPiecesStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Maxout<Float>(inputs: 4, outputs: 2, pieces: 0)
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("Maxout") && text.contains("k = 0") && text.contains("Fix:"), "\(text)")
    }
}
