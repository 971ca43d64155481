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
    /// The state of a parameter with `count` scalars before its first update.
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
public final class OptimizerBuffer<Scalar: TensorScalar>: @unchecked Sendable {
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

/// What the driver keeps per parameter: the rule's state (created at the first update) and a
/// placeholder value (see `step()`).
public final class OptimizerSlots<Scalar: TensorScalar, State> {
    var states: [State?] = []
    var placeholders: [Tensor<Scalar>?] = []

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
        if slots.states.count != params.count {
            slots.states = [State?](repeating: nil, count: params.count)
            slots.placeholders = [Tensor<Scalar>?](repeating: nil, count: params.count)
        }
        for i in 0..<params.count {
            let p = params[i]
            guard !p.isFrozen, let gradient = p.gradient else { continue }
            let shape = p.shape
            tensorCheck(
                gradient.shape == shape,
                "\(Self.self).step: parameter \(i) of shape \(describeShape(shape)) has a gradient of shape \(describeShape(gradient.shape)). Fix: keep a parameter's shape fixed while it is trained."
            )
            let count = gradient.count
            if slots.states[i] == nil { slots.states[i] = makeState(count: count) }
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
}
