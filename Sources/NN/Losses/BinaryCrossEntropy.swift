import Autograd

// Binary cross-entropy on logits, in the form that never overflows or takes log(0):
//   ℓ = −[t·log σ(x) + (1 − t)·log(1 − σ(x))] = max(x, 0) − x·t + log1p(e^{−|x|})
//   ∂ℓ/∂x = σ(x) − t        ∂ℓ/∂t = −x
// The derivative is written with differentiable operations, so it can be differentiated again
// (σ' = σ(1 − σ)); unlike the max/abs form it is exact at x = 0.

/// Binary cross-entropy of logits against targets in [0, 1] (same shape): ℓ = max(x, 0) − x·t +
/// log1p(e^{−|x|}), reduced (mean over all elements by default) — PyTorch's
/// `F.binary_cross_entropy_with_logits` without weights. Stable for any logit (±1e4 included).
/// - Complexity: O(count).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func binaryCrossEntropy<Scalar>(logits: Variable<Scalar>, targets: Variable<Scalar>, reduction: LossReduction = .mean) -> Variable<Scalar> {
    tensorCheck(
        logits.shape == targets.shape,
        "binaryCrossEntropy: logits \(describeShape(logits.shape)) and targets \(describeShape(targets.shape)) differ in shape. Fix: pass one target per logit, in the logits' shape.")
    return BinaryCrossEntropyFunction<Scalar>().apply(logits, targets).reduced(reduction)
}

/// Binary cross-entropy of logits against constant targets (see the variable form).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func binaryCrossEntropy<Scalar>(logits: Variable<Scalar>, targets: Tensor<Scalar>, reduction: LossReduction = .mean) -> Variable<Scalar> {
    binaryCrossEntropy(logits: logits, targets: Variable(targets), reduction: reduction)
}

struct BinaryCrossEntropyFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "binaryCrossEntropy" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let x = inputs[0], t = inputs[1]
        return x.relu() - x * t + (-x.abs()).exp().log1p()
    }

    // Specialized here: the engine calls it through an existential, and sigmoid is an inlinable
    // rule, which runs generic (slow) inside unspecialized code.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient g: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let x = saved[0], t = saved[1]
        return [g * (x.sigmoid() - t), -(g * x)]
    }
}
