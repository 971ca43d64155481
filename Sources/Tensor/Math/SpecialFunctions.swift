// SpecialFunctions.swift
//
// The numeric special functions of the activations, with one home per scalar type (the
// swift-numerics pattern: one requirement per concept on the scalar protocol, one conformance
// per type). `Float+SpecialFunctions.swift` and `Double+SpecialFunctions.swift` hold the two
// conformances: Float's tuned polynomials and integer tricks, Double's formulas as PyTorch's
// float64 evaluates them. Activation kernels call `Scalar.vGELU(x)`, `Scalar.vLog1pExp(x)`, …
// and never test `Scalar.self` or bit-cast a vector to a concrete type; every function here is
// `@inlinable @inline(__always)`, so a specialized kernel inlines the concrete body exactly as if
// it were written in place.

/// Numeric special functions on a scalar type's SIMD vector, one conformance per scalar type.
/// `TensorScalar` refines this protocol, so every tensor scalar has them. All are lane-wise, and
/// NaN in gives NaN out.
///
/// Where a requirement names a derivative together with a gradient (`vGELUTanhBackward(g, x)`),
/// the product g·f′(x) is part of the function: a Float evaluation may form it in Double and
/// round once, which differs from rounding f′(x) first.
public protocol TensorSpecialFunctions: BinaryFloatingPoint, SIMDScalar, Codable {
    /// The vector the kernels work in: `SIMD16<Float>`, `SIMD8<Double>` (one AVX-512 register,
    /// two AVX2 registers).
    associatedtype Vector: SIMD where Vector.Scalar == Self

    /// `f` evaluated in Double: for Double `f(x)`, for Float on the two halves widened to Double
    /// and rounded back once. For formulas whose evaluation in the working precision cancels
    /// (1 + erf near −1) but whose float64 evaluation is what PyTorch computes.
    static func vInDouble(_ x: Vector, _ f: (SIMD8<Double>) -> SIMD8<Double>) -> Vector
    /// Two-argument `vInDouble(_:_:)`.
    static func vInDouble(_ a: Vector, _ b: Vector, _ f: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>) -> Vector

    /// log(1 + e^x) (softplus with β = 1, no threshold), as max(x, 0) + log1p(e^{−|x|}): no
    /// overflow, no cancellation. Float: `VectorMath.log1pExp` (one exponential, one division, the
    /// atanh series); Double: max(x, 0) + `vLog1p`(`vExpNegAbs`(x)).
    static func vLog1pExp(_ x: Vector) -> Vector
    /// A threshold t from which `vLog1pExp(x)` is x itself for every x > t, so softplus with
    /// β = 1 and a threshold ≥ t needs no comparison. Float: 16 (e^{−16} is below half an ulp of
    /// 16). Double: +∞ (no such shortcut is claimed; the comparison stays).
    static var log1pExpIsIdentityAbove: Self { get }

    /// SiLU, x·σ(x), with PyTorch's float64 flush (σ(x) = 0 below x = −709.78, see
    /// `SpecialFormulas.sigmoidFlush`) and the limit −0 at −∞.
    static func vSiLU(_ x: Vector) -> Vector

    /// Mish, x·tanh(softplus(x)); −∞ gives the limit −0.
    static func vMish(_ x: Vector) -> Vector
    /// mish′(x) = t + x·σ(x)(1 − t²), t = tanh(softplus(x)), without cancellation away from its
    /// zero crossing (x ≈ −1.1924), and with the x·σ(x) term flushed below x = −709.78 as
    /// PyTorch's float64 does.
    static func vMishDerivative(_ x: Vector) -> Vector

    /// GELU, 0.5x(1 + erf(x/√2)); −∞ gives the limit −0.
    static func vGELU(_ x: Vector) -> Vector
    /// g·gelu′(x), gelu′(x) = Φ(x) + x·φ(x).
    static func vGELUBackward(_ g: Vector, _ x: Vector) -> Vector
    /// GELU's tanh form, 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))); −∞ gives the limit −0.
    static func vGELUTanh(_ x: Vector) -> Vector
    /// g times the exact derivative of GELU's tanh form.
    static func vGELUTanhBackward(_ g: Vector, _ x: Vector) -> Vector

    /// Tanhshrink, x − tanh x.
    static func vTanhshrink(_ x: Vector) -> Vector
}

/// Formulas shared by the conformances.
@usableFromInline
enum SpecialFormulas {
    /// −log(Double.greatestFiniteMagnitude): below it PyTorch's 1/(1 + e^−x) overflows e^−x
    /// and gives σ(x) = 0 exactly. SiLU and mish′ follow that flush (results there are below
    /// 1e-305 in magnitude either way) so that they agree with PyTorch's float64 values; Float
    /// is unaffected (e^x is 0 in Float long before). NN's `SmoothKernels.pytorchSigmoidFlush` is the same
    /// value; a computed property, since a global's value is not visible to inlined code.
    @inlinable @inline(__always)
    static var sigmoidFlush: Double { -709.782712893384 }

    /// log(1 + e^z) = max(z, 0) + log1p(e^−|z|), for either type.
    @inlinable @inline(__always)
    static func softplus<S: TensorScalar>(_ z: S.Vector, _: S.Type) -> S.Vector {
        let zero = S.Vector(repeating: 0)
        return S.vSelect(S.vLess(zero, z), z, zero) + S.vLog1p(S.vExpNegAbs(z))
    }

    /// mish′(x), for either type; `flushed(e, d)` is the value below the flush point (the
    /// mish′ = t = e(e + 2)/d that remains when σ(x) is 0; Float passes 0, its e being 0 there).
    @inlinable @inline(__always)
    static func mishDerivative<S: TensorScalar>(
        _ x: S.Vector, _: S.Type, flushed: (_ e: S.Vector, _ d: S.Vector) -> S.Vector
    ) -> S.Vector {
        typealias V = S.Vector
        let one = V(repeating: 1)
        let two = V(repeating: 2)
        let four = V(repeating: 4)
        let e = S.vExpNegAbs(x)
        // x < 0 (e = eˣ): e·[(4 + 4x) + e((6 + 4x) + e(4 + e))] / (e² + 2e + 2)², where 4 + 4x
        // and 6 + 4x are exact near the zero crossing, so only the rounding of e is left.
        let d = e * (e + two) + two
        let inner = (four + four * x) + e * ((V(repeating: 6) + four * x) + e * (four + e))
        let full = e * inner / (d * d)
        let negative = S.vSelect(S.vLess(x, V(repeating: S(sigmoidFlush))), flushed(e, d), full)
        // x ≥ 0 (e = e^−x): t + 4x·e²(1 + e)/D², D = 1 + 2e + 2e²
        let a = one + two * e
        let big = a + two * e * e
        let t = a / big
        // At x = +∞ the correction term is ∞·0: mish′(+∞) = 1, its limit.
        let correction = four * x * (e * e) * (one + e) / (big * big)
        let positive = t + S.vSelect(S.vEqual(e, V(repeating: 0)), V(repeating: 0), correction)
        return S.vSelect(S.vLess(x, V(repeating: 0)), negative, positive)
    }

    // GELU in float64, as PyTorch writes it: Double's GELU, and Float's where its own kernels
    // don't reach (the tanh form below −4, see `GELUTanhFloat`).
    @usableFromInline typealias D = SIMD8<Double>

    /// 0.5x(1 + erf(x/√2)) as written (−∞ gives NaN; the caller selects the limit).
    @inlinable @inline(__always)
    static func gelu(_ x: D) -> D {
        x * D(repeating: 0.5) * (D(repeating: 1) + Double.vErf(x * D(repeating: 0.7071067811865476)))
    }

    /// 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) as written (−∞ gives NaN).
    @inlinable @inline(__always)
    static func geluTanh(_ x: D) -> D {
        D(repeating: 0.5) * x
            * (D(repeating: 1) + Double.vTanh(D(repeating: 0.7978845608028654) * (x + D(repeating: 0.044715) * (x * x * x))))
    }

    /// gelu′(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π).
    @inlinable @inline(__always)
    static func geluDerivative(_ x: D) -> D {
        let half = D(repeating: 0.5)
        let one = D(repeating: 1)
        let cdf = half * (one + Double.vErf(x * D(repeating: 0.7071067811865476)))
        let pdf = Double.vExp(-half * x * x) * D(repeating: 0.3989422804014327)
        // x·φ(x) → 0 at ±∞ (where ∞·0 would be NaN).
        return cdf + (x * pdf).replacing(with: 0, where: pdf .== 0)
    }

    /// The tanh form's exact derivative 0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′,
    /// u = √(2/π)(x + 0.044715x³), u′ = √(2/π)(1 + 3·0.044715x²).
    @inlinable @inline(__always)
    static func geluTanhDerivative(_ x: D) -> D {
        let half = D(repeating: 0.5)
        let one = D(repeating: 1)
        let k = D(repeating: 0.7978845608028654)
        let kappa = D(repeating: 0.044715)
        let x2 = x * x
        let t = Double.vTanh(k * (x + kappa * (x2 * x)))
        let du = k * (one + D(repeating: 3) * kappa * x2)
        let sech2 = (one - t) * (one + t)
        // The second term → 0 at ±∞ (where ∞·0 would be NaN).
        return half * (one + t) + (half * x * sech2 * du).replacing(with: 0, where: sech2 .== 0)
    }
}
