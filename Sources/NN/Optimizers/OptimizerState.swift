import Foundation

// Saving and restoring an optimizer's per-parameter state (moments, momentum buffers, sums,
// step counts) with a training checkpoint, for exact resumption.

/// A per-parameter optimizer state that can be saved and restored: its step count, and its
/// `OptimizerBuffer` properties (found by reflection, by property name). Every built-in state
/// conforms; a custom optimizer's state conforms by declaring it (`step` is the only requirement).
/// `saveState(into:)` and `restoreState(from:)` work on any optimizer (also through
/// `any Optimizer`) and refuse one whose state does not conform.
public protocol RestorableOptimizerState {
    var step: Int { get set }
}

extension SGD.State: RestorableOptimizerState {}
extension AdamState: RestorableOptimizerState {}
extension RMSProp.State: RestorableOptimizerState {}
extension Adagrad.State: RestorableOptimizerState {}

/// The `OptimizerBuffer`s of a state value with their property names (optional ones when present).
func stateBuffers<Scalar: TensorScalar>(_ state: Any, _: Scalar.Type) -> [(String, OptimizerBuffer<Scalar>)] {
    Mirror(reflecting: state).children.compactMap { child in
        guard let label = child.label else { return nil }
        if let b = child.value as? OptimizerBuffer<Scalar> { return (label, b) }
        let m = Mirror(reflecting: child.value)
        if m.displayStyle == .optional, let b = m.children.first?.value as? OptimizerBuffer<Scalar> { return (label, b) }
        return nil
    }
}

/// The prefix of a training checkpoint's optimizer entries: "@" cannot begin a Swift property
/// path, so these names never clash with a model's, and `Module.load` skips them.
let trainingStatePrefix = "@optimizer."

extension Optimizer {
    /// Adds the optimizer's state to `file`: for parameter i with a state, its buffers as tensors
    /// "@optimizer.i.<property>" of the parameter's shape, and its step in the metadata
    /// ("@optimizer.i.step"); the learning rate as "@optimizer.learning_rate".
    public func saveState(into file: inout SafeTensorsFile) throws(CheckpointError) {
        try checkRestorable()
        file.metadata["@optimizer.learning_rate"] = String(learningRate.bitPattern, radix: 16)
        for i in parameters.indices {
            guard let state = slots.state(at: i), let shape = slots.stateShapes[i] else { continue }
            file.metadata["\(trainingStatePrefix)\(i).step"] = String((state as! any RestorableOptimizerState).step)
            for (name, buffer) in stateBuffers(state, Scalar.self) {
                let t = buffer.tensor(shape: shape)
                try file.append("\(trainingStatePrefix)\(i).\(name)", dtype: .of(Scalar.self), shape: shape, bytes: tensorLittleEndianBytes(t))
            }
        }
    }

    /// Restores what `saveState(into:)` wrote, before the first `step()`: each saved parameter's
    /// state is made as at its first update and its buffers and step count filled in. The
    /// learning rate is restored too.
    /// - Throws: `CheckpointError.badTensor` when an entry's shape does not fit its parameter, a
    ///   buffer the optimizer has is missing (the file came from another optimizer or settings),
    ///   or a step count is not a number; nothing is changed then.
    public func restoreState(from file: SafeTensorsFile) throws(CheckpointError) {
        try checkRestorable()
        let slots = self.slots
        let params = parameters
        var made: [(Int, State, [Int])] = []
        for (i, p) in params.enumerated() {
            guard let stepText = file.metadata["\(trainingStatePrefix)\(i).step"] else { continue }
            guard let step = Int(stepText), step >= 0 else {
                throw .badTensor(name: "\(trainingStatePrefix)\(i).step", reason: "'\(stepText)' is not a step count")
            }
            var restorable = makeState(count: p.value.count) as! any RestorableOptimizerState
            restorable.step = step
            let state = restorable as! State
            for (name, buffer) in stateBuffers(state, Scalar.self) {
                let key = "\(trainingStatePrefix)\(i).\(name)"
                guard let entry = file.entry(named: key) else {
                    throw .badTensor(name: key, reason: "missing: the checkpoint's optimizer state does not match this optimizer (\(Self.self)) and its settings")
                }
                guard entry.shape == p.shape, entry.dtype == .of(Scalar.self), let bytes = file.bytes(of: key) else {
                    throw .badTensor(name: key, reason: "shape \(describeShape(entry.shape)) \(entry.dtype.rawValue) for parameter \(i) of shape \(describeShape(p.shape)) \(SafeTensorsDType.of(Scalar.self).rawValue)")
                }
                bytes.withUnsafeBytes { raw in
                    let t: Tensor<Scalar> = tensorFromLittleEndianBytes(raw, shape: p.shape)
                    t.withUnsafeBufferPointer { for k in 0..<$0.count { buffer.base[k] = $0[k] } }
                }
            }
            made.append((i, state, p.shape))
        }
        // Everything checked: lay out the slots as the first step would, and fill them.
        if slots.owners == nil {
            slots.owners = params.map { ObjectIdentifier($0) }
            slots.states = [State?](repeating: nil, count: params.count)
            slots.stateShapes = [[Int]?](repeating: nil, count: params.count)
            slots.placeholders = [Tensor<Scalar>?](repeating: nil, count: params.count)
        }
        for (i, state, shape) in made {
            slots.states[i] = state
            slots.stateShapes[i] = shape
        }
        if let rate = file.metadata["@optimizer.learning_rate"].flatMap({ UInt64($0, radix: 16) }) {
            learningRate = Double(bitPattern: rate)
        }
    }

    /// Stops with a typed error unless this optimizer's state can be saved and restored.
    private func checkRestorable() throws(CheckpointError) {
        guard State.self is any RestorableOptimizerState.Type else {
            throw .badTensor(name: "@optimizer", reason: "\(Self.self)'s per-parameter state \(State.self) does not conform to RestorableOptimizerState (declare it: a `step` count and OptimizerBuffer properties)")
        }
    }
}
