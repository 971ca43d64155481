import Autograd

/// The module of a rule-based activation (`ElementwiseActivation`): y = rule(x) element-wise,
/// differentiable to second order. The built-in modules are this class under their own names
/// (`ELU<Float>` is `ActivationLayer<ELURule<Float>>`); the rule's hyperparameters read through
/// it (`ELU<Float>(alpha: 0.5).alpha`).
///
/// ```swift
/// let model = Sequential<Float> { Linear(64, 128); ActivationLayer(ELURule<Float>(alpha: 0.5)); Linear(128, 10) }
/// ```
@dynamicMemberLookup
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

    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { body(x) }

    /// The rule's properties (its hyperparameters) read through the module.
    public subscript<T>(dynamicMember keyPath: KeyPath<Rule, T>) -> T { rule[keyPath: keyPath] }

    /// "ELU<Float>(alpha: 0.5)": the module name, the scalar type and the hyperparameters.
    public override var summaryLine: String {
        let mirror = Mirror(reflecting: rule)
        let fields = mirror.children.compactMap { c -> String? in
            guard let label = c.label, !label.hasPrefix("_") else { return nil }
            return "\(label): \(c.value)"
        }
        let name = Rule.moduleName == "ActivationLayer" ? "ActivationLayer<\(Rule.self)>" : "\(Rule.moduleName)<\(Scalar.self)>"
        return name + "(" + fields.joined(separator: ", ") + ")"
    }
}
