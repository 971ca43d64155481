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

    // Backward-pass scratch state.
    var pending: Variable<Scalar>?
    var queued = false

    init(leafOfShape shape: [Int]) {
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
        sequence = sequenceCounter.wrappingAdd(1, ordering: .relaxed).newValue
        self.primitive = primitive
        self.first = first
        self.second = second
        self.more = more
        inputCount = (second == nil ? 1 : 2) + more.count
        isLeaf = false
        self.shape = shape
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
