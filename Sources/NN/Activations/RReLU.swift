import Autograd

// RReLU (randomized leaky ReLU): x for x > 0, a·x otherwise. In training each element draws its
// own slope a ~ U(lower, upper) (kept for backward); in evaluation a = (lower + upper)/2.
// Derivative 1 for x > 0, a otherwise — so a at 0 (and at −0), like leaky ReLU and PReLU and
// PyTorch 2.x's rrelu in both modes (in training, the slope drawn for that element). Defaults
// lower 1/8, upper 1/3 (PyTorch).

extension Variable {
    /// RReLU with explicit per-element `slopes` (broadcastable to the input): the training-mode
    /// computation with the random draw done by the caller (or frozen, for gradient checks).
    public func rrelu(slopes: Tensor<Scalar>) -> Variable {
        Variable.select(value .> Tensor(0), self, Variable(slopes) * self)
    }
}

/// The RReLU layer. In training mode (`isTraining`, see `Module.train()`/`eval()`) every call
/// draws fresh slopes a ~ U(lower, upper) per element from the layer's own seeded generator
/// (`lastSlopes` keeps them; they are the derivative for x < 0); `freezeSlopes` reuses the last
/// draw, so a gradient check sees one fixed function. In evaluation mode a = (lower + upper)/2.
public final class RReLU<Scalar: TensorScalar>: Module, Layer {
    public let lower: Scalar
    public let upper: Scalar
    /// Reuse the last draw (when the shape matches) instead of drawing new slopes.
    public var freezeSlopes = false
    /// The slopes of the last training-mode call.
    public private(set) var lastSlopes: Tensor<Scalar>?
    private var generator: TensorRandom

    /// Bounds `lower` ≤ `upper` (PyTorch's defaults 1/8 and 1/3); the slope generator is seeded
    /// with `seed`, or from the default generator (see `manualSeed(_:)`) when `seed` is nil.
    public init(lower: Scalar = 1.0 / 8, upper: Scalar = 1.0 / 3, seed: UInt64? = nil) {
        checkActivationParameter(
            lower.isFinite && upper.isFinite && lower <= upper, "RReLU", "lower \(lower), upper \(upper)",
            "use finite bounds with lower ≤ upper")
        self.lower = lower
        self.upper = upper
        generator = TensorRandom(seed: seed ?? ModelRandom.withGenerator { $0.next() })
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        guard isTraining else { return x.rrelu(slopes: Tensor((lower + upper) / 2)) }
        if !freezeSlopes || lastSlopes?.shape != x.shape {
            lastSlopes = Tensor.randomUniform(x.shape, low: lower, high: upper, using: &generator)
        }
        return x.rrelu(slopes: lastSlopes!)
    }
}
