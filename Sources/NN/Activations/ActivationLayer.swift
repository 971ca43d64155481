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
    // The forward, made where the rule's type is known (see ElementwiseActivation.swift: a
    // generic class's method runs unspecialized when called through `any Layer`).
    @usableFromInline let body: (Variable<Scalar>) -> Variable<Scalar>

    @inlinable
    public init(_ rule: Rule) {
        self.rule = rule
        body = { $0.activation(rule) }
        super.init()
    }

    /// The rule with every hyperparameter at its default (inlinable for the same reason).
    @inlinable
    public override convenience init() { self.init(Rule()) }

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { body(x) }
}
