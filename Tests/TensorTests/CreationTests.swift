import Testing
import TestSupport

@testable import Tensor

@Suite struct CreationTests {
    @Test func literalsAndInitializers() {
        let m: Tensor<Float> = [[1, 2, 3], [4, 5, 6]]
        #expect(m.shape == [2, 3] && m.scalars == [1, 2, 3, 4, 5, 6])
        let cube: Tensor<Double> = [[[1], [2]], [[3], [4]]]
        #expect(cube.shape == [2, 2, 1])
        let empty: Tensor<Float> = []
        #expect(empty.shape == [0])
        #expect(Tensor<Float>(7).shape == [] && Tensor<Float>(7).scalar == 7)
        #expect(Tensor<Double>.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor<Double>.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor<Double>.full([2], 2.5).scalars == [2.5, 2.5])
        #expect(Tensor<Double>.arange(0, 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])
        #expect(Tensor<Double>.arange(5, 0, step: -2).scalars == [5, 3, 1])
        let ls = Tensor<Float>.linspace(-1, 1, count: 5).scalars
        #expect(ls == [-1, -0.5, 0, 0.5, 1])
        #expect(Tensor<Float>.linspace(0, 0.3, count: 7).scalars.last == 0.3)
        #expect(Tensor<Float>(Tensor<Double>([1.5, 2])).scalars == [1.5, 2])
    }

    @Test func randomGeneratorMatchesTheIndependentReference() {
        for (seed, expected) in RandomReference.outputs {
            var g = TensorRandom(seed: seed)
            #expect((0..<expected.count).map { _ in g.next() } == expected, "seed \(seed)")
        }
    }

    @Test func seededRandomTensorsAreReproducibleAndHaveTheRightMoments() {
        let a = Tensor<Float>.randomNormal([20_000], seed: 5)
        let b = Tensor<Float>.randomNormal([20_000], seed: 5)
        #expect(a.scalars == b.scalars)
        #expect(a.scalars != Tensor<Float>.randomNormal([20_000], seed: 6).scalars)
        // Mean within 5 standard errors of 0, variance within 5% of 1.
        #expect(Swift.abs(a.mean().scalar) < 5 / 141.4)
        #expect(Swift.abs(a.variance().scalar - 1) < 0.05)
        let u = Tensor<Double>.randomUniform([10_000], low: -2, high: 3, seed: 1)
        #expect(u.min().scalar >= -2 && u.max().scalar < 3)
        #expect(Swift.abs(u.mean().scalar - 0.5) < 0.1)
    }

    @Test func concatenateAndStack() {
        let a: Tensor<Double> = [[1, 2], [3, 4]]
        let b: Tensor<Double> = [[5, 6]]
        #expect(Tensor.concatenate([a, b], alongAxis: 0).scalars == [1, 2, 3, 4, 5, 6])
        let c = Tensor.concatenate([a, a.transposed()], alongAxis: 1)
        #expect(c.shape == [2, 4] && c.scalars == [1, 2, 1, 3, 3, 4, 2, 4])
        let s = Tensor.stack([a, a * 10], alongAxis: 1)
        #expect(s.shape == [2, 2, 2] && s.scalars == [1, 2, 10, 20, 3, 4, 30, 40])
        let last = Tensor.stack([Tensor<Double>([1, 2]), Tensor<Double>([3, 4])], alongAxis: -1)
        #expect(last.shape == [2, 2] && last.scalars == [1, 3, 2, 4])
        #expect(Tensor.concatenate([Tensor<Double>.zeros([0, 2]), b]).shape == [1, 2])
    }

    @Test func printingShowsShapeTypeAndValuesAndElides() {
        let t: Tensor<Float> = [[1, 2], [3, 4]]
        let text = t.description
        #expect(text.contains("shape: [2, 2]") && text.contains("Float32"))
        #expect(text.contains("[[1.0, 2.0],\n [3.0, 4.0]]"))
        let big = Tensor<Double>.arange(0, 5000)
        let bigText = big.description
        #expect(bigText.contains("…") && bigText.contains("4999.0") && !bigText.contains("2500.0"))
        #expect(Tensor<Float>([.nan, .infinity]).description.contains("[nan, inf]"))
        #expect(Tensor<Float>(3).description.contains("shape: [],\n3.0"))
    }
}
