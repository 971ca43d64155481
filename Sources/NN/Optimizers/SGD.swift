import Autograd

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay — PyTorch's `torch.optim.SGD`, same formulas and defaults.
///
/// Per parameter x with gradient g, momentum μ, dampening τ, weight decay λ, rate η:
///
///     g ← g + λ·x
///     b ← g                       (first step)
///     b ← μ·b + (1 − τ)·g         (later steps)
///     d ← g + μ·b  (Nesterov)  or  b  (otherwise);  d = g when μ = 0
///     x ← x − η·d
public final class SGD<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public let slots = OptimizerSlots<Scalar, State>()
    /// η; must be ≥ 0.
    public var learningRate: Double { didSet { checkHyperparameter("SGD", "learningRate", learningRate, atLeast: 0) } }
    public let momentum: Double
    public let dampening: Double
    public let nesterov: Bool
    public let weightDecay: Double

    /// The momentum buffer b (absent without momentum), filled at the first step.
    public struct State {
        public var buffer: OptimizerBuffer<Scalar>?
        public var step = 0
    }

    public init(
        parameters: [Parameter<Scalar>], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
        nesterov: Bool = false, weightDecay: Double = 0
    ) {
        checkParametersGiven("SGD", parameters)
        checkHyperparameter("SGD", "learningRate", learningRate, atLeast: 0)
        checkHyperparameter("SGD", "momentum", momentum, atLeast: 0)
        checkHyperparameter("SGD", "dampening", dampening, atLeast: -.infinity)
        checkHyperparameter("SGD", "weightDecay", weightDecay, atLeast: 0)
        tensorCheck(
            !nesterov || (momentum > 0 && dampening == 0),
            "SGD: Nesterov momentum with momentum \(momentum) and dampening \(dampening). Fix: use momentum > 0 and dampening 0 with nesterov: true."
        )
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func makeState(count: Int) -> State {
        State(buffer: momentum != 0 ? OptimizerBuffer(count: count) : nil)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ p: ParameterUpdate<Scalar>, state: inout State) {
        let lr = Scalar(learningRate), wd = Scalar(weightDecay), mu = Scalar(momentum)
        let x = p.value, g = p.gradient, n = p.count
        state.step += 1
        guard let buffer = state.buffer else {
            for i in 0..<n { x[i] -= lr * (g[i] + wd * x[i]) }
            return
        }
        let b = buffer.base
        let first = state.step == 1
        let keep = first ? 0 : mu, add = first ? 1 : Scalar(1 - dampening)
        if nesterov {
            for i in 0..<n {
                let d = g[i] + wd * x[i]
                let m = keep * b[i] + add * d
                b[i] = m
                x[i] -= lr * (d + mu * m)
            }
        } else {
            for i in 0..<n {
                let d = g[i] + wd * x[i]
                let m = keep * b[i] + add * d
                b[i] = m
                x[i] -= lr * m
            }
        }
    }
}
