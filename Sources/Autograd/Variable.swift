@_exported import Tensor
import Synchronization

/// A tensor that takes part in reverse-mode differentiation.
///
/// A `Variable` is a `Tensor` value plus, when it requires a gradient, the graph node that
/// produced it. Leaves (made with `requiresGradient: true`, e.g. parameters) accumulate their
/// gradient across `backward()` calls in `gradient`, until `resetGradient()`. Copies of a
/// variable share its node, so they share that gradient (as a parameter shared by two layers).
///
/// Operations on variables compute the tensor result and, unless gradients are off (see
/// `withoutGradients`) or no input requires one, record a node with what the derivative needs.
public struct Variable<Scalar: TensorScalar>: Sendable {
    /// The value.
    public internal(set) var value: Tensor<Scalar>
    @usableFromInline var node: Node<Scalar>?

    @usableFromInline
    init(value: Tensor<Scalar>, node: Node<Scalar>?) {
        self.value = value
        self.node = node
    }

    /// A variable holding `value`; a leaf that accumulates a gradient when `requiresGradient`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ value: Tensor<Scalar>, requiresGradient: Bool = false) {
        self.value = value
        self.node = requiresGradient ? Node(leafOfShape: value.shape) : nil
    }

    /// A constant rank-0 variable.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ scalar: Scalar) { self.init(Tensor(scalar)) }

    /// Whether gradients flow to this variable. Settable on a leaf, as PyTorch's
    /// `w.requires_grad = True`: turning it on makes the variable a leaf that accumulates a
    /// gradient, turning it off makes it a constant (its gradient is forgotten). Setting it on a
    /// computed variable stops with a message.
    public var requiresGradient: Bool {
        get { node != nil }
        set {
            guard newValue != (node != nil) else { return }
            tensorCheck(
                node?.isLeaf ?? true,
                "requiresGradient: this variable (shape \(describeShape(shape))) was computed by an operation; only a leaf's can be set. Fix: set it on the inputs, or use Variable(x.value, requiresGradient: true) for a new leaf.")
            node = newValue ? Node(leafOfShape: value.shape) : nil
        }
    }

    /// The one element of a one-element variable's value (PyTorch's `loss.item()`).
    public var item: Scalar { value.item }
    /// Whether this variable is a leaf (made directly, not computed by an operation).
    public var isLeaf: Bool { node?.isLeaf ?? true }
    public var shape: [Int] { value.shape }
    public var rank: Int { value.rank }

    /// The gradient accumulated by `backward()` on a leaf, or nil before any backward.
    ///
    /// Read under the engine's lock, so a backward pass on another thread is either entirely in
    /// it or not at all.
    ///
    /// Settable on a leaf that requires a gradient, as PyTorch's `p.grad = …` (gradient
    /// clipping, a hand-made update): the tensor must have the leaf's shape; nil forgets it.
    public var gradient: Tensor<Scalar>? {
        get {
            guard let node else { return nil }
            engineLock.lock()
            defer { engineLock.unlock() }
            return node.leafGradient
        }
        nonmutating set {
            tensorCheck(
                node != nil && isLeaf,
                "Variable.gradient: set on a variable that \(node == nil ? "does not require a gradient" : "was computed by an operation"). Fix: set gradients only on leaves created with requiresGradient: true (parameters)."
            )
            if let newValue {
                tensorCheck(
                    newValue.shape == value.shape,
                    "Variable.gradient: a gradient of shape \(describeShape(newValue.shape)) for a variable of shape \(describeShape(value.shape)). Fix: set a gradient of the variable's shape."
                )
            }
            engineLock.lock()
            defer { engineLock.unlock() }
            node!.leafGradient = newValue
        }
    }

    /// Forgets the accumulated gradient of a leaf (like `x.grad = None`), under the engine's
    /// lock.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func resetGradient() {
        guard let node else { return }
        engineLock.lock()
        defer { engineLock.unlock() }
        node.leafGradient = nil
    }

    /// The same value, cut off from the graph: gradients do not flow through it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func detached() -> Variable { Variable(value) }

    /// Replaces a leaf's value outside the graph (what an optimizer step does); the gradient
    /// and identity stay.
    public mutating func assign(_ newValue: Tensor<Scalar>) {
        tensorCheck(
            newValue.shape == value.shape,
            "Variable.assign: new value of shape \(describeShape(newValue.shape)) for a variable of shape \(describeShape(value.shape)). Fix: assign a tensor of the same shape."
        )
        tensorCheck(
            isLeaf,
            "Variable.assign: the variable was computed by an operation; assigning would silently break its graph. Fix: assign only to leaves (parameters), or use detached()."
        )
        value = newValue
    }
}

// MARK: - Gradient mode

/// Whether operations record graph nodes on the current thread.
public enum GradientMode {
    @TaskLocal static var disabled = false

    /// Whether recording is on.
    public static var isEnabled: Bool { !disabled }
}

/// Runs `body` without recording: results do not require gradients (like `torch.no_grad()`).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$disabled.withValue(true) { try body() }
}

/// Runs `body` with recording on, even inside `withoutGradients`.
public func withGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$disabled.withValue(false) { try body() }
}
