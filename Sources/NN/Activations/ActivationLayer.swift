import Autograd

/// The module of a rule-based activation (`ElementwiseActivation`): y = rule(x) element-wise,
/// differentiable to second order.
///
/// ```swift
/// let model = Sequential<Float> { Linear(64, 128); ActivationLayer(ISRU<Float>(alpha: 0.5)); Linear(128, 10) }
/// ```
///
/// A model calls its layers through `any Layer`, which runs this class's unspecialized generic
/// code; so `x.activation(rule)` is made a closure in `init` — inlined into the caller, where the
/// rule's type is known — and the call goes to specialized kernels.
public final class ActivationLayer<Rule: ElementwiseActivation>: Module, Layer {
    public typealias Scalar = Rule.Scalar
    /// The activation with its hyperparameters.
    public let rule: Rule
    /// x ↦ x.activation(rule), specialized for `Rule`.
    @usableFromInline let function: @Sendable (Variable<Scalar>) -> Variable<Scalar>

    @inlinable
    public init(_ rule: Rule) {
        self.rule = rule
        function = { $0.activation(rule) }
        super.init()
    }

    /// The rule with every hyperparameter at its default.
    @inlinable
    public override convenience init() { self.init(Rule()) }

    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { function(x) }
}
