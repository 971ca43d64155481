import Autograd

// One driver, many update rules (mlx-swift's `applySingle`). An optimizer says only how one
// parameter changes given its gradient and its own state; `step()` below is written once: it
// walks the parameters, skips frozen ones and ones without a gradient, creates each
// parameter's state on first use, and hands the rule the parameter's memory to update in place.

/// A training algorithm: a per-parameter update rule with per-parameter state, driven by the
/// shared `step()`.
///
/// To write one, store the parameters and an `OptimizerSlots`, say what state a parameter
/// needs (`makeState`) and how it moves (`update`):
///
/// ```swift
/// final class SignSGD<Scalar: TensorScalar>: Optimizer {
///     let parameters: [Parameter<Scalar>]
///     let slots = OptimizerSlots<Scalar, Void>()
///     var learningRate: Double
///     init(parameters: [Parameter<Scalar>], learningRate: Double) { ... }
///     func makeState(count: Int) {}
///     func update(_ p: ParameterUpdate<Scalar>, state: inout Void) {
///         let lr = Scalar(learningRate)
///         for i in 0..<p.count { p.value[i] -= lr * p.gradient[i].sign ... }
///     }
/// }
/// ```
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// What the rule keeps per parameter (moment buffers, a step count …).
    associatedtype State
    /// The parameters it trains, in a fixed order.
    var parameters: [Parameter<Scalar>] { get }
    /// The step size; schedules change it between epochs.
    var learningRate: Double { get set }
    /// Per-parameter state and scratch, owned by the driver.
    var slots: OptimizerSlots<Scalar, State> { get }
    /// The state of a parameter with `count` scalars before its first update. Called once per
    /// parameter; `update` is only ever called with that same `count` for this state (the
    /// driver stops if the parameter's shape changes later), so buffers of `count` scalars fit.
    func makeState(count: Int) -> State
    /// The update rule: moves `parameter.value` (in place) given `parameter.gradient`.
    func update(_ parameter: ParameterUpdate<Scalar>, state: inout State)
}

/// The memory of one parameter's update: its `count` values (written in place) and its
/// gradient, both contiguous.
public struct ParameterUpdate<Scalar: TensorScalar> {
    public let value: UnsafeMutablePointer<Scalar>
    public let gradient: UnsafePointer<Scalar>
    public let count: Int
}

/// `count` contiguous scalars owned by an optimizer's per-parameter state (moment estimates),
/// zero at creation. A class so the update rule writes it without copy-on-write checks.
///
/// Not `Sendable`: the update rule writes it through `base` without synchronization (it was
/// marked `@unchecked Sendable`, which did not hold).
public final class OptimizerBuffer<Scalar: TensorScalar> {
    public let count: Int
    public let base: UnsafeMutablePointer<Scalar>

    public init(count: Int, repeating value: Scalar = 0) {
        self.count = count
        base = .allocate(capacity: Swift.max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    deinit { base.deallocate() }

    /// A copy of the contents as a tensor of `shape` (for inspection and tests).
    public func tensor(shape: [Int]) -> Tensor<Scalar> {
        Tensor(shape: shape, scalars: Array(UnsafeBufferPointer(start: base, count: count)))
    }
}

/// What the driver keeps per parameter: the rule's state (created at the first update), the
/// shape that state was made for, and a placeholder value (see `step()`).
///
/// The state at position i belongs to the parameter at position i at the first step, and fits
/// that parameter's element count only: the driver stops if the parameter list or a
/// parameter's shape changes afterwards (build a new optimizer then).
public final class OptimizerSlots<Scalar: TensorScalar, State> {
    var states: [State?] = []
    /// The shape of the parameter when its state was made (nil before its first update).
    var stateShapes: [[Int]?] = []
    var placeholders: [Tensor<Scalar>?] = []
    /// The parameters of the first step, by identity; nil before the first step.
    var owners: [ObjectIdentifier]?

    public init() {}

    /// The state of parameter `index` (nil before its first update).
    public func state(at index: Int) -> State? { index < states.count ? states[index] : nil }
}

extension Optimizer {
    /// Updates every parameter that is not frozen and has a gradient, by the optimizer's rule.
    ///
    /// The value is updated in place: the parameter's tensor is taken out of the parameter
    /// (a zero-cost placeholder of the same shape stands in), so its storage is uniquely held
    /// and copy-on-write does not copy; it is written by `update` and put back. A tensor the
    /// caller still holds (or a graph kept with `retainGraph`) is copied first, so nothing
    /// outside sees the change.
    /// - Complexity: O(total parameter count).
    public func step() {
        let slots = self.slots
        let params = parameters
        checkParameterList(params, slots)
        for i in 0..<params.count {
            let p = params[i]
            guard !p.isFrozen, let gradient = p.gradient else { continue }
            let shape = p.shape
            tensorCheck(
                gradient.shape == shape,
                "\(Self.self).step: parameter \(i) of shape \(describeShape(shape)) has a gradient of shape \(describeShape(gradient.shape)). Fix: keep a parameter's shape fixed while it is trained."
            )
            let count = gradient.count
            if let made = slots.stateShapes[i] {
                // The state's buffers hold exactly `made`'s element count: a rule run with another
                // count would read and write past them.
                if made != shape {
                    tensorFailure(
                        "\(Self.self).step: parameter \(i) now has shape \(describeShape(shape)) (\(count) elements), but its optimizer state was made at its first update for shape \(describeShape(made)) (\(made.reduce(1, *)) elements) and does not fit. Fix: build a new optimizer after changing a parameter's shape (or assign a value of shape \(describeShape(made)))."
                    )
                }
            } else {
                slots.states[i] = makeState(count: count)
                slots.stateShapes[i] = shape
            }
            if slots.placeholders[i]?.shape != shape {
                slots.placeholders[i] = Tensor<Scalar>(0).expanded(to: shape)
            }
            var value = p.value
            p.assign(slots.placeholders[i]!)
            gradient.withUnsafeBufferPointer { g in
                value.withUnsafeMutableBufferPointer { x in
                    update(ParameterUpdate(value: x.baseAddress!, gradient: g.baseAddress!, count: count), state: &slots.states[i]!)
                }
            }
            p.assign(value)
        }
    }

    /// At the first step: the parameters must be distinct, and the slots are laid out for them.
    /// Later: the list must be the same parameters in the same order (the state at position i
    /// belongs to the parameter that was there at the first step).
    private func checkParameterList(_ params: [Parameter<Scalar>], _ slots: OptimizerSlots<Scalar, State>) {
        guard let owners = slots.owners else {
            checkDistinctParameters("\(Self.self)", params)
            slots.owners = params.map { ObjectIdentifier($0) }
            slots.states = [State?](repeating: nil, count: params.count)
            slots.stateShapes = [[Int]?](repeating: nil, count: params.count)
            slots.placeholders = [Tensor<Scalar>?](repeating: nil, count: params.count)
            return
        }
        let fix = "Fix: keep an optimizer's parameter list fixed (its per-parameter state belongs to the parameters of the first step); build a new optimizer for another list."
        tensorCheck(
            owners.count == params.count,
            "\(Self.self).step: the optimizer had \(owners.count) parameters at its first step and now has \(params.count). \(fix)"
        )
        for i in 0..<params.count where ObjectIdentifier(params[i]) != owners[i] {
            tensorFailure(
                "\(Self.self).step: parameter \(i) (shape \(describeShape(params[i].shape))) is not the parameter that was at position \(i) at the first step. \(fix)"
            )
        }
    }

    /// Forgets the gradients of all parameters (call before each backward pass).
    public func zeroGradients() {
        for p in parameters { p.variable.resetGradient() }
    }
}

/// Stops unless `value` lies in the range (NaN never does).
func checkHyperparameter(
    _ op: String, _ name: String, _ value: Double, atLeast low: Double, below high: Double = .infinity,
    lowIncluded: Bool = true
) {
    let ok = (lowIncluded ? value >= low : value > low) && value < high
    let range = "\(lowIncluded ? "[" : "(")\(low), \(high == .infinity ? "∞" : String(high)))"
    tensorCheck(ok, "\(op): \(name) \(value) is invalid; it must lie in \(range). Fix: pass a \(name) in \(range).")
}

/// Stops when an optimizer is given no parameters: almost always `parameters(of:)` asked for
/// the other scalar type than the model's (a Float model has no Double parameters), and
/// training would silently change nothing (PyTorch refuses an empty parameter list too).
func checkParametersGiven<Scalar: TensorScalar>(_ op: String, _ parameters: [Parameter<Scalar>]) {
    tensorCheck(
        !parameters.isEmpty,
        "\(op)<\(Scalar.self)>: an empty parameter list, so nothing would be trained. Fix: pass model.parameters(of: T.self) with T the model's scalar type (parameters(of: \(Scalar.self).self) lists only \(Scalar.self) parameters).")
    checkDistinctParameters("\(op)<\(Scalar.self)>", parameters)
}

/// Stops when the same parameter is listed twice: every step would update it twice (PyTorch
/// refuses duplicate parameters too). `Module.parameters()` lists a shared parameter once, so
/// this is a list built by hand, e.g. `a.parameters() + a.parameters()`.
func checkDistinctParameters<Scalar: TensorScalar>(_ op: String, _ parameters: [Parameter<Scalar>]) {
    var firstIndex: [ObjectIdentifier: Int] = [:]
    firstIndex.reserveCapacity(parameters.count)
    for (i, p) in parameters.enumerated() {
        if let j = firstIndex[ObjectIdentifier(p)] {
            tensorFailure(
                "\(op): parameter \(i) (shape \(describeShape(p.shape))) is the same Parameter as parameter \(j), so every step would update it twice. Fix: pass each parameter once (model.parameters() already lists a shared layer's parameters once; don't concatenate the same parameters twice)."
            )
        }
        firstIndex[ObjectIdentifier(p)] = i
    }
}
