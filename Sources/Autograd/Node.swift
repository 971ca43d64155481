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
public final class Node<Scalar: TensorScalar>: @unchecked Sendable {
    let sequence: Int
    var primitive: Primitive<Scalar>
    // Input edges: the first two inline (no array for the common case), the rest in `more`.
    let first: Edge<Scalar>?
    let second: Edge<Scalar>?
    let more: [Edge<Scalar>]
    let inputCount: Int
    let isLeaf: Bool
    /// The shape of the output (of the leaf, for leaves).
    let shape: [Int]
    /// A leaf's accumulated gradient.
    var leafGradient: Tensor<Scalar>?
    /// Set after a backward without `retainGraph` freed the saved tensors.
    var released = false
    /// Whether this node was counted in `GraphStatistics.liveNodeCount`.
    let counted: Bool

    // Backward-pass scratch state.
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

    deinit { if counted { liveNodes.wrappingSubtract(1, ordering: .relaxed) } }

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
