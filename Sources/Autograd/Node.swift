import Synchronization

/// A tensor an operation kept for its derivative, with the storage version at the time, so
/// backward can tell whether it was written in place since.
public struct Saved<Scalar: TensorScalar>: Sendable {
    let variable: Variable<Scalar>
    let version: Int

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
    let inputs: [Edge<Scalar>]
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
        inputs = []
        isLeaf = true
        self.shape = shape
    }

    init(_ primitive: Primitive<Scalar>, inputs: [Edge<Scalar>], shape: [Int]) {
        sequence = sequenceCounter.wrappingAdd(1, ordering: .relaxed).newValue
        self.primitive = primitive
        self.inputs = inputs
        isLeaf = false
        self.shape = shape
    }

    /// A readable name of the operation, for messages.
    var name: String { primitive.name }
}
