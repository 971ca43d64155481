import Foundation
import Autograd
import Synchronization

// The activation catalogue: every activation's command-line name (snake_case, as PyTorch and the
// benchmark anchors spell it), its hyperparameters with defaults and domains, a one-line summary,
// and a factory that turns a spec string such as "leaky_relu:negative_slope=0.2" into the module.
//
// Specs come from command-line flags, so every mistake in one is a thrown `ActivationSpecError`,
// never a stop: values are checked against the same domains the modules' initializers check,
// both as given and rounded to Float, so a validated spec builds for Float and for Double.

/// One activation in the catalogue.
public struct ActivationEntry: Sendable, Hashable {
    /// The command-line name ("leaky_relu").
    public let name: String
    /// The module type it builds ("LeakyReLU").
    public let moduleName: String
    /// Its hyperparameters, in the order specs print them.
    public let parameters: [ActivationParameter]
    /// A one-line description.
    public let summary: String
    /// Element-wise (same shape out as in, no parameters shaped by the data beyond channels):
    /// usable as a model's `--activation`. Softmax, GLU and the maxouts are not.
    public let isElementwise: Bool
    /// Two parameters that must be ordered: (lower, upper, strictly).
    let ordered: (lower: String, upper: String, strict: Bool)?

    @usableFromInline
    init(
        _ name: String, _ moduleName: String, _ summary: String, elementwise: Bool = true,
        _ parameters: [ActivationParameter] = [], ordered: (String, String, Bool)? = nil
    ) {
        self.name = name
        self.moduleName = moduleName
        self.summary = summary
        self.isElementwise = elementwise
        self.parameters = parameters
        self.ordered = ordered.map { (lower: $0.0, upper: $0.1, strict: $0.2) }
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> ActivationParameter? { parameters.first { $0.name == name } }

    public static func == (a: ActivationEntry, b: ActivationEntry) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// What is wrong with an activation spec (a command-line value): thrown, never a stop.
public enum ActivationSpecError: Error, Equatable, CustomStringConvertible {
    /// Not of the form `name` or `name:key=value,key=value`.
    case malformed(spec: String, reason: String)
    /// No activation by that name; `suggestion` is the nearest known name, if one is close.
    case unknownActivation(name: String, known: [String], suggestion: String?)
    /// The activation has no parameter by that name.
    case unknownParameter(activation: String, parameter: String, known: [String])
    /// The parameter was given twice.
    case duplicateParameter(activation: String, parameter: String)
    /// A parameter without a default was not given.
    case missingParameter(activation: String, parameter: String)
    /// The value is not a number (or not an integer where one is needed).
    case badValue(activation: String, parameter: String, value: String, expected: String)
    /// The value is a number outside the parameter's domain.
    case outsideDomain(activation: String, parameter: String, value: String, requirement: String)

    /// One line: control characters in names, paths and values are escaped, and the length is
    /// capped (see `oneLine`).
    public var description: String { oneLine(rawDescription) }

    private var rawDescription: String {
        switch self {
        case .malformed(let spec, let reason):
            return "activation spec '\(spec)': \(reason); expected name or name:key=value,key=value (e.g. leaky_relu:negative_slope=0.2)"
        case .unknownActivation(let name, let known, let suggestion):
            return "unknown activation '\(name)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
                + "; known: " + known.joined(separator: ", ")
        case .unknownParameter(let a, let p, let known):
            return "\(a) has no parameter '\(p)'; "
                + (known.isEmpty ? "it takes none" : "its parameters: " + known.joined(separator: ", "))
        case .duplicateParameter(let a, let p):
            return "\(a): parameter '\(p)' given twice"
        case .missingParameter(let a, let p):
            return "\(a): parameter '\(p)' has no default; give it (\(a):\(p)=…)"
        case .badValue(let a, let p, let v, let e):
            return "\(a): \(p)=\(v) is not \(e)"
        case .outsideDomain(let a, let p, let v, let r):
            return "\(a): \(p)=\(v) is not allowed; \(p) must be \(r)"
        }
    }
}

/// A validated activation spec: a catalogue name and the parameters given explicitly.
///
/// Text form: `name` or `name:key=value,key=value` ("elu:alpha=0.5", "prelu:channels=128").
/// `description` prints the canonical form (parameters in catalogue order, numbers in their
/// shortest form), which parses back to an equal spec.
public struct ActivationSpec: Sendable, Hashable, CustomStringConvertible {
    /// The catalogue entry.
    public let entry: ActivationEntry
    /// The parameters given explicitly (validated); the rest take their defaults.
    public let arguments: [String: Double]

    /// The catalogue name.
    public var name: String { entry.name }

    /// Parses and validates `text`.
    public init(parsing text: String) throws(ActivationSpecError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .malformed(spec: text, reason: "it is empty") }
        let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .malformed(spec: text, reason: "the name is missing") }
        let entry = try ActivationCatalogue.entry(resolving: name)
        var raw: [(String, String)] = []
        if parts.count == 2 {
            guard !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .malformed(spec: text, reason: "nothing after ':'")
            }
            for item in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = kv[0].trimmingCharacters(in: .whitespaces)
                guard kv.count == 2, !key.isEmpty else {
                    throw .malformed(spec: text, reason: "'\(item)' is not key=value")
                }
                raw.append((key, kv[1].trimmingCharacters(in: .whitespaces)))
            }
        }
        try self.init(entry: entry, rawArguments: raw)
    }

    /// The spec for the catalogue activation `name` with `arguments` (validated).
    public init(name: String, arguments: [String: Double] = [:]) throws(ActivationSpecError) {
        let entry = try ActivationCatalogue.entry(resolving: name)
        try self.init(entry: entry, rawArguments: arguments.sorted { $0.key < $1.key }.map { ($0.key, Self.format($0.value)) })
    }

    private init(entry: ActivationEntry, rawArguments: [(String, String)]) throws(ActivationSpecError) {
        var values: [String: Double] = [:]
        for (key, text) in rawArguments {
            guard let p = entry.parameter(named: key) else {
                throw .unknownParameter(activation: entry.name, parameter: key, known: entry.parameters.map(\.name))
            }
            guard values[key] == nil else { throw .duplicateParameter(activation: entry.name, parameter: key) }
            values[key] = try Self.value(text, for: p, of: entry)
        }
        for p in entry.parameters where p.defaultValue == nil && values[p.name] == nil {
            throw .missingParameter(activation: entry.name, parameter: p.name)
        }
        if let (lo, hi, strict) = entry.ordered {
            let l = values[lo] ?? entry.parameter(named: lo)!.defaultValue!
            let h = values[hi] ?? entry.parameter(named: hi)!.defaultValue!
            // Rounding to Float is monotone, so checking the rounded pair covers both types.
            let (lf, hf) = (Float(l), Float(h))
            guard strict ? lf < hf : lf <= hf else {
                // Blame the bound that was given (the upper one if both were).
                let upperGiven = values[hi] != nil
                let (culprit, other, otherValue) = upperGiven ? (hi, lo, l) : (lo, hi, h)
                let relation = upperGiven ? (strict ? ">" : "≥") : (strict ? "<" : "≤")
                let floatNote = (strict ? l < h : l <= h) ? " when rounded to Float" : ""
                throw .outsideDomain(
                    activation: entry.name, parameter: culprit, value: Self.format(upperGiven ? h : l),
                    requirement: "\(relation) \(other) (\(Self.format(otherValue)))\(floatNote)")
            }
        }
        self.entry = entry
        self.arguments = values
    }

    private static func value(_ text: String, for p: ActivationParameter, of entry: ActivationEntry) throws(ActivationSpecError) -> Double {
        let v: Double
        switch p.kind {
        case .integer:
            guard let n = Int(text) else {
                throw .badValue(activation: entry.name, parameter: p.name, value: text, expected: "an integer")
            }
            v = Double(n)
        case .real:
            guard let x = Double(text) else {
                throw .badValue(activation: entry.name, parameter: p.name, value: text, expected: "a number")
            }
            guard x.isFinite && Swift.abs(x) <= Double(Float.greatestFiniteMagnitude) else {
                throw .outsideDomain(activation: entry.name, parameter: p.name, value: text, requirement: "a finite number within Float's range")
            }
            v = x
        }
        guard p.domain.accepts(v) else {
            throw .outsideDomain(activation: entry.name, parameter: p.name, value: text, requirement: p.requirement)
        }
        guard p.kind == .integer || p.domain.accepts(Double(Float(v))) else {
            throw .outsideDomain(
                activation: entry.name, parameter: p.name, value: text, requirement: p.requirement + " (also when rounded to Float)")
        }
        return v
    }

    /// The value of parameter `name`: as given, else its default.
    /// Every parameter's value (given or default), for a rule's `init(_:)`.
    public var activationArguments: ActivationArguments {
        ActivationArguments(Dictionary(uniqueKeysWithValues: entry.parameters.compactMap { p in
            (arguments[p.name] ?? p.defaultValue).map { (p.name, $0) }
        }))
    }

    public func value(of name: String) -> Double {
        guard let p = entry.parameter(named: name) else {
            preconditionFailure("ActivationSpec.value(of:): \(entry.name) has no parameter '\(name)'")
        }
        return arguments[name] ?? p.defaultValue!
    }

    public var description: String {
        let given = entry.parameters.compactMap { p in arguments[p.name].map { "\(p.name)=\(Self.format($0))" } }
        return given.isEmpty ? entry.name : entry.name + ":" + given.joined(separator: ",")
    }

    /// A number in its shortest form: whole numbers without ".0".
    static func format(_ v: Double) -> String {
        v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }

    /// The module this spec describes, in `Scalar` (Float or Double). Modules with parameters
    /// (PReLU, TrainableSwish, Maxout, RReLU's slopes) draw from the default generator.
    public func makeLayer<Scalar: TensorScalar>(_: Scalar.Type = Scalar.self) -> any Layer<Scalar> {
        guard let registered = ActivationCatalogue.registered(named: entry.name) else {
            preconditionFailure("ActivationSpec.makeLayer: catalogue entry '\(entry.name)' has no builder.")
        }
        return registered.makeLayer(Scalar.self, activationArguments)
    }
}

/// Every activation by its command-line name, with a factory from spec strings.
///
/// ```swift
/// let layer: any Layer<Float> = try ActivationCatalogue.makeLayer("leaky_relu:negative_slope=0.2")
/// ```
public enum ActivationCatalogue {
    /// All entries, in the order `tapegrad list` prints them: the built-in activations, then the
    /// ones users registered (`register(_:_:)`).
    public static var entries: [ActivationEntry] { registeredActivations.map(\.entry) }

    /// The built-in activations, in the order `tapegrad list` prints them: rules (registered by
    /// their Float and Double types) and modules with parameters of their own.
    static let builtIn: [RegisteredActivation] = {
        typealias P = ActivationParameter
        let axis = P("axis", .integer, default: -1, .range(-16...15), "the axis to normalize along (negative counts from the end)")
        return [
            RegisteredActivation(ReLURule<Float>.self, ReLURule<Double>.self),
            RegisteredActivation(LeakyReLURule<Float>.self, LeakyReLURule<Double>.self),
            RegisteredActivation(
                ActivationEntry("prelu", "PReLU", "leaky ReLU with trainable slopes, one shared or one per channel (axis 1)", [
                P("channels", .integer, default: 1, .range(1...1 << 20), "number of slopes: 1 (shared) or the channel count"),
                P("init", default: 0.25, "initial slope"),
                P("per_channel", .integer, default: 0, .range(0...1), "1: one slope per channel, the count taken from the model (tapegrad train); channels gives it elsewhere"),
            ]),
                float: { a in PReLU<Float>(channels: Int(a["channels"]), initialValue: Float(a["init"])) }, double: { a in PReLU<Double>(channels: Int(a["channels"]), initialValue: Double(a["init"])) }),
            RegisteredActivation(
                ActivationEntry("rrelu", "RReLU", "leaky ReLU with slopes ~ U(lower, upper) per element in training, their mean in evaluation", [
                P("lower", default: 1.0 / 8, "lower bound of the random slope"),
                P("upper", default: 1.0 / 3, "upper bound of the random slope"),
            ], ordered: ("lower", "upper", false)),
                float: { a in RReLU<Float>(lower: Float(a["lower"]), upper: Float(a["upper"])) }, double: { a in RReLU<Double>(lower: Double(a["lower"]), upper: Double(a["upper"])) }),
            RegisteredActivation(ELURule<Float>.self, ELURule<Double>.self),
            RegisteredActivation(SELURule<Float>.self, SELURule<Double>.self),
            RegisteredActivation(CELURule<Float>.self, CELURule<Double>.self),
            RegisteredActivation(ReLU6Rule<Float>.self, ReLU6Rule<Double>.self),
            RegisteredActivation(BoundedReLURule<Float>.self, BoundedReLURule<Double>.self),
            RegisteredActivation(HardtanhRule<Float>.self, HardtanhRule<Double>.self),
            RegisteredActivation(SoftsignRule<Float>.self, SoftsignRule<Double>.self),
            RegisteredActivation(SoftplusRule<Float>.self, SoftplusRule<Double>.self),
            RegisteredActivation(SwishRule<Float>.self, SwishRule<Double>.self),
            RegisteredActivation(
                ActivationEntry("trainable_swish", "TrainableSwish", "x·σ(beta·x) with trainable beta, one shared or one per channel (axis 1)", [
                P("channels", .integer, default: 1, .range(1...1 << 20), "number of beta values: 1 (shared) or the channel count"),
                P("init", default: 1, "initial beta"),
                P("per_channel", .integer, default: 0, .range(0...1), "1: one beta per channel, the count taken from the model (tapegrad train); channels gives it elsewhere"),
            ]),
                float: { a in TrainableSwish<Float>(channels: Int(a["channels"]), initialValue: Float(a["init"])) }, double: { a in TrainableSwish<Double>(channels: Int(a["channels"]), initialValue: Double(a["init"])) }),
            RegisteredActivation(SiLURule<Float>.self, SiLURule<Double>.self),
            RegisteredActivation(MishRule<Float>.self, MishRule<Double>.self),
            RegisteredActivation(GELURule<Float>.self, GELURule<Double>.self),
            RegisteredActivation(GELUTanhRule<Float>.self, GELUTanhRule<Double>.self),
            RegisteredActivation(HardsigmoidRule<Float>.self, HardsigmoidRule<Double>.self),
            RegisteredActivation(HardswishRule<Float>.self, HardswishRule<Double>.self),
            RegisteredActivation(LogSigmoidRule<Float>.self, LogSigmoidRule<Double>.self),
            RegisteredActivation(SoftshrinkRule<Float>.self, SoftshrinkRule<Double>.self),
            RegisteredActivation(HardshrinkRule<Float>.self, HardshrinkRule<Double>.self),
            RegisteredActivation(TanhshrinkRule<Float>.self, TanhshrinkRule<Double>.self),
            RegisteredActivation(ThresholdRule<Float>.self, ThresholdRule<Double>.self),
            RegisteredActivation(SigmoidRule<Float>.self, SigmoidRule<Double>.self),
            RegisteredActivation(TanhRule<Float>.self, TanhRule<Double>.self),
            RegisteredActivation(AbsRule<Float>.self, AbsRule<Double>.self),
            RegisteredActivation(PowerRule<Float>.self, PowerRule<Double>.self),
            RegisteredActivation(CaffeExpRule<Float>.self, CaffeExpRule<Double>.self),
            RegisteredActivation(CaffeLogRule<Float>.self, CaffeLogRule<Double>.self),
            RegisteredActivation(
                ActivationEntry("maxout", "Maxout", "max over k trainable affine pieces: [N, inputs] → [N, outputs]", elementwise: false, [
                P("inputs", .integer, default: nil, .range(1...4096), "input features"),
                P("outputs", .integer, default: nil, .range(1...4096), "output features"),
                P("pieces", .integer, default: nil, .range(1...16), "number of pieces k"),
            ]),
                float: { a in Maxout<Float>(inputs: Int(a["inputs"]), outputs: Int(a["outputs"]), pieces: Int(a["pieces"])) }, double: { a in Maxout<Double>(inputs: Int(a["inputs"]), outputs: Int(a["outputs"]), pieces: Int(a["pieces"])) }),
            RegisteredActivation(
                ActivationEntry("channel_maxout", "ChannelMaxout", "max over groups of k consecutive channels: [N, C, …] → [N, C/k, …]", elementwise: false, [
                P("groups", .integer, default: nil, .range(1...1024), "channels per group k"),
                P("axis", .integer, default: 1, .range(-16...15), "the channel axis"),
            ]),
                float: { a in ChannelMaxout<Float>(groups: Int(a["groups"]), channelAxis: Int(a["axis"])) }, double: { a in ChannelMaxout<Double>(groups: Int(a["groups"]), channelAxis: Int(a["axis"])) }),
            RegisteredActivation(
                ActivationEntry("softmax", "Softmax", "e^{xᵢ} / Σⱼ e^{xⱼ} along an axis", elementwise: false, [axis]),
                float: { a in Softmax<Float>(alongAxis: Int(a["axis"])) }, double: { a in Softmax<Double>(alongAxis: Int(a["axis"])) }),
            RegisteredActivation(
                ActivationEntry("log_softmax", "LogSoftmax", "log softmax along an axis", elementwise: false, [axis]),
                float: { a in LogSoftmax<Float>(alongAxis: Int(a["axis"])) }, double: { a in LogSoftmax<Double>(alongAxis: Int(a["axis"])) }),
            RegisteredActivation(
                ActivationEntry("softmin", "Softmin", "softmax(−x) along an axis", elementwise: false, [axis]),
                float: { a in Softmin<Float>(alongAxis: Int(a["axis"])) }, double: { a in Softmin<Double>(alongAxis: Int(a["axis"])) }),
            RegisteredActivation(
                ActivationEntry("glu", "GLU", "a·σ(b), [a, b] the halves of x along an axis", elementwise: false, [
                P("axis", .integer, default: -1, .range(-16...15), "the axis to split in halves (its size must be even)"),
            ]),
                float: { a in GLU<Float>(alongAxis: Int(a["axis"])) }, double: { a in GLU<Double>(alongAxis: Int(a["axis"])) }),
            RegisteredActivation(ISRU<Float>.self, ISRU<Double>.self),
        ]
    }()

    /// The command-line names, in catalogue order.
    public static var names: [String] { entries.map(\.name) }

    // MARK: Activations registered as rules

    /// The activations users registered, in registration order.
    static let registry = Mutex<[RegisteredActivation]>([])

    /// Adds a rule-based activation (its Float and Double forms) to the catalogue, so spec
    /// strings (`"name:param=value"`), `ActivationCatalogue.makeLayer`, `tapegrad list` and the
    /// registry-driven checks see it like a built-in. Stops if the name is taken (a programming
    /// mistake: two activations would answer to one spec).
    ///
    /// ```swift
    /// ActivationCatalogue.register(BentIdentity<Float>.self, BentIdentity<Double>.self)
    /// let layer = try ActivationCatalogue.makeLayer("bent_identity", as: Float.self)
    /// ```
    @inlinable
    public static func register<F: ElementwiseActivation, D: ElementwiseActivation>(_ float: F.Type, _ double: D.Type)
    where F.Scalar == Float, D.Scalar == Double {
        add(RegisteredActivation(float, double))
    }

    @usableFromInline
    static func add(_ activation: RegisteredActivation) {
        let name = activation.entry.name
        tensorCheck(
            entry(named: name) == nil,
            "ActivationCatalogue.register: an activation named '\(name)' is already in the catalogue. Fix: give the new rule another static name.")
        registry.withLock { $0.append(activation) }
    }

    /// The activation called `name` (built in or registered), if any.
    public static func registered(named name: String) -> RegisteredActivation? {
        registeredActivations.first { $0.entry.name == name }
    }

    /// Every activation: the built-in ones in catalogue order, then the user's.
    public static var registeredActivations: [RegisteredActivation] { builtIn + registry.withLock { $0 } }

    /// The entry called `name`, if any.
    public static func entry(named name: String) -> ActivationEntry? { entries.first { $0.name == name } }

    /// The entry called `name`, or an `unknownActivation` error with the nearest known name.
    public static func entry(resolving name: String) throws(ActivationSpecError) -> ActivationEntry {
        if let e = entry(named: name) { return e }
        throw .unknownActivation(name: name, known: names, suggestion: suggestion(for: name))
    }

    /// Parses `spec` ("elu:alpha=0.5") and builds its module in `Scalar`.
    public static func makeLayer<Scalar: TensorScalar>(_ spec: String, as _: Scalar.Type = Scalar.self) throws(ActivationSpecError) -> any Layer<Scalar> {
        try ActivationSpec(parsing: spec).makeLayer(Scalar.self)
    }

    /// The known name nearest to `name` (see `nearestName(to:in:)`).
    static func suggestion(for name: String) -> String? { nearestName(to: name, in: names) }
}

/// The candidate nearest to `word`, for "did you mean" hints (activation names, command-line
/// commands and flags): the same letters ignoring case, '_' and '-', else the closest by edit
/// distance if it is within a third of the word's length (at least 2); nil when none is close.
public func nearestName(to word: String, in candidates: [String]) -> String? {
    func normalized(_ s: String) -> [Character] { Array(s.lowercased().filter { $0 != "_" && $0 != "-" }) }
    let n = normalized(word)
    if let same = candidates.first(where: { normalized($0) == n }) { return same }
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    guard let best = candidates.map({ ($0, distance(n, normalized($0))) }).min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= Swift.max(2, n.count / 3) ? best.0 : nil
}

/// An activation in the catalogue: its entry (name, parameters, summary), its module in Float
/// and Double built from validated arguments, and — for a rule (`ElementwiseActivation`) — its
/// Double function with kinks for the derivative checks. Modules with parameters of their own
/// (PReLU, Maxout, the softmax family) are registered by their builders.
public struct RegisteredActivation: Sendable {
    public let entry: ActivationEntry
    @usableFromInline let float: @Sendable (ActivationArguments) -> any Layer<Float>
    @usableFromInline let double: @Sendable (ActivationArguments) -> any Layer<Double>
    @usableFromInline let floatForms: (@Sendable (ActivationArguments) -> ActivationForms<Float>)?
    @usableFromInline let doubleForms: (@Sendable (ActivationArguments) -> ActivationForms<Double>)?
    /// Whether the activation is a rule whose derivative can read the output, so it runs in place
    /// (at its default arguments, where it has them).
    public let worksInPlace: Bool
    /// For a rule: what its derivative reads (out of place).
    public let derivativeInput: ActivationDerivativeInput?
    /// Whether it is a rule (`ElementwiseActivation`).
    public var isRule: Bool { floatForms != nil }

    @inlinable
    init<F: ElementwiseActivation, D: ElementwiseActivation>(_: F.Type, _: D.Type) where F.Scalar == Float, D.Scalar == Double {
        tensorCheck(
            F.name == D.name,
            "ActivationCatalogue.register: the Float rule is named '\(F.name)' and the Double rule '\(D.name)'. Fix: pass the same rule in Float and Double (Rule<Float>.self, Rule<Double>.self).")
        entry = ActivationEntry(F.name, F.moduleName, F.summary, F.parameters, ordered: F.orderedParameters.map { ($0.lower, $0.upper, $0.strict) })
        float = { ActivationLayer(F($0)) }
        double = { ActivationLayer(D($0)) }
        floatForms = { ActivationForms(F($0)) }
        doubleForms = { ActivationForms(D($0)) }
        let defaults = F.parameters.allSatisfy { $0.defaultValue != nil }
        worksInPlace = F.derivativeInput != .input && (!defaults || F().inPlaceRefusal == nil)
        derivativeInput = F.derivativeInput
    }

    /// A module registered by its builders (`entry.moduleName` names the module type).
    init(
        _ entry: ActivationEntry, float: @escaping @Sendable (ActivationArguments) -> any Layer<Float>,
        double: @escaping @Sendable (ActivationArguments) -> any Layer<Double>
    ) {
        self.entry = entry
        self.float = float
        self.double = double
        floatForms = nil
        doubleForms = nil
        derivativeInput = nil
        worksInPlace = false
    }

    /// For a rule: its forms in `Scalar` for `arguments` (nil for a hand-written module).
    public func forms<Scalar: TensorScalar>(_: Scalar.Type, _ arguments: ActivationArguments) -> ActivationForms<Scalar>? {
        if Scalar.self == Float.self { return floatForms.map { $0(arguments) as! ActivationForms<Scalar> } }
        return doubleForms.map { $0(arguments) as! ActivationForms<Scalar> }
    }

    /// The module for `arguments`, in `Scalar` (Float or Double).
    public func makeLayer<Scalar: TensorScalar>(_: Scalar.Type, _ arguments: ActivationArguments) -> any Layer<Scalar> {
        if Scalar.self == Float.self { return float(arguments) as! any Layer<Scalar> }
        return double(arguments) as! any Layer<Scalar>
    }
}

/// A rule's forms for given arguments, as values: what the registry-driven tools and tests run.
public struct ActivationForms<Scalar: TensorScalar>: Sendable {
    /// The differentiable function (`x.activation(rule)`).
    public let function: @Sendable (Variable<Scalar>) -> Variable<Scalar>
    /// The Tensor form (no tape).
    public let tensor: @Sendable (Tensor<Scalar>) -> Tensor<Scalar>
    /// The in-place form (`formActivation`), nil where the derivative needs the input.
    public let inPlace: (@Sendable (inout Variable<Scalar>) -> Void)?
    /// The kinks with their convention derivatives, and where f′ has kinks.
    public let kinks: [ActivationKink]
    public let secondOrderKinks: [Double]
    /// Where f and its derivatives are finite (the rule's `domain`).
    public let domain: ClosedRange<Double>

    @inlinable
    init<Rule: ElementwiseActivation>(_ rule: Rule) where Rule.Scalar == Scalar {
        function = { $0.activation(rule) }
        tensor = { $0.activation(rule) }
        if rule.worksInPlace {
            inPlace = { (x: inout Variable<Scalar>) in x.formActivation(rule) }
        } else {
            inPlace = nil
        }
        kinks = rule.kinks
        secondOrderKinks = rule.secondOrderKinks
        domain = rule.domain
    }
}
