import Autograd

/// Mean squared error: ℓᵢ = (pᵢ − tᵢ)², reduced (mean over all elements by default) —
/// PyTorch's `F.mse_loss`. Derivatives 2(p − t) and −2(p − t) (over the count for the mean).
///
/// Prediction and target must have the same shape (no silent broadcasting).
/// - Complexity: O(count).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mseLoss<Scalar>(_ prediction: Variable<Scalar>, _ target: Variable<Scalar>, reduction: LossReduction = .mean) -> Variable<Scalar> {
    tensorCheck(
        prediction.shape == target.shape,
        "mseLoss: prediction \(describeShape(prediction.shape)) and target \(describeShape(target.shape)) differ in shape. Fix: pass a target of the prediction's shape (reshape one of them).")
    let d = prediction - target
    return (d * d).reduced(reduction)
}

/// Mean squared error against a constant target (see the variable form).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mseLoss<Scalar>(_ prediction: Variable<Scalar>, _ target: Tensor<Scalar>, reduction: LossReduction = .mean) -> Variable<Scalar> {
    mseLoss(prediction, Variable(target), reduction: reduction)
}
