// Probes: statistics of what flows through a network, for looking inside it while it trains
// (Docs/Probes.md). Built on forward hooks; cheap enough to leave on.

/// Running statistics of a stream of values: one layer's outputs, or one parameter's gradient,
/// over the calls recorded so far.
///
/// Sums are kept in Double (each call's partial sums in the tensor's scalar type, over at most
/// one tensor). NaN is never hidden: a NaN value makes `mean`, `standardDeviation`, `minimum`
/// and `maximum` NaN and is counted in `nanCount`, so a diverged network is never reported as a
/// healthy one (a `max` that skips NaN would call it "0% dead").
public struct ValueStatistics: Sendable, Equatable {
    /// Values seen.
    public private(set) var count = 0
    /// Σx and Σx² (Double).
    public private(set) var sum = 0.0
    public private(set) var sumOfSquares = 0.0
    /// Σ|x| (Double).
    public private(set) var sumOfAbsolutes = 0.0
    /// Values exactly ±0.
    public private(set) var zeroCount = 0
    /// Values within 1% of the bounds' width from either bound (0 without bounds).
    public private(set) var saturatedCount = 0
    /// NaN values.
    public private(set) var nanCount = 0
    private var low = Double.infinity
    private var high = -Double.infinity

    public init() {}

    /// The mean (NaN when a NaN was seen or nothing was).
    public var mean: Double { count == 0 || nanCount > 0 ? .nan : sum / Double(count) }
    /// The population standard deviation, √(E[x²] − E[x]²) (NaN likewise).
    public var standardDeviation: Double {
        guard count > 0, nanCount == 0 else { return .nan }
        let m = sum / Double(count)
        return Swift.max(0, sumOfSquares / Double(count) - m * m).squareRoot()
    }
    /// The smallest and largest value (NaN when a NaN was seen or nothing was).
    public var minimum: Double { count == 0 || nanCount > 0 ? .nan : low }
    public var maximum: Double { count == 0 || nanCount > 0 ? .nan : high }
    /// Fractions of `count`.
    public var fractionZero: Double { count == 0 ? .nan : Double(zeroCount) / Double(count) }
    public var fractionSaturated: Double { count == 0 ? .nan : Double(saturatedCount) / Double(count) }
    public var fractionNaN: Double { count == 0 ? .nan : Double(nanCount) / Double(count) }
    /// True when every value seen was finite (no NaN, no ±∞).
    public var allFinite: Bool { count == 0 || (nanCount == 0 && low.isFinite && high.isFinite) }

    /// Adds every element of `t`; `bounds` (an activation's range) makes values within 1% of its
    /// width from either bound count as saturated.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func add<Scalar: TensorScalar>(_ t: Tensor<Scalar>, bounds: ClosedRange<Double>? = nil) {
        guard t.count > 0 else { return }
        let margin = bounds.map { ($0.upperBound - $0.lowerBound) * 0.01 } ?? 0
        // Outside the bounds' open band: x ≤ lower + margin or x ≥ upper − margin. Without
        // bounds the band is everything, so nothing counts.
        let lower = Scalar(bounds.map { $0.lowerBound + margin } ?? -Double.infinity)
        let upper = Scalar(bounds.map { $0.upperBound - margin } ?? Double.infinity)
        let partial = t.withUnsafeBufferPointer { ValueStatistics.partialSums($0, lower: lower, upper: upper) }
        merge(partial)
    }

    /// Adds another record's values.
    public mutating func merge(_ other: ValueStatistics) {
        count += other.count
        sum += other.sum
        sumOfSquares += other.sumOfSquares
        sumOfAbsolutes += other.sumOfAbsolutes
        zeroCount += other.zeroCount
        saturatedCount += other.saturatedCount
        nanCount += other.nanCount
        low = Swift.min(low, other.low)
        high = Swift.max(high, other.high)
    }

    /// One pass over a buffer in the scalar type's SIMD vector: sums, squares, zeros, saturated,
    /// NaN, min and max, with the vector lanes reduced once at the end.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func partialSums<Scalar: TensorScalar>(_ p: UnsafeBufferPointer<Scalar>, lower: Scalar, upper: Scalar) -> ValueStatistics {
        typealias V = Scalar.Vector
        let width = V.scalarCount
        var s = V(repeating: 0), q = V(repeating: 0), a = V(repeating: 0), zeros = V(repeating: 0), saturated = V(repeating: 0), nans = V(repeating: 0)
        var lo = V(repeating: .infinity), hi = V(repeating: -.infinity)
        let one = V(repeating: 1), zero = V(repeating: 0), lowerV = V(repeating: lower), upperV = V(repeating: upper)
        let n = p.count
        let base = p.baseAddress!
        var i = 0
        // Two loops, so that an unbounded layer (most) does not pay for the saturation count.
        let bounded = lower > -Scalar.infinity || upper < Scalar.infinity
        while bounded && i + width <= n {
            let x = UnsafeRawPointer(base + i).loadUnaligned(as: V.self)
            let isNaN = Scalar.vNotEqual(x, x)
            let clean = Scalar.vSelect(isNaN, zero, x)
            s += clean
            q += clean * clean
            a += Scalar.vAbs(clean)
            zeros += Scalar.vSelect(Scalar.vEqual(x, zero), one, zero)
            saturated += Scalar.vSelect(Scalar.vLessEqual(x, lowerV), one, Scalar.vSelect(Scalar.vLessEqual(upperV, x), one, zero))
            nans += Scalar.vSelect(isNaN, one, zero)
            lo = Scalar.vSelect(Scalar.vLess(clean, lo), clean, lo)
            hi = Scalar.vSelect(Scalar.vLess(hi, clean), clean, hi)
            i += width
        }
        while !bounded && i + width <= n {
            let x = UnsafeRawPointer(base + i).loadUnaligned(as: V.self)
            let isNaN = Scalar.vNotEqual(x, x)
            let clean = Scalar.vSelect(isNaN, zero, x)
            s += clean
            q += clean * clean
            a += Scalar.vAbs(clean)
            zeros += Scalar.vSelect(Scalar.vEqual(x, zero), one, zero)
            nans += Scalar.vSelect(isNaN, one, zero)
            lo = Scalar.vSelect(Scalar.vLess(clean, lo), clean, lo)
            hi = Scalar.vSelect(Scalar.vLess(hi, clean), clean, hi)
            i += width
        }
        var r = ValueStatistics()
        r.count = n
        r.sum = Double(s.sum())
        r.sumOfSquares = Double(q.sum())
        r.sumOfAbsolutes = Double(a.sum())
        r.zeroCount = Int(zeros.sum())
        r.saturatedCount = Int(saturated.sum())
        r.nanCount = Int(nans.sum())
        r.low = Double(lo.min())
        r.high = Double(hi.max())
        while i < n {
            let x = base[i]
            i += 1
            if x.isNaN {
                r.nanCount += 1
                continue
            }
            let d = Double(x)
            r.sum += d
            r.sumOfSquares += d * d
            r.sumOfAbsolutes += Swift.abs(d)
            if x == 0 { r.zeroCount += 1 }
            if x <= lower || x >= upper { r.saturatedCount += 1 }
            r.low = Swift.min(r.low, d)
            r.high = Swift.max(r.high, d)
        }
        return r
    }
}

/// A module whose outputs have known bounds (the bounded activations), for saturation counts.
protocol BoundedOutputModule {
    var outputBounds: ClosedRange<Double>? { get }
}

extension ActivationLayer: BoundedOutputModule {
    var outputBounds: ClosedRange<Double>? { rule.outputBounds }
}

/// Records the statistics of every leaf layer's output (a layer with no sub-modules: Linear,
/// Conv2d, each activation, …) while the model runs, per layer, until `reset()`.
///
///     let probe = ActivationProbe(model)
///     _ = model(x)
///     for layer in probe.layers { print(layer.name, layer.statistics.mean, layer.statistics.fractionZero) }
///     probe.remove()
///
/// `isRecording = false` pauses it (an evaluation pass that should not count). Saturation is
/// counted for activations with bounded outputs (sigmoid, tanh, softsign, hardtanh, relu6,
/// bounded ReLU, hardsigmoid, ISRU): within 1% of the range's width from a bound.
public final class ActivationProbe<Scalar: TensorScalar> {
    /// One leaf layer: its property path, its description and what it output so far.
    public struct LayerRecord {
        public let name: String
        public let module: String
        public let bounds: ClosedRange<Double>?
        public internal(set) var statistics = ValueStatistics()
    }

    public private(set) var layers: [LayerRecord] = []
    public var isRecording = true
    private var hooks: HookHandles?

    /// Hooks every leaf layer of `model` of this scalar type.
    public init(_ model: Module, of _: Scalar.Type = Scalar.self) {
        var handles: [HookHandle] = []
        for (name, module) in model.namedModules() where module.namedChildren().isEmpty && module is any Layer<Scalar> {
            let i = layers.count
            let bounds = (module as? BoundedOutputModule)?.outputBounds
            layers.append(LayerRecord(name: name, module: module.summaryLine, bounds: bounds))
            // One closure per layer, its index captured: no lookup on the layer call.
            handles.append(module.addForwardHook { [unowned self] (_, _, output: Variable<Scalar>) in
                guard self.isRecording else { return }
                self.layers[i].statistics.add(output.value, bounds: bounds)
            })
        }
        hooks = HookHandles(handles)
    }

    /// Forgets what was recorded (call at the start of each epoch).
    public func reset() {
        for i in layers.indices { layers[i].statistics = ValueStatistics() }
    }

    /// Takes the hooks off the model; the records stay readable.
    public func remove() {
        hooks?.remove()
        hooks = nil
    }

    deinit { hooks?.remove() }
}

/// Per-parameter gradient statistics after a backward pass: the gradient's L2 norm, mean |g|
/// and the fraction of exact zeros (a dead unit's weights get exactly zero gradient).
public struct GradientStatistics {
    public let name: String
    public let shape: [Int]
    /// ‖g‖₂, mean |g| and the fraction of entries exactly 0; NaN when the gradient holds a NaN.
    public let norm: Double
    public let meanAbsolute: Double
    public let fractionZero: Double

    /// One entry per trainable parameter of `model` that has a gradient, in parameter order.
    public static func of<Scalar: TensorScalar>(_ model: Module, _: Scalar.Type = Scalar.self) -> [GradientStatistics] {
        of(model.namedParameters(of: Scalar.self))
    }

    /// The same for a list of named parameters (take it once from `namedParameters()`: walking
    /// the model's properties costs more than the statistics).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func of<Scalar: TensorScalar>(_ parameters: [(name: String, parameter: Parameter<Scalar>)]) -> [GradientStatistics] {
        parameters.compactMap { name, p in
            guard let g = p.variable.gradient else { return nil }
            var s = ValueStatistics()
            s.add(g)
            let n = Double(Swift.max(1, s.count))
            return GradientStatistics(
                name: name, shape: g.shape, norm: s.nanCount > 0 ? .nan : s.sumOfSquares.squareRoot(),
                meanAbsolute: s.nanCount > 0 ? .nan : s.sumOfAbsolutes / n, fractionZero: s.fractionZero)
        }
    }
}
