import Autograd

/// How a loss combines its per-element (or per-sample) values: PyTorch's `reduction`.
public enum LossReduction: Sendable, Equatable {
    /// The mean over all elements (samples, for cross-entropy and NLL) — the default.
    case mean
    /// The sum.
    case sum
    /// No reduction: one value per element (sample), in the input's shape.
    case none
    /// The sum divided by the size of the first (batch) axis: PyTorch's `batchmean`, the
    /// mathematically right reduction for `klDivergence`. For the per-sample losses
    /// (cross-entropy, NLL) it equals `.mean`.
    case batchMean
}

extension Variable {
    /// This loss tensor reduced as `reduction` says.
    func reduced(_ reduction: LossReduction) -> Variable {
        switch reduction {
        case .mean: return mean()
        case .sum: return sum()
        case .none: return self
        case .batchMean: return rank == 0 ? self : sum() / Scalar(Swift.max(1, shape[0]))
        }
    }
}

/// Stops unless labels has one class index in 0..<C per row of `shape` [N, C].
func checkClassLabels(_ op: String, _ labels: [Int], _ shape: [Int], input: String) {
    tensorCheck(
        shape.count == 2,
        "\(op): \(input) of shape \(describeShape(shape)). Fix: pass \(input) of shape [N, C] (batch, classes).")
    tensorCheck(
        labels.count == shape[0],
        "\(op): \(labels.count) labels for \(input) of shape \(describeShape(shape)). Fix: pass one class index per row (\(shape[0])).")
    let classes = shape[1]
    for (position, label) in labels.enumerated() where label < 0 || label >= classes {
        tensorFailure(
            "\(op): label \(label) at position \(position) is out of range for C = \(classes) classes (\(input) \(describeShape(shape))). Fix: labels must lie in 0..<\(classes).")
    }
}
