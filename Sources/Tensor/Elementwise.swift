/// Elementwise operations: the drivers that feed kernels rows of any layout, and the public API.
extension Tensor {
    /// The shape two shapes broadcast to under NumPy's rules (align at the right; each pair of
    /// sizes equal or one of them 1), or nil when they don't broadcast.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let x = i - (r - a.count) >= 0 ? a[i - (r - a.count)] : 1
            let y = i - (r - b.count) >= 0 ? b[i - (r - b.count)] : 1
            if x == y || y == 1 {
                out[i] = x
            } else if x == 1 {
                out[i] = y
            } else {
                return nil
            }
        }
        return out
    }

    @usableFromInline
    static func broadcastShape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        guard let s = broadcastShape(a, b) else {
            let r = Swift.max(a.count, b.count)
            var detail = ""
            for i in 0..<r {
                let x = i - (r - a.count) >= 0 ? a[i - (r - a.count)] : 1
                let y = i - (r - b.count) >= 0 ? b[i - (r - b.count)] : 1
                if x != y && x != 1 && y != 1 {
                    detail = " (dimension \(i - r): \(x) vs \(y))"
                    break
                }
            }
            tensorFailure(
                "\(op): shapes \(describeShape(a)) and \(describeShape(b)) do not broadcast\(detail). Fix: sizes must match or be 1 when aligned from the right; reshape or unsqueeze one operand."
            )
        }
        _ = checkedElementCount(s, op: op)
        return s
    }

    /// Strides that read this tensor as if expanded to `target` (0 on broadcast dimensions).
    func broadcastStrides(to target: [Int]) -> [Int] {
        let r = target.count
        var s = [Int](repeating: 0, count: r)
        for i in 0..<r {
            let j = i - (r - rank)
            if j >= 0 && shape[j] == target[i] && shape[j] != 1 { s[i] = strides[j] }
        }
        return s
    }

    /// Applies a vectorized unary op; the result is contiguous.
    public func applying(_ op: UnaryOp) -> Tensor {
        let n = count
        let out = Tensor(uninitializedShape: shape, contiguousStrides: rowMajorStrides)
        let y = out.storage.base
        let src = storage.base + offset
        if isContiguous {
            Parallel.forChunks(count: n, grain: op.parallelGrain) { a, b in Scalar._unaryKernel(op, src + a, y + a, b - a) }
            return out
        }
        withRowBuffer { tmp in
            Layout.forEachRow(shape: shape, strides: [out.strides, strides], offsets: [0, 0]) { o, len, s in
                if s[1] == 1 {
                    Scalar._unaryKernel(op, src + o[1], y + o[0], len)
                } else {
                    var done = 0
                    while done < len {
                        let m = Swift.min(Tensor.rowBufferCount, len - done)
                        for i in 0..<m { tmp[i] = src[o[1] + (done + i) * s[1]] }
                        Scalar._unaryKernel(op, tmp, y + o[0] + done, m)
                        done += m
                    }
                }
            }
        }
        return out
    }

    /// Applies `op` in place, reusing this tensor's buffer when it owns it.
    public mutating func apply(_ op: UnaryOp) {
        if isKnownUniquelyReferenced(&storage) && isContiguous {
            let p = storage.base + offset
            storage.bumpVersion()
            Parallel.forChunks(count: count, grain: op.parallelGrain) { a, b in Scalar._unaryKernel(op, p + a, p + a, b - a) }
        } else {
            self = applying(op)
        }
    }

    static var rowBufferCount: Int { 4096 }

    func withRowBuffer<R>(_ body: (UnsafeMutablePointer<Scalar>) -> R) -> R {
        let tmp = UnsafeMutablePointer<Scalar>.allocate(capacity: Tensor.rowBufferCount)
        defer { tmp.deallocate() }
        return body(tmp)
    }

    /// Applies a binary op with broadcasting; the result is contiguous in the broadcast shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func combine(_ lhs: Tensor, _ rhs: Tensor, _ op: BinaryOp, name: String) -> Tensor {
        let shape: [Int]
        let strides: [Int]
        if lhs.shape == rhs.shape || rhs.rank == 0 {
            shape = lhs.shape
            strides = lhs.rowMajorStrides
        } else if lhs.rank == 0 {
            shape = rhs.shape
            strides = rhs.rowMajorStrides
        } else {
            shape = broadcastShape(lhs.shape, rhs.shape, op: name)
            strides = contiguousStrides(for: shape)
        }
        let out = Tensor(uninitializedShape: shape, contiguousStrides: strides)
        combine(lhs, rhs, op, into: out.storage.base, shape: shape)
        return out
    }

    /// Writes `op(lhs, rhs)` broadcast to `shape` into the contiguous buffer `y`.
    static func combine(_ lhs: Tensor, _ rhs: Tensor, _ op: BinaryOp, into y: UnsafeMutablePointer<Scalar>, shape: [Int]) {
        let n = shape.reduce(1, *)
        if n == 0 { return }
        let a = lhs.storage.base + lhs.offset
        let b = rhs.storage.base + rhs.offset
        // Fast paths: both flat with the same shape, or one side a single value.
        let aFlat = lhs.shape == shape && lhs.isContiguous
        let bFlat = rhs.shape == shape && rhs.isContiguous
        // A single value, possibly expanded (all strides 0), is read as a scalar.
        let aUniform = lhs.count == 1 || lhs.strides.allSatisfy { $0 == 0 }
        let bUniform = rhs.count == 1 || rhs.strides.allSatisfy { $0 == 0 }
        if aFlat && (bFlat || bUniform) || bFlat && aUniform {
            let sa = aFlat ? 1 : 0
            let sb = bFlat ? 1 : 0
            Parallel.forChunks(count: n, grain: op.parallelGrain) { s, e in
                Scalar._binaryKernel(op, a + s * sa, sa, b + s * sb, sb, y + s, e - s)
            }
            return
        }
        let outStrides = contiguousStrides(for: shape)
        let ls = lhs.broadcastStrides(to: shape)
        let rs = rhs.broadcastStrides(to: shape)
        let tmpA = UnsafeMutablePointer<Scalar>.allocate(capacity: rowBufferCount)
        let tmpB = UnsafeMutablePointer<Scalar>.allocate(capacity: rowBufferCount)
        defer {
            tmpA.deallocate()
            tmpB.deallocate()
        }
        Layout.forEachRow(shape: shape, strides: [outStrides, ls, rs], offsets: [0, 0, 0]) { o, len, s in
            var done = 0
            while done < len {
                let m = s[1] > 1 || s[2] > 1 ? Swift.min(rowBufferCount, len - done) : len - done
                var pa = a + o[1] + done * s[1]
                var pb = b + o[2] + done * s[2]
                var strideA = s[1]
                var strideB = s[2]
                if strideA > 1 || strideA < 0 {
                    for i in 0..<m { tmpA[i] = pa[i * s[1]] }
                    pa = UnsafeMutablePointer(tmpA)
                    strideA = 1
                }
                if strideB > 1 || strideB < 0 {
                    for i in 0..<m { tmpB[i] = pb[i * s[2]] }
                    pb = UnsafeMutablePointer(tmpB)
                    strideB = 1
                }
                Scalar._binaryKernel(op, pa, strideA, pb, strideB, y + o[0] + done, m)
                done += m
            }
        }
    }

    /// `self = op(self, rhs)`, reusing this tensor's buffer when it owns it. `rhs` must
    /// broadcast to this tensor's shape.
    public mutating func combineInPlace(_ rhs: Tensor, _ op: BinaryOp, name: String) {
        let shape = Tensor.broadcastShape(self.shape, rhs.shape, op: name)
        tensorCheck(
            shape == self.shape,
            "\(name): the result of shape \(describeShape(shape)) does not fit in the left-hand side of shape \(describeShape(self.shape)). Fix: use the non-mutating operator, or make the right-hand side broadcast to \(describeShape(self.shape))."
        )
        if isKnownUniquelyReferenced(&storage) && isContiguous {
            storage.bumpVersion()
            Tensor.combine(self, rhs, op, into: storage.base + offset, shape: shape)
        } else {
            self = Tensor.combine(self, rhs, op, name: name)
        }
    }
}

// MARK: - Operators

extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .add, name: "+") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .subtract, name: "-") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .multiply, name: "*") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .divide, name: "/") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs + Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs - Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs * Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs / Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static prefix func - (x: Tensor) -> Tensor { x.applying(.negate) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs.combineInPlace(rhs, .add, name: "+=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs.combineInPlace(rhs, .subtract, name: "-=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs.combineInPlace(rhs, .multiply, name: "*=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs.combineInPlace(rhs, .divide, name: "/=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func += (lhs: inout Tensor, rhs: Scalar) { lhs.combineInPlace(Tensor(rhs), .add, name: "+=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func -= (lhs: inout Tensor, rhs: Scalar) { lhs.combineInPlace(Tensor(rhs), .subtract, name: "-=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func *= (lhs: inout Tensor, rhs: Scalar) { lhs.combineInPlace(Tensor(rhs), .multiply, name: "*=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func /= (lhs: inout Tensor, rhs: Scalar) { lhs.combineInPlace(Tensor(rhs), .divide, name: "/=") }

    /// Elementwise comparisons: 1 where true, 0 where false (NaN compares false, except `.!=`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .equal, name: ".==") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .notEqual, name: ".!=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .less, name: ".<") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .lessEqual, name: ".<=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .greater, name: ".>") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { combine(lhs, rhs, .greaterEqual, name: ".>=") }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .< (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .< Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .<= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .<= Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .> (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .> Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .>= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .>= Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .== (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .== Tensor(rhs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .!= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .!= Tensor(rhs) }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere, broadcasting all three.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let ab = broadcastShape(a.shape, b.shape, op: "select")
        let shape = broadcastShape(condition.shape, ab, op: "select")
        let c = condition.expanded(to: shape).contiguous()
        let x = a.expanded(to: shape).contiguous()
        let y = b.expanded(to: shape).contiguous()
        return Tensor(uninitializedShape: shape) { dst in
            typealias V = Scalar.Vector
            let pc = c.storage.base + c.offset
            let px = x.storage.base + x.offset
            let py = y.storage.base + y.offset
            let out = dst.baseAddress!
            let n = dst.count
            let w = V.scalarCount
            var i = 0
            while i + w <= n {
                let vc = UnsafeRawPointer(pc + i).loadUnaligned(as: V.self)
                let vx = UnsafeRawPointer(px + i).loadUnaligned(as: V.self)
                let vy = UnsafeRawPointer(py + i).loadUnaligned(as: V.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: Scalar.vSelect(Scalar.vNotEqual(vc, V(repeating: 0)), vx, vy), as: V.self)
                i += w
            }
            while i < n {
                out[i] = pc[i] != 0 ? px[i] : py[i]
                i += 1
            }
        }
    }
}

// MARK: - Named elementwise functions

extension Tensor {
    /// e^x.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func exp() -> Tensor { applying(.exp) }
    /// e^x − 1, accurate for small x.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func expm1() -> Tensor { applying(.expm1) }
    /// Natural logarithm; −∞ at 0, NaN below 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log() -> Tensor { applying(.log) }
    /// log(1 + x), accurate for small x.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log1p() -> Tensor { applying(.log1p) }
    /// Hyperbolic tangent.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanh() -> Tensor { applying(.tanh) }
    /// The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func erf() -> Tensor { applying(.erf) }
    /// √x.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sqrt() -> Tensor { applying(.sqrt) }
    /// |x| (|−0| = +0).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func abs() -> Tensor { applying(.abs) }
    /// −1, 0 or 1 by the sign of x (0 for ±0, NaN for NaN).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sign() -> Tensor { applying(.sign) }
    /// x².
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squared() -> Tensor { applying(.square) }
    /// 1/x.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reciprocal() -> Tensor { applying(.reciprocal) }
    /// 1/(1 + e^−x), stable for large |x|.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoid() -> Tensor { applying(.sigmoid) }
    /// x^p.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func pow(_ p: Scalar) -> Tensor { applying(.power(Double(p))) }
    /// x^y elementwise with broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func pow(_ y: Tensor) -> Tensor { Tensor.combine(self, y, .power, name: "pow") }
    /// Elementwise larger of two tensors (NaN if either is NaN).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { combine(a, b, .maximum, name: "maximum") }
    /// Elementwise smaller of two tensors (NaN if either is NaN).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { combine(a, b, .minimum, name: "minimum") }

    /// Swift.min(Swift.max(x, lower), upper); NaN stays NaN.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func clamped(to range: ClosedRange<Scalar>) -> Tensor {
        tensorCheck(
            !range.lowerBound.isNaN && !range.upperBound.isNaN,
            "clamped(to:): NaN bound in \(range). Fix: use finite or infinite bounds."
        )
        return applying(.clamp(lower: Double(range.lowerBound), upper: Double(range.upperBound)))
    }
}

// MARK: - Custom vector functions (the activations' kernels)

extension Tensor {
    /// Applies a vector function elementwise: `f` sees `Scalar.Vector`s (the tail of the buffer
    /// zero-padded, so results never depend on position); strided inputs are made contiguous
    /// first. Large tensors are split over threads above `grain` elements per thread.
    ///
    /// `f` must be pure and elementwise (lane i of the result depends only on lane i).
    @inlinable @inline(__always)
    public func mapped(grain: Int = TensorRuntime.elementwiseGrain, _ f: (Scalar.Vector) -> Scalar.Vector) -> Tensor {
        let src = isContiguous ? self : contiguous()
        let out = Tensor(uninitializedShape: src.shape, contiguousStrides: src.strides)
        let x = src.storage.base + src.offset
        let y = out.storage.base
        // Called directly on one thread, so `f` inlines into the vector loop.
        if !Parallel.isParallel(count: src.count, grain: grain) {
            vectorMap(x, y, src.count, f)
        } else {
            Parallel.forChunks(count: src.count, grain: grain) { a, b in vectorMap(x + a, y + a, b - a, f) }
        }
        return withExtendedLifetime(src) { out }
    }

    /// Applies a vector function to pairs of elements of two tensors of the same shape (see
    /// `mapped`).
    @inlinable @inline(__always)
    public static func zipMapped(
        _ lhs: Tensor, _ rhs: Tensor, grain: Int = TensorRuntime.elementwiseGrain,
        _ f: (Scalar.Vector, Scalar.Vector) -> Scalar.Vector
    ) -> Tensor {
        let shape = lhs.shape == rhs.shape ? lhs.shape : broadcastShape(lhs.shape, rhs.shape, op: "zipMapped")
        let a = lhs.shape == shape && lhs.isContiguous ? lhs : lhs.expanded(to: shape).contiguous()
        let b = rhs.shape == shape && rhs.isContiguous ? rhs : rhs.expanded(to: shape).contiguous()
        let out = Tensor(uninitializedShape: shape, contiguousStrides: a.strides)
        let pa = a.storage.base + a.offset
        let pb = b.storage.base + b.offset
        let y = out.storage.base
        if !Parallel.isParallel(count: out.count, grain: grain) {
            vectorMap2(pa, pb, y, out.count, f)
        } else {
            Parallel.forChunks(count: out.count, grain: grain) { s, e in vectorMap2(pa + s, pb + s, y + s, e - s, f) }
        }
        return withExtendedLifetime((a, b)) { out }
    }
}

/// An elementwise vector function as a type, so kernels inline into the vector loop.
///
/// Closures passed to `mapped` inline only while they are small; a kernel with a long body
/// (an `exp` inside) would otherwise be called once per vector, with its vector arguments
/// split into 128-bit halves by the calling convention. A struct's `@inline(__always)` method
/// is always inlined.
public protocol UnaryVectorKernel {
    associatedtype Scalar: TensorScalar
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector
}

/// A two-argument elementwise vector function as a type (see `UnaryVectorKernel`).
public protocol BinaryVectorKernel {
    associatedtype Scalar: TensorScalar
    func callAsFunction(_ a: Scalar.Vector, _ b: Scalar.Vector) -> Scalar.Vector
}

extension Tensor {
    /// Applies `kernel` elementwise (see `mapped(grain:_:)` for layouts and threading).
    ///
    /// The threaded path calls `kernel` inside each chunk's closure (not through a captured
    /// closure value, which the optimizer does not inline: that cost a call per vector and made
    /// two threads barely faster than one).
    @inlinable @inline(__always)
    public func mapped<K: UnaryVectorKernel>(grain: Int = TensorRuntime.elementwiseGrain, kernel: K) -> Tensor where K.Scalar == Scalar {
        let src = isContiguous ? self : contiguous()
        let out = Tensor(uninitializedShape: src.shape, contiguousStrides: src.strides)
        let x = src.storage.base + src.offset
        let y = out.storage.base
        if !Parallel.isParallel(count: src.count, grain: grain) {
            vectorMap(x, y, src.count) { kernel($0) }
        } else {
            Parallel.forChunks(count: src.count, grain: grain) { a, b in vectorMap(x + a, y + a, b - a) { kernel($0) } }
        }
        return withExtendedLifetime(src) { out }
    }

    /// Applies `kernel` to pairs of elements (see `zipMapped(_:_:grain:_:)`; threaded as
    /// `mapped(grain:kernel:)`).
    @inlinable @inline(__always)
    public static func zipMapped<K: BinaryVectorKernel>(_ lhs: Tensor, _ rhs: Tensor, grain: Int = TensorRuntime.elementwiseGrain, kernel: K) -> Tensor where K.Scalar == Scalar {
        let shape = lhs.shape == rhs.shape ? lhs.shape : broadcastShape(lhs.shape, rhs.shape, op: "zipMapped")
        let a = lhs.shape == shape && lhs.isContiguous ? lhs : lhs.expanded(to: shape).contiguous()
        let b = rhs.shape == shape && rhs.isContiguous ? rhs : rhs.expanded(to: shape).contiguous()
        let out = Tensor(uninitializedShape: shape, contiguousStrides: a.strides)
        let pa = a.storage.base + a.offset
        let pb = b.storage.base + b.offset
        let y = out.storage.base
        if !Parallel.isParallel(count: out.count, grain: grain) {
            vectorMap2(pa, pb, y, out.count) { kernel($0, $1) }
        } else {
            Parallel.forChunks(count: out.count, grain: grain) { s, e in vectorMap2(pa + s, pb + s, y + s, e - s) { kernel($0, $1) } }
        }
        return withExtendedLifetime((a, b)) { out }
    }
}

extension Tensor {
    /// Applies `kernel` in place: the buffer is overwritten when this tensor owns it and is
    /// contiguous (no allocation); otherwise the result replaces it (copy-on-write).
    @inlinable @inline(__always)
    public mutating func formMapped<K: UnaryVectorKernel>(grain: Int = TensorRuntime.elementwiseGrain, kernel: K) where K.Scalar == Scalar {
        guard isKnownUniquelyReferenced(&storage) && isContiguous else {
            self = mapped(grain: grain, kernel: kernel)
            return
        }
        storage.bumpVersion()
        let p = storage.base + offset
        if !Parallel.isParallel(count: count, grain: grain) {
            vectorMap(UnsafePointer(p), p, count) { kernel($0) }
        } else {
            Parallel.forChunks(count: count, grain: grain) { a, b in vectorMap(UnsafePointer(p + a), p + a, b - a) { kernel($0) } }
        }
    }
}
