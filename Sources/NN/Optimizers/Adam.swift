import Autograd

/// Adam (Kingma & Ba), PyTorch's `torch.optim.Adam`: same formulas and defaults.
///
/// Per parameter x with gradient g, at step t (counted per parameter):
///
///     g ← g + λ·x                               (weight decay λ, L2 form)
///     m ← m + (1 − β₁)·(g − m)
///     v ← β₂·v + (1 − β₂)·g²
///     x ← x − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
public final class Adam<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public let slots = OptimizerSlots<Scalar, AdamState<Scalar>>()
    /// η; must be ≥ 0.
    public var learningRate: Double { didSet { checkHyperparameter("Adam", "learningRate", learningRate, atLeast: 0) } }
    public let beta1, beta2, epsilon, weightDecay: Double

    public init(
        parameters: [Parameter<Scalar>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0
    ) {
        checkParametersGiven("Adam", parameters)
        checkAdamHyperparameters("Adam", learningRate, beta1, beta2, epsilon, weightDecay)
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func makeState(count: Int) -> AdamState<Scalar> { AdamState(count: count) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ p: ParameterUpdate<Scalar>, state: inout AdamState<Scalar>) {
        state.step += 1
        adamKernel(p, state, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, l2: weightDecay, decoupled: 0)
    }
}

/// AdamW (Loshchilov & Hutter), PyTorch's `torch.optim.AdamW`: Adam with decoupled weight
/// decay, x ← x·(1 − η·λ) before the Adam step (the gradient is not changed). Default λ = 0.01.
public final class AdamW<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public let slots = OptimizerSlots<Scalar, AdamState<Scalar>>()
    /// η; must be ≥ 0.
    public var learningRate: Double { didSet { checkHyperparameter("AdamW", "learningRate", learningRate, atLeast: 0) } }
    public let beta1, beta2, epsilon, weightDecay: Double

    public init(
        parameters: [Parameter<Scalar>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 1e-2
    ) {
        checkParametersGiven("AdamW", parameters)
        checkAdamHyperparameters("AdamW", learningRate, beta1, beta2, epsilon, weightDecay)
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func makeState(count: Int) -> AdamState<Scalar> { AdamState(count: count) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ p: ParameterUpdate<Scalar>, state: inout AdamState<Scalar>) {
        state.step += 1
        adamKernel(p, state, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, l2: 0, decoupled: weightDecay)
    }
}

/// Adam's and AdamW's per-parameter state: the step count t and the moment estimates m, v.
public struct AdamState<Scalar: TensorScalar> {
    public var step = 0
    public let firstMoment: OptimizerBuffer<Scalar>
    public let secondMoment: OptimizerBuffer<Scalar>

    init(count: Int) {
        firstMoment = OptimizerBuffer(count: count)
        secondMoment = OptimizerBuffer(count: count)
    }
}

func checkAdamHyperparameters(_ op: String, _ lr: Double, _ beta1: Double, _ beta2: Double, _ eps: Double, _ wd: Double) {
    checkHyperparameter(op, "learningRate", lr, atLeast: 0)
    checkHyperparameter(op, "beta1", beta1, atLeast: 0, below: 1)
    checkHyperparameter(op, "beta2", beta2, atLeast: 0, below: 1)
    checkHyperparameter(op, "epsilon", eps, atLeast: 0, lowIncluded: false)
    checkHyperparameter(op, "weightDecay", wd, atLeast: 0)
}

/// One fused pass over x, g, m, v: a vector body (`Scalar.Vector`, loads and stores of whole
/// vectors) and the same formula on scalars for the tail. The bias corrections are computed in
/// Double (PyTorch computes them in Python floats). The square root is the vector one, which
/// the release flag `-fno-math-errno` makes a `vsqrtps`/`vsqrtpd` (LLVM did not vectorize the
/// plain scalar loop: too many pointers to check for aliasing).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func adamKernel<Scalar: TensorScalar>(
    _ p: ParameterUpdate<Scalar>, _ state: AdamState<Scalar>, learningRate: Double, beta1: Double, beta2: Double,
    epsilon: Double, l2: Double, decoupled: Double
) {
    let t = Double(state.step)
    let stepSize = Scalar(learningRate / (1 - integerPower(beta1, t)))
    let correction2 = Scalar((1 - integerPower(beta2, t)).squareRoot())
    let w1 = Scalar(1 - beta1), b2 = Scalar(beta2), w2 = Scalar(1 - beta2)
    let eps = Scalar(epsilon), wd = Scalar(l2), shrink = Scalar(1 - learningRate * decoupled)
    let x = p.value, g = p.gradient, m = state.firstMoment.base, v = state.secondMoment.base
    typealias V = Scalar.Vector
    let width = V.scalarCount
    let vStep = V(repeating: stepSize), vC2 = V(repeating: correction2), vW1 = V(repeating: w1)
    let vB2 = V(repeating: b2), vW2 = V(repeating: w2), vEps = V(repeating: eps), vWd = V(repeating: wd)
    let vShrink = V(repeating: shrink)
    var i = 0
    while i + width <= p.count {
        let xi = load(x + i, as: V.self) * vShrink
        let gi = load(g + i, as: V.self) + vWd * xi
        let mOld = load(m + i, as: V.self)
        let mi = mOld + vW1 * (gi - mOld)
        let vi = vB2 * load(v + i, as: V.self) + vW2 * gi * gi
        store(mi, m + i)
        store(vi, v + i)
        store(xi - vStep * (mi / (vi.squareRoot() / vC2 + vEps)), x + i)
        i += width
    }
    while i < p.count {
        let xi = x[i] * shrink
        let gi = g[i] + wd * xi
        let mi = m[i] + w1 * (gi - m[i])
        let vi = b2 * v[i] + w2 * gi * gi
        m[i] = mi
        v[i] = vi
        x[i] = xi - stepSize * (mi / (vi.squareRoot() / correction2 + eps))
        i += 1
    }
}

@inline(__always)
func load<V: SIMD>(_ p: UnsafePointer<V.Scalar>, as _: V.Type) -> V {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

@inline(__always)
func load<V: SIMD>(_ p: UnsafeMutablePointer<V.Scalar>, as _: V.Type) -> V {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

@inline(__always)
func store<V: SIMD>(_ value: V, _ p: UnsafeMutablePointer<V.Scalar>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: V.self)
}

@inline(__always)
func integerPower(_ x: Double, _ n: Double) -> Double {
    // Integer powers by squaring (t is a step count), so no libm is involved.
    var result = 1.0, base = x, k = UInt64(n)
    while k > 0 {
        if k & 1 == 1 { result *= base }
        base *= base
        k >>= 1
    }
    return result
}
