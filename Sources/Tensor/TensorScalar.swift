import Foundation

/// The element types a `Tensor` can hold: `Float` and `Double`.
///
/// Each conforming type supplies its SIMD vector type and the vector math the kernels use; the
/// kernel entry points (`_unaryKernel`, `_binaryKernel`, …) are concrete per type, so generic
/// tensor code makes one dynamic call per kernel, never one per element. The activations'
/// special functions (GELU, mish, SiLU, softplus's log1pExp, tanhshrink) come from
/// `TensorSpecialFunctions`, one conformance per type in `Sources/Tensor/Math/`.
public protocol TensorScalar: TensorSpecialFunctions, Sendable, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    // `Vector`, the vector the kernels work in (`SIMD16<Float>`, `SIMD8<Double>`: one AVX-512
    // register, two AVX2 registers), is declared by `TensorSpecialFunctions`.

    /// A short name for printing: `Float32`, `Float64`.
    static var dtypeName: String { get }

    static func vExp(_ x: Vector) -> Vector
    static func vExpm1(_ x: Vector) -> Vector
    static func vLog(_ x: Vector) -> Vector
    static func vLog1p(_ x: Vector) -> Vector
    static func vTanh(_ x: Vector) -> Vector
    static func vErf(_ x: Vector) -> Vector
    /// |x| by clearing the sign bit (so |−0| = +0 and NaN stays NaN).
    static func vAbs(_ x: Vector) -> Vector
    /// e^{−|x|} (in (0, 1], NaN stays NaN): the stable logistic's building block; Float by a
    /// one-sided exponential (`VectorMath.expNonPositive`), about half the cost of `vExp`.
    static func vExpNegAbs(_ x: Vector) -> Vector
    /// e^x − 1 where x ≤ 0 (ELU's negative side; lanes with x > 0 give meaningless values the
    /// caller selects away). Float: a one-sided form about half the cost of `vExpm1`.
    static func vExpm1NonPositive(_ x: Vector) -> Vector
    /// `ifNegative` where x's sign bit is set (negative numbers and −0), `ifNotNegative`
    /// elsewhere: one blend on the sign bit, no comparison.
    static func vSignSelect(_ x: Vector, _ ifNegative: Vector, _ ifNotNegative: Vector) -> Vector
    /// x^p for a fixed p (`Tensor.pow(_:)`'s kernel): x·x for 2, x for 1, √x for ½ and 1/x for
    /// −1 (each correctly rounded), else the C library's `pow` lane by lane.
    static func vPow(_ x: Vector, _ p: Self) -> Vector

    // Comparisons and selection, concrete per type. Generic code would bind `.<` and
    // `replacing(with:where:)` to the SIMD protocol's lane-by-lane defaults (which LLVM often
    // fails to vectorize); these requirements bind to the concrete vector instructions.
    static func vLess(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage>
    static func vLessEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage>
    static func vEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage>
    static func vNotEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage>
    /// `ifTrue` where `mask`, `ifFalse` elsewhere.
    static func vSelect(_ mask: SIMDMask<Vector.MaskStorage>, _ ifTrue: Vector, _ ifFalse: Vector) -> Vector

    /// Runs a unary op over `count` contiguous elements (`x` and `y` may be the same buffer).
    static func _unaryKernel(
        _ op: UnaryOp, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ count: Int)
    /// Runs a binary op; `aStride`/`bStride` are 1 (contiguous) or 0 (one value broadcast).
    static func _binaryKernel(
        _ op: BinaryOp, _ a: UnsafePointer<Self>, _ aStride: Int, _ b: UnsafePointer<Self>,
        _ bStride: Int, _ y: UnsafeMutablePointer<Self>, _ count: Int)
    /// Reduces `count` contiguous elements.
    static func _reduceKernel(_ op: ReduceOp, _ x: UnsafePointer<Self>, _ count: Int) -> Self
    /// `acc[i] = combine(acc[i], x[i])` for a column-wise reduction.
    static func _accumulateKernel(
        _ op: ReduceOp, _ acc: UnsafeMutablePointer<Self>, _ x: UnsafePointer<Self>, _ count: Int)
    /// C = alpha·op(A)·op(B) + beta·C, row-major (see `Gemm`).
    static func _gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
        c: UnsafeMutablePointer<Self>, ldc: Int, threads: Int)
}

extension Float: TensorScalar {
    public typealias Vector = SIMD16<Float>
    public static var dtypeName: String { "Float32" }
    @inlinable @inline(__always) public static func vExp(_ x: Vector) -> Vector { VectorMath.exp(x) }
    @inlinable @inline(__always) public static func vExpm1(_ x: Vector) -> Vector { VectorMath.expm1(x) }
    @inlinable @inline(__always) public static func vLog(_ x: Vector) -> Vector { VectorMath.log(x) }
    @inlinable @inline(__always) public static func vLog1p(_ x: Vector) -> Vector { VectorMath.log1p(x) }
    @inlinable @inline(__always) public static func vTanh(_ x: Vector) -> Vector { VectorMath.tanh(x) }
    @inlinable @inline(__always) public static func vErf(_ x: Vector) -> Vector { VectorMath.erf(x) }
    @inlinable @inline(__always) public static func vAbs(_ x: Vector) -> Vector {
        // A vector mask, not a scalar: integer SIMD ops with a scalar operand go lane by lane.
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & SIMD16<UInt32>(repeating: 0x7FFF_FFFF), to: Vector.self)
    }
    @inlinable @inline(__always) public static func vExpNegAbs(_ x: Vector) -> Vector {
        VectorMath.expNonPositive(VectorMath.negativeAbs(x))
    }
    @inlinable @inline(__always) public static func vExpm1NonPositive(_ x: Vector) -> Vector {
        VectorMath.expm1NonPositive(x)
    }
    @inlinable @inline(__always) public static func vSignSelect(_ x: Vector, _ ifNegative: Vector, _ ifNotNegative: Vector) -> Vector {
        ifNotNegative.replacing(with: ifNegative, where: unsafeBitCast(x, to: SIMD16<Int32>.self) .< SIMD16<Int32>(repeating: 0))
    }
    @inlinable @inline(__always) public static func vPow(_ x: Vector, _ p: Float) -> Vector { powerBody(x, p) { Foundation.pow($0, $1) } }
    @inlinable @inline(__always) public static func vLess(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .< b }
    @inlinable @inline(__always) public static func vLessEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .<= b }
    @inlinable @inline(__always) public static func vEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .== b }
    @inlinable @inline(__always) public static func vNotEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .!= b }
    @inlinable @inline(__always) public static func vSelect(_ mask: SIMDMask<Vector.MaskStorage>, _ ifTrue: Vector, _ ifFalse: Vector) -> Vector {
        ifFalse.replacing(with: ifTrue, where: mask)
    }
    public static func _unaryKernel(
        _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int
    ) { Kernels.unary(op, x, y, count) }
    public static func _binaryKernel(
        _ op: BinaryOp, _ a: UnsafePointer<Float>, _ aStride: Int, _ b: UnsafePointer<Float>,
        _ bStride: Int, _ y: UnsafeMutablePointer<Float>, _ count: Int
    ) { Kernels.binary(op, a, aStride, b, bStride, y, count) }
    public static func _reduceKernel(_ op: ReduceOp, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        Kernels.reduce(op, x, count)
    }
    public static func _accumulateKernel(
        _ op: ReduceOp, _ acc: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int
    ) { Kernels.accumulate(op, acc, x, count) }
    public static func _gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        Gemm.sgemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
    }
}

extension Double: TensorScalar {
    public typealias Vector = SIMD8<Double>
    public static var dtypeName: String { "Float64" }
    @_transparent public static func vExp(_ x: Vector) -> Vector { VectorMath.exp(x) }
    @inlinable @inline(__always) public static func vExpm1(_ x: Vector) -> Vector { VectorMath.expm1(x) }
    @inlinable @inline(__always) public static func vLog(_ x: Vector) -> Vector { VectorMath.log(x) }
    @inlinable @inline(__always) public static func vLog1p(_ x: Vector) -> Vector { VectorMath.log1p(x) }
    @inlinable @inline(__always) public static func vTanh(_ x: Vector) -> Vector { VectorMath.tanh(x) }
    @inlinable @inline(__always) public static func vErf(_ x: Vector) -> Vector { VectorMath.erf(x) }
    @inlinable @inline(__always) public static func vAbs(_ x: Vector) -> Vector {
        unsafeBitCast(
            unsafeBitCast(x, to: SIMD8<UInt64>.self) & SIMD8<UInt64>(repeating: 0x7FFF_FFFF_FFFF_FFFF), to: Vector.self)
    }
    @inlinable @inline(__always) public static func vExpNegAbs(_ x: Vector) -> Vector {
        VectorMath.expNonPositive(VectorMath.negativeAbs(x))
    }
    @inlinable @inline(__always) public static func vExpm1NonPositive(_ x: Vector) -> Vector {
        VectorMath.expm1NonPositive(x)
    }
    @inlinable @inline(__always) public static func vSignSelect(_ x: Vector, _ ifNegative: Vector, _ ifNotNegative: Vector) -> Vector {
        ifNotNegative.replacing(with: ifNegative, where: unsafeBitCast(x, to: SIMD8<Int64>.self) .< SIMD8<Int64>(repeating: 0))
    }
    @inlinable @inline(__always) public static func vPow(_ x: Vector, _ p: Double) -> Vector { powerBody(x, p) { Foundation.pow($0, $1) } }
    @inlinable @inline(__always) public static func vLess(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .< b }
    @inlinable @inline(__always) public static func vLessEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .<= b }
    @inlinable @inline(__always) public static func vEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .== b }
    @inlinable @inline(__always) public static func vNotEqual(_ a: Vector, _ b: Vector) -> SIMDMask<Vector.MaskStorage> { a .!= b }
    @inlinable @inline(__always) public static func vSelect(_ mask: SIMDMask<Vector.MaskStorage>, _ ifTrue: Vector, _ ifFalse: Vector) -> Vector {
        ifFalse.replacing(with: ifTrue, where: mask)
    }
    public static func _unaryKernel(
        _ op: UnaryOp, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int
    ) { Kernels.unary(op, x, y, count) }
    public static func _binaryKernel(
        _ op: BinaryOp, _ a: UnsafePointer<Double>, _ aStride: Int, _ b: UnsafePointer<Double>,
        _ bStride: Int, _ y: UnsafeMutablePointer<Double>, _ count: Int
    ) { Kernels.binary(op, a, aStride, b, bStride, y, count) }
    public static func _reduceKernel(_ op: ReduceOp, _ x: UnsafePointer<Double>, _ count: Int) -> Double {
        Kernels.reduce(op, x, count)
    }
    public static func _accumulateKernel(
        _ op: ReduceOp, _ acc: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ count: Int
    ) { Kernels.accumulate(op, acc, x, count) }
    public static func _gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
        c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int
    ) {
        Gemm.dgemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
    }
}

extension TensorScalar {
    /// `vPow`'s body: the exponents with an exact vector form, else `lane` in each lane.
    @inlinable @inline(__always)
    static func powerBody(_ x: Vector, _ p: Self, _ lane: (Self, Self) -> Self) -> Vector {
        if p == 2 { return x * x }
        if p == 1 { return x }
        if p == 0.5 { return x.squareRoot() }
        if p == -1 { return Vector(repeating: 1) / x }
        var r = x
        for i in r.indices { r[i] = lane(x[i], p) }
        return r
    }

    /// The logistic function 1/(1 + e^−x) on a vector, from e = e^−|x| so it never overflows:
    /// 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0. NaN stays NaN. Float: one division of the
    /// numerator selected on x's sign bit (at −0 both give ½); Double: e·(1/(1 + e)) for x < 0,
    /// the rounding its special-value expectations were taken with.
    @inlinable @inline(__always)
    public static func vSigmoid(_ x: Vector) -> Vector {
        let one = Vector(repeating: 1)
        let e = vExpNegAbs(x)
        if Self.self == Float.self {
            return vSignSelect(x, e, one) / (one + e)
        }
        let p = one / (one + e)
        return vSelect(vLess(x, Vector(repeating: 0)), e * p, p)
    }
}
