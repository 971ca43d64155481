import Foundation

// Gradient clipping (torch.nn.utils.clip_grad_norm_ and clip_grad_value_): call between
// `backward()` and `optimizer.step()`.

/// Scales the gradients of `parameters` together so that their total norm is at most `maxNorm`,
/// and returns the total norm before clipping (PyTorch's `clip_grad_norm_`).
///
/// total = (Σ over every gradient element |g|^p)^(1/p) for `normType` p (2 by default; `.infinity`
/// takes the largest |g|); every gradient is multiplied by min(1, maxNorm/(total + 1e-6)), so
/// the direction of the update is kept. Parameters without a gradient (frozen, unused) are
/// skipped. A NaN or infinite total is returned as it is and makes the gradients NaN, as
/// PyTorch's default does: check the return value to skip such a step.
///
///     loss.backward()
///     let norm = clipGradientNorm(model.parameters(), maxNorm: 1)
///     optimizer.step()
@discardableResult
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func clipGradientNorm<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], maxNorm: Double, normType: Double = 2) -> Double {
    tensorCheck(
        maxNorm >= 0 && !maxNorm.isNaN && (normType > 0 || normType == .infinity),
        "clipGradientNorm: maxNorm \(maxNorm), normType \(normType). Fix: use maxNorm ≥ 0 and a norm type > 0 (2 by default, .infinity for the largest |g|)."
    )
    let gradients = parameters.compactMap(\.variable.gradient)
    guard !gradients.isEmpty else { return 0 }
    var total = 0.0
    if normType == .infinity {
        for g in gradients {
            g.withUnsafeBufferPointer { for x in $0 { total = x.isNaN ? .nan : Swift.max(total, Swift.abs(Double(x))) } }
        }
    } else {
        var sum = 0.0
        for g in gradients {
            var s = ValueStatistics()
            s.add(g)
            if normType == 2 {
                sum += s.sumOfSquares + (s.nanCount > 0 ? .nan : 0)
            } else if normType == 1 {
                sum += s.sumOfAbsolutes + (s.nanCount > 0 ? .nan : 0)
            } else {
                g.withUnsafeBufferPointer { for x in $0 { sum += Foundation.pow(Swift.abs(Double(x)), normType) } }
            }
        }
        total = normType == 2 ? sum.squareRoot() : (normType == 1 ? sum : Foundation.pow(sum, 1 / normType))
    }
    // min(1, NaN) would be 1 (Swift's min keeps its first argument): NaN must stay NaN.
    let raw = maxNorm / (total + 1e-6)
    let factor = Scalar(raw.isNaN ? .nan : Swift.min(1, raw))
    for p in parameters {
        guard let g = p.variable.gradient else { continue }
        p.variable.gradient = g * factor
    }
    return total
}

/// Clamps every gradient element of `parameters` to [−maxValue, maxValue] (PyTorch's
/// `clip_grad_value_`); NaN stays NaN.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func clipGradientValue<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], maxValue: Double) {
    tensorCheck(
        maxValue >= 0 && !maxValue.isNaN,
        "clipGradientValue: maxValue \(maxValue). Fix: use a bound ≥ 0."
    )
    let bound = Scalar(maxValue)
    for p in parameters {
        guard let g = p.variable.gradient else { continue }
        p.variable.gradient = Tensor(shape: g.shape, scalars: g.scalars.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, -bound), bound) })
    }
}
