import Autograd
import Foundation

/// Huber loss of a prediction against a target of the same shape, per element with d = p − t:
/// ½d² where |d| < δ, δ(|d| − ½δ) elsewhere; reduced (mean by default) — PyTorch's
/// `F.huber_loss`. Quadratic near 0, linear (gradient ±δ) in the tails: robust to outliers.
///
/// Written as ½a² + δ(|d| − a) with a = clamp(|d|, 0, δ), the same function, differentiable twice
/// with the engine's own operations. Derivative d inside (−δ, δ), δ·sign(d) outside and at ±δ
/// (as PyTorch), 0 at d = 0. Stops for δ ≤ 0 and for mismatched shapes.
/// - Complexity: O(elements).
public func huberLoss<Scalar>(
    _ prediction: Variable<Scalar>, _ target: Variable<Scalar>, delta: Double = 1, reduction: LossReduction = .mean
) -> Variable<Scalar> {
    tensorCheck(
        delta > 0 && delta.isFinite,
        "huberLoss: delta \(delta). Fix: use a finite delta > 0 (1 by default); smoothL1Loss takes beta = 0 for the plain L1 loss."
    )
    checkSameShape("huberLoss", prediction.shape, target.shape)
    let d = prediction - target
    let magnitude = d.abs()
    let a = magnitude.clamped(to: 0...Scalar(delta))
    return (a * a * Scalar(0.5) + (magnitude - a) * Scalar(delta)).reduced(reduction)
}

public func huberLoss<Scalar>(_ prediction: Variable<Scalar>, _ target: Tensor<Scalar>, delta: Double = 1, reduction: LossReduction = .mean) -> Variable<Scalar> {
    huberLoss(prediction, Variable(target), delta: delta, reduction: reduction)
}

/// Smooth L1 loss, per element with d = p − t: ½d²/β where |d| < β, |d| − ½β elsewhere —
/// PyTorch's `F.smooth_l1_loss` (Fast R-CNN's box loss). It is `huberLoss(δ: β)/β`; β = 0 is
/// the L1 loss |d|. Stops for β < 0.
public func smoothL1Loss<Scalar>(
    _ prediction: Variable<Scalar>, _ target: Variable<Scalar>, beta: Double = 1, reduction: LossReduction = .mean
) -> Variable<Scalar> {
    tensorCheck(beta >= 0 && beta.isFinite, "smoothL1Loss: beta \(beta). Fix: use a finite beta ≥ 0 (1 by default; 0 is the L1 loss).")
    checkSameShape("smoothL1Loss", prediction.shape, target.shape)
    if beta == 0 { return (prediction - target).abs().reduced(reduction) }
    return huberLoss(prediction, target, delta: beta, reduction: .none).reduced(reduction) / Scalar(beta)
}

public func smoothL1Loss<Scalar>(_ prediction: Variable<Scalar>, _ target: Tensor<Scalar>, beta: Double = 1, reduction: LossReduction = .mean) -> Variable<Scalar> {
    smoothL1Loss(prediction, Variable(target), beta: beta, reduction: reduction)
}

/// The Kullback–Leibler divergence KL(target ‖ model) from the model's log-probabilities
/// `input` (e.g. `logSoftmax`) and the target distribution, per element t·(log t − x), with
/// 0 where t = 0 — PyTorch's `F.kl_div(input, target)`. With `logTarget`, `target` holds
/// log-probabilities: eᵗ·(t − x). Use `reduction: .batchMean` for the divergence per sample
/// (PyTorch's `batchmean`, what the mathematics means); `.mean` divides by every element, as
/// PyTorch's default does.
///
/// The target is a constant (no gradient). Derivative with respect to x: −t (−eᵗ with
/// `logTarget`), times the reduction's scale.
/// - Complexity: O(elements).
public func klDivergence<Scalar>(
    logProbabilities input: Variable<Scalar>, target: Tensor<Scalar>, logTarget: Bool = false, reduction: LossReduction = .mean
) -> Variable<Scalar> {
    checkSameShape("klDivergence", input.shape, target.shape)
    let t = target.contiguous()
    // The target's own term, a constant: t·log t (0·log 0 = 0), or eᵗ·t for log-targets.
    let probabilities = logTarget ? Tensor(shape: t.shape, scalars: t.scalars.map { Scalar(Foundation.exp(Double($0))) }) : t
    let entropyTerm = Tensor(shape: t.shape, scalars: zip(t.scalars, probabilities.scalars).map { value, p -> Scalar in
        logTarget ? p * value : (value == 0 ? 0 : value * Scalar(Foundation.log(Double(value))))
    })
    return (Variable(entropyTerm) - input * Variable(probabilities)).reduced(reduction)
}

/// Stops unless the two shapes are equal.
func checkSameShape(_ op: String, _ a: [Int], _ b: [Int]) {
    tensorCheck(
        a == b,
        "\(op): prediction of shape \(describeShape(a)) and target of shape \(describeShape(b)). Fix: pass a target of the prediction's shape (reshape one of them)."
    )
}
