/// A user-defined differentiable primitive: its own forward and backward, taking part in the
/// tape like a built-in operation.
///
/// Write `backward` with `Variable` operations and the function supports double backward too
/// (the rule is then recorded when `createGraph` is on).
///
/// ```swift
/// struct Cube: DifferentiableFunction {
///     var name: String { "cube" }
///     func forward(_ inputs: [Tensor<Double>]) -> Tensor<Double> { inputs[0] * inputs[0] * inputs[0] }
///     func backward(gradient: Variable<Double>, saved: [Variable<Double>]) -> [Variable<Double>?] {
///         [gradient * saved[0] * saved[0] * 3]
///     }
/// }
/// let y = Cube().apply(x)
/// ```
public protocol DifferentiableFunction<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// A name for messages.
    var name: String { get }
    /// The output for the inputs' values.
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar>
    /// Gradients with respect to each input (in the output's shape or the input's; the engine
    /// sums broadcast dimensions), given the output's gradient and the inputs as saved — and,
    /// when `savesOutput`, the output as the last element of `saved` (a variable of this
    /// operation, so second derivatives flow through it).
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?]
    /// Whether `backward` reads the output (default false).
    var savesOutput: Bool { get }
}

extension DifferentiableFunction {
    public var savesOutput: Bool { false }

    /// Applies the function to variables, recording it for backward.
    @inlinable
    public func apply(_ inputs: Variable<Scalar>...) -> Variable<Scalar> { apply(inputs) }

    /// Applies the function to variables, recording it for backward.
    // Inlinable so a function type's generic caller in another module (an activation module
    // called through `any Layer`) gets a specialized body instead of generic-metadata lookups.
    @inlinable
    public func apply(_ inputs: [Variable<Scalar>]) -> Variable<Scalar> {
        let out = forward(inputs.map(\.value))
        return Variable.record(out, inputs) {
            .custom(self, saved: inputs.map { Saved($0) }, output: savesOutput ? SavedOutput(out) : nil)
        }
    }
}

/// The derivative of an in-place activation, read from its output alone: `derivative(g, y)`.
struct InPlaceActivation<Scalar: TensorScalar>: DifferentiableFunction {
    let name: String
    let derivative: @Sendable (Variable<Scalar>, Variable<Scalar>) -> Variable<Scalar>
    var savesOutput: Bool { true }
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        tensorFailure("\(name): an in-place activation has no out-of-place forward. Fix: call the activation's ordinary method.")
    }
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [derivative(gradient, saved[0])]
    }
}

extension Variable {
    /// Replaces this variable by an activation of it computed in place — the input's buffer is
    /// overwritten when nothing else holds it (Caffe's in-place ReLU) — for activations whose
    /// derivative can be computed from the output: only the output is kept for backward, and
    /// `derivative(g, y)` gives the input gradient from it.
    ///
    /// Stops on a leaf that requires a gradient (its value is what the gradient is taken at).
    public mutating func replaceInPlace(
        name: String, compute: (inout Tensor<Scalar>) -> Void,
        derivative: @escaping @Sendable (Variable<Scalar>, Variable<Scalar>) -> Variable<Scalar>
    ) {
        tensorCheck(
            !(isLeaf && requiresGradient && GradientMode.isEnabled),
            "\(name) in place: the variable of shape \(describeShape(shape)) is a leaf that requires a gradient; overwriting it would change the value its gradient is taken at. Fix: apply it out of place (y = x.\(name)()), or in place on a computed variable."
        )
        let input = node
        var t = value
        value = Tensor(0)  // drop this variable's reference, so `t` is unique when nothing else holds it
        compute(&t)
        guard let input, GradientMode.isEnabled else {
            // Nothing to record (no gradient needed, or inside withoutGradients): a constant.
            value = t
            node = nil
            return
        }
        let function = InPlaceActivation<Scalar>(name: name, derivative: derivative)
        node = Node(.custom(function, saved: [], output: SavedOutput(t)), first: Edge(node: input, shape: t.shape), shape: t.shape)
        value = t
    }
}
