import Foundation

/// The lock of the graph's mutable state: every backward pass (`backward`, `gradients(of:)`)
/// runs under it, and a leaf's accumulated gradient is read and reset under it.
///
/// A backward pass writes scratch state into the nodes it visits (the pending gradient, the
/// queued flag), swaps their primitives out and back, and adds into the leaves' gradients, and a
/// leaf or a subgraph can be reached from graphs built on several threads (a shared parameter,
/// `Variable` being `Sendable`); so backward passes serialize on this lock while forward passes
/// (which only create nodes and never write existing ones) run concurrently. Recursive: a custom
/// `DifferentiableFunction`'s backward, or a derivative recorded with `createGraph`, may run
/// backward or `gradients(of:)` again on the same thread.
let engineLock = NSRecursiveLock()

/// The reverse pass.
///
/// Nodes are visited in decreasing recording order (a max-heap on their sequence number): a
/// node is reached only after every node recorded after it that feeds gradient into it, so its
/// gradient is complete when it is visited. No recursive topological sort is needed.
enum Engine {
    /// A max-heap of nodes by sequence number.
    struct Heap<S: TensorScalar> {
        var items: [Node<S>] = []

        mutating func push(_ n: Node<S>) {
            items.append(n)
            var i = items.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if items[p].sequence >= items[i].sequence { break }
                items.swapAt(p, i)
                i = p
            }
        }

        mutating func pop() -> Node<S>? {
            guard !items.isEmpty else { return nil }
            items.swapAt(0, items.count - 1)
            let top = items.removeLast()
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < items.count && items[l].sequence > items[m].sequence { m = l }
                if r < items.count && items[r].sequence > items[m].sequence { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
            return top
        }
    }

    /// Propagates `seed` from `root` back through the graph. Leaves accumulate into their
    /// `gradient` when `accumulate`; nodes in `capture` have their complete gradient returned.
    static func run<S: TensorScalar>(
        root: Node<S>, seed: Variable<S>, retainGraph: Bool, createGraph: Bool,
        capture: Set<ObjectIdentifier>, accumulate: Bool
    ) -> [ObjectIdentifier: Variable<S>] {
        engineLock.lock()
        defer { engineLock.unlock() }
        var captured: [ObjectIdentifier: Variable<S>] = [:]
        var heap = Heap<S>()
        root.pending = seed
        root.queued = true
        heap.push(root)
        let pass = {
            while let n = heap.pop() {
                n.queued = false
                guard let g = n.pending else { continue }
                n.pending = nil
                if !capture.isEmpty, capture.contains(ObjectIdentifier(n)) {
                    captured[ObjectIdentifier(n)] = g
                }
                if n.isLeaf {
                    if accumulate {
                        n.leafGradient = n.leafGradient.map { $0 + g.value } ?? g.value
                    }
                    continue
                }
                // Move the primitive out of the node (no copy of its saved tensors), use it, and
                // either put it back (retainGraph) or let it go, freeing what it saved.
                var primitive = Primitive<S>.released(n.name)
                swap(&primitive, &n.primitive)
                check(primitive, n)
                let grads = n.inputGradients(g, primitive)
                for (i, grad) in grads.enumerated() where i < n.inputCount {
                    let edge = n.input(i)
                    guard let child = edge.node, var grad else { continue }
                    // Un-broadcast, once, here: rules give gradients in the output's shape.
                    if grad.shape != edge.shape { grad = grad.summed(toShape: edge.shape) }
                    child.pending = child.pending.map { $0 + grad } ?? grad
                    if !child.queued {
                        child.queued = true
                        heap.push(child)
                    }
                }
                if retainGraph {
                    swap(&primitive, &n.primitive)
                } else {
                    n.released = true
                }
            }
        }
        if createGraph { withGradients(pass) } else { withoutGradients(pass) }
        return captured
    }

    /// Stops when a node's saved tensors are gone or were modified in place since recording.
    static func check<S: TensorScalar>(_ primitive: Primitive<S>, _ n: Node<S>) {
        if case .released(let name) = primitive {
            tensorFailure(
                "backward: the graph through '\(name)' was already freed by an earlier backward pass. Fix: pass retainGraph: true to the first backward (or gradients(of:)) to run backward through the same graph again."
            )
        }
        primitive.forEachSavedInput { i, s in
            if s.variable.value.storageVersion != s.version {
                tensorFailure(
                    "backward: input \(i) of '\(primitive.name)' (shape \(describeShape(s.variable.shape))), saved for its derivative, was modified in place after the operation (version \(s.version) → \(s.variable.value.storageVersion)). Fix: modify a copy, or do the in-place change before the operation."
                )
            }
        }
        if let y = primitive.savedOutput, y.tensor.storageVersion != y.version {
            tensorFailure(
                "backward: the output of '\(primitive.name)' (shape \(describeShape(y.tensor.shape))), saved for its derivative, was modified in place (version \(y.version) → \(y.tensor.storageVersion)). Fix: use the out-of-place form, or clone the output before modifying it."
            )
        }
    }
}

extension Variable {
    /// Computes the gradient of this variable with respect to every leaf that requires one and
    /// adds it to the leaves' `gradient`.
    ///
    /// - Parameters:
    ///   - seed: the gradient of some scalar with respect to this variable; may be omitted only
    ///     when this variable has one element (the seed is then 1).
    ///   - retainGraph: keep the saved tensors so backward can run through this graph again.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(seed: Tensor<Scalar>? = nil, retainGraph: Bool = false) {
        guard let node else {
            tensorFailure(
                "backward: the variable of shape \(describeShape(shape)) does not require a gradient (no input required one, or it was computed inside withoutGradients). Fix: create the inputs with requiresGradient: true."
            )
        }
        let s = Variable.checkedSeed(seed, for: self, op: "backward")
        _ = Engine.run(root: node, seed: Variable(s), retainGraph: retainGraph, createGraph: false, capture: [], accumulate: true)
    }

    static func checkedSeed(_ seed: Tensor<Scalar>?, for output: Variable, op: String) -> Tensor<Scalar> {
        guard let seed else {
            tensorCheck(
                output.value.count == 1,
                "\(op): the output has shape \(describeShape(output.shape)) (\(output.value.count) elements); an implicit seed needs a single element. Fix: pass seed: a tensor of shape \(describeShape(output.shape)) (e.g. ones), or reduce the output first (sum(), mean())."
            )
            return Tensor(shape: output.shape, repeating: 1)
        }
        tensorCheck(
            seed.shape == output.shape,
            "\(op): seed of shape \(describeShape(seed.shape)) for an output of shape \(describeShape(output.shape)). Fix: the seed must have the output's shape."
        )
        return seed
    }
}

/// The gradients of `output` with respect to `inputs`, returned instead of accumulated into
/// `gradient` (like `torch.autograd.grad`).
///
/// - Parameters:
///   - seed: as in `backward(seed:)`.
///   - retainGraph: keep the graph for another pass (default: `createGraph`).
///   - createGraph: record the backward pass itself, so the returned gradients can be
///     differentiated again (second and higher derivatives).
///   - allowUnused: return nil for an input the output does not depend on, instead of stopping.
public func gradients<Scalar: TensorScalar>(
    of output: Variable<Scalar>, withRespectTo inputs: [Variable<Scalar>], seed: Tensor<Scalar>? = nil,
    retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false
) -> [Variable<Scalar>?] {
    for (i, x) in inputs.enumerated() {
        tensorCheck(
            x.node != nil,
            "gradients(of:withRespectTo:): input \(i) (shape \(describeShape(x.shape))) does not require a gradient. Fix: create it with requiresGradient: true, or leave it out."
        )
    }
    guard let root = output.node else {
        tensorFailure(
            "gradients(of:withRespectTo:): the output of shape \(describeShape(output.shape)) does not require a gradient, so it does not depend on any input. Fix: compute it from variables that require gradients, outside withoutGradients."
        )
    }
    let s = Variable.checkedSeed(seed, for: output, op: "gradients(of:withRespectTo:)")
    let ids = Set(inputs.map { ObjectIdentifier($0.node!) })
    let captured = Engine.run(
        root: root, seed: Variable(s), retainGraph: retainGraph ?? createGraph, createGraph: createGraph,
        capture: ids, accumulate: false)
    return inputs.enumerated().map { i, x in
        let g = captured[ObjectIdentifier(x.node!)]
        tensorCheck(
            g != nil || allowUnused,
            "gradients(of:withRespectTo:): input \(i) (shape \(describeShape(x.shape))) is not used to compute the output. Fix: pass allowUnused: true to get nil for it, or leave it out."
        )
        return g
    }
}
