import Autograd

/// Dropout (PyTorch's `nn.Dropout`): in training, each element is zeroed with probability p and
/// the rest are scaled by 1/(1 − p), so the expected value is unchanged:
/// y = x · m, m = 1/(1 − p) with probability 1 − p, else 0 (the mask is kept for backward:
/// ∂y/∂x = m). In evaluation mode it is the identity.
///
/// Masks come from the layer's own generator, seeded with `seed` or, when none is given, from
/// the default generator at construction (see `manualSeed(_:)`), so runs are reproducible.
public final class Dropout<Scalar: TensorScalar>: Module, Layer {
    /// The probability of zeroing an element, in [0, 1).
    public let p: Double
    private var generator: TensorRandom

    /// Dropout with probability `p` (default 0.5), in [0, 1).
    public init(p: Double = 0.5, seed: UInt64? = nil) {
        tensorCheck(
            p >= 0 && p < 1,
            "Dropout: p = \(p) is outside [0, 1). Fix: use a drop probability 0 ≤ p < 1 (p = 1 would zero everything; remove the layer or use p < 1).")
        self.p = p
        generator = TensorRandom(seed: seed ?? ModelRandom.withGenerator { $0.next() })
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        guard isTraining && p > 0 else { return x }
        let u = Tensor<Scalar>.randomUniform(x.shape, using: &generator)
        let mask = (u .>= Tensor(Scalar(p))) * Scalar(1 / (1 - p))
        return x * Variable(mask)
    }
}
