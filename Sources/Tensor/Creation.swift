/// A seeded pseudo-random generator that gives the same numbers for the same seed on every
/// machine: xoshiro256** (Blackman and Vigna), its state filled from the seed by SplitMix64.
///
/// Uniform floats take the top 24 (Float) or 53 (Double) bits of one output; normal values use
/// the Marsaglia polar method with Tapegrad's own `VectorMath.log`, so no platform libm is
/// involved and the sequence is bit-identical everywhere.
public struct TensorRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Double?

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The generator's whole state as text ("s0 s1 s2 s3 spare", hexadecimal): saved with a
    /// training checkpoint so that a resumed run draws exactly the numbers the uninterrupted one
    /// would (`init(snapshot:)`).
    public var snapshot: String {
        [s0, s1, s2, s3].map { String($0, radix: 16) }.joined(separator: " ") + " " + (spareNormal.map { String($0.bitPattern, radix: 16) } ?? "-")
    }

    /// The generator `snapshot` describes; nil for text that is not one.
    public init?(snapshot: String) {
        let parts = snapshot.split(separator: " ")
        guard parts.count == 5 else { return nil }
        let words = parts.prefix(4).compactMap { UInt64($0, radix: 16) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
        if parts[4] == "-" {
            spareNormal = nil
        } else if let bits = UInt64(parts[4], radix: 16) {
            spareNormal = Double(bitPattern: bits)
        } else {
            return nil
        }
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform value in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A standard normal value (mean 0, standard deviation 1).
    public mutating func nextNormal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        while true {
            let u = 2 * nextUnitDouble() - 1
            let v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s >= 1 || s == 0 { continue }
            let f = (-2 * VectorMath.log(s) / s).squareRoot()
            spareNormal = v * f
            return u * f
        }
    }
}

extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }
    /// A tensor with every element `value`.
    public static func full(_ shape: [Int], _ value: Scalar) -> Tensor { Tensor(shape: shape, repeating: value) }
    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    /// Ones with the shape of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `start, start+step, …` up to (not including) `end`, like NumPy's `arange`.
    public static func arange(_ start: Scalar = 0, _ end: Scalar, step: Scalar = 1) -> Tensor {
        tensorCheck(
            step != 0 && step.isFinite && start.isFinite && end.isFinite,
            "arange: start \(start), end \(end), step \(step). Fix: use finite values and a non-zero step."
        )
        let steps = ((end - start) / step).rounded(.up)
        tensorCheck(
            steps.isFinite && steps < Scalar(Int.max / 8),
            "arange: start \(start), end \(end), step \(step) make \(steps) elements, more than can be addressed. Fix: use a larger step or a shorter range.")
        let n = Swift.max(0, Int(steps))
        return Tensor(uninitializedShape: [n]) { dst in
            for i in 0..<n { dst[i] = start + Scalar(i) * step }
        }
    }

    /// `count` evenly spaced values from `start` to `end`, both included.
    public static func linspace(_ start: Scalar, _ end: Scalar, count: Int) -> Tensor {
        tensorCheck(count >= 0, "linspace: count \(count). Fix: use a count ≥ 0.")
        return Tensor(uninitializedShape: [count]) { dst in
            if count == 1 { dst[0] = start }
            guard count > 1 else { return }
            let step = (end - start) / Scalar(count - 1)
            // Fill from both ends so the last element is exactly `end`.
            for i in 0..<count {
                dst[i] = i < count / 2 ? start + Scalar(i) * step : end - Scalar(count - 1 - i) * step
            }
        }
    }

    /// Uniform values in `[low, high)`.
    public static func randomUniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1, using generator: inout TensorRandom) -> Tensor {
        tensorCheck(
            low.isFinite && high.isFinite && low <= high,
            "randomUniform: bounds low \(low), high \(high). Fix: use finite bounds with low ≤ high."
        )
        return Tensor(uninitializedShape: shape) { dst in
            for i in 0..<dst.count {
                let u = Scalar.self == Float.self ? Scalar(generator.nextUnitFloat()) : Scalar(generator.nextUnitDouble())
                dst[i] = low + (high - low) * u
            }
        }
    }

    /// Uniform values in `[low, high)` from a generator seeded with `seed`.
    public static func randomUniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1, seed: UInt64) -> Tensor {
        var g = TensorRandom(seed: seed)
        return randomUniform(shape, low: low, high: high, using: &g)
    }

    /// Normal values with the given mean and standard deviation.
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, using generator: inout TensorRandom) -> Tensor {
        tensorCheck(
            mean.isFinite && standardDeviation.isFinite && standardDeviation >= 0,
            "randomNormal: mean \(mean), standard deviation \(standardDeviation). Fix: use finite values and a standard deviation ≥ 0."
        )
        return Tensor(uninitializedShape: shape) { dst in
            for i in 0..<dst.count { dst[i] = mean + standardDeviation * Scalar(generator.nextNormal()) }
        }
    }

    /// Normal values from a generator seeded with `seed`.
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, seed: UInt64) -> Tensor {
        var g = TensorRandom(seed: seed)
        return randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &g)
    }
}

// MARK: - Joining

extension Tensor {
    /// Joins tensors along an existing axis; all other sizes must match.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        tensorCheck(!tensors.isEmpty, "concatenate: no tensors given. Fix: pass at least one tensor.")
        let first = tensors[0]
        let a = Layout.axis(axis, rank: first.rank, op: "concatenate", shape: first.shape)
        for (i, t) in tensors.enumerated() {
            var s1 = t.shape
            var s0 = first.shape
            let sameRank = s1.count == s0.count
            if sameRank {
                s1[a] = 0
                s0[a] = 0
            }
            tensorCheck(
                sameRank && s1 == s0,
                "concatenate: tensor \(i) has shape \(describeShape(t.shape)) but tensor 0 has \(describeShape(first.shape)); along axis \(a) all other sizes must match. Fix: reshape or slice the inputs so only axis \(a) differs."
            )
        }
        var outShape = first.shape
        var total = 0
        for t in tensors {
            let (sum, overflow) = total.addingReportingOverflow(t.shape[a])
            tensorCheck(!overflow, "concatenate: the sizes along axis \(a) add up to more than Int can count. Fix: concatenate fewer or smaller tensors.")
            total = sum
        }
        outShape[a] = total
        _ = checkedElementCount(outShape, op: "concatenate")
        let outStrides = contiguousStrides(for: outShape)
        return Tensor(uninitializedShape: outShape) { dst in
            var start = 0
            for t in tensors {
                Layout.copy(
                    shape: t.shape, from: t.storage.base + t.offset, strides: t.strides,
                    to: dst.baseAddress! + start * outStrides[a], strides: outStrides)
                start += t.shape[a]
            }
        }
    }

    /// Joins same-shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        tensorCheck(!tensors.isEmpty, "stack: no tensors given. Fix: pass at least one tensor.")
        for (i, t) in tensors.enumerated() {
            tensorCheck(
                t.shape == tensors[0].shape,
                "stack: tensor \(i) has shape \(describeShape(t.shape)) but tensor 0 has \(describeShape(tensors[0].shape)). Fix: stack only tensors of one shape."
            )
        }
        return concatenate(tensors.map { $0.unsqueezed(axis: axis) }, alongAxis: axis)
    }
}

// MARK: - Literals

/// A nested array literal of scalars, used to write tensors as `[[1, 2], [3, 4]]`.
public indirect enum TensorLiteral<Scalar: TensorScalar>: ExpressibleByArrayLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case scalar(Scalar)
    case array([TensorLiteral])

    public init(arrayLiteral elements: TensorLiteral...) { self = .array(elements) }
    public init(floatLiteral value: Double) { self = .scalar(Scalar(value)) }
    public init(integerLiteral value: Int) { self = .scalar(Scalar(value)) }
    /// Not-a-number, for writing `[1, .nan]`.
    public static var nan: TensorLiteral { .scalar(.nan) }
    /// Infinity, for writing `[1, .infinity]`.
    public static var infinity: TensorLiteral { .scalar(.infinity) }

    /// The shape implied by the first element at each depth.
    func inferredShape() -> [Int] {
        switch self {
        case .scalar: return []
        case .array(let items): return [items.count] + (items.first?.inferredShape() ?? [])
        }
    }

    func collect(into scalars: inout [Scalar], expected: ArraySlice<Int>, path: [Int]) {
        switch self {
        case .scalar(let v):
            tensorCheck(expected.isEmpty, "Tensor literal: a scalar at \(describeShape(path)) where a row of \(expected.first ?? 0) was expected. Fix: give every row the same depth and length.")
            scalars.append(v)
        case .array(let items):
            tensorCheck(
                expected.first == items.count,
                "Tensor literal: a row of \(items.count) at \(describeShape(path)) where \(expected.first.map { "a row of \($0)" } ?? "a scalar") was expected. Fix: give every row the same depth and length."
            )
            for (i, item) in items.enumerated() {
                item.collect(into: &scalars, expected: expected.dropFirst(), path: path + [i])
            }
        }
    }
}

extension Tensor: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TensorLiteral<Scalar>...) {
        let literal = TensorLiteral.array(elements)
        let shape = literal.inferredShape()
        var scalars: [Scalar] = []
        literal.collect(into: &scalars, expected: shape[...], path: [])
        self.init(shape: shape, scalars: scalars)
    }
}

// MARK: - Gathering

extension Tensor {
    /// The slices at `indices` along `axis`, in that order (like PyTorch's `index_select`);
    /// indices may repeat and may be negative.
    ///
    /// - Complexity: O(indices.count × slice size); the result is a new contiguous tensor.
    public func gathering(_ indices: [Int], alongAxis axis: Int = 0) -> Tensor {
        let a = Layout.axis(axis, rank: rank, op: "gathering(_:alongAxis:)", shape: shape)
        var outShape = shape
        outShape[a] = indices.count
        let outStrides = Tensor.contiguousStrides(for: outShape)
        var sliceShape = shape
        sliceShape[a] = 1
        return Tensor(uninitializedShape: outShape) { dst in
            for (j, index) in indices.enumerated() {
                tensorCheck(
                    index >= -shape[a] && index < shape[a],
                    "gathering(_:alongAxis:): index \(index) is out of range for axis \(a) of size \(shape[a]) (shape \(describeShape(shape))). Fix: use indices in \(-shape[a])..<\(shape[a])."
                )
                let i = index < 0 ? index + shape[a] : index
                Layout.copy(
                    shape: sliceShape, from: storage.base + offset + i * strides[a], strides: strides,
                    to: dst.baseAddress! + j * outStrides[a], strides: outStrides)
            }
        }
    }
}

// MARK: - Nested arrays (PyTorch's torch.tensor([[1, 2], [3, 4]]))

extension Tensor {
    /// A rank-2 tensor from rows of equal length: `Tensor<Float>([[1, 2, 3], [4, 5, 6]])` has
    /// shape [2, 3]. Stops, naming the row, when the lengths differ.
    public init(_ rows: [[Scalar]]) {
        self.init(nested: rows.map { $0.map(TensorLiteral.scalar) }.map(TensorLiteral.array))
    }

    /// A rank-3 tensor from nested arrays of equal lengths at each depth.
    public init(_ planes: [[[Scalar]]]) {
        self.init(nested: planes.map { .array($0.map { .array($0.map(TensorLiteral.scalar)) }) })
    }

    /// A rank-4 tensor from nested arrays of equal lengths at each depth.
    public init(_ blocks: [[[[Scalar]]]]) {
        self.init(nested: blocks.map { .array($0.map { .array($0.map { .array($0.map(TensorLiteral.scalar)) }) }) })
    }

    init(nested items: [TensorLiteral<Scalar>]) {
        let literal = TensorLiteral.array(items)
        let shape = literal.inferredShape()
        var scalars: [Scalar] = []
        literal.collect(into: &scalars, expected: shape[...], path: [])
        self.init(shape: shape, scalars: scalars)
    }

    /// The one element of a one-element tensor (PyTorch's `.item()`); stops otherwise.
    public var item: Scalar {
        tensorCheck(
            count == 1,
            "item: the tensor has shape \(describeShape(shape)) (\(count) elements); item needs exactly one. Fix: reduce it first (sum(), mean()) or index one element.")
        return storage.base[offset]  // one element: at the offset, whatever the strides
    }
}
