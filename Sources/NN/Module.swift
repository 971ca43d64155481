import Autograd
import Synchronization

// Modules find their parameters by walking their stored properties (Mirror): a property marked
// `@Parameter` is a trainable tensor, `@Buffer` is saved state that is not trained (BatchNorm's
// running statistics), a property holding a `Module` (alone, in an array or an optional) is a
// child. Names are the property paths, with array positions as numbers: "layers.0.weight".
// Nothing is listed by hand, so a new layer cannot forget to register a parameter.

/// A tensor slot in a module (a parameter or a buffer), as checkpoints see it: a shape, a scalar
/// type and contiguous values.
public protocol ModuleTensor: AnyObject {
    /// The shape of the current value.
    var shape: [Int] { get }
    /// Float or Double.
    var scalarType: any TensorScalar.Type { get }
    /// The current value as contiguous little-endian bytes (row-major).
    func littleEndianBytes() -> [UInt8]
    /// Replaces the value with `bytes` (row-major, little-endian, exactly `shape`'s count of
    /// `scalarType`), keeping the shape. Callers validate first; this only copies.
    func replaceValue(littleEndianBytes bytes: UnsafeRawBufferPointer)
}

/// A trainable tensor of a module: stored as a leaf variable that accumulates its gradient.
///
/// Declare with `@Parameter var weight: Variable<Scalar>`; the module then lists it in
/// `parameters()` under the property's name.
@propertyWrapper
public final class Parameter<Scalar: TensorScalar>: ModuleTensor {
    /// The leaf variable (a constant while frozen).
    public var variable: Variable<Scalar>
    /// A frozen parameter records no gradient and optimizers leave it alone.
    public private(set) var isFrozen = false

    /// A parameter starting at `value`.
    public init(_ value: Tensor<Scalar>) {
        variable = Variable(value, requiresGradient: true)
    }

    public convenience init(wrappedValue: Variable<Scalar>) {
        self.init(wrappedValue.value)
    }

    public var wrappedValue: Variable<Scalar> {
        get { variable }
        set { variable = newValue.isLeaf && newValue.requiresGradient != isFrozen ? newValue : Self.leaf(newValue.value, frozen: isFrozen) }
    }

    /// `$weight` is the parameter box itself (to re-initialize, freeze or read its gradient).
    public var projectedValue: Parameter<Scalar> { self }

    /// The current value.
    public var value: Tensor<Scalar> { variable.value }
    /// The gradient accumulated since the last `zeroGradients()`, if any.
    public var gradient: Tensor<Scalar>? { variable.gradient }
    public var shape: [Int] { variable.shape }
    public var scalarType: any TensorScalar.Type { Scalar.self }

    /// Replaces the value outside the graph (an optimizer step); shape must not change.
    public func assign(_ newValue: Tensor<Scalar>) { variable.assign(newValue) }

    /// Stops (`true`) or restarts (`false`) gradient recording for this parameter.
    public func setFrozen(_ frozen: Bool) {
        guard frozen != isFrozen else { return }
        isFrozen = frozen
        variable = Self.leaf(variable.value, frozen: frozen)
    }

    private static func leaf(_ value: Tensor<Scalar>, frozen: Bool) -> Variable<Scalar> {
        Variable(value, requiresGradient: !frozen)
    }

    public func littleEndianBytes() -> [UInt8] { tensorLittleEndianBytes(variable.value) }
    public func replaceValue(littleEndianBytes bytes: UnsafeRawBufferPointer) {
        variable.assign(tensorFromLittleEndianBytes(bytes, shape: variable.shape))
    }
}

/// (A `let p: Parameter<Scalar>?` property is also found, when non-nil: an optional parameter
/// such as a bias that can be switched off.)

/// Module state that is saved and loaded with the parameters but not trained (running
/// statistics). Declare with `@Buffer var runningMean: Tensor<Scalar>`.
@propertyWrapper
public final class Buffer<Scalar: TensorScalar>: ModuleTensor {
    public var wrappedValue: Tensor<Scalar>

    public init(wrappedValue: Tensor<Scalar>) { self.wrappedValue = wrappedValue }

    public var shape: [Int] { wrappedValue.shape }
    public var scalarType: any TensorScalar.Type { Scalar.self }
    public func littleEndianBytes() -> [UInt8] { tensorLittleEndianBytes(wrappedValue) }
    public func replaceValue(littleEndianBytes bytes: UnsafeRawBufferPointer) {
        wrappedValue = tensorFromLittleEndianBytes(bytes, shape: wrappedValue.shape)
    }
}

func tensorLittleEndianBytes<Scalar: TensorScalar>(_ t: Tensor<Scalar>) -> [UInt8] {
    let scalars = t.scalars
    return scalars.withUnsafeBytes { Array($0) }  // every supported machine is little-endian
}

func tensorFromLittleEndianBytes<Scalar: TensorScalar>(_ bytes: UnsafeRawBufferPointer, shape: [Int]) -> Tensor<Scalar> {
    let count = shape.reduce(1, *)
    precondition(bytes.count == count * MemoryLayout<Scalar>.size, "tensorFromLittleEndianBytes: size checked by the caller")
    var scalars = [Scalar](repeating: 0, count: count)
    scalars.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
    return Tensor(shape: shape, scalars: scalars)
}

/// The base of every layer and model. Subclass it, store parameters with `@Parameter`, buffers
/// with `@Buffer` and sub-modules as plain properties; everything else is found automatically.
open class Module {
    /// Training mode (the default) or evaluation mode; Dropout, BatchNorm and RReLU read it.
    public private(set) var isTraining = true

    /// The forward hooks (`registerForwardHook`), each a `ForwardHook<Scalar>`; checked on every
    /// call of a layer, so kept as a plain array.
    @usableFromInline final var forwardHooks: [AnyForwardHook] = []

    public init() {}

    /// The module's own line in `print(model)`: its type and its plain stored values, e.g.
    /// "PReLU<Float>(channelAxis: 1)". A subclass may override it (Linear prints
    /// "Linear<Float>(64 → 128, bias: true)").
    open var summaryLine: String { "\(type(of: self))(\(configuration))" }

    /// The direct sub-modules with their names, in declaration order.
    public final func namedChildren() -> [(name: String, module: Module)] {
        var result: [(String, Module)] = []
        forEachStoredProperty { name, value in
            collectModules(value, name: name, into: &result)
        }
        return result
    }

    /// Every parameter and buffer, depth first in declaration order, named by property path.
    ///
    /// A tensor reached through two paths (a module used twice, as in `Sequential([l, l])`, or
    /// a `Parameter` stored in two modules) is listed under each name, as PyTorch's
    /// `state_dict()` does: a checkpoint has every name the model's structure has, and loading
    /// writes the shared tensor once per name (with a file this model saved, the same bytes).
    public final func namedTensors() -> [(name: String, tensor: any ModuleTensor)] {
        var result: [(String, any ModuleTensor)] = []
        visitTensors(prefix: "") { result.append(($0, $1)) }
        return result
    }

    /// The parameters of scalar type `Scalar`, named by property path (frozen ones included).
    ///
    /// Each parameter is listed once, under the first name it is reached by (a module used
    /// twice, as in `Sequential([l, l])`, contributes its parameters once), as PyTorch's
    /// `named_parameters()`: an optimizer given this list updates a shared parameter once per
    /// step, by its accumulated gradient.
    public final func namedParameters<Scalar: TensorScalar>(of _: Scalar.Type = Scalar.self) -> [(name: String, parameter: Parameter<Scalar>)] {
        var seen = Set<ObjectIdentifier>()
        return namedTensors().compactMap { name, slot in
            guard let p = slot as? Parameter<Scalar>, seen.insert(ObjectIdentifier(p)).inserted else { return nil }
            return (name, p)
        }
    }

    /// The parameters of scalar type `Scalar`, in the order of `namedParameters` (each once).
    public final func parameters<Scalar: TensorScalar>(of type: Scalar.Type = Scalar.self) -> [Parameter<Scalar>] {
        namedParameters(of: type).map(\.parameter)
    }

    /// The number of trainable scalars (frozen parameters excluded; a shared parameter counted
    /// once).
    public final var trainableScalarCount: Int {
        var seen = Set<ObjectIdentifier>()
        return namedTensors().reduce(0) { total, entry in
            guard let p = entry.tensor as? any FreezableTensor, !p.frozen, seen.insert(ObjectIdentifier(p)).inserted else { return total }
            return total + entry.tensor.shape.reduce(1, *)
        }
    }

    /// Switches this module and all sub-modules to training (`true`) or evaluation mode.
    public final func train(_ on: Bool = true) {
        isTraining = on
        for child in namedChildren() { child.module.train(on) }
    }

    /// Sets this module's own mode only (the summary restores each module's mode with it).
    final func setTrainingFlag(_ on: Bool) { isTraining = on }

    /// Evaluation mode: `train(false)`.
    public final func eval() { train(false) }

    /// Freezes every parameter of this module and its sub-modules: no gradients, no updates.
    public final func freeze() { setFrozen(true) }

    /// Undoes `freeze()`.
    public final func unfreeze() { setFrozen(false) }

    private func setFrozen(_ frozen: Bool) {
        for (_, slot) in namedTensors() { (slot as? any FreezableTensor)?.setFrozen(frozen) }
    }

    /// Forgets the accumulated gradients of every parameter (call before each backward pass).
    public final func zeroGradients() {
        for (_, slot) in namedTensors() { (slot as? any FreezableTensor)?.resetGradient() }
    }

    private func visitTensors(prefix: String, _ body: (String, any ModuleTensor) -> Void) {
        forEachStoredProperty { name, value in
            if let slot = value as? any ModuleTensor {
                body(prefix + name, slot)
                return
            }
            var modules: [(String, Module)] = []
            collectModules(value, name: name, into: &modules)
            for (childName, child) in modules { child.visitTensors(prefix: prefix + childName + ".", body) }
        }
    }

    // Stored properties of this object, base class first, with property wrappers' leading "_"
    // removed from the name.
    private func forEachStoredProperty(_ body: (String, Any) -> Void) {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            mirrors.append(m)
            mirror = m.superclassMirror
        }
        for m in mirrors.reversed() {
            for child in m.children {
                guard var name = child.label, name != "forwardHooks" else { continue }
                if name.hasPrefix("_") { name.removeFirst() }
                body(name, child.value)
            }
        }
    }
}

// MARK: - Printing (PyTorch's module repr)

extension Module: CustomStringConvertible {
    /// The module tree, as PyTorch prints a model: each module with its configuration and its
    /// parameter count, sub-modules indented under it.
    ///
    ///     Sequential<Float>(   9,610 parameters
    ///       (layers.0): Linear<Float>(64 → 128, bias: true)   8,320 parameters
    ///       (layers.1): ReLU<Float>()
    ///       …
    ///     )
    public var description: String { describe(indent: "") }

    /// "name: value" for each stored property that is a plain value (numbers, flags, text,
    /// enumerations; not tensors, modules or closures).
    public var configuration: String {
        var fields: [String] = []
        forEachStoredProperty { label, value in
            guard label != "isTraining" && label != "forwardHooks" else { return }
            switch value {
            case let v as Int: fields.append("\(label): \(v)")
            case let v as Float: fields.append("\(label): \(v)")
            case let v as Double: fields.append("\(label): \(v)")
            case let v as Bool: fields.append("\(label): \(v)")
            case let v as String: fields.append("\(label): \"\(v)\"")
            case let v as [Int]: fields.append("\(label): \(v)")
            case let v as (Int, Int): fields.append("\(label): (\(v.0), \(v.1))")
            default:
                if Mirror(reflecting: value).displayStyle == .enum { fields.append("\(label): \(value)") }
            }
        }
        return fields.joined(separator: ", ")
    }

    func describe(indent: String) -> String {
        let count = namedTensors().reduce(0) { $0 + (($1.tensor as? any FreezableTensor) != nil ? $1.tensor.shape.reduce(1, *) : 0) }
        let counted = count > 0 ? "   \(count.groupedDigits) parameter\(count == 1 ? "" : "s")" : ""
        let children = namedChildren()
        if children.isEmpty { return summaryLine + counted }
        var lines = ["\(type(of: self))(" + counted]
        for (name, child) in children {
            lines.append(indent + "  (\(name)): " + child.describe(indent: indent + "  "))
        }
        lines.append(indent + ")")
        return lines.joined(separator: "\n")
    }
}

extension Int {
    /// 8970 → "8,970".
    var groupedDigits: String {
        let digits = String(Swift.abs(self))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + String(out.reversed())
    }
}

private func collectModules(_ value: Any, name: String, into result: inout [(String, Module)]) {
    if let module = value as? Module {
        result.append((name, module))
        return
    }
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .collection?:
        for (i, element) in mirror.children.enumerated() {
            collectModules(element.value, name: "\(name).\(i)", into: &result)
        }
    case .optional?:
        if let wrapped = mirror.children.first { collectModules(wrapped.value, name: name, into: &result) }
    default:
        break
    }
}

/// A parameter seen without its scalar type (for freezing and gradient resets).
protocol FreezableTensor: ModuleTensor {
    var frozen: Bool { get }
    func setFrozen(_ frozen: Bool)
    func resetGradient()
}

extension Parameter: FreezableTensor {
    var frozen: Bool { isFrozen }
    func resetGradient() { variable.resetGradient() }
}

/// A module that maps one variable to another: a layer, or a whole model.
///
/// Implement `forward(_:)`; call the layer (`layer(x)`), as in PyTorch: the call runs `forward`
/// and then the forward hooks registered on the layer (`registerForwardHook`), if any.
public protocol Layer<Scalar>: Module {
    associatedtype Scalar: TensorScalar
    /// The layer's computation. Call the layer itself, `layer(x)`, so that hooks run.
    func forward(_ input: Variable<Scalar>) -> Variable<Scalar>
}

extension Layer {
    /// `forward(input)`, then each forward hook of the layer with its input and output, in the
    /// order they were registered. Without hooks, one check of an empty array.
    @inlinable
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let output = forward(input)
        if !forwardHooks.isEmpty { runForwardHooks(input, output) }
        return output
    }

    /// The trainable parameters in the layer's own scalar type (`model.parameters()`, as PyTorch).
    public func parameters() -> [Parameter<Scalar>] { parameters(of: Scalar.self) }

    /// The layer applied to a constant input (no gradient flows to `input`).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Variable<Scalar> { self(Variable(input)) }
}

extension Tensor {
    /// Normal draws from the default generator (reseeded by `manualSeed(_:)`, PyTorch's
    /// `torch.randn`).
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1) -> Tensor {
        ModelRandom.withGenerator { randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &$0) }
    }

    /// Uniform draws on [low, high) from the default generator (reseeded by `manualSeed(_:)`,
    /// PyTorch's `torch.rand`).
    public static func randomUniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1) -> Tensor {
        ModelRandom.withGenerator { randomUniform(shape, low: low, high: high, using: &$0) }
    }
}

// MARK: - Initialization randomness

/// The generator layers draw their initial weights from when not given one: seeded with 0 at
/// start, reseeded by `manualSeed(_:)` (PyTorch's `torch.manual_seed`).
public enum ModelRandom {
    static let generator = Mutex(TensorRandom(seed: 0))

    /// Reseeds the default generator, so models built afterwards are reproducible.
    public static func manualSeed(_ seed: UInt64) {
        generator.withLock { $0 = TensorRandom(seed: seed) }
    }

    /// Runs `body` with exclusive use of the default generator.
    public static func withGenerator<R>(_ body: (inout TensorRandom) throws -> R) rethrows -> R {
        try generator.withLock { try body(&$0) }
    }
}

/// Reseeds the generator layers initialize from (and Dropout draws from when not given one).
public func manualSeed(_ seed: UInt64) { ModelRandom.manualSeed(seed) }
