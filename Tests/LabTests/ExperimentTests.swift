import Foundation
import Testing

@testable import Lab
@testable import NN

/// The experiments in quick form. Where mathematics fixes the answer, its direction is asserted;
/// trained comparisons assert only that they ran and reported finite figures, never who wins.
@Suite("Activation lab experiments (quick)", .serialized)
struct ExperimentTests {
    static let quick = ExperimentOptions(quick: true)

    @Test("linear-collapse: four Linear layers equal their composed map to 1e-12 (Double); linear nets miss XOR")
    func linearCollapse() throws {
        #expect(LinearCollapse.collapseDifference() <= 1e-12)
        // A linear classifier cannot separate XOR: at most 3 of the 4 points; tanh can.
        #expect(LinearCollapse.fit(LinearCollapse.xor(), hidden: 8, activation: nil, steps: 200, seed: 0) <= 0.75)
        #expect(LinearCollapse.fit(LinearCollapse.xor(), hidden: 8, activation: "tanh", steps: 200, seed: 0) == 1)
    }

    @Test("selu-fixed-point: from layer 16 on, mean within 0 ± 0.1 and variance within 1 ± 0.15")
    func seluFixedPoint() throws {
        // The experiment's own function, at a size a debug build runs quickly: 20 layers × 256, batch 128.
        let profile = SELUFixedPoint.profile("selu", layers: 20, width: 256, batch: 128, seed: 0)
        for (layer, p) in profile.enumerated() where layer >= 15 {
            #expect(Swift.abs(p.mean) <= 0.1, "layer \(layer + 1) mean \(p.mean)")
            #expect(Swift.abs(p.variance - 1) <= 0.15, "layer \(layer + 1) variance \(p.variance)")
        }
        // Inputs from N(2, 4) start far from the fixed point: the first layer is not inside.
        #expect(Swift.abs(profile[0].mean) > 0.1 || Swift.abs(profile[0].variance - 1) > 0.15)
    }

    @Test("vanishing-gradient: sigmoid's first/last ratio below 1e-9 and under ∏ mean σ′ ≤ 0.25²⁰; relu's within 10× of 1")
    func vanishingGradient() {
        let sigmoid = VanishingGradient.gradientProfile("sigmoid", layers: 20, width: 64, batch: 32, seed: 0)
        let relu = VanishingGradient.gradientProfile("relu", layers: 20, width: 64, batch: 32, seed: 0)
        #expect(sigmoid.ratio < 1e-9, "\(sigmoid.ratio)")
        #expect(relu.ratio > 0.1 && relu.ratio < 10, "\(relu.ratio)")
        // σ′ ≤ 1/4 everywhere, so its mean over any layer is too.
        #expect(sigmoid.meanDerivatives.allSatisfy { $0 > 0 && $0 <= 0.25 })
        #expect(sigmoid.derivativeProduct <= pow(0.25, 20))
    }

    @Test("maxout-convex: the max error falls with k and stays within 2× of the minimax bound 2/k²")
    func maxoutConvex() {
        let errors = [2, 4, 8].map { MaxoutConvex.fit(pieces: $0, steps: 600, seed: 0) }
        #expect(errors[0] > errors[1] && errors[1] > errors[2], "\(errors)")
        for (e, k) in zip(errors, [2.0, 4, 8]) {
            #expect(e <= 2 * 2 / (k * k), "k = \(k): \(e)")
            // The bound is a minimum over all k-piece fits: no fit beats it.
            #expect(e >= 2 / (k * k) * 0.98, "k = \(k): \(e)")
        }
    }

    @Test("swish-limits: β = 0 is exactly x/2; the minimum is −0.2785 at −1.2785; the gap to ReLU shrinks as 0.2785/β")
    func swishLimits() {
        let grid = (0...200).map { -10 + Double($0) / 10 }
        #expect(SwishLimits.swish(grid, beta: 0) == grid.map { $0 / 2 })
        let gap100 = zip(SwishLimits.swish(grid + [-0.012785], beta: 100), grid + [-0.012785]).map { Swift.abs($0 - Swift.max($1, 0)) }.max()!
        #expect(Swift.abs(gap100 - 0.2785 / 100) < 1e-4, "\(gap100)")
        let m = SwishLimits.swish([-1.2785, -1.27, -1.29], beta: 1)
        #expect(Swift.abs(m[0] + 0.2785) < 1e-4 && m[0] < m[1] && m[0] < m[2])
    }

    @Test("saturation: softsign's derivative decays slower than tanh's and sigmoid's for x ≥ 2")
    func saturation() {
        for x in 2...10 {
            let t = Saturation.derivative("tanh", Double(x)), s = Saturation.derivative("softsign", Double(x))
            #expect(s >= t, "x = \(x)")
            // softsign′(x) = 1/(1 + x)², exactly.
            #expect(Swift.abs(s - 1 / Double((1 + x) * (1 + x))) < 1e-15)
        }
    }

    @Test("dead-relu: a NaN network is reported as diverged, never as 0% dead")
    func deadReLUNaN() {
        manualSeed(0)
        let model = mlp([4, 3, 3, 2]) { ReLU() }
        let data = Dataset<Float>(features: Tensor([[1, 2, 3, 4], [0, 1, 0, 1]]), labels: [0, 1])
        #expect(DeadReLU.deadFraction(model, data).isFinite)
        model.parameters()[0].assign(Tensor(shape: [3, 4], repeating: .nan))
        #expect(DeadReLU.deadFraction(model, data).isNaN)
        // A unit whose pre-activation is negative for every input is dead: all weights −1, bias −1.
        model.parameters()[0].assign(Tensor(shape: [3, 4], repeating: -1))
        #expect(DeadReLU.deadFraction(model, data) >= 0.5)
    }

    @Test("Every experiment is listed once, with a summary; quick trained ones report finite figures", arguments: ["zero-mean"])
    func trainedQuick(_ name: String) throws {
        #expect(Experiments.all.count >= 14)
        #expect(Set(Experiments.all.map(\.name)).count == Experiments.all.count)
        let e = try #require(Experiments.named(name))
        let r = try e.run(ExperimentOptions(quick: true, seeds: 1))
        #expect(!r.rows.isEmpty && r.json["verdict"] != nil)
        #expect(!r.json.text.contains("null"), "\(r.json.text)")
    }
}
