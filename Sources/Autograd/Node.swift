import Synchronization

/// A tensor an operation kept for its derivative, with the storage version at the time, so
/// backward can tell whether it was written in place since.
public struct Saved<Scalar: TensorScalar>: Sendable {
    let variable: Variable<Scalar>
    let version: Int

    @usableFromInline
    init(_ v: Variable<Scalar>) {
        variable = v
        version = v.value.storageVersion
    }
}

/// An input edge: the node gradients flow to, and the input's shape (for un-broadcasting).
struct Edge<Scalar: TensorScalar>: Sendable {
    let node: Node<Scalar>?
    let shape: [Int]
}

let sequenceCounter = Atomic<Int>(0)

/// The number of graph nodes alive (see `GraphStatistics.liveNodeCount`).
let liveNodes = Atomic<Int>(0)

/// Counters of the autograd graph, for leak checks.
public enum GraphStatistics {
    /// How many graph nodes (leaves of variables that require a gradient, and recorded
    /// operations) created while `TensorRuntime.countsLiveObjects` was on are still alive. A
    /// graph is freed with the last variable that reaches it, so between two training steps this
    /// is the model's leaves only; growth means something keeps old graphs alive.
    public static var liveNodeCount: Int { liveNodes.load(ordering: .relaxed) }
}

/// One recorded operation: the primitive with what its derivative reads, and its input edges.
///
/// Nodes are numbered in recording order, which is a valid topological order; backward visits
/// them from the highest number down. The graph is owned by the variables that reach it, so it
/// is freed with them (and its saved tensors right after a backward without `retainGraph`).
///
/// `@unchecked Sendable` holds because every mutable field is written either under
/// `engineLock` (`primitive`, `released`, `leafGradient`, the scratch state: only backward
/// passes and the gradient accessors write them, all under the lock) or in `deinit` on a node
/// no other reference can reach (the edges). Forward passes only read the `let` fields of
/// existing nodes.
public final class Node<Scalar: TensorScalar>: @unchecked Sendable {
    let sequence: Int
    var primitive: Primitive<Scalar>
    // Input edges: the first two inline (no array for the common case), the rest in `more`.
    // Variables only so that freeing the graph can take them out (see `deinit`).
    private(set) var first: Edge<Scalar>?
    private(set) var second: Edge<Scalar>?
    private(set) var more: [Edge<Scalar>]
    let inputCount: Int
    let isLeaf: Bool
    /// The shape of the output (of the leaf, for leaves).
    let shape: [Int]
    /// A leaf's accumulated gradient (under `engineLock`).
    var leafGradient: Tensor<Scalar>?
    /// Set after a backward without `retainGraph` freed the saved tensors.
    var released = false
    /// Whether this node was counted in `GraphStatistics.liveNodeCount`.
    let counted: Bool

    // Backward-pass scratch state (under `engineLock`).
    var pending: Variable<Scalar>?
    var queued = false

    init(leafOfShape shape: [Int]) {
        counted = TensorRuntime.countsLiveObjects
        if counted { liveNodes.wrappingAdd(1, ordering: .relaxed) }
        sequence = sequenceCounter.wrappingAdd(1, ordering: .relaxed).newValue
        primitive = .leaf
        first = nil
        second = nil
        more = []
        inputCount = 0
        isLeaf = true
        self.shape = shape
    }

    init(_ primitive: Primitive<Scalar>, first: Edge<Scalar>, second: Edge<Scalar>? = nil, more: [Edge<Scalar>] = [], shape: [Int]) {
        counted = TensorRuntime.countsLiveObjects
        if counted { liveNodes.wrappingAdd(1, ordering: .relaxed) }
        sequence = sequenceCounter.wrappingAdd(1, ordering: .relaxed).newValue
        self.primitive = primitive
        self.first = first
        self.second = second
        self.more = more
        inputCount = (second == nil ? 1 : 2) + more.count
        isLeaf = false
        self.shape = shape
    }

    /// Frees the graph behind this node without recursion.
    ///
    /// Releasing a node's last reference releases its inputs, whose deinits release theirs …:
    /// dropping a chain of n nodes would nest n deinits and overflow the stack (a 512 KB
    /// Dispatch thread at a few thousand nodes, the main thread at ~75,000). Instead each node
    /// hands its inputs to an explicit stack here, and a node is only taken apart when the
    /// stack holds its last reference (`isKnownUniquelyReferenced`), so its own deinit finds
    /// nothing left to free. Nodes still referenced elsewhere are left alone; they are freed
    /// (the same way) when their last holder lets go.
    deinit {
        if counted { liveNodes.wrappingSubtract(1, ordering: .relaxed) }
        guard case .some = first else { return }  // a leaf, or a node already taken apart
        // The first input is followed in `next` (a chain needs no array); other inputs wait in
        // `stack`.
        var stack: [Node] = []
        var next = takeInputs(into: &stack)
        while var n = next ?? stack.popLast() {
            next = nil
            if isKnownUniquelyReferenced(&n) { next = n.takeInputs(into: &stack) }
            // `n` is released here; if that was its last reference its deinit has nothing to do.
        }
    }

    /// Drops the primitive and the input edges, after which this node refers to no other
    /// node: returns the first input's node and adds the others' to `stack`.
    @inline(__always)
    private func takeInputs(into stack: inout [Node]) -> Node? {
        guard case .some(let e) = first else { return nil }  // a leaf, or already taken apart
        // The primitive's saved variables refer to input nodes, which the edges also hold, so
        // dropping it first never frees a node.
        primitive = .leaf
        first = nil
        if case .some(let e2) = second {
            if let n = e2.node { stack.append(n) }
            second = nil
        }
        if inputCount > 2 {
            for e in more { if let n = e.node { stack.append(n) } }
            more = []
        }
        return e.node
    }

    /// Input edge `i`.
    @inline(__always)
    func input(_ i: Int) -> Edge<Scalar> {
        switch i {
        case 0: return first!
        case 1: return second!
        default: return more[i - 2]
        }
    }

    /// A readable name of the operation, for messages (kept after the saved tensors are freed).
    var name: String { primitive.name }
}
