import Foundation

/// A point where a function is not differentiable, and the derivative the implementation
/// promises there (its convention, e.g. relu'(0) = 0).
public struct Kink: Sendable {
    public var location: Double
    /// The documented derivative exactly at the kink, checked when an input sits on it.
    public var derivative: Double?

    public init(at location: Double, derivative: Double? = nil) {
        self.location = location
        self.derivative = derivative
    }
}

/// How `gradcheck` compares derivatives.
public struct GradcheckOptions: Sendable {
    /// Central-difference step (PyTorch's default 1e-6).
    public var eps = 1e-6
    /// Absolute and relative tolerance: pass when |analytic − numeric| ≤ atol + rtol·|numeric|
    /// (PyTorch's defaults 1e-5 and 1e-3).
    public var atol = 1e-5
    public var rtol = 1e-3
    /// `.full` builds the whole Jacobian both ways; `.randomProjections(n)` compares vᵀJu for
    /// n random pairs (v, u) — one backward and two forwards each, for large inputs.
    public var mode: Mode = .full
    /// Kinks of an elementwise function: inputs within `kinkDistance` of one are not compared
    /// with finite differences (they straddle the kink); inputs exactly on one have their
    /// analytic derivative checked against the kink's convention instead.
    public var kinks: [Kink] = []
    public var kinkDistance = 1e-4
    public var seed: UInt64 = 0

    public enum Mode: Sendable, Equatable {
        case full
        case randomProjections(Int)
    }

    /// Every option, each defaulted: `GradcheckOptions(atol: 1e-6, mode: .randomProjections(8))`.
    public init(
        eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3, mode: Mode = .full, kinks: [Kink] = [],
        kinkDistance: Double = 1e-4, seed: UInt64 = 0
    ) {
        self.eps = eps
        self.atol = atol
        self.rtol = rtol
        self.mode = mode
        self.kinks = kinks
        self.kinkDistance = kinkDistance
        self.seed = seed
    }
}

/// One comparison of a gradient check, located so a person can act on it.
public struct GradcheckComparison: Sendable, CustomStringConvertible {
    /// The input perturbed (nil for a random projection, which moves every input).
    public var input: Int?
    /// Its coordinates in that input (`x[3, 1]`) and its value there.
    public var inputCoordinates: [Int]?
    public var inputValue: Double?
    /// The output coordinates whose derivative this is (nil for a projection).
    public var outputCoordinates: [Int]?
    /// For random-projection mode: which projection (0-based), vᵀJu with v, u drawn from the seed.
    public var projection: Int?
    /// Whether this compared the derivative at a kink with its convention (exactly).
    public var isKinkConvention = false
    public var analytic: Double
    public var numeric: Double
    /// The tolerance it was held to: atol + rtol·|numeric| (0 for a kink convention).
    public var allowed: Double
    /// The flat index within the Jacobian block (row-major: output × input), kept for scripts.
    public var index: Int

    public var error: Double { Swift.abs(analytic - numeric) }

    public var description: String {
        func coordinates(_ c: [Int]) -> String { "[" + c.map(String.init).joined(separator: ", ") + "]" }
        var where_: String
        if let p = projection {
            where_ = "random projection \(p) (vᵀJu, every input moved)"
        } else {
            where_ = "∂y\(outputCoordinates.map(coordinates) ?? "")/∂x\(input ?? 0)\(inputCoordinates.map(coordinates) ?? "")"
            if let v = inputValue { where_ += " at x\(input ?? 0)\(inputCoordinates.map(coordinates) ?? "") = \(v)" }
        }
        let what = isKinkConvention ? "the kink convention" : "numeric"
        return "\(where_): analytic \(analytic), \(what) \(numeric), error \(error) (allowed \(allowed))"
    }
}

/// The outcome of a gradient check: pass or fail, the largest errors, and the comparison that
/// failed worst (or, when everything passed, the one with the largest error).
public struct GradcheckReport: Sendable, CustomStringConvertible {
    public var passed: Bool
    public var comparisons = 0
    public var maxAbsoluteError = 0.0
    public var maxRelativeError = 0.0
    /// The comparison with the largest excess over its tolerance.
    public var worst: GradcheckComparison?
    /// Inputs skipped because they lie within the kink distance.
    public var skippedNearKinks = 0
    /// Inputs exactly on a kink whose convention was checked.
    public var conventionChecks = 0
    /// Set when Float inputs were checked in Double (promoted, as PyTorch recommends).
    public var promotedFromFloat = false

    public var description: String {
        var s = "gradcheck \(passed ? "passed" : "FAILED"): \(comparisons) comparisons, max abs error \(maxAbsoluteError), max rel error \(maxRelativeError)"
        if let w = worst { s += passed ? "; largest error at \(w)" : "; worst: \(w)" }
        if skippedNearKinks > 0 || conventionChecks > 0 { s += "; \(skippedNearKinks) near kinks skipped, \(conventionChecks) conventions checked" }
        if promotedFromFloat { s += "; Float inputs checked in Double (finite differences in Float are too coarse)" }
        return s
    }

    mutating func compare(_ c: GradcheckComparison) {
        comparisons += 1
        let err = c.error
        let excess = c.analytic.isNaN != c.numeric.isNaN ? Double.infinity : err - c.allowed
        maxAbsoluteError = Swift.max(maxAbsoluteError, err.isNaN ? 0 : err)
        if c.numeric != 0 { maxRelativeError = Swift.max(maxRelativeError, err / Swift.abs(c.numeric)) }
        let worstExcess = worst.map { $0.analytic.isNaN != $0.numeric.isNaN ? Double.infinity : $0.error - $0.allowed } ?? -Double.infinity
        if excess > 0 { passed = false }
        if excess > worstExcess || worst == nil { worst = c }
    }
}

/// Coordinates of flat index `i` in a row-major `shape`.
func coordinates(of i: Int, in shape: [Int]) -> [Int] {
    var rest = i
    var c = [Int](repeating: 0, count: shape.count)
    for a in stride(from: shape.count - 1, through: 0, by: -1) where shape[a] > 0 {
        c[a] = rest % shape[a]
        rest /= shape[a]
    }
    return c
}

/// Checks `f` at Float points: they are promoted to Double and `f` runs in Double (as PyTorch
/// recommends: central differences in Float, with steps near Float's precision, are too coarse
/// to judge a derivative). The report notes the promotion.
public func gradcheck(
    _ f: ([Variable<Double>]) -> Variable<Double>, at inputs: [Tensor<Float>],
    options: GradcheckOptions = GradcheckOptions()
) -> GradcheckReport {
    var report = gradcheck(f, at: inputs.map { Tensor<Double>(shape: $0.shape, scalars: $0.scalars.map { Double($0) }) }, options: options)
    report.promotedFromFloat = true
    return report
}

/// Checks the analytic gradients of `f` against central finite differences, in Double.
///
/// - Returns: a report; `passed` is false when any comparison exceeds the tolerance.
public func gradcheck(
    _ f: ([Variable<Double>]) -> Variable<Double>, at inputs: [Tensor<Double>],
    options: GradcheckOptions = GradcheckOptions()
) -> GradcheckReport {
    var report = GradcheckReport(passed: true)
    let vars = inputs.map { Variable($0, requiresGradient: true) }
    let y = f(vars)
    // Inputs require gradients here too, so a function that differentiates inside (as
    // gradgradcheck's does) can be evaluated.
    func eval(_ xs: [Tensor<Double>]) -> Tensor<Double> { f(xs.map { Variable($0, requiresGradient: true) }).value }
    var rng = TensorRandom(seed: options.seed)

    // Which input elements are near or on a kink.
    func kinkStatus(_ x: Double) -> (near: Bool, convention: Double?) {
        for k in options.kinks where Swift.abs(x - k.location) <= options.kinkDistance {
            return (true, x == k.location ? k.derivative : nil)
        }
        return (false, nil)
    }

    switch options.mode {
    case .full:
        let m = y.value.count
        // Analytic Jacobian rows, one backward per output element.
        var analytic = [[Double]](repeating: [], count: inputs.count)
        for i in 0..<inputs.count { analytic[i] = [Double](repeating: 0, count: m * inputs[i].count) }
        if y.requiresGradient {
            for j in 0..<m {
                var seed = [Double](repeating: 0, count: m)
                seed[j] = 1
                let g = gradients(of: y, withRespectTo: vars, seed: Tensor(shape: y.shape, scalars: seed), retainGraph: true, allowUnused: true)
                for i in 0..<inputs.count {
                    guard let gi = g[i] else { continue }
                    let s = gi.value.scalars
                    for p in 0..<s.count { analytic[i][j * inputs[i].count + p] = s[p] }
                }
            }
        }
        // Numeric columns, two forwards per input element.
        for i in 0..<inputs.count {
            let base = inputs[i].scalars
            for p in 0..<base.count {
                let status = kinkStatus(base[p])
                if status.near && options.kinks.count > 0 {
                    report.skippedNearKinks += 1
                    if let d = status.convention {
                        // Elementwise: the diagonal entry is the derivative at the kink.
                        report.conventionChecks += 1
                        let a = m == base.count ? analytic[i][p * base.count + p] : .nan
                        report.compare(GradcheckComparison(
                            input: i, inputCoordinates: coordinates(of: p, in: inputs[i].shape), inputValue: base[p],
                            outputCoordinates: m == base.count ? coordinates(of: p, in: y.shape) : nil, isKinkConvention: true,
                            analytic: a, numeric: d, allowed: 0, index: p))
                    }
                    continue
                }
                var plus = base
                var minus = base
                plus[p] += options.eps
                minus[p] -= options.eps
                var xsPlus = inputs
                var xsMinus = inputs
                xsPlus[i] = Tensor(shape: inputs[i].shape, scalars: plus)
                xsMinus[i] = Tensor(shape: inputs[i].shape, scalars: minus)
                let fp = eval(xsPlus).scalars
                let fm = eval(xsMinus).scalars
                for j in 0..<m {
                    let numeric = (fp[j] - fm[j]) / (2 * options.eps)
                    report.compare(GradcheckComparison(
                        input: i, inputCoordinates: coordinates(of: p, in: inputs[i].shape), inputValue: base[p],
                        outputCoordinates: coordinates(of: j, in: y.shape), analytic: analytic[i][j * base.count + p], numeric: numeric,
                        allowed: options.atol + options.rtol * Swift.abs(numeric), index: j * base.count + p))
                }
            }
        }
    case .randomProjections(let count):
        for projection in 0..<count {
            let v = Tensor<Double>.randomNormal(y.shape, using: &rng)
            let us = inputs.map { Tensor<Double>.randomNormal($0.shape, using: &rng) }
            // Inputs near a kink are not moved.
            let masks = inputs.map { t in Tensor(shape: t.shape, scalars: t.scalars.map { kinkStatus($0).near && !options.kinks.isEmpty ? 0.0 : 1.0 }) }
            let directions = zip(us, masks).map { $0 * $1 }
            var analytic = 0.0
            if y.requiresGradient {
                let g = gradients(of: y, withRespectTo: vars, seed: v, retainGraph: true, allowUnused: true)
                for i in 0..<inputs.count {
                    if let gi = g[i] { analytic += (gi.value * directions[i]).sum().scalar }
                }
            }
            let plus = zip(inputs, directions).map { $0 + $1 * options.eps }
            let minus = zip(inputs, directions).map { $0 - $1 * options.eps }
            let numeric = ((eval(plus) - eval(minus)) * v).sum().scalar / (2 * options.eps)
            report.compare(GradcheckComparison(
                projection: projection, analytic: analytic, numeric: numeric, allowed: options.atol + options.rtol * Swift.abs(numeric),
                index: projection))
        }
    }
    return report
}

/// Checks second derivatives: gradcheck of the first-order gradient map
/// (x, g) ↦ ∂⟨g, f(x)⟩/∂x, computed with `createGraph`, against finite differences of it.
public func gradgradcheck(
    _ f: @escaping ([Variable<Double>]) -> Variable<Double>, at inputs: [Tensor<Double>],
    options: GradcheckOptions = GradcheckOptions()
) -> GradcheckReport {
    let outShape = withoutGradients { f(inputs.map { Variable($0) }).shape }
    var rng = TensorRandom(seed: options.seed &+ 1)
    let g = Tensor<Double>.randomNormal(outShape, using: &rng)
    let n = inputs.count
    return gradcheck({ xs in
        let x = Array(xs[0..<n])
        // ⟨g, f(x)⟩ with g a variable too, so ∂/∂g of the gradient map is checked as well.
        let inner = (f(x) * xs[n]).sum()
        let grads = gradients(of: inner, withRespectTo: x, createGraph: true, allowUnused: true)
        return Variable.concatenate(zip(grads, x).map { gi, xi in (gi ?? xi * 0).flattened() })
    }, at: inputs + [g], options: options)
}
