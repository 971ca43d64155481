import Autograd

/// Adagrad (Duchi et al. 2011), PyTorch's `torch.optim.Adagrad`: same formulas and defaults.
///
/// Per parameter x with gradient g at step t, rate η, decay δ, weight decay λ:
///
///     η_t ← η / (1 + (t − 1)·δ)
///     g ← g + λ·x
///     s ← s + g²                        (s starts at `initialAccumulatorValue`)
///     x ← x − η_t · g / (√s + ε)
public final class Adagrad<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public let slots = OptimizerSlots<Scalar, State>()
    /// η; must be ≥ 0.
    public var learningRate: Double { didSet { checkHyperparameter("Adagrad", "learningRate", learningRate, atLeast: 0) } }
    public let learningRateDecay, weightDecay, initialAccumulatorValue, epsilon: Double

    /// The sum of squared gradients and the step count.
    public struct State {
        public var step = 0
        public let sum: OptimizerBuffer<Scalar>
    }

    public init(
        parameters: [Parameter<Scalar>], learningRate: Double = 1e-2, learningRateDecay: Double = 0, weightDecay: Double = 0,
        initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10
    ) {
        checkParametersGiven("Adagrad", parameters)
        checkHyperparameter("Adagrad", "learningRate", learningRate, atLeast: 0)
        checkHyperparameter("Adagrad", "learningRateDecay", learningRateDecay, atLeast: 0)
        checkHyperparameter("Adagrad", "weightDecay", weightDecay, atLeast: 0)
        checkHyperparameter("Adagrad", "initialAccumulatorValue", initialAccumulatorValue, atLeast: 0)
        checkHyperparameter("Adagrad", "epsilon", epsilon, atLeast: 0)
        self.parameters = parameters
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
    }

    public func makeState(count: Int) -> State {
        let sum = OptimizerBuffer<Scalar>(count: count)
        if initialAccumulatorValue != 0 {
            for i in 0..<count { sum.base[i] = Scalar(initialAccumulatorValue) }
        }
        return State(sum: sum)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ p: ParameterUpdate<Scalar>, state: inout State) {
        state.step += 1
        // The decayed rate in Double, as PyTorch computes it in Python floats.
        let clr = Scalar(learningRate / (1 + Double(state.step - 1) * learningRateDecay))
        let eps = Scalar(epsilon), wd = Scalar(weightDecay)
        let x = p.value, g = p.gradient, s = state.sum.base
        for i in 0..<p.count {
            let gi = g[i] + wd * x[i]
            let si = s[i] + gi * gi
            s[i] = si
            x[i] -= clr * (gi / (si.squareRoot() + eps))
        }
    }
}
