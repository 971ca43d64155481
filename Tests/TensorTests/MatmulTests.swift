import Testing
import TestSupport

@testable import Tensor

func naiveMatmul(_ a: Tensor<Double>, _ b: Tensor<Double>) -> [Double] {
    let m = a.shape[0], k = a.shape[1], n = b.shape[1]
    var out = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for p in 0..<k { out[i * n + j] += a.scalar(at: [i, p]) * b.scalar(at: [p, j]) } } }
    return out
}

@Suite struct MatmulTests {
    @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 33, 9), (64, 70, 65), (5, 0, 4)])
    func matmulMatchesTheNaiveProductOnEveryLayout(m: Int, k: Int, n: Int) {
        let a = Tensor<Double>(shape: [m, k], scalars: sampleValues(m * k, positive: false, seed: 1))
        let b = Tensor<Double>(shape: [k, n], scalars: sampleValues(k * n, positive: false, seed: 2))
        let expected = naiveMatmul(a, b)
        for (la, ta) in layouts(of: a) {
            for (lb, tb) in layouts(of: b) {
                let c = Tensor.matmul(ta, tb)
                #expect(c.shape == [m, n])
                #expect(maxRelativeError(c.scalars, expected) < 1e-13, "\(la) × \(lb)")
            }
        }
        let viaFlags = Tensor.matmul(a.transposed().contiguous(), b.transposed().contiguous(), transposingA: true, transposingB: true)
        #expect(maxRelativeError(viaFlags.scalars, expected) < 1e-13)
        let f = Tensor.matmul(Tensor<Float>(a), Tensor<Float>(b))
        #expect(maxRelativeError(f.scalars.map(Double.init), expected) < 1e-4)
    }

    @Test func batchedMatmulBroadcastsBatchDimensions() {
        let a = Tensor<Double>(shape: [2, 1, 3, 4], scalars: sampleValues(24, positive: false, seed: 3))
        let b = Tensor<Double>(shape: [5, 4, 2], scalars: sampleValues(40, positive: false, seed: 4))
        let c = Tensor.matmul(a, b)
        #expect(c.shape == [2, 5, 3, 2])
        for i in 0..<2 {
            for j in 0..<5 {
                let expected = naiveMatmul(a[i][0], b[j])
                #expect(maxRelativeError(c[i][j].scalars, expected) < 1e-14)
            }
        }
        // Expanded (stride-0) batch operands are read without copying.
        let shared = b[0].unsqueezed(axis: 0).expanded(to: [3, 4, 2])
        let d = Tensor.matmul(a[0], shared)
        #expect(d.shape == [3, 3, 2])
        #expect(maxRelativeError(d[2].scalars, naiveMatmul(a[0][0], b[0])) < 1e-14)
    }

    @Test func vectorsFollowNumPySemantics() {
        let m: Tensor<Double> = [[1, 2], [3, 4], [5, 6]]
        let v: Tensor<Double> = [1, -1]
        #expect(Tensor.matmul(m, v).shape == [3] && Tensor.matmul(m, v).scalars == [-1, -1, -1])
        let w: Tensor<Double> = [1, 0, 1]
        #expect(Tensor.matmul(w, m).scalars == [6, 8])
        #expect(Tensor.matmul(v, v).shape == [] && Tensor.matmul(v, v).scalar == 2)
    }

    @Test(.globalState) func largeProductUsesThreadsAndMatchesSingleThread() {  // sets TensorRuntime.threadCount
        let a = Tensor<Float>.randomNormal([130, 257], seed: 1)
        let b = Tensor<Float>.randomNormal([257, 129], seed: 2)
        let saved = TensorRuntime.threadCount
        defer { TensorRuntime.threadCount = saved }
        TensorRuntime.threadCount = 1
        let one = Tensor.matmul(a, b)
        TensorRuntime.threadCount = 2
        let two = Tensor.matmul(a, b)
        let ref = naiveMatmul(Tensor<Double>(a), Tensor<Double>(b))
        #expect(maxRelativeError(one.scalars.map(Double.init), ref) < 1e-4)
        #expect(maxRelativeError(two.scalars.map(Double.init), ref) < 1e-4)
    }
}
