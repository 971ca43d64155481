import Autograd

// RReLU (randomized leaky ReLU): x for x ≥ 0, a·x otherwise. In training each element draws its
// own slope a ~ U(lower, upper) (kept for backward); in evaluation a = (lower + upper)/2.
// Derivative 1 for x ≥ 0 (so 1 at 0), a otherwise. Defaults lower 1/8, upper 1/3 (PyTorch).

extension Variable {
    /// RReLU with explicit per-element `slopes` (broadcastable to the input): the training-mode
    /// computation with the random draw done by the caller (or frozen, for gradient checks).
    public func rrelu(slopes: Tensor<Scalar>) -> Variable {
        Variable.select(value .>= Tensor(0), self, Variable(slopes) * self)
    }
}

/// An RReLU layer. In training mode every call draws fresh slopes from its seeded generator
/// (`lastSlopes` keeps them); `freezeSlopes` reuses the last draw, so a gradient check sees one
/// fixed function; in evaluation mode the slope is the mean (lower + upper)/2.
public struct RReLU<Scalar: TensorScalar> {
    public let lower: Scalar
    public let upper: Scalar
    public var isTraining = true
    public var freezeSlopes = false
    public private(set) var lastSlopes: Tensor<Scalar>?
    var generator: TensorRandom

    public init(lower: Scalar = 1.0 / 8, upper: Scalar = 1.0 / 3, seed: UInt64 = 0) {
        checkActivationParameter(
            lower.isFinite && upper.isFinite && lower <= upper, "RReLU", "lower \(lower), upper \(upper)",
            "use finite bounds with lower ≤ upper")
        self.lower = lower
        self.upper = upper
        generator = TensorRandom(seed: seed)
    }

    public mutating func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        guard isTraining else { return x.rrelu(slopes: Tensor((lower + upper) / 2)) }
        if !freezeSlopes || lastSlopes?.shape != x.shape {
            lastSlopes = Tensor.randomUniform(x.shape, low: lower, high: upper, using: &generator)
        }
        return x.rrelu(slopes: lastSlopes!)
    }
}
