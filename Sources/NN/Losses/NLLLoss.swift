import Autograd

/// Negative log-likelihood of log-probabilities [N, C] (e.g. `logSoftmax(alongAxis: 1)`)
/// against class indices: ℓₙ = −x_{n,yₙ}, reduced (mean over the N samples by default) —
/// PyTorch's `F.nll_loss` without weights. `crossEntropy(logits:labels:)` is
/// `nllLoss(logProbabilities: logits.logSoftmax(alongAxis: 1), labels:)` in one fused step.
///
/// Derivative: −1 at each sample's label, 0 elsewhere (times 1/N for the mean). Stops when a
/// label is outside 0..<C.
/// - Complexity: O(N·C).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func nllLoss<Scalar>(logProbabilities: Variable<Scalar>, labels: [Int], reduction: LossReduction = .mean) -> Variable<Scalar> {
    checkClassLabels("nllLoss", labels, logProbabilities.shape, input: "logProbabilities")
    let n = logProbabilities.shape[0], c = logProbabilities.shape[1]
    var pick = [Scalar](repeating: 0, count: n * c)
    for (r, label) in labels.enumerated() { pick[r * c + label] = -1 }
    // A masked sum: differentiable by construction, so it can be differentiated twice.
    return (logProbabilities * Variable(Tensor(shape: [n, c], scalars: pick))).sum(alongAxes: [1]).reduced(reduction)
}
