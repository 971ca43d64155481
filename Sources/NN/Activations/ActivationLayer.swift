import Autograd

/// The module of a rule-based activation (`ElementwiseActivation`): y = rule(x) element-wise,
/// differentiable to second order.
///
/// ```swift
/// let model = Sequential<Float> { Linear(64, 128); ActivationLayer(ISRU<Float>(alpha: 0.5)); Linear(128, 10) }
/// ```
public final class ActivationLayer<Rule: ElementwiseActivation>: Module, Layer {
    public typealias Scalar = Rule.Scalar
    /// The activation with its hyperparameters.
    public let rule: Rule

    public init(_ rule: Rule) {
        self.rule = rule
        super.init()
    }

    /// The rule with every hyperparameter at its default.
    public override convenience init() { self.init(Rule()) }

    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.activation(rule) }
}
