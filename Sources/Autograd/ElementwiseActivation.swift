// Activations as rules: an activation states its mathematics once — the forward as a vector
// kernel, the first derivative and the derivative of that, its hyperparameters and kinks — and
// the generic code below writes the rest: the Tensor form, the differentiable Variable form (first
// and second derivatives), the in-place form where the derivative reads the output, and (in NN)
// the module, the catalogue entry with spec parsing, and the tools' rows. A user's activation is
// one struct of the same kind, with the same standing and the same speed (everything here is
// inlinable, so the user's module specializes the kernels for its own type).

/// One hyperparameter of a catalogued activation.
public struct ActivationParameter: Sendable, Hashable {
    /// What values look like on the command line.
    public enum Kind: String, Sendable, Hashable {
        /// A finite number within Float's range.
        case real
        /// A whole number.
        case integer
    }

    /// The name in specs ("negative_slope").
    public let name: String
    public let kind: Kind
    /// The default; `nil` when the parameter must be given.
    public let defaultValue: Double?
    /// The allowed values, as a phrase ("> 0", "an integer in 1...1048576").
    public var requirement: String { domain.requirement(kind) }
    /// A one-line description.
    public let summary: String
    public let domain: Domain

    /// Where a value may lie (besides being finite within Float's range).
    public enum Domain: Hashable, Sendable {
        case any, positive, nonzero, nonNegative, positiveNotOne
        case range(ClosedRange<Int>)

        public func accepts(_ v: Double) -> Bool {
            switch self {
            case .any: return true
            case .positive: return v > 0
            case .nonzero: return v != 0
            case .nonNegative: return v >= 0
            case .positiveNotOne: return v > 0 && v != 1
            case .range(let r): return v >= Double(r.lowerBound) && v <= Double(r.upperBound)
            }
        }

        public func requirement(_ kind: Kind) -> String {
            switch self {
            case .any: return kind == .integer ? "an integer" : "a finite number"
            case .positive: return "> 0"
            case .nonzero: return "≠ 0"
            case .nonNegative: return "≥ 0"
            case .positiveNotOne: return "> 0 and ≠ 1"
            case .range(let r): return "an integer in \(r.lowerBound)...\(r.upperBound)"
            }
        }
    }

    public init(_ name: String, _ kind: Kind = .real, default defaultValue: Double?, _ domain: Domain = .any, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.domain = domain
        self.summary = summary
    }

    public init(_ name: String, _ kind: Kind = .real, default defaultValue: Double?, _ summary: String) {
        self.init(name, kind, default: defaultValue, .any, summary)
    }
}

/// What an activation's first derivative is computed from: the input x, or the output y = f(x)
/// (which lets the activation run in place, as Caffe's in-place ReLU: only y is kept), or both:
/// from x out of place (e.g. for accuracy, as ELU's αeˣ rather than y + α) and from y in place,
/// through the rule's `derivative(fromOutput:)` family.
public enum ActivationDerivativeInput: Sendable, Equatable {
    case input, output, both
}

/// A point where an activation is not differentiable, with the derivative taken there by
/// convention (tested exactly).
public struct ActivationKink: Sendable, Equatable {
    public var location: Double
    public var derivative: Double
    public init(at location: Double, derivative: Double) {
        self.location = location
        self.derivative = derivative
    }
}

/// Validated hyperparameter values by name (every declared parameter is present: given, or its
/// default).
public struct ActivationArguments: Sendable, Equatable {
    public let values: [String: Double]
    public init(_ values: [String: Double] = [:]) { self.values = values }
    /// The value of parameter `name`; stops when the activation did not declare it.
    public subscript(_ name: String) -> Double {
        guard let v = values[name] else {
            tensorFailure("ActivationArguments: no value for '\(name)' (have \(values.keys.sorted())). Fix: declare '\(name)' in the activation's static parameters, with a default.")
        }
        return v
    }
}

/// An element-wise activation stated as mathematics: y = f(x) as a vector kernel, f′ and the
/// derivative of f′, all in terms of one saved value s — the input x, or the output y when
/// `derivativeInput` is `.output` (then `derivativeOfDerivative` is d f′/dy, e.g. 1 − 2y for
/// sigmoid, whose f′ = y(1 − y)).
///
/// Write it generic over the scalar type and conform once; Float and Double both follow:
///
/// ```swift
/// struct ISRUExample<Scalar: TensorScalar>: ElementwiseActivation {
///     static var name: String { "isru_example" }
///     static var summary: String { "x/√(1 + αx²)" }
///     static var parameters: [ActivationParameter] { [ActivationParameter("alpha", default: 1, .positive, "α")] }
///     let alpha: Scalar
///     init(_ arguments: ActivationArguments) { alpha = Scalar(arguments["alpha"]) }
///     func value(_ x: Scalar.Vector) -> Scalar.Vector { x / (1 + alpha * x * x).squareRoot() }
///     // f′ = (1 + αx²)^(−3/2), f″ = −3αx(1 + αx²)^(−5/2)
///     …
/// }
/// ```
///
/// Then `x.activation(ISRUExample<Float>(…))` on a Tensor or Variable, `ActivationLayer` as a
/// module, and `ActivationCatalogue.register(ISRUExample<Float>.self, ISRUExample<Double>.self)`
/// for spec strings ("isru_example:alpha=0.5"), `tapegrad list` and `gradcheck`.
public protocol ElementwiseActivation<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// The spec name ("isru"): lower case, words joined by "_".
    static var name: String { get }
    /// A one-line description with the formula.
    static var summary: String { get }
    /// Hyperparameters with defaults and domains (default: none).
    static var parameters: [ActivationParameter] { get }
    /// What f′ reads (default: the input).
    static var derivativeInput: ActivationDerivativeInput { get }
    /// The module's name as `tapegrad list` and `print` show it ("ELU"; default "ActivationLayer").
    static var moduleName: String { get }
    /// A few operations per element (a clamp, a select): the forward and backward loops are
    /// split across threads only in memory-bound chunks (`TensorRuntime.memoryBoundGrain`), as a
    /// copy is. Default false (transcendental activations split in smaller chunks).
    static var isMemoryBound: Bool { get }
    /// f is piecewise linear (f″ = 0 wherever it exists): the second-order pass skips the
    /// curvature term. Default false.
    static var isPiecewiseLinear: Bool { get }
    /// Two parameters that must be ordered, (lower, upper, strictly), checked in specs (default none).
    static var orderedParameters: (lower: String, upper: String, strict: Bool)? { get }
    /// The activation with validated hyperparameters.
    init(_ arguments: ActivationArguments)
    /// Where f is not differentiable, and f′ there by convention (default: nowhere).
    var kinks: [ActivationKink] { get }
    /// Where f′ is not differentiable (f is C¹ but not C² there; default: nowhere).
    var secondOrderKinks: [Double] { get }
    /// The inputs where f and its derivatives are finite in Double (default: all of them) — a
    /// logarithm's positive side, an exponential below overflow. The derivative checks sample
    /// inside it.
    var domain: ClosedRange<Double> { get }
    /// The range of f for a bounded activation (sigmoid's [0, 1], tanh's [−1, 1], hardtanh's
    /// [min_val, max_val]); nil (the default) when f is unbounded on either side. Probes count a
    /// value as saturated within 1% of the range's width from either bound.
    var outputBounds: ClosedRange<Double>? { get }
    /// A rule whose `value` the forward runs instead of this one's, for these hyperparameters
    /// (default: none, `Self`). For a choice between kernels that depends on a hyperparameter —
    /// CELU's one-sided expm1 for α > 0, the two-sided one for α < 0 — made once per tensor: a
    /// branch on the hyperparameter inside `value` is, after inlining, often computed both ways
    /// for every vector.
    associatedtype ForwardVariant: ElementwiseActivation = Self where ForwardVariant.Scalar == Scalar
    var forwardVariant: ForwardVariant? { get }
    /// y = f(x), lane by lane.
    func value(_ x: Scalar.Vector) -> Scalar.Vector
    /// f′, from the saved value s (x or y, per `derivativeInput`).
    func derivative(_ s: Scalar.Vector) -> Scalar.Vector
    /// d f′/ds, from the same s: f″(x) when s = x.
    func derivativeOfDerivative(_ s: Scalar.Vector) -> Scalar.Vector
    /// The incoming gradient times f′: g·f′(s) by default. A rule may fuse it to keep a rounding
    /// (softsign's g/d/d rather than g·(1/d²)) or to save an operation; it must equal g·f′(s)
    /// mathematically.
    func gradient(_ g: Scalar.Vector, _ s: Scalar.Vector) -> Scalar.Vector
    /// The second-order term h · d f′/ds (h is the incoming gradient times g): h·derivativeOfDerivative(s)
    /// by default. A rule may fuse it to keep exact zeros where f″ = 0 (hardswish's h/3 inside
    /// (−3, 3) and 0 outside, as PyTorch's `where`, rather than h·0, which is −0 or NaN for some h).
    func curvatureGradient(_ h: Scalar.Vector, _ s: Scalar.Vector) -> Scalar.Vector
    /// For `derivativeInput == .both`: f′ from the output y (what the in-place form uses).
    func derivative(fromOutput y: Scalar.Vector) -> Scalar.Vector
    /// For `.both`: d f′/dy, from y.
    func derivativeOfDerivative(fromOutput y: Scalar.Vector) -> Scalar.Vector
    /// For `.both`: g·f′ from y (default g·derivative(fromOutput: y)).
    func gradient(_ g: Scalar.Vector, fromOutput y: Scalar.Vector) -> Scalar.Vector
    /// Why these hyperparameters rule out the in-place form although the derivative can read the
    /// output (leaky ReLU with a slope ≤ 0: the output's sign no longer tells the input's);
    /// nil (the default) when nothing does.
    var inPlaceRefusal: String? { get }
}

extension ElementwiseActivation {
    public static var parameters: [ActivationParameter] { [] }
    public static var derivativeInput: ActivationDerivativeInput { .input }
    public var kinks: [ActivationKink] { [] }
    public var secondOrderKinks: [Double] { [] }
    public var domain: ClosedRange<Double> { -Double.infinity...Double.infinity }
    public var outputBounds: ClosedRange<Double>? { nil }
    public static var moduleName: String { "ActivationLayer" }
    public static var isMemoryBound: Bool { false }
    public static var isPiecewiseLinear: Bool { false }
    public static var orderedParameters: (lower: String, upper: String, strict: Bool)? { nil }
    public var inPlaceRefusal: String? { nil }
    @inlinable public var forwardVariant: ForwardVariant? { nil }
    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ s: Scalar.Vector) -> Scalar.Vector { g * derivative(s) }
    @inlinable @inline(__always)
    public func curvatureGradient(_ h: Scalar.Vector, _ s: Scalar.Vector) -> Scalar.Vector { h * derivativeOfDerivative(s) }
    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, fromOutput y: Scalar.Vector) -> Scalar.Vector { g * derivative(fromOutput: y) }
    public func derivative(fromOutput y: Scalar.Vector) -> Scalar.Vector {
        tensorFailure("\(Self.name): derivative(fromOutput:) is not defined. Fix: implement it, or declare derivativeInput .input or .output.")
    }
    public func derivativeOfDerivative(fromOutput y: Scalar.Vector) -> Scalar.Vector {
        tensorFailure("\(Self.name): derivativeOfDerivative(fromOutput:) is not defined. Fix: implement it, or declare derivativeInput .input or .output.")
    }

    /// The elementwise grain for this rule's loops.
    @inlinable public static var grain: Int { isMemoryBound ? TensorRuntime.memoryBoundGrain : TensorRuntime.elementwiseGrain }

    /// Whether the in-place form is available for these hyperparameters.
    public var worksInPlace: Bool { Self.derivativeInput != .input && inPlaceRefusal == nil }

    /// The activation with every parameter at its default (stops if one has none).
    public init() {
        var values: [String: Double] = [:]
        for p in Self.parameters {
            guard let d = p.defaultValue else {
                tensorFailure("\(Self.name): parameter '\(p.name)' has no default. Fix: build it with init(ActivationArguments([\"\(p.name)\": …])).")
            }
            values[p.name] = d
        }
        self.init(ActivationArguments(values))
    }
}

// MARK: - The generic forms

/// f as a kernel type (inlined and vectorized in the caller's specialization; not a closure).
public struct ActivationValueKernel<Rule: ElementwiseActivation>: UnaryVectorKernel {
    public typealias Scalar = Rule.Scalar
    @usableFromInline let rule: Rule
    @inlinable public init(_ rule: Rule) { self.rule = rule }
    @inlinable @inline(__always)
    public func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { rule.value(x) }
}

/// g · f′(s) as a kernel type.
public struct ActivationGradientKernel<Rule: ElementwiseActivation>: BinaryVectorKernel {
    public typealias Scalar = Rule.Scalar
    @usableFromInline let rule: Rule
    @inlinable public init(_ rule: Rule) { self.rule = rule }
    @inlinable @inline(__always)
    public func callAsFunction(_ g: Scalar.Vector, _ s: Scalar.Vector) -> Scalar.Vector { rule.gradient(g, s) }
}

/// h · d f′/ds as a kernel type.
public struct ActivationCurvatureKernel<Rule: ElementwiseActivation>: BinaryVectorKernel {
    public typealias Scalar = Rule.Scalar
    @usableFromInline let rule: Rule
    @inlinable public init(_ rule: Rule) { self.rule = rule }
    @inlinable @inline(__always)
    public func callAsFunction(_ h: Scalar.Vector, _ s: Scalar.Vector) -> Scalar.Vector { rule.curvatureGradient(h, s) }
}

/// A rule whose derivative reads both x and y, seen through its output form: what the in-place
/// form differentiates with.
public struct ActivationOutputForm<Base: ElementwiseActivation>: ElementwiseActivation {
    public typealias Scalar = Base.Scalar
    public let base: Base
    @inlinable public init(_ base: Base) { self.base = base }
    public init(_ arguments: ActivationArguments) { base = Base(arguments) }
    public static var name: String { Base.name }
    public static var summary: String { Base.summary }
    public static var derivativeInput: ActivationDerivativeInput { .output }
    public static var isMemoryBound: Bool { Base.isMemoryBound }
    public static var isPiecewiseLinear: Bool { Base.isPiecewiseLinear }
    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { base.value(x) }
    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector { base.derivative(fromOutput: y) }
    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { base.derivativeOfDerivative(fromOutput: y) }
    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { base.gradient(g, fromOutput: y) }
}

extension Tensor {
    /// The activation `rule` applied element-wise.
    @inlinable
    public func activation<Rule: ElementwiseActivation>(_ rule: Rule) -> Tensor where Rule.Scalar == Scalar {
        if let variant = rule.forwardVariant { return mapped(grain: Rule.grain, kernel: ActivationValueKernel(variant)) }
        return mapped(grain: Rule.grain, kernel: ActivationValueKernel(rule))
    }

    /// The activation `rule` applied element-wise in place (copy-on-write: in this buffer when
    /// it is not shared).
    @inlinable
    public mutating func formActivation<Rule: ElementwiseActivation>(_ rule: Rule) where Rule.Scalar == Scalar {
        if let variant = rule.forwardVariant { return formMapped(grain: Rule.grain, kernel: ActivationValueKernel(variant)) }
        formMapped(grain: Rule.grain, kernel: ActivationValueKernel(rule))
    }
}

// Speed for rule types the library has never seen, built-in or the user's: generic code reached
// without the concrete type — a witness of a generic struct called through an existential —
// runs unspecialized, every vector operation through a witness table (hundreds of ns per
// element). So nothing of a rule is reached that way: the forward runs in the inlinable
// `Variable.activation(_:)`, specialized where the caller knows the rule, and backward is a
// closure made there too (`ActivationRecord`, a case of the tape's own `Primitive`, so no
// existential, no saved-input array). The same holds for the module (`ActivationLayer`), the
// registry's builders and the second-order operations below. No `@_specialize` is needed, and a
// user's type could not use it anyway.

/// What the tape keeps of a rule's operation (`Primitive.activation`): its name and g·f′(s)
/// as a closure — made where the rule's type is known, so specialized; the engine reaches it
/// without generic code.
public struct ActivationRecord<Scalar: TensorScalar>: Sendable {
    public let name: String
    @usableFromInline let gradient: @Sendable (Variable<Scalar>, Variable<Scalar>) -> Variable<Scalar>

    @inlinable
    init<Rule: ElementwiseActivation>(_ rule: Rule) where Rule.Scalar == Scalar {
        name = Rule.name
        gradient = { g, s in ActivationGradient.applied(rule, g, s) }
    }
}

/// g · f′(s) as a recorded operation, so the gradient can be differentiated again: ∂/∂g is
/// f′(s) (this kernel again), ∂/∂s is g · d f′/ds (`ActivationCurvature`).
public struct ActivationGradient<Rule: ElementwiseActivation>: DifferentiableFunction {
    public typealias Scalar = Rule.Scalar
    public let rule: Rule
    @usableFromInline let backwardBody: @Sendable (Variable<Scalar>, [Variable<Scalar>]) -> [Variable<Scalar>?]

    @inlinable public init(_ rule: Rule) {
        self.rule = rule
        backwardBody = { h, saved in
            let g = saved[0], s = saved[1]
            // The curvature is taken as a constant: third and higher derivatives are not supported.
            let dg = ActivationGradient.applied(rule, h, s)
            if Rule.isPiecewiseLinear { return [dg, nil] }
            return [dg, ActivationCurvature(rule).apply(h * g, s)]
        }
    }

    /// g · f′(s), recorded (as this operation) only when a graph of the gradient is being built.
    @inlinable
    public static func applied(_ rule: Rule, _ g: Variable<Scalar>, _ s: Variable<Scalar>) -> Variable<Scalar> {
        let out = Tensor.zipMapped(g.value, s.value, grain: Rule.grain, kernel: ActivationGradientKernel(rule))
        return Variable.record(out, g, s) { .custom(ActivationGradient(rule), saved: [Saved(g), Saved(s)], output: nil) }
    }

    /// g · f′(s), recorded: the same as `applied(rule, g, s)`.
    @inlinable
    public func apply(_ g: Variable<Scalar>, _ s: Variable<Scalar>) -> Variable<Scalar> { Self.applied(rule, g, s) }

    public var name: String { Rule.name + "Backward" }
    @inlinable
    public func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], grain: Rule.grain, kernel: ActivationGradientKernel(rule))
    }
    @inlinable
    public func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        backwardBody(gradient, saved)
    }
}

/// h · d f′/ds as a recorded operation (the second-order term; h = incoming gradient × g): ∂/∂h
/// is d f′/ds (this kernel again); ∂/∂s, a third derivative, is not supported (nil).
public struct ActivationCurvature<Rule: ElementwiseActivation>: DifferentiableFunction {
    public typealias Scalar = Rule.Scalar
    public let rule: Rule
    @usableFromInline let backwardBody: @Sendable (Variable<Scalar>, Variable<Scalar>) -> Variable<Scalar>

    @inlinable public init(_ rule: Rule) {
        self.rule = rule
        backwardBody = { h, s in ActivationCurvature(rule).apply(h, s) }
    }

    public var name: String { Rule.name + "Curvature" }
    @inlinable
    public func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], grain: Rule.grain, kernel: ActivationCurvatureKernel(rule))
    }
    @inlinable
    public func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [backwardBody(gradient, saved[1]), nil]
    }
}

extension Variable {
    /// The activation `rule`, differentiable to second order.
    @inlinable
    public func activation<Rule: ElementwiseActivation>(_ rule: Rule) -> Variable where Rule.Scalar == Scalar {
        let out = value.activation(rule)
        return Variable.record(out, self) {
            .activation(ActivationRecord(rule), Saved(self), Rule.derivativeInput == .output ? SavedOutput(out) : nil)
        }
    }

    /// The activation `rule` computed in place (the buffer is overwritten when nothing else
    /// holds it), keeping only the output for backward. Only for a rule whose derivative can read
    /// the output; for one that needs the input it stops with a message.
    @inlinable
    public mutating func formActivation<Rule: ElementwiseActivation>(_ rule: Rule) where Rule.Scalar == Scalar {
        tensorCheck(
            Rule.derivativeInput != .input,
            "\(Rule.name) in place: its derivative needs the input, which an in-place form overwrites. Fix: apply it out of place (y = x.activation(rule)).")
        if let reason = rule.inPlaceRefusal {
            tensorFailure("\(Rule.name) in place: its derivative needs the input, which an in-place form overwrites (\(reason)). Fix: apply it out of place (y = x.activation(rule)).")
        }
        if Rule.derivativeInput == .both {
            let outputForm = ActivationOutputForm(rule)
            replaceInPlace(name: Rule.name, compute: { $0.formActivation(rule) }) { g, y in ActivationGradient(outputForm).apply(g, y) }
        } else {
            replaceInPlace(name: Rule.name, compute: { $0.formActivation(rule) }) { g, y in ActivationGradient(rule).apply(g, y) }
        }
    }
}
