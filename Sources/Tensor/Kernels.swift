import Foundation

/// Elementwise functions of one tensor that have a vectorized kernel.
public enum UnaryOp: Sendable, Equatable {
    case negate, abs, sign, sqrt, reciprocal, square
    case exp, expm1, log, log1p, tanh, erf
    /// 1/(1+e^−x), computed from e^−|x| so it never overflows.
    case sigmoid
    /// min(max(x, lower), upper); NaN stays NaN.
    case clamp(lower: Double, upper: Double)
    /// x^p for a fixed exponent p.
    case power(Double)
}

extension UnaryOp {
    /// Elements per thread below which the op runs on one thread.
    var parallelGrain: Int {
        switch self {
        case .negate, .abs, .sign, .square, .clamp, .reciprocal: return TensorRuntime.memoryBoundGrain
        case .power(let p) where p == 1 || p == 2 || p == -1: return TensorRuntime.memoryBoundGrain
        case .power: return 4096
        default: return TensorRuntime.elementwiseGrain
        }
    }
}

/// Elementwise functions of two tensors.
public enum BinaryOp: Sendable, Equatable {
    case add, subtract, multiply, divide
    /// Larger / smaller of the two; NaN if either is NaN.
    case maximum, minimum
    case power
    /// Comparisons give 1 where true, 0 where false.
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

extension BinaryOp {
    /// Elements per thread below which the op runs on one thread.
    var parallelGrain: Int { self == .power ? 4096 : TensorRuntime.memoryBoundGrain }
}

/// Reductions.
public enum ReduceOp: Sendable, Equatable {
    case sum
    /// Largest / smallest; NaN if any element is NaN.
    case max, min
}

/// Applies `f` to `count` contiguous elements, `V.scalarCount` at a time.
///
/// The tail (fewer than one vector) is copied into a zero-padded vector and goes through the same
/// `f`, so an element's result never depends on its position: the vector body, the tail and every
/// strided layout give bit-identical results.
@inlinable @inline(__always)
public func vectorMap<V: SIMD>(
    _ x: UnsafePointer<V.Scalar>, _ y: UnsafeMutablePointer<V.Scalar>, _ count: Int,
    _ f: (V) -> V
) {
    let w = V.scalarCount
    var i = 0
    while i &+ w <= count {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: V.self)
        i &+= w
    }
    if i < count {
        let bytes = (count &- i) &* MemoryLayout<V.Scalar>.stride
        var v = V()
        withUnsafeMutableBytes(of: &v) { $0.baseAddress!.copyMemory(from: x + i, byteCount: bytes) }
        let r = f(v)
        withUnsafeBytes(of: r) { UnsafeMutableRawPointer(y + i).copyMemory(from: $0.baseAddress!, byteCount: bytes) }
    }
}

/// Applies `f` to pairs of elements of two contiguous buffers (see `vectorMap`).
@inlinable @inline(__always)
public func vectorMap2<V: SIMD>(
    _ a: UnsafePointer<V.Scalar>, _ b: UnsafePointer<V.Scalar>, _ y: UnsafeMutablePointer<V.Scalar>,
    _ count: Int, _ f: (V, V) -> V
) {
    let w = V.scalarCount
    var i = 0
    while i &+ w <= count {
        let va = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
        let vb = UnsafeRawPointer(b + i).loadUnaligned(as: V.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: f(va, vb), as: V.self)
        i &+= w
    }
    if i < count {
        let bytes = (count &- i) &* MemoryLayout<V.Scalar>.stride
        var va = V()
        var vb = V()
        withUnsafeMutableBytes(of: &va) { $0.baseAddress!.copyMemory(from: a + i, byteCount: bytes) }
        withUnsafeMutableBytes(of: &vb) { $0.baseAddress!.copyMemory(from: b + i, byteCount: bytes) }
        let r = f(va, vb)
        withUnsafeBytes(of: r) { UnsafeMutableRawPointer(y + i).copyMemory(from: $0.baseAddress!, byteCount: bytes) }
    }
}

/// The generic kernel bodies; `Float` and `Double` call them from their concrete conformances,
/// where they are specialized and inlined.
@usableFromInline
enum Kernels {
    @inline(__always)
    static func sign<S: TensorScalar>(_ x: S.Vector, _: S.Type) -> S.Vector {
        typealias V = S.Vector
        let zero = V(repeating: 0)
        let s = S.vSelect(S.vLess(zero, x), V(repeating: 1), S.vSelect(S.vLess(x, zero), V(repeating: -1), zero))
        return S.vSelect(S.vNotEqual(x, x), x, s)
    }

    @inline(__always)
    static func unary<S: TensorScalar>(
        _ op: UnaryOp, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int
    ) {
        typealias V = S.Vector
        switch op {
        case .negate: vectorMap(x, y, n) { (v: V) in -v }
        case .abs: vectorMap(x, y, n) { (v: V) in S.vAbs(v) }
        case .sign: vectorMap(x, y, n) { (v: V) in sign(v, S.self) }
        case .sqrt: vectorMap(x, y, n) { (v: V) in v.squareRoot() }
        case .reciprocal: vectorMap(x, y, n) { (v: V) in V(repeating: 1) / v }
        case .square: vectorMap(x, y, n) { (v: V) in v * v }
        case .exp: vectorMap(x, y, n) { (v: V) in S.vExp(v) }
        case .expm1: vectorMap(x, y, n) { (v: V) in S.vExpm1(v) }
        case .log: vectorMap(x, y, n) { (v: V) in S.vLog(v) }
        case .log1p: vectorMap(x, y, n) { (v: V) in S.vLog1p(v) }
        case .tanh: vectorMap(x, y, n) { (v: V) in S.vTanh(v) }
        case .erf: vectorMap(x, y, n) { (v: V) in S.vErf(v) }
        case .sigmoid: vectorMap(x, y, n) { (v: V) in S.vSigmoid(v) }
        case .clamp(let lower, let upper):
            let loV = V(repeating: S(lower))
            let hiV = V(repeating: S(upper))
            vectorMap(x, y, n) { (v: V) in
                S.vSelect(S.vLess(hiV, v), hiV, S.vSelect(S.vLess(v, loV), loV, v))
            }
        case .power(let p):
            let e = S(p)
            vectorMap(x, y, n) { (v: V) in S.vPow(v, e) }
        }
    }

    @inline(__always)
    static func scalarPow<S: TensorScalar>(_ a: S, _ b: S) -> S {
        if let a = a as? Float, let b = b as? Float { return Foundation.pow(a, b) as! S }
        return S(Foundation.pow(Double(a), Double(b)))
    }

    @inline(__always)
    static func apply<S: TensorScalar>(_ op: BinaryOp, _ a: S.Vector, _ b: S.Vector, _: S.Type) -> S.Vector {
        typealias V = S.Vector
        let zero = V(repeating: 0)
        let one = V(repeating: 1)
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .maximum:
            return S.vSelect(S.vLess(a, b), b, S.vSelect(S.vNotEqual(b, b), b, a))
        case .minimum:
            return S.vSelect(S.vLess(b, a), b, S.vSelect(S.vNotEqual(b, b), b, a))
        case .power:
            var r = a
            for i in r.indices { r[i] = scalarPow(a[i], b[i]) }
            return r
        case .equal: return S.vSelect(S.vEqual(a, b), one, zero)
        case .notEqual: return S.vSelect(S.vNotEqual(a, b), one, zero)
        case .less: return S.vSelect(S.vLess(a, b), one, zero)
        case .lessEqual: return S.vSelect(S.vLessEqual(a, b), one, zero)
        case .greater: return S.vSelect(S.vLess(b, a), one, zero)
        case .greaterEqual: return S.vSelect(S.vLessEqual(b, a), one, zero)
        }
    }

    @inline(__always)
    static func binary<S: TensorScalar>(
        _ op: BinaryOp, _ a: UnsafePointer<S>, _ aStride: Int, _ b: UnsafePointer<S>,
        _ bStride: Int, _ y: UnsafeMutablePointer<S>, _ n: Int
    ) {
        typealias V = S.Vector
        if aStride == 1 && bStride == 1 {
            switch op {
            case .add: vectorMap2(a, b, y, n) { (u: V, v: V) in u + v }
            case .subtract: vectorMap2(a, b, y, n) { (u: V, v: V) in u - v }
            case .multiply: vectorMap2(a, b, y, n) { (u: V, v: V) in u * v }
            case .divide: vectorMap2(a, b, y, n) { (u: V, v: V) in u / v }
            default: vectorMap2(a, b, y, n) { (u: V, v: V) in apply(op, u, v, S.self) }
            }
        } else if aStride == 1 {
            let s = V(repeating: b[0])
            switch op {
            case .add: vectorMap(a, y, n) { (u: V) in u + s }
            case .subtract: vectorMap(a, y, n) { (u: V) in u - s }
            case .multiply: vectorMap(a, y, n) { (u: V) in u * s }
            case .divide: vectorMap(a, y, n) { (u: V) in u / s }
            default: vectorMap(a, y, n) { (u: V) in apply(op, u, s, S.self) }
            }
        } else if bStride == 1 {
            let s = V(repeating: a[0])
            switch op {
            case .add: vectorMap(b, y, n) { (v: V) in s + v }
            case .subtract: vectorMap(b, y, n) { (v: V) in s - v }
            case .multiply: vectorMap(b, y, n) { (v: V) in s * v }
            case .divide: vectorMap(b, y, n) { (v: V) in s / v }
            default: vectorMap(b, y, n) { (v: V) in apply(op, s, v, S.self) }
            }
        } else {
            let r = apply(op, V(repeating: a[0]), V(repeating: b[0]), S.self)
            y.update(repeating: r[0], count: n)
        }
    }

    @inline(__always)
    static func reduce<S: TensorScalar>(_ op: ReduceOp, _ x: UnsafePointer<S>, _ n: Int) -> S {
        typealias V = S.Vector
        let w = V.scalarCount
        switch op {
        case .sum:
            var s0 = V(), s1 = V(), s2 = V(), s3 = V()
            var i = 0
            while i &+ 4 &* w <= n {
                let p = UnsafeRawPointer(x + i)
                s0 += p.loadUnaligned(as: V.self)
                s1 += p.loadUnaligned(fromByteOffset: w * MemoryLayout<S>.stride, as: V.self)
                s2 += p.loadUnaligned(fromByteOffset: 2 * w * MemoryLayout<S>.stride, as: V.self)
                s3 += p.loadUnaligned(fromByteOffset: 3 * w * MemoryLayout<S>.stride, as: V.self)
                i &+= 4 &* w
            }
            while i &+ w <= n {
                s0 += UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                i &+= w
            }
            var total = ((s0 + s1) + (s2 + s3)).sum()
            while i < n {
                total += x[i]
                i &+= 1
            }
            return total
        case .max, .min:
            let isMax = op == .max
            var acc = V(repeating: isMax ? -S.infinity : S.infinity)
            var nan = SIMDMask<V.MaskStorage>(repeating: false)
            var i = 0
            while i &+ w <= n {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                acc = S.vSelect(isMax ? S.vLess(acc, v) : S.vLess(v, acc), v, acc)
                nan .|= S.vNotEqual(v, v)
                i &+= w
            }
            var result = isMax ? acc.max() : acc.min()
            var sawNaN = any(nan)
            while i < n {
                let v = x[i]
                if v.isNaN { sawNaN = true }
                if isMax ? v > result : v < result { result = v }
                i &+= 1
            }
            return sawNaN ? S.nan : result
        }
    }

    @inline(__always)
    static func accumulate<S: TensorScalar>(
        _ op: ReduceOp, _ acc: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, _ n: Int
    ) {
        typealias V = S.Vector
        switch op {
        case .sum: vectorMap2(acc, x, acc, n) { (a: V, v: V) in a + v }
        case .max: vectorMap2(acc, x, acc, n) { (a: V, v: V) in apply(.maximum, a, v, S.self) }
        case .min: vectorMap2(acc, x, acc, n) { (a: V, v: V) in apply(.minimum, a, v, S.self) }
        }
    }
}
