import Autograd

/// Batch normalization over the channel axis 1 (PyTorch's `nn.BatchNorm1d`/`nn.BatchNorm2d`):
///
/// y = (x − μ) / √(σ² + ε) · γ + β
///
/// per channel c, with μ and σ² the mean and biased variance of x over every axis but 1 (the
/// batch, and the length or height and width) in training, and the running estimates in
/// evaluation. Each training call updates the running estimates:
/// running ← (1 − momentum)·running + momentum·batch, with the unbiased variance
/// σ²·n/(n − 1) (n values per channel) for `runningVar`.
///
/// Training uses one fused function (`BatchNormTraining`: statistics, normalization and the
/// standard backward formula in a few passes); evaluation is built from differentiable
/// operations. Second derivatives work in both (in training the gradient flows through μ and
/// σ² too).
/// - Complexity: O(elements).
public class BatchNorm<Scalar: TensorScalar>: Module, Layer {
    /// γ, shape [C] (ones at start); absent without `affine`.
    public let weight: Parameter<Scalar>?
    /// β, shape [C] (zeros at start); absent without `affine`.
    public let bias: Parameter<Scalar>?
    /// The running mean, shape [C] (zeros at start).
    @Buffer public var runningMean: Tensor<Scalar>
    /// The running (unbiased) variance, shape [C] (ones at start).
    @Buffer public var runningVar: Tensor<Scalar>
    public let features: Int
    public let eps: Scalar
    public let momentum: Scalar
    public let affine: Bool
    let name: String
    /// The input ranks accepted, and what they look like (for messages).
    let ranks: [Int]
    let expected: String

    /// "BatchNorm2d<Float>(16, eps: 1e-05, momentum: 0.1, affine: true)".
    public override var summaryLine: String {
        "\(name)<\(Scalar.self)>(\(features), eps: \(eps), momentum: \(momentum), affine: \(affine))"
    }

    init(name: String, ranks: [Int], expected: String, features: Int, eps: Scalar, momentum: Scalar, affine: Bool) {
        tensorCheck(
            features > 0 && eps >= 0 && momentum >= 0 && momentum <= 1,
            "\(name): features \(features), eps \(eps), momentum \(momentum). Fix: use features ≥ 1, eps ≥ 0 and momentum in [0, 1].")
        weight = affine ? Parameter(Tensor.ones([features])) : nil
        bias = affine ? Parameter(Tensor.zeros([features])) : nil
        _runningMean = Buffer(wrappedValue: Tensor.zeros([features]))
        _runningVar = Buffer(wrappedValue: Tensor.ones([features]))
        self.features = features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.name = name
        self.ranks = ranks
        self.expected = expected
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        tensorCheck(
            ranks.contains(x.rank) && x.shape[1] == features,
            "\(name): input of shape \(describeShape(x.shape)) for a layer with \(features) features. Fix: pass \(expected) with C = \(features).")
        var statShape = [Int](repeating: 1, count: x.rank)
        statShape[1] = features
        let normalized: Variable<Scalar>
        if isTraining {
            let n = x.value.count / features
            tensorCheck(
                n > 1,
                "\(name): input of shape \(describeShape(x.shape)) has \(n) value per channel; training statistics need more than 1. Fix: use a batch of at least 2, or call eval() to normalize with the running statistics.")
            let (mean, variance) = BatchNormTraining<Scalar>.statistics(x.value)
            let invStd = variance.map { 1 / ($0 + eps).squareRoot() }
            let m = momentum
            let unbiased = Tensor(variance) * (Scalar(n) / Scalar(n - 1))
            runningMean = runningMean * (1 - m) + Tensor(mean) * m
            runningVar = runningVar * (1 - m) + unbiased * m
            let op = BatchNormTraining<Scalar>(mean: mean, invStd: invStd, eps: eps)
            guard let weight, let bias else { return op.apply(x) }
            return op.apply(x, weight.variable, bias.variable)
        } else {
            let mean = Variable(runningMean.reshaped(to: statShape))
            let invStd = Variable(1 / (runningVar.reshaped(to: statShape) + eps).sqrt())
            normalized = (x - mean) * invStd
        }
        guard let weight, let bias else { return normalized }
        return normalized * weight.variable.reshaped(to: statShape) + bias.variable.reshaped(to: statShape)
    }
}

/// Batch normalization of [N, C] or [N, C, L] inputs (statistics over N, or N and L).
/// See `BatchNorm`.
public final class BatchNorm1d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    /// Normalization of `features` channels; PyTorch's defaults eps 1e-5, momentum 0.1, affine.
    public init(_ features: Int, eps: Scalar = 1e-5, momentum: Scalar = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm1d", ranks: [2, 3], expected: "[N, C] or [N, C, L]", features: features, eps: eps, momentum: momentum, affine: affine)
    }
}

/// Batch normalization of [N, C, H, W] inputs (statistics over N, H and W). See `BatchNorm`.
public final class BatchNorm2d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    /// Normalization of `features` channels; PyTorch's defaults eps 1e-5, momentum 0.1, affine.
    public init(_ features: Int, eps: Scalar = 1e-5, momentum: Scalar = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm2d", ranks: [4], expected: "[N, C, H, W]", features: features, eps: eps, momentum: momentum, affine: affine)
    }
}

/// Threads for a batch-norm kernel: channels are split over the threads from 2^16 elements
/// (each channel's loops are independent).
func batchNormThreads(elements: Int, channels: Int) -> Int {
    elements >= 1 << 16 && channels >= 2 ? Swift.min(TensorRuntime.threadCount, channels) : 1
}

/// Batch normalization in training with the batch statistics given (`statistics(_:)`):
///
/// y[n, c, s] = (x[n, c, s] − μ_c)·r_c·γ_c + β_c,  r_c = 1/√(σ²_c + ε)
///
/// for inputs x [N, C, …] and, when affine, γ [C] and β [C]. The derivative counts the
/// dependence of μ and σ² on x (the standard formula, with x̂ = (x − μ)·r, m = N·Π(spatial)):
///
/// ∂x = r·(g·γ − mean(g·γ) − x̂·mean(g·γ·x̂)),  ∂γ = Σ g·x̂,  ∂β = Σ g
///
/// (means and sums per channel). Without recording it runs as fused loops; when recording
/// (`createGraph`) it is written with differentiable operations, so double backward works.
struct BatchNormTraining<Scalar: TensorScalar>: DifferentiableFunction {
    /// μ per channel.
    let mean: [Scalar]
    /// r = 1/√(σ² + ε) per channel.
    let invStd: [Scalar]
    let eps: Scalar
    var name: String { "batchNorm" }

    /// Per channel of x [N, C, …]: the mean and the biased variance (two passes, Double sums).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func statistics(_ x: Tensor<Scalar>) -> (mean: [Scalar], variance: [Scalar]) {
        let (batch, channels) = (x.shape[0], x.shape[1])
        let spatial = x.count / Swift.max(batch * channels, 1)
        let n = Double(batch * spatial)
        var means = [Scalar](repeating: 0, count: channels)
        var variances = [Scalar](repeating: 0, count: channels)
        let threads = batchNormThreads(elements: x.count, channels: channels)
        x.withUnsafeBufferPointer { xb in
          means.withUnsafeMutableBufferPointer { mb in
           variances.withUnsafeMutableBufferPointer { vb in
            let base = xb.baseAddress!, means = mb.baseAddress!, variances = vb.baseAddress!
            TensorRuntime.parallelChunks(count: channels, threads: threads) { _, first, last in
            for c in first..<last {
                var total: Double = 0
                for b in 0..<batch {
                    let row = base + (b &* channels &+ c) &* spatial
                    for k in 0..<spatial { total += Double(row[k]) }
                }
                let mu = total / n
                var squares: Double = 0
                for b in 0..<batch {
                    let row = base + (b &* channels &+ c) &* spatial
                    for k in 0..<spatial {
                        let d = Double(row[k]) - mu
                        squares += d * d
                    }
                }
                means[c] = Scalar(mu)
                variances[c] = Scalar(squares / n)
            }
            }
           }
          }
        }
        return (means, variances)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let x = inputs[0]
        let (batch, channels) = (x.shape[0], x.shape[1])
        let spatial = x.count / Swift.max(batch * channels, 1)
        let gamma = inputs.count > 1 ? inputs[1].scalars : [Scalar](repeating: 1, count: channels)
        let beta = inputs.count > 2 ? inputs[2].scalars : [Scalar](repeating: 0, count: channels)
        let affine = inputs.count > 1
        let threads = batchNormThreads(elements: x.count, channels: channels)
        return x.withUnsafeBufferPointer { xb in
            Tensor(uninitializedShape: x.shape) { yb in
                let (src, dst) = (xb.baseAddress!, yb.baseAddress!)
                TensorRuntime.parallelChunks(count: channels, threads: threads) { _, first, last in
                for b in 0..<batch {
                    for c in first..<last {
                        let at = (b &* channels &+ c) &* spatial
                        let (mu, r, scale, shift) = (mean[c], invStd[c], gamma[c], beta[c])
                        if affine {
                            for k in at..<(at &+ spatial) { dst[k] = (src[k] - mu) * r * scale + shift }
                        } else {
                            for k in at..<(at &+ spatial) { dst[k] = (src[k] - mu) * r }
                        }
                    }
                }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let x = saved[0]
        let affine = saved.count > 1
        let (batch, channels) = (x.shape[0], x.shape[1])
        if GradientMode.isEnabled {
            // Recording (double backward): the same formula from differentiable operations on x.
            let axes = [0] + Array(2..<x.rank)
            var statShape = [Int](repeating: 1, count: x.rank)
            statShape[1] = channels
            let mu = x.mean(alongAxes: axes, keepingDimensions: true)
            let centered = x - mu
            let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
            let r = 1 / (variance + eps).sqrt()
            let xhat = centered * r
            let gx = affine ? gradient * saved[1].reshaped(to: statShape) : gradient
            let dx = r * (gx - gx.mean(alongAxes: axes, keepingDimensions: true)
                - xhat * (gx * xhat).mean(alongAxes: axes, keepingDimensions: true))
            guard affine else { return [dx] }
            return [dx, (gradient * xhat).sum(alongAxes: axes), gradient.sum(alongAxes: axes)]
        }
        let spatial = x.value.count / Swift.max(batch * channels, 1)
        let count = batch * spatial
        let gamma = affine ? saved[1].value.scalars : [Scalar](repeating: 1, count: channels)
        var sumG = [Scalar](repeating: 0, count: channels)
        var sumGX = [Scalar](repeating: 0, count: channels)
        let threads = batchNormThreads(elements: x.value.count, channels: channels)
        let dx = x.value.withUnsafeBufferPointer { xb in
            gradient.value.withUnsafeBufferPointer { gb in
              sumG.withUnsafeMutableBufferPointer { sgb in
               sumGX.withUnsafeMutableBufferPointer { sgxb in
                Tensor<Scalar>(uninitializedShape: x.shape) { db in
                    let (xs, gs, ds) = (xb.baseAddress!, gb.baseAddress!, db.baseAddress!)
                    let (sumG, sumGX) = (sgb.baseAddress!, sgxb.baseAddress!)
                    TensorRuntime.parallelChunks(count: channels, threads: threads) { _, first, last in
                    for c in first..<last {
                        let (mu, r) = (mean[c], invStd[c])
                        var sg: Double = 0, sgx: Double = 0
                        for b in 0..<batch {
                            let at = (b &* channels &+ c) &* spatial
                            for k in at..<(at &+ spatial) {
                                let g = gs[k]
                                sg += Double(g)
                                sgx += Double(g * ((xs[k] - mu) * r))
                            }
                        }
                        let (a, bx) = (Scalar(sg), Scalar(sgx))
                        sumG[c] = a
                        sumGX[c] = bx
                        let m = Scalar(count)
                        let scale = r * gamma[c] / m
                        for b in 0..<batch {
                            let at = (b &* channels &+ c) &* spatial
                            for k in at..<(at &+ spatial) {
                                let xhat = (xs[k] - mu) * r
                                ds[k] = scale * (m * gs[k] - a - xhat * bx)
                            }
                        }
                    }
                    }
                }
               }
              }
            }
        }
        guard affine else { return [Variable(dx)] }
        return [Variable(dx), Variable(Tensor(sumGX)), Variable(Tensor(sumG))]
    }
}
