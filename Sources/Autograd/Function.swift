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
    public func apply(_ inputs: Variable<Scalar>...) -> Variable<Scalar> { apply(inputs) }

    /// Applies the function to variables, recording it for backward.
    public func apply(_ inputs: [Variable<Scalar>]) -> Variable<Scalar> {
        let out = forward(inputs.map(\.value))
        return Variable.record(out, inputs) {
            .custom(self, saved: inputs.map { Saved($0) }, output: savesOutput ? SavedOutput(out) : nil)
        }
    }
}
