import Foundation
import Testing
import TestSupport

@testable import Tensor

/// Naive reduction over `axes` of `t`, by visiting every element through `scalar(at:)`.
func naiveReduce(_ t: Tensor<Double>, axes: [Int], initial: Double, _ combine: (Double, Double) -> Double) -> [Double] {
    let outShape = t.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    var out = [Double](repeating: initial, count: outShape.reduce(1, *))
    for idx in allIndices(t.shape) {
        var flat = 0
        for (d, i) in idx.enumerated() { flat = flat * outShape[d] + (axes.contains(d) ? 0 : i) }
        out[flat] = combine(out[flat], t.scalar(at: idx))
    }
    return out
}

@Suite struct ReductionTests {
    let base = Tensor<Double>(shape: [3, 4, 5], scalars: sampleValues(60, positive: false, seed: 11))

    @Test func sumMaxMinAlongEveryAxisSetOnEveryLayout() {
        let axisSets: [[Int]] = [[0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2], [-1]]
        for (name, t) in layouts(of: base) {
            for axes in axisSets {
                let normalized = axes.map { $0 < 0 ? $0 + 3 : $0 }
                let s = t.sum(alongAxes: axes, keepingDimensions: true)
                #expect(maxRelativeError(s.scalars, naiveReduce(base, axes: normalized, initial: 0, +)) < 1e-13, "sum \(axes) \(name)")
                let mx = t.max(alongAxes: axes)
                #expect(mx.scalars == naiveReduce(base, axes: normalized, initial: -.infinity, { Swift.max($0, $1) }), "max \(axes) \(name)")
                let mn = t.min(alongAxes: axes)
                #expect(mn.scalars == naiveReduce(base, axes: normalized, initial: .infinity, { Swift.min($0, $1) }), "min \(axes) \(name)")
                #expect(s.rank == 3)
                #expect(mx.rank == 3 - axes.count)
            }
        }
        #expect(Swift.abs(base.sum().scalar - base.scalars.reduce(0, +)) < 1e-12)
        #expect(base.sum().shape == [])
    }

    @Test func meanAndVariance() {
        let t: Tensor<Double> = [[1, 2, 3, 4], [2, 4, 6, 8]]
        #expect(t.mean().scalar == 3.75)
        #expect(t.mean(alongAxes: [1]).scalars == [2.5, 5])
        // Unbiased: Σ(x−2.5)² / 3 = 5/3; population: 5/4.
        let v = t.variance(alongAxes: [1]).scalars
        #expect(Swift.abs(v[0] - 5.0 / 3) < 1e-15 && Swift.abs(v[1] - 20.0 / 3) < 1e-14)
        #expect(t.variance(alongAxes: [1], correction: 0).scalars[0] == 1.25)
        // Stable for a large common offset.
        let shifted = Tensor<Double>([1e9 + 1, 1e9 + 2, 1e9 + 3])
        #expect(shifted.variance().scalar == 1)
    }

    @Test func argmaxTakesTheFirstOfTiesAndTheFirstNaN() {
        let t: Tensor<Float> = [[1, 5, 5, 2], [3, .nan, 7, .nan], [-1, -1, -1, -1]]
        let (values, indices) = t.max(alongAxis: 1)
        #expect(indices == [1, 1, 0])
        #expect(values.scalars[0] == 5 && values.scalars[1].isNaN && values.scalars[2] == -1)
        #expect(t.argmin(alongAxis: 1) == [0, 1, 0])
        #expect(t.transposed().argmax(alongAxis: 0) == [1, 1, 0])
        let kept = t.max(alongAxis: 0, keepingDimensions: true)
        #expect(kept.values.shape == [1, 4] && kept.indices == [1, 1, 1, 1])
    }

    @Test func nanAndEmptyReductions() {
        let t = Tensor<Float>([1, 2, .nan] + [Float](repeating: 1, count: 40))
        #expect(t.max().scalar.isNaN && t.min().scalar.isNaN && t.sum().scalar.isNaN)
        let empty = Tensor<Float>.zeros([0, 3])
        #expect(empty.sum().scalar == 0)
        #expect(empty.sum(alongAxes: [0]).scalars == [0, 0, 0])
        #expect(empty.mean().scalar.isNaN)
    }

    @Test func largeSumsAreAccurate() {
        // 1M values whose sum is known exactly: 0.5 repeated.
        let t = Tensor<Float>(shape: [1 << 20], repeating: 0.5)
        #expect(t.sum().scalar == Float(1 << 19))
        let ramp = Tensor<Double>.arange(0, 100_000)
        #expect(ramp.sum().scalar == 99_999.0 * 100_000 / 2)
    }
}
