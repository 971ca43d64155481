import Dispatch
import Synchronization
import Testing

@testable import Autograd
@testable import Tensor

/// `x²` with a backward that computes its derivative by running `gradients(of:)` on a graph of
/// its own: backward re-entered on the same thread (the engine's lock is recursive).
struct SquareByInnerGradient: DifferentiableFunction {
    var name: String { "squareByInnerGradient" }
    func forward(_ inputs: [Tensor<Double>]) -> Tensor<Double> { inputs[0] * inputs[0] }
    func backward(gradient: Variable<Double>, saved: [Variable<Double>]) -> [Variable<Double>?] {
        let t = Variable(saved[0].value, requiresGradient: true)
        let d = withGradients { gradients(of: (t * t).sum(), withRespectTo: [t])[0]! }  // 2x
        return [gradient * d.detached()]
    }
}

/// Backward passes from many threads through graphs that share a leaf (or a subgraph): the
/// accumulated gradient is exact and nothing crashes. CI also runs this suite under
/// ThreadSanitizer (`.ci/run`).
@Suite struct ConcurrentBackwardTests {
    static let threads = 8
    static let passes = 2000

    /// 8 × 2000 passes of ∂/∂x Σ(3x + 7x) = 10 per element: 160,000 exactly (integers far below
    /// 2⁵³). Every thread records its own graphs from the shared leaf, concurrently with the
    /// others' backward passes.
    @Test func sharedLeafAccumulatesEveryPass() {
        let x = Variable(Tensor<Double>([1, -2]), requiresGradient: true)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for _ in 0..<Self.passes {
                (x * 3 + x * 7).sum().backward()
            }
        }
        let expected = Double(Self.threads * Self.passes * 10)
        #expect(expected == 160_000)
        #expect(x.gradient?.scalars == [expected, expected])
    }

    /// Readers see whole passes only: while writers run backward passes (each adding 10 to both
    /// elements), every gradient read is nil or has two equal multiples of 10.
    @Test func gradientReadsSeeWholePasses() {
        let x = Variable(Tensor<Double>([0, 0]), requiresGradient: true)
        let torn = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { i in
            if i % 2 == 0 {
                for _ in 0..<Self.passes { (x * 10).sum().backward() }
            } else {
                for _ in 0..<Self.passes {
                    guard let g = x.gradient?.scalars else { continue }
                    if g[0] != g[1] || g[0].truncatingRemainder(dividingBy: 10) != 0 { torn.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(x.gradient?.scalars == [Double(Self.threads / 2 * Self.passes * 10), Double(Self.threads / 2 * Self.passes * 10)])
    }

    /// `gradients(of:)` from many threads returns each caller its own gradient (∂/∂x Σ x² = 2x
    /// at x = [1, −2]) and leaves the shared leaf's accumulated gradient untouched.
    @Test func gradientsOfFromManyThreads() {
        let x = Variable(Tensor<Double>([1, -2]), requiresGradient: true)
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for _ in 0..<Self.passes / 4 {
                let g = gradients(of: (x * x).sum(), withRespectTo: [x])[0]!
                if g.value.scalars != [2, -4] { wrong.add(1, ordering: .relaxed) }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(x.gradient == nil)
    }

    /// A subgraph shared by every thread (h = 2x, recorded once) is walked by concurrent
    /// backward passes with `retainGraph` (each swaps h's primitive out and back):
    /// ∂/∂x Σ 3h = 6 per pass, 8 × 500 passes = 24,000.
    @Test func sharedSubgraphWithRetainGraph() {
        let x = Variable(Tensor<Double>([1, 2, 3]), requiresGradient: true)
        let h = x * 2
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for _ in 0..<Self.passes / 4 {
                (h * 3).sum().backward(retainGraph: true)
            }
        }
        let expected = Double(Self.threads * Self.passes / 4 * 6)
        #expect(x.gradient?.scalars == [expected, expected, expected])
    }

    /// Backward re-entered from inside a custom function's backward, on many threads at once:
    /// ∂/∂x Σ f(x) = 2x per pass, at x = [1, −2], 8 × 250 passes.
    @Test func reentrantBackwardFromACustomFunction() {
        let x = Variable(Tensor<Double>([1, -2]), requiresGradient: true)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for _ in 0..<Self.passes / 8 {
                SquareByInnerGradient().apply(x).sum().backward()
            }
        }
        let n = Double(Self.threads * Self.passes / 8)
        #expect(x.gradient?.scalars == [2 * n, -4 * n])
    }

    /// Resets interleaved with backward passes never lose or tear a pass: after every thread
    /// is done and one final reset, one more pass gives exactly its own gradient.
    @Test func resetsInterleavedWithPasses() {
        let x = Variable(Tensor<Double>([1]), requiresGradient: true)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { i in
            for _ in 0..<Self.passes / 4 {
                if i == 0 { x.resetGradient() } else { (x * 5).sum().backward() }
            }
        }
        if let g = x.gradient?.scalars[0] { #expect(g.truncatingRemainder(dividingBy: 5) == 0) }
        x.resetGradient()
        (x * 5).sum().backward()
        #expect(x.gradient?.scalars == [5])
    }
}
