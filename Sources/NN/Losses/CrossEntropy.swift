import Foundation
import Autograd

// Cross-entropy from logits, fused: one pass computes each row's log Σ e^x (max-subtracted, so
// ±1e4 logits neither overflow nor lose the answer) and the loss; the gradient is
// (softmax − onehot)·g, scaled by 1/N for the mean. The backward is itself a differentiable
// primitive whose own derivative is written with differentiable operations, so the loss can be
// differentiated twice (Hessian-vector products, gradgradcheck).
//
//   ℓₙ = log Σ_c e^{x_{n,c}} − x_{n,yₙ}
//   ∂ℓₙ/∂x_{n,c} = softmax(xₙ)_c − [c = yₙ]

/// Cross-entropy of logits [N, C] against class indices: ℓₙ = logsumexp(xₙ) − x_{n,yₙ}, then
/// reduced (mean over the N samples by default) — PyTorch's `F.cross_entropy` without weights.
///
/// Stops when a label is outside 0..<C or there is not one label per row.
/// - Complexity: O(N·C).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar>(logits: Variable<Scalar>, labels: [Int], reduction: LossReduction = .mean) -> Variable<Scalar> {
    checkClassLabels("crossEntropy", labels, logits.shape, input: "logits")
    return CrossEntropyFunction<Scalar>(labels: labels, reduction: reduction).apply(logits)
}

/// For each row of x [N, C] (contiguous): writes softmax(xₙ) to `softmax` and returns the row
/// maxima m and log Σ e^{x−m} separately (logsumexp is their sum; the loss adds them last, as
/// (m − x_y) + log Σ, so a large m does not swamp the small log term). NaN in a row gives NaN.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func rowSoftmax<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, rows: Int, columns: Int, softmax: UnsafeMutablePointer<Scalar>
) -> (maxima: [Scalar], logSums: [Scalar]) {
    var maxima = [Scalar](repeating: 0, count: rows)
    var logSums = [Scalar](repeating: 0, count: rows)
    for r in 0..<rows {
        let row = x + r * columns
        var m = -Scalar.infinity
        var nan = false
        for c in 0..<columns {
            m = Swift.max(m, row[c])
            nan = nan || row[c].isNaN
        }
        maxima[r] = nan ? .nan : m
        for c in 0..<columns { softmax[r * columns + c] = row[c] - maxima[r] }
    }
    Scalar._unaryKernel(.exp, softmax, softmax, rows * columns)
    for r in 0..<rows {
        let e = softmax + r * columns
        var s: Scalar = 0
        for c in 0..<columns { s += e[c] }
        logSums[r] = Scalar(Foundation.log(Double(s)))
        let inverse = 1 / s
        for c in 0..<columns { e[c] *= inverse }
    }
    return (maxima, logSums)
}

struct CrossEntropyFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let labels: [Int]
    let reduction: LossReduction
    var name: String { "crossEntropy" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let x = inputs[0]
        let n = x.shape[0], c = x.shape[1]
        let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(n * c, 1))
        defer { scratch.deallocate() }
        let (m, logSums) = x.withUnsafeBufferPointer { rowSoftmax($0.baseAddress!, rows: n, columns: c, softmax: scratch) }
        let losses = x.withUnsafeBufferPointer { xb in (0..<n).map { (m[$0] - xb[$0 * c + labels[$0]]) + logSums[$0] } }
        switch reduction {
        case .none: return Tensor(shape: [n], scalars: losses)
        case .sum: return Tensor(losses.reduce(0, +))
        case .mean, .batchMean: return Tensor(losses.reduce(0, +) / Scalar(n))
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [CrossEntropyBackward<Scalar>(labels: labels, reduction: reduction).apply(gradient, saved[0])]
    }
}

/// (softmax(x) − onehot)·g·s, s = 1/N for the mean, 1 otherwise; g is per row for `.none`.
/// Its derivatives, for an incoming u [N, C] and y = softmax(x):
///   ∂/∂g: s·Σ_c u·(y − onehot) (per row, or summed to a scalar)
///   ∂/∂x: s·g·y ⊙ (u − Σ_c u ⊙ y)
struct CrossEntropyBackward<Scalar: TensorScalar>: DifferentiableFunction {
    let labels: [Int]
    let reduction: LossReduction
    var name: String { "crossEntropyBackward" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let g = inputs[0].scalars, x = inputs[1]
        let n = x.shape[0], c = x.shape[1]
        let scale: Scalar = reduction == .mean || reduction == .batchMean ? 1 / Scalar(n) : 1
        return Tensor(uninitializedShape: [n, c]) { dx in
            let d = dx.baseAddress!
            _ = x.withUnsafeBufferPointer { rowSoftmax($0.baseAddress!, rows: n, columns: c, softmax: d) }
            for r in 0..<n {
                let k = (reduction == .none ? g[r] : g[0]) * scale
                let row = d + r * c
                row[labels[r]] -= 1
                for j in 0..<c { row[j] *= k }
            }
        }
    }

    func backward(gradient u: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let g = saved[0], x = saved[1]
        let n = x.shape[0], c = x.shape[1]
        let scale: Scalar = reduction == .mean || reduction == .batchMean ? 1 / Scalar(n) : 1
        var onehot = [Scalar](repeating: 0, count: n * c)
        for (r, label) in labels.enumerated() { onehot[r * c + label] = 1 }
        let y = x.softmax(alongAxis: 1)
        let perRow = (u * (y - Variable(Tensor(shape: [n, c], scalars: onehot)))).sum(alongAxes: [1]) * scale
        let dg = reduction == .none ? perRow : perRow.sum()
        let gColumn = (reduction == .none ? g.reshaped(to: [n, 1]) : g) * scale
        let dx = y * (u - (u * y).sum(alongAxes: [1], keepingDimensions: true)) * gColumn
        return [dg, dx]
    }
}

/// Cross-entropy with class weights and/or label smoothing — PyTorch's
/// `F.cross_entropy(x, y, weight: w, label_smoothing: ε)`. With p = softmax(xₙ) and C classes:
///
///   ℓₙ = (1 − ε)·w_{yₙ}·(−log p_{yₙ}) + (ε/C)·Σ_c w_c·(−log p_c)
///
/// `.mean` divides the sum by Σₙ w_{yₙ} (PyTorch's weighted mean; N without weights), `.sum`
/// and `.none` as usual. Built from `logSoftmax` and masked sums, so it can be differentiated
/// twice. Stops for a weight count other than C, a negative or non-finite weight, ε outside
/// [0, 1], or a bad label.
/// - Complexity: O(N·C).
public func crossEntropy<Scalar>(
    logits: Variable<Scalar>, labels: [Int], weights: [Double]?, labelSmoothing: Double = 0, reduction: LossReduction = .mean
) -> Variable<Scalar> {
    checkClassLabels("crossEntropy", labels, logits.shape, input: "logits")
    let n = logits.shape[0], c = logits.shape[1]
    if let weights {
        tensorCheck(
            weights.count == c && weights.allSatisfy { $0 >= 0 && $0.isFinite },
            "crossEntropy: \(weights.count) class weights for \(c) classes\(weights.contains { !($0 >= 0 && $0.isFinite) } ? ", some negative or not finite" : ""). Fix: give one finite weight ≥ 0 per class."
        )
    }
    tensorCheck(
        labelSmoothing >= 0 && labelSmoothing <= 1,
        "crossEntropy: labelSmoothing \(labelSmoothing). Fix: use a value in [0, 1] (0.1 is usual; 0 is none)."
    )
    if weights == nil && labelSmoothing == 0 { return crossEntropy(logits: logits, labels: labels, reduction: reduction) }
    let w = weights ?? [Double](repeating: 1, count: c)
    let logp = logits.logSoftmax(alongAxis: 1)
    var pick = [Scalar](repeating: 0, count: n * c)
    for (r, label) in labels.enumerated() { pick[r * c + label] = -Scalar(w[label]) }
    let nll = (logp * Variable(Tensor(shape: [n, c], scalars: pick))).sum(alongAxes: [1])
    var perSample = nll
    if labelSmoothing > 0 {
        let smooth = (logp * Variable(Tensor(shape: [1, c], scalars: w.map { -Scalar($0) }))).sum(alongAxes: [1])
        perSample = nll * Scalar(1 - labelSmoothing) + smooth * Scalar(labelSmoothing / Double(c))
    }
    switch reduction {
    case .none: return perSample
    case .sum: return perSample.sum()
    case .mean, .batchMean: return perSample.sum() / Scalar(labels.reduce(0.0) { $0 + w[$1] })
    }
}

/// Cross-entropy with label smoothing and no class weights (see the weighted form).
public func crossEntropy<Scalar>(
    logits: Variable<Scalar>, labels: [Int], labelSmoothing: Double, reduction: LossReduction = .mean
) -> Variable<Scalar> {
    crossEntropy(logits: logits, labels: labels, weights: nil, labelSmoothing: labelSmoothing, reduction: reduction)
}
