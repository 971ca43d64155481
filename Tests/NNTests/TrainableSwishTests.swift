import Foundation
import Testing
import TestSupport

@testable import NN

@Suite struct TrainableSwishTests {
    @Test func betaGradientMatchesTheFormulaAndFiniteDifferences() {
        let x = DT([-2, -0.5, 0.3, 1.7])
        let layer = TrainableSwish<Double>(initialValue: 1.3)
        let y = layer(DV(x))
        // Forward equals the constant-β swish.
        #expect(maxRelativeError(y.value.scalars, x.swish(beta: 1.3).scalars) < 1e-15)
        y.sum().backward()
        // ∂/∂β = Σ x²·σ(βx)(1 − σ(βx)).
        let expected = x.scalars.map { v -> Double in
            let s = 1 / (1 + Foundation.exp(-1.3 * v))
            return v * v * s * (1 - s)
        }.reduce(0, +)
        #expect(Swift.abs(layer.beta.gradient!.scalars[0] - expected) < 1e-14)
        // Per-channel β on [N, C, H, W], input and β both checked, to second order.
        let fm = DT.randomNormal([2, 3, 2, 2], seed: 8)
        let betas = DT([0.5, 1, 2])
        #expect(gradcheck({ $0[0].swish(beta: $0[1]) }, at: [fm, betas]).passed)
        #expect(gradgradcheck({ $0[0].swish(beta: $0[1]) }, at: [fm, betas]).passed)
    }

    @Test func wrongNumberOfBetasStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>.zeros([2, 4])).swish(beta: Variable(Tensor<Float>([1, 2, 3])))
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("swish") && text.contains("3 β") && text.contains("[2, 4]") && text.contains("Fix:"), "\(text)")
    }
}
