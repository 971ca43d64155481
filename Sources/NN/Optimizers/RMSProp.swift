import Autograd

/// RMSProp (Hinton), PyTorch's `torch.optim.RMSprop`: same formulas and defaults.
///
/// Per parameter x with gradient g, smoothing α, weight decay λ, momentum μ, rate η:
///
///     g ← g + λ·x
///     s ← α·s + (1 − α)·g²
///     a ← a + (1 − α)·(g − a);  d ← √(s − a²) + ε     (centered)
///     d ← √s + ε                                      (otherwise)
///     b ← μ·b + g/d;  x ← x − η·b                     (μ > 0; b starts at 0)
///     x ← x − η·g/d                                   (μ = 0)
public final class RMSProp<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public let slots = OptimizerSlots<Scalar, State>()
    /// η; must be ≥ 0.
    public var learningRate: Double { didSet { checkHyperparameter("RMSProp", "learningRate", learningRate, atLeast: 0) } }
    public let alpha, epsilon, momentum, weightDecay: Double
    public let centered: Bool

    /// The running mean of g² (s), of g (a, when centered) and the momentum buffer (b, when
    /// μ > 0).
    public struct State {
        public var step = 0
        public let squareAverage: OptimizerBuffer<Scalar>
        public let gradientAverage: OptimizerBuffer<Scalar>?
        public let momentumBuffer: OptimizerBuffer<Scalar>?
    }

    public init(
        parameters: [Parameter<Scalar>], learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
        momentum: Double = 0, weightDecay: Double = 0, centered: Bool = false
    ) {
        checkParametersGiven("RMSProp", parameters)
        checkHyperparameter("RMSProp", "learningRate", learningRate, atLeast: 0)
        checkHyperparameter("RMSProp", "alpha", alpha, atLeast: 0, below: 1)
        checkHyperparameter("RMSProp", "epsilon", epsilon, atLeast: 0, lowIncluded: false)
        checkHyperparameter("RMSProp", "momentum", momentum, atLeast: 0)
        checkHyperparameter("RMSProp", "weightDecay", weightDecay, atLeast: 0)
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.centered = centered
    }

    public func makeState(count: Int) -> State {
        State(
            squareAverage: OptimizerBuffer(count: count),
            gradientAverage: centered ? OptimizerBuffer(count: count) : nil,
            momentumBuffer: momentum > 0 ? OptimizerBuffer(count: count) : nil)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ p: ParameterUpdate<Scalar>, state: inout State) {
        state.step += 1
        let lr = Scalar(learningRate), a = Scalar(alpha), w = Scalar(1 - alpha)
        let eps = Scalar(epsilon), wd = Scalar(weightDecay), mu = Scalar(momentum)
        let x = p.value, g = p.gradient, s = state.squareAverage.base
        // One loop per variant, so each is a simple loop LLVM vectorizes.
        switch (state.gradientAverage?.base, state.momentumBuffer?.base) {
        case (nil, nil):
            for i in 0..<p.count {
                let gi = g[i] + wd * x[i]
                let si = a * s[i] + w * gi * gi
                s[i] = si
                x[i] -= lr * (gi / (si.squareRoot() + eps))
            }
        case (nil, let b?):
            for i in 0..<p.count {
                let gi = g[i] + wd * x[i]
                let si = a * s[i] + w * gi * gi
                s[i] = si
                let bi = mu * b[i] + gi / (si.squareRoot() + eps)
                b[i] = bi
                x[i] -= lr * bi
            }
        case (let c?, nil):
            for i in 0..<p.count {
                let gi = g[i] + wd * x[i]
                let si = a * s[i] + w * gi * gi
                let ci = c[i] + w * (gi - c[i])
                s[i] = si
                c[i] = ci
                x[i] -= lr * (gi / ((si - ci * ci).squareRoot() + eps))
            }
        case (let c?, let b?):
            for i in 0..<p.count {
                let gi = g[i] + wd * x[i]
                let si = a * s[i] + w * gi * gi
                let ci = c[i] + w * (gi - c[i])
                s[i] = si
                c[i] = ci
                let bi = mu * b[i] + gi / ((si - ci * ci).squareRoot() + eps)
                b[i] = bi
                x[i] -= lr * bi
            }
        }
    }
}
