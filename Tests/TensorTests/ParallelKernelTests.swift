import Testing
import TestSupport

@testable import Tensor

/// The multi-threaded paths of the kernels (Sources/Tensor/Parallel.swift and its callers),
/// each on a tensor large enough that `TensorRuntime.threadCount = 2` really splits it (checked
/// with `Parallel.isParallel`), compared bit for bit with one thread. `.ci/run` also runs this
/// suite under ThreadSanitizer (`swift test --sanitize=thread --filter ParallelKernelTests`).
///
/// Serialized, and `.globalState`: the thread count is process-wide, so these tests run neither
/// alongside each other nor alongside any other test that sets it (in any suite or target).
@Suite(.serialized, .globalState) struct ParallelKernelTests {
    /// `body` at one thread and at two threads.
    func oneAndTwo<R>(_ body: () -> R) -> (R, R) {
        let saved = TensorRuntime.threadCount
        defer { TensorRuntime.threadCount = saved }
        TensorRuntime.threadCount = 1
        let one = body()
        let countDuringOne = TensorRuntime.threadCount
        TensorRuntime.threadCount = 2
        let two = body()
        let countDuringTwo = TensorRuntime.threadCount
        // A test that sets the count without `.globalState` could turn this into 1 vs 1 or 2 vs 2.
        #expect(countDuringOne == 1 && countDuringTwo == 2,
                "another test changed TensorRuntime.threadCount meanwhile (\(countDuringOne), \(countDuringTwo)): mark it .globalState")
        return (one, two)
    }

    func splits(_ count: Int, grain: Int) -> Bool {
        let saved = TensorRuntime.threadCount
        defer { TensorRuntime.threadCount = saved }
        TensorRuntime.threadCount = 2
        return Parallel.isParallel(count: count, grain: grain)
    }

    // Sizes are the smallest that split (debug builds, and 5–15× more under ThreadSanitizer).

    @Test("Unary kernels (exp, sigmoid) over 2 threads equal 1 thread, out of place and in place")
    func unary() {
        let n = 2 * TensorRuntime.elementwiseGrain + 7
        #expect(splits(n, grain: UnaryOp.exp.parallelGrain))
        let x = Tensor<Float>.randomNormal([n], seed: 3)
        for op in [UnaryOp.exp, .sigmoid] {
            let (one, two) = oneAndTwo { x.abs().applying(op).scalars }
            #expect(bitIdentical(one, two), "\(op)")
            let (inOne, inTwo) = oneAndTwo { () -> [Float] in
                var y = x.abs() + 0  // a private, uniquely held buffer: written in place
                y.apply(op)
                return y.scalars
            }
            #expect(bitIdentical(inOne, one) && bitIdentical(inTwo, one), "in place \(op)")
        }
    }

    @Test("mapped / zipMapped / formMapped vector closures over 2 threads equal 1 thread (Double)")
    func vectorMaps() {
        let n = 2 * TensorRuntime.elementwiseGrain + 1
        #expect(splits(n, grain: TensorRuntime.elementwiseGrain))
        let a = Tensor<Double>.randomNormal([n], seed: 4)
        let b = Tensor<Double>.randomNormal([n], seed: 5)
        let (m1, m2) = oneAndTwo { a.mapped { $0 * $0 + 1 }.scalars }
        #expect(m1 == m2 && m1[7] == a.scalars[7] * a.scalars[7] + 1)
        let (z1, z2) = oneAndTwo { Tensor.zipMapped(a, b) { $0 * $1 - $0 }.scalars }
        #expect(z1 == z2)
    }

    @Test("Memory-bound add splits only above 2^20 per thread (2^21 + 3 elements do); pow above 4096")
    func binary() {
        let n = (1 << 21) + 3
        #expect(splits(n, grain: BinaryOp.add.parallelGrain))
        let a = Tensor<Float>(shape: [n], scalars: (0..<n).map { Float($0 % 1013) })
        let b = Tensor<Float>(shape: [n], scalars: (0..<n).map { Float($0 % 17) * 0.5 })
        let (s1, s2) = oneAndTwo { (a + b).scalars }
        #expect(s1 == s2 && s1[n - 1] == Float((n - 1) % 1013) + Float((n - 1) % 17) * 0.5)
        let m = 3 * 4096 + 5
        #expect(splits(m, grain: BinaryOp.power.parallelGrain))
        let x = Tensor<Float>.randomNormal([m], seed: 6).abs()
        let y = Tensor<Float>.randomNormal([m], seed: 7)
        let (p1, p2) = oneAndTwo { x.pow(y).scalars }
        #expect(bitIdentical(p1, p2))
    }

    @Test("Row reductions split over rows: 2 threads equal 1 thread")
    func reductions() {
        let x = Tensor<Float>.randomNormal([4096, 40], seed: 8)
        #expect(splits(4096, grain: TensorRuntime.elementwiseGrain / 40))
        let (r1, r2) = oneAndTwo { x.sum(alongAxes: [1]).scalars }
        #expect(bitIdentical(r1, r2))
    }

    @Test("Batched matmul spreads batches over threads; a large product splits its tiles; both equal 1 thread")
    func matmul() {
        let a = Tensor<Float>.randomNormal([6, 9, 17], seed: 9)
        let b = Tensor<Float>.randomNormal([6, 17, 5], seed: 10)
        let (b1, b2) = oneAndTwo { Tensor.matmul(a, b).scalars }
        #expect(bitIdentical(b1, b2))
        let c = Tensor<Double>.randomNormal([150, 200], seed: 11)
        let d = Tensor<Double>.randomNormal([200, 140], seed: 12)
        let (d1, d2) = oneAndTwo { Tensor.matmul(c, d).scalars }
        #expect(maxRelativeError(d1, d2) < 1e-12)
    }
}
