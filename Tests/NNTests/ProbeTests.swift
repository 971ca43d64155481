import Foundation
import Testing
import TestSupport

@testable import NN

/// Probes: ValueStatistics, ActivationProbe and GradientStatistics against direct computation.
@Suite("Probes", .globalState)
struct ProbeTests {
    @Test("ValueStatistics matches mean, sd, zeros, min and max computed directly (vector body and tail)")
    func valueStatistics() {
        // 37 values: two full 16-lane vectors and a tail of 5 (Float), four 8-lane and 5 (Double).
        let xs: [Double] = (0..<37).map { i in i % 5 == 0 ? 0 : sin(Double(i)) * Double(i) / 4 }
        for t in [Tensor<Double>(xs).reshaped(to: [37]), Tensor<Double>(xs).reshaped(to: [1, 37])] {
            var s = ValueStatistics()
            s.add(t)
            let mean = xs.reduce(0, +) / 37
            let sd = (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 37).squareRoot()
            #expect(s.count == 37 && Swift.abs(s.mean - mean) < 1e-12 && Swift.abs(s.standardDeviation - sd) < 1e-12)
            #expect(s.zeroCount == 8 && s.minimum == xs.min()! && s.maximum == xs.max()!)
            #expect(Swift.abs(s.sumOfAbsolutes - xs.reduce(0) { $0 + Swift.abs($1) }) < 1e-12)
            #expect(s.nanCount == 0 && s.allFinite && s.saturatedCount == 0)
        }
        // Float: the same within Float rounding, and merging two halves equals one pass.
        var whole = ValueStatistics(), halves = ValueStatistics(), other = ValueStatistics()
        let f = Tensor<Float>(xs.map(Float.init))
        whole.add(f)
        halves.add(f[0..<20])
        other.add(f[20...])
        halves.merge(other)
        #expect(whole.count == halves.count && whole.zeroCount == halves.zeroCount && whole.minimum == halves.minimum)
        #expect(Swift.abs(whole.mean - halves.mean) < 1e-6)
    }

    @Test("NaN is never hidden: mean, sd, min and max are NaN and the NaNs are counted")
    func nanPropagates() {
        var s = ValueStatistics()
        s.add(Tensor<Float>((0..<20).map { $0 == 17 ? .nan : Float($0) }))
        #expect(s.nanCount == 1 && s.mean.isNaN && s.standardDeviation.isNaN && s.minimum.isNaN && s.maximum.isNaN)
        #expect(!s.allFinite && s.fractionNaN == 1.0 / 20)
        var inf = ValueStatistics()
        inf.add(Tensor<Double>([1, .infinity]))
        #expect(!inf.allFinite && inf.maximum == .infinity)
    }

    @Test("Saturation: values within 1% of the range's width from a bound of a bounded activation")
    func saturation() {
        // sigmoid's range [0, 1]: saturated means ≤ 0.01 or ≥ 0.99, i.e. |x| ≥ ln 99 ≈ 4.595.
        let xs: [Float] = [-10, -4.7, -4.5, 0, 1, 4.5, 4.7, 10, 20]
        let model = Sequential<Float> { Sigmoid() }
        let probe = ActivationProbe(model, of: Float.self)
        _ = model(Tensor(xs))
        let record = probe.layers[0]
        #expect(record.bounds == 0...1)
        #expect(record.statistics.saturatedCount == xs.filter { Swift.abs($0) >= Float(log(99.0)) }.count)
        #expect(record.statistics.saturatedCount == 5)
        // ReLU has no upper bound: nothing counts as saturated.
        let relu = Sequential<Float> { ReLU() }
        let reluProbe = ActivationProbe(relu, of: Float.self)
        _ = relu(Tensor(xs))
        #expect(reluProbe.layers[0].bounds == nil && reluProbe.layers[0].statistics.saturatedCount == 0)
        #expect(reluProbe.layers[0].statistics.zeroCount == 4)
    }

    @Test("ActivationProbe records every leaf layer over several calls, pauses, resets and removes")
    func activationProbe() {
        manualSeed(3)
        let model = Sequential<Float> { Linear(4, 6); ReLU(); Linear(6, 2) }
        let probe = ActivationProbe(model, of: Float.self)
        #expect(probe.layers.map(\.name) == ["layers.0", "layers.1", "layers.2"])
        let x = Tensor<Float>.randomNormal([5, 4])
        _ = model(x)
        _ = model(x)
        #expect(probe.layers.map(\.statistics.count) == [60, 60, 20])
        // The ReLU's zeros are the Linear outputs ≤ 0, counted directly.
        let z = withoutGradients { (model.layers[0] as! Linear<Float>).forward(Variable(x)).value.scalars }  // forward: no hooks
        #expect(probe.layers[1].statistics.zeroCount == 2 * z.filter { $0 <= 0 }.count)
        probe.isRecording = false
        _ = model(x)
        #expect(probe.layers[0].statistics.count == 60)
        probe.isRecording = true
        probe.reset()
        #expect(probe.layers.allSatisfy { $0.statistics.count == 0 })
        probe.remove()
        _ = model(x)
        #expect(probe.layers.allSatisfy { $0.statistics.count == 0 })
        #expect(model.namedModules().allSatisfy { $0.module.forwardHooks.isEmpty })
    }

    @Test("GradientStatistics: norm, mean |g| and the zero fraction of each parameter's gradient")
    func gradientStatistics() {
        let linear = Linear<Double>(weight: Tensor([[1, -2], [3, 4]]), bias: Tensor([0.5, -0.5]))
        let x = Variable(Tensor<Double>([[1, 0], [2, 0]]))
        // Σ over the batch of x·Wᵀ + b: ∂/∂W[o, i] = Σₙ x[n, i] = [3, 0] per row; ∂/∂b = [2, 2].
        linear(x).sum().backward()
        let stats = GradientStatistics.of(linear, Double.self)
        #expect(stats.map(\.name) == ["weight", "bias"])
        #expect(Swift.abs(stats[0].norm - (9.0 + 9).squareRoot()) < 1e-12)
        #expect(stats[0].meanAbsolute == 6.0 / 4 && stats[0].fractionZero == 0.5)
        #expect(Swift.abs(stats[1].norm - 8.0.squareRoot()) < 1e-12 && stats[1].fractionZero == 0)
    }
}
