// Forward hooks (PyTorch's `register_forward_hook`) and the model summary built on them.

/// A forward hook without its scalar type, as a module stores it.
public class AnyForwardHook {
    /// The scalar type of the layers it is for: compared before the (unchecked) downcast, which
    /// is cheaper than a dynamic cast to the generic subclass on every layer call.
    @usableFromInline let scalar: ObjectIdentifier
    init(scalar: ObjectIdentifier) { self.scalar = scalar }
}

/// A forward hook for layers of scalar type `Scalar`: called after the layer's `forward` with
/// the layer, its input and its output.
final class ForwardHook<Scalar: TensorScalar>: AnyForwardHook {
    let body: (Module, Variable<Scalar>, Variable<Scalar>) -> Void
    init(_ body: @escaping (Module, Variable<Scalar>, Variable<Scalar>) -> Void) {
        self.body = body
        super.init(scalar: ObjectIdentifier(Scalar.self))
    }
}

/// What `registerForwardHook` returns: `remove()` takes the hook off its module (PyTorch's
/// `RemovableHandle`). Dropping the handle leaves the hook in place.
public final class HookHandle {
    private weak var module: Module?
    private let hook: AnyForwardHook

    init(module: Module, hook: AnyForwardHook) {
        self.module = module
        self.hook = hook
    }

    /// Removes the hook; removing twice, or after the module is gone, does nothing.
    public func remove() {
        module?.forwardHooks.removeAll { $0 === hook }
    }
}

extension Layer {
    /// Calls `hook(layer, input, output)` after every call of this layer (`layer(x)`), in the
    /// order hooks were registered; the hook observes, the output is unchanged. Hooks are for
    /// looking inside a network (statistics, shapes, activations): they run in the forward pass,
    /// under the same `withoutGradients` as the call. Keep the handle to `remove()` the hook.
    ///
    ///     let handle = model.registerForwardHook { _, _, output in print(output.shape) }
    ///     _ = model(x)
    ///     handle.remove()
    @discardableResult
    public func registerForwardHook(
        _ hook: @escaping (_ layer: Self, _ input: Variable<Scalar>, _ output: Variable<Scalar>) -> Void
    ) -> HookHandle {
        let box = ForwardHook<Scalar> { module, input, output in hook(unsafeDowncast(module, to: Self.self), input, output) }
        forwardHooks.append(box)
        return HookHandle(module: self, hook: box)
    }

    @usableFromInline
    func runForwardHooks(_ input: Variable<Scalar>, _ output: Variable<Scalar>) {
        let scalar = ObjectIdentifier(Scalar.self)
        for hook in forwardHooks where hook.scalar == scalar {
            unsafeDowncast(hook, to: ForwardHook<Scalar>.self).body(self, input, output)
        }
    }
}

extension Module {
    /// Registers `hook` on this module and every sub-module that is a layer of scalar type
    /// `Scalar` (each module once), with the module's name (`""` for this one, else its
    /// property path, as `namedModules()`). One handle removes them all.
    @discardableResult
    public func registerForwardHooks<Scalar: TensorScalar>(
        of _: Scalar.Type,
        _ hook: @escaping (_ name: String, _ module: Module, _ input: Variable<Scalar>, _ output: Variable<Scalar>) -> Void
    ) -> HookHandles {
        var handles: [HookHandle] = []
        for (name, module) in namedModules() where module is any Layer<Scalar> {
            let box = ForwardHook<Scalar> { module, input, output in hook(name, module, input, output) }
            module.forwardHooks.append(box)
            handles.append(HookHandle(module: module, hook: box))
        }
        return HookHandles(handles)
    }

    /// This module (named `""`) and every module under it, depth first in declaration order,
    /// each once under the first name it is reached by (PyTorch's `named_modules()`).
    public final func namedModules() -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [("", self)]
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        func visit(_ module: Module, prefix: String) {
            for (name, child) in module.namedChildren() where seen.insert(ObjectIdentifier(child)).inserted {
                result.append((prefix + name, child))
                visit(child, prefix: prefix + name + ".")
            }
        }
        visit(self, prefix: "")
        return result
    }

    /// The number of parameter scalars of this module and its sub-modules, each parameter
    /// counted once, split into trainable and frozen.
    public final var parameterCounts: (trainable: Int, frozen: Int) {
        var seen = Set<ObjectIdentifier>()
        var counts = (trainable: 0, frozen: 0)
        for (_, slot) in namedTensors() {
            guard let p = slot as? any FreezableTensor, seen.insert(ObjectIdentifier(p)).inserted else { continue }
            let n = slot.shape.reduce(1, *)
            if p.frozen { counts.frozen += n } else { counts.trainable += n }
        }
        return counts
    }
}

extension Module {
    /// Adds a hook for layers of scalar type `Scalar` to this module alone.
    func addForwardHook<Scalar: TensorScalar>(_ body: @escaping (Module, Variable<Scalar>, Variable<Scalar>) -> Void) -> HookHandle {
        let box = ForwardHook<Scalar>(body)
        forwardHooks.append(box)
        return HookHandle(module: self, hook: box)
    }
}

/// Several hooks registered together (`registerForwardHooks`); `remove()` removes them all.
public struct HookHandles {
    let handles: [HookHandle]
    init(_ handles: [HookHandle]) { self.handles = handles }
    public func remove() { for h in handles { h.remove() } }
}

// MARK: - model.summary(inputShape:)

/// A model's layers with their output shapes and parameter counts (`model.summary(inputShape:)`,
/// as Keras' `model.summary()` or torchinfo's `summary`). Printing it gives the table.
public struct ModelSummary: CustomStringConvertible {
    public struct Row {
        /// The property path (`layers.0`), `""` for the model itself.
        public let name: String
        /// The module's one-line description (`Linear<Float>(64 → 128, bias: true)`).
        public let module: String
        /// The output shape of each call in the forward pass (empty when the module was not
        /// called: a module held but unused).
        public let outputShapes: [[Int]]
        /// Parameter scalars of the module and its sub-modules, each parameter once.
        public let parameters: Int
        /// Depth in the module tree (0 for the model).
        public let depth: Int
    }

    public let inputShape: [Int]
    public let rows: [Row]
    public let trainable: Int
    public let frozen: Int
    /// Bytes per parameter scalar (4 for Float, 8 for Double).
    public let scalarSize: Int

    public var description: String {
        func shapes(_ r: Row) -> String {
            if r.outputShapes.isEmpty { return "(not called)" }
            let distinct = r.outputShapes.reduce(into: [[Int]]()) { if !$0.contains($1) { $0.append($1) } }
            return distinct.map { "\($0)" }.joined(separator: ", ") + (r.outputShapes.count > 1 ? " ×\(r.outputShapes.count)" : "")
        }
        let labels = rows.map { r -> String in
            String(repeating: "  ", count: r.depth) + (r.name.isEmpty ? "" : "(\(r.name)): ") + r.module
        }
        let shapeTexts = rows.map(shapes)
        let counts = rows.map { $0.parameters.groupedDigits }
        let w0 = max(5, labels.map(\.count).max() ?? 0), w1 = max(12, shapeTexts.map(\.count).max() ?? 0)
        let w2 = max(10, counts.map(\.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func lpad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        let rule = String(repeating: "─", count: w0 + w1 + w2 + 4)
        var lines = [pad("Layer", w0) + "  " + pad("Output shape", w1) + "  " + lpad("Parameters", w2), rule]
        for i in rows.indices { lines.append(pad(labels[i], w0) + "  " + pad(shapeTexts[i], w1) + "  " + lpad(counts[i], w2)) }
        lines.append(rule)
        let total = trainable + frozen
        lines.append("Input shape: \(inputShape)")
        lines.append("Trainable parameters: \(trainable.groupedDigits)")
        lines.append("Frozen parameters: \(frozen.groupedDigits)")
        lines.append("Total: \(total.groupedDigits) (\(byteText(total * scalarSize)))")
        return lines.joined(separator: "\n")
    }

    private func byteText(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let kib = Double(bytes) / 1024
        if kib < 1024 { return "\((kib * 10).rounded() / 10) KiB" }
        return "\((kib / 1024 * 10).rounded() / 10) MiB"
    }
}

extension Layer {
    /// Runs the model once on zeros of `inputShape` (batch axis included, as torchinfo) and
    /// lists every module with its configuration, output shape and parameter count, then the
    /// trainable and frozen totals. The pass runs in evaluation mode without gradients (no
    /// BatchNorm statistics change, no dropout) and restores each module's mode; nothing else
    /// changes. A shape the model cannot take stops with the failing layer's message.
    public func summary(inputShape: [Int]) -> ModelSummary {
        tensorCheck(
            !inputShape.isEmpty && inputShape.allSatisfy { $0 > 0 },
            "summary(inputShape:): input shape \(inputShape). Fix: give the shape of one batch, batch axis first, all sizes positive (e.g. [1, 64] for an MLP on 64 features)."
        )
        let modules = namedModules()
        let modes = modules.map(\.module.isTraining)
        var outputs: [ObjectIdentifier: [[Int]]] = [:]
        let handles = registerForwardHooks(of: Scalar.self) { _, module, _, output in
            outputs[ObjectIdentifier(module), default: []].append(output.shape)
        }
        eval()
        _ = withoutGradients { self(Variable(Tensor<Scalar>(shape: inputShape, repeating: 0))) }
        handles.remove()
        for ((_, module), mode) in zip(modules, modes) { module.setTrainingFlag(mode) }
        let rows = modules.map { name, module in
            ModelSummary.Row(
                name: name, module: module.summaryLine, outputShapes: outputs[ObjectIdentifier(module)] ?? [],
                parameters: module.parameterCounts.trainable + module.parameterCounts.frozen,
                depth: modules.count { !$0.name.isEmpty && name.hasPrefix($0.name + ".") } + (name.isEmpty ? 0 : 1))
        }
        let counts = parameterCounts
        return ModelSummary(
            inputShape: inputShape, rows: rows, trainable: counts.trainable, frozen: counts.frozen,
            scalarSize: MemoryLayout<Scalar>.size)
    }
}
