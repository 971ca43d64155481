import Dispatch
import Foundation
import Testing

@testable import Autograd
@testable import Tensor

/// Graphs as deep as a long unrolled loop: freeing them and running backward through them must
/// not recurse per node (a chain of ~75,000 nodes overflowed the main thread's stack in
/// `Node.deinit`, a few thousand a Dispatch thread's 512 KB).
@Suite struct DeepGraphTests {
    static let depth = 1_000_000

    /// A chain of `depth` add nodes behind a one-element leaf, recorded directly (the
    /// operations' tensor arithmetic would dominate a debug-build test); what is freed is the
    /// same as for `y = y + 0.5` repeated. Returns the chain's top variable.
    static func chain(of depth: Int, from x: Variable<Float>) -> Variable<Float> {
        var y = x
        for _ in 0..<depth {
            y = Variable(value: y.value, node: Node(.add, first: Edge(node: y.node, shape: [1]), shape: [1]))
        }
        return y
    }

    /// Builds a million-node chain and drops it; true when its first and last nodes are gone
    /// afterwards (weak references) and the leaf is intact.
    static func buildAndDropChain() -> Bool {
        let x = Variable(Tensor<Float>([1]), requiresGradient: true)
        var y = chain(of: depth, from: x)
        weak let top = y.node
        weak var bottom: Node<Float>?
        var n = y.node
        while let next = n?.first?.node, next !== x.node { n = next }
        bottom = n
        n = nil
        let aliveBefore = top != nil && bottom != nil && bottom !== top
        y = x  // frees the chain
        return aliveBefore && top == nil && bottom == nil && x.node != nil && x.node!.isLeaf
    }

    @Test func droppingAMillionNodeChainOnTheCallingThread() {
        #expect(Self.buildAndDropChain())
    }

    @Test func droppingAMillionNodeChainOnADispatchThread() async {
        let ok = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async { done.resume(returning: Self.buildAndDropChain()) }
        }
        #expect(ok)
    }

    /// On a thread with a 512 KB stack (the size of a Dispatch worker's on some platforms).
    @Test func droppingAMillionNodeChainOnA512KBThread() async {
        let ok = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let thread = Thread { done.resume(returning: Self.buildAndDropChain()) }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(ok)
    }

    /// Nodes whose inputs are also saved for the derivative (multiply keeps both), so the
    /// primitives' saved variables hold the chain as well as the edges: y ← y·c a million
    /// times (recorded directly), dropped on a Dispatch thread.
    @Test func droppingAChainOfMultipliesOnADispatchThread() async {
        let ok = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async {
                let x = Variable(Tensor<Double>([3]), requiresGradient: true)
                let c = Variable(Tensor<Double>([1]), requiresGradient: true)
                var y = x
                for _ in 0..<Self.depth {
                    let node = Node(
                        .multiply(Saved(y), Saved(c)), first: Edge(node: y.node, shape: [1]),
                        second: Edge(node: c.node, shape: [1]), shape: [1])
                    y = Variable(value: y.value, node: node)
                }
                weak let top = y.node
                y = x
                done.resume(returning: top == nil)
            }
        }
        #expect(ok)
    }

    /// The public operations record the same nodes: y ← y + 0.5 and y ← y·c, 10⁵ times each,
    /// freed on a Dispatch thread; the value is exact (multiples of 0.5).
    @Test func droppingAChainOfOperationsOnADispatchThread() async {
        let value = await withCheckedContinuation { (done: CheckedContinuation<Float, Never>) in
            DispatchQueue.global().async {
                let x = Variable(Tensor<Float>([1]), requiresGradient: true)
                let c = Variable(Tensor<Float>([1]), requiresGradient: true)
                var y = x
                for _ in 0..<50_000 { y = (y + 0.5) * c }
                done.resume(returning: y.value.scalars[0])
            }
        }
        #expect(value == 1 + 50_000 * 0.5)
    }

    /// Backward through a 200,000-node chain (the engine is a heap walk, not recursive; a
    /// million nodes takes 6 s in a debug build), on a Dispatch thread: a chain of adds of the
    /// leaf x, y = x + x + … + x (recorded directly as above), has ∂y/∂x = 200,001, accumulated
    /// in exact integer steps. The chain is then freed on that thread.
    @Test func backwardThroughALongChain() async {
        let gradient = await withCheckedContinuation { (done: CheckedContinuation<[Float], Never>) in
            DispatchQueue.global().async {
                let x = Variable(Tensor<Float>([2]), requiresGradient: true)
                var y = x
                for _ in 0..<200_000 {
                    y = Variable(value: y.value, node: Node(.add, first: Edge(node: y.node, shape: [1]), second: Edge(node: x.node, shape: [1]), shape: [1]))
                }
                y.backward()
                done.resume(returning: x.gradient!.scalars)
            }
        }
        #expect(gradient == [200_001])
    }

    /// A wide and deep graph with shared subexpressions (each node used twice): dropping it
    /// frees every node once, and a node still held outside survives with its graph.
    @Test func sharedNodesAreFreedOnceAndHeldNodesSurvive() {
        let x = Variable(Tensor<Double>([1]), requiresGradient: true)
        var y = x
        var kept: Variable<Double>?
        for i in 0..<20_000 {
            y = y * 0.5 + y * 0.5  // y's node feeds two nodes
            if i == 10_000 { kept = y }
        }
        y = Variable(Tensor<Double>([0]))  // drop the top part of the graph
        // The part behind `kept` is intact: backward through it reaches x with gradient 1
        // (each step is y·½ + y·½).
        kept!.backward()
        #expect(x.gradient?.scalars == [1])
    }
}
