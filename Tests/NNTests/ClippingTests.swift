import Foundation
import Testing
import TestSupport

@testable import NN

/// Gradient clipping (PyTorch's clip_grad_norm_ / clip_grad_value_), against the formulas.
@Suite("Gradient clipping")
struct ClippingTests {
    /// Two parameters whose gradients are set by hand: [3, 4] and [[12]] (total 2-norm 13).
    static func parameters() -> [Parameter<Double>] {
        let a = Parameter(Tensor<Double>([0, 0])), b = Parameter(Tensor<Double>([[0]]))
        a.variable.gradient = Tensor([3, 4])
        b.variable.gradient = Tensor([[12]])
        return [a, b]
    }

    @Test("By norm: the total 2-norm is returned and every gradient scaled by maxNorm/(total + 1e-6)")
    func byNorm() {
        let ps = Self.parameters()
        let total = clipGradientNorm(ps, maxNorm: 6.5)
        #expect(total == 13)
        let c = 6.5 / (13 + 1e-6)
        #expect(ps[0].variable.gradient!.scalars == [3 * c, 4 * c] && ps[1].variable.gradient!.scalars == [12 * c])
        // Under the bound: scaled by min(1, …) = 1, unchanged.
        let qs = Self.parameters()
        #expect(clipGradientNorm(qs, maxNorm: 100) == 13 && qs[0].variable.gradient!.scalars == [3, 4])
    }

    @Test("Other norms: 1-norm sums |g|, ∞-norm takes the largest |g|")
    func otherNorms() {
        #expect(clipGradientNorm(Self.parameters(), maxNorm: 100, normType: 1) == 19)
        let ps = Self.parameters()
        #expect(clipGradientNorm(ps, maxNorm: 6, normType: .infinity) == 12)
        #expect(Swift.abs(ps[1].variable.gradient!.scalars[0] - 12 * 6 / (12 + 1e-6)) < 1e-12)
        // p = 3: (27 + 64 + 1728)^(1/3).
        #expect(Swift.abs(clipGradientNorm(Self.parameters(), maxNorm: 100, normType: 3) - Foundation.pow(1819, 1.0 / 3)) < 1e-12)
    }

    @Test("By value: every element clamped to [−v, v]; NaN stays NaN; a parameter without gradient is skipped")
    func byValue() {
        let ps = Self.parameters()
        let none = Parameter(Tensor<Double>([1]))
        ps[0].variable.gradient = Tensor([-7, .nan])
        clipGradientValue(ps + [none], maxValue: 5)
        #expect(ps[0].variable.gradient!.scalars[0] == -5 && ps[0].variable.gradient!.scalars[1].isNaN)
        #expect(ps[1].variable.gradient!.scalars == [5] && none.variable.gradient == nil)
    }

    @Test("A NaN gradient makes the total NaN (returned, as PyTorch's default) and the gradients NaN")
    func nanTotal() {
        let ps = Self.parameters()
        ps[1].variable.gradient = Tensor([[.nan]])
        #expect(clipGradientNorm(ps, maxNorm: 1).isNaN)
        #expect(ps[0].variable.gradient!.scalars.allSatisfy { $0.isNaN })
    }

    @Test("Clipping inside a training step: the update of SGD is the clipped gradient times the rate")
    func inTraining() {
        let w = Parameter(Tensor<Double>([1, 2]))
        let loss = (w.variable * Variable(Tensor([30, 40]))).sum()  // ∂/∂w = [30, 40], norm 50
        loss.backward()
        let optimizer = SGD(parameters: [w], learningRate: 0.1)
        #expect(clipGradientNorm([w], maxNorm: 5) == 50)
        optimizer.step()
        let c = 5 / (50 + 1e-6)
        #expect(Swift.abs(w.value.scalars[0] - (1 - 0.1 * 30 * c)) < 1e-12 && Swift.abs(w.value.scalars[1] - (2 - 0.1 * 40 * c)) < 1e-12)
    }

    @Test("Setting a gradient of the wrong shape, or on a computed variable, stops with the fix")
    func badSet() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let p = Parameter(Tensor<Double>([1, 2]))
            p.variable.gradient = Tensor([1, 2, 3])
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("Variable.gradient") && text.contains("[3]") && text.contains("Fix:"), "\(text)")
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
            (x * 2).gradient = Tensor([1, 1])
        }
        let text2 = String(decoding: r2?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text2.contains("computed by an operation") && text2.contains("Fix:"), "\(text2)")
    }
}
