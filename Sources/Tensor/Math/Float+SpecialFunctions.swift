// Float+SpecialFunctions.swift
//
// The special functions for Float: evaluated in Float by kernels tuned for it (fitted
// polynomials, one-sided exponentials, integer compares and sign tricks on the bits), accurate
// to the float64 reference (PyTorch's float64 values rounded to Float) within the few ulps each
// kernel states, with float64's results reproduced where they are on a coarser grid (far-negative
// GELU, tanhshrink near 0). Where a Float kernel can't reproduce float64's rounding (GELU's tanh
// form below −4) the Double formula is evaluated on the widened halves.

extension Float: TensorSpecialFunctions {
    @inlinable @inline(__always)
    public static func vInDouble(_ x: Vector, _ f: (SIMD8<Double>) -> SIMD8<Double>) -> Vector {
        let lo = SIMD8<Float>(f(SIMD8<Double>(x.lowHalf)))
        let hi = SIMD8<Float>(f(SIMD8<Double>(x.highHalf)))
        return SIMD16<Float>(lowHalf: lo, highHalf: hi)
    }

    @inlinable @inline(__always)
    public static func vInDouble(
        _ a: Vector, _ b: Vector, _ f: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>
    ) -> Vector {
        let lo = SIMD8<Float>(f(SIMD8<Double>(a.lowHalf), SIMD8<Double>(b.lowHalf)))
        let hi = SIMD8<Float>(f(SIMD8<Double>(a.highHalf), SIMD8<Double>(b.highHalf)))
        return SIMD16<Float>(lowHalf: lo, highHalf: hi)
    }

    /// `VectorMath.log1pExp`: one exponential, one division, the atanh series (2.7 ulp).
    @inlinable @inline(__always)
    public static func vLog1pExp(_ x: Vector) -> Vector { VectorMath.log1pExp(x) }

    /// 16: there log(1 + e^x) = x + log1p(e^{−x}) rounds to x (e^{−16} < half an ulp of 16).
    @inlinable @inline(__always)
    public static var log1pExpIsIdentityAbove: Float { 16 }

    /// `SiLUFloat.forward`: one division, no flush or limit selects.
    @inlinable @inline(__always)
    public static func vSiLU(_ x: Vector) -> Vector { SiLUFloat.forward(x) }

    /// `MishFloat.forward`: one division.
    @inlinable @inline(__always)
    public static func vMish(_ x: Vector) -> Vector { MishFloat.forward(x) }

    /// The shared form (`SpecialFormulas.mishDerivative`); below the flush point e is already 0
    /// in Float, so the flushed value is 0 (no third division).
    @inlinable @inline(__always)
    public static func vMishDerivative(_ x: Vector) -> Vector {
        SpecialFormulas.mishDerivative(x, Float.self) { _, _ in Vector(repeating: 0) }
    }

    /// `GELUFloat.forward`, in Float throughout.
    @inlinable @inline(__always)
    public static func vGELU(_ x: Vector) -> Vector { GELUFloat.forward(x) }

    /// g·`GELUFloat.derivative`(x).
    @inlinable @inline(__always)
    public static func vGELUBackward(_ g: Vector, _ x: Vector) -> Vector { g * GELUFloat.derivative(x) }

    /// `GELUTanhFloat.forward` when no lane is below −4; otherwise the float64 formula on the
    /// widened halves (see `GELUTanhFloat`), with the limit −0 at −∞.
    @inlinable @inline(__always)
    public static func vGELUTanh(_ x: Vector) -> Vector {
        if !any(x .< Vector(repeating: -4)) {
            return GELUTanhFloat.forward(x)
        }
        let r = vInDouble(x) { (x: SIMD8<Double>) in SpecialFormulas.geluTanh(x) }
        // The limit −0 at −∞ (−∞·0 would be NaN).
        return vSelect(vEqual(x, Vector(repeating: -.infinity)), Vector(repeating: -0.0), r)
    }

    /// g·`GELUTanhFloat.derivative`(x) when no lane is below −4; otherwise g·gelu′(x) in float64
    /// on the widened halves, rounded once.
    @inlinable @inline(__always)
    public static func vGELUTanhBackward(_ g: Vector, _ x: Vector) -> Vector {
        if !any(x .< Vector(repeating: -4)) {
            let d = GELUTanhFloat.derivative(x)
            return g * d
        }
        return vInDouble(g, x) { (g: SIMD8<Double>, x: SIMD8<Double>) in g * SpecialFormulas.geluTanhDerivative(x) }
    }

    /// `TanhshrinkFloat.forward`: a polynomial below 1, no cancellation.
    @inlinable @inline(__always)
    public static func vTanhshrink(_ x: Vector) -> Vector { TanhshrinkFloat.forward(x) }
}

/// GELU (erf form) and its derivative in Float. With a = |x| and g = e^{−x²/2} (x² exact, see
/// `VectorMath.expNegativeHalfSquare`), E = erfc(a/√2) = 2Φ(−a) = g·R(a), R(a) = erfc(a/√2)·e^{a²/2}
/// a degree-8 polynomial in s = t − 0.6411, t = 1/(1 + 0.29a) (weighted minimax with the
/// coefficients rounded to Float one at a time: 2.4e-8 relative on a ≤ 8.77; s carried with its
/// rounding error corrected, since R′ amplifies an error in t almost threefold). The forward
/// uses R/2 (the coefficients halved, exactly), so Φ(−a) = g·R/2 comes without a multiplication
/// by ½: Φ(x) = Φ(−a) for x < 0 and 1 − Φ(−a) otherwise. For x < 0, Φ(−a) below 2⁻³¹ is rounded
/// to multiples of 2⁻⁵⁴, as float64's 1 + erf(x/√2) is to multiples of 2⁻⁵³, so far-negative
/// inputs give PyTorch's float64 values (e.g. −0 from x ≈ −7.9 on).
///
/// Derivative Φ + xφ = g·D(a) for x < 0 and 1 − g·D(a) for x ≥ 0, D(a) = R(a)/2 − a/√(2π). D
/// has a root at a₀ = 0.75179…: on a in (0.4, 1.2) it is (a − a₀)·H(a), H a degree-8 fit
/// (4e-8), so the derivative keeps its relative accuracy near its zero at x = −a₀; far out on
/// the negative side it is Φ (grid-rounded as above) + xφ.
@usableFromInline
enum GELUFloat {
    @usableFromInline typealias F = SIMD16<Float>

    @inlinable @inline(__always)
    static func select(_ m: SIMDMask<SIMD16<Int32>>, _ a: F, _ b: F) -> F { b.replacing(with: a, where: m) }

    /// s = 1/(1 + 0.29a) − 0.6411…, with the rounding of 1 + 0.29a (an FMA gives its error) and
    /// of the quotient corrected.
    @inlinable @inline(__always)
    static func reducedArgument(_ a: F) -> F {
        let d = F(repeating: 1).addingProduct(a, F(repeating: 0.29))
        let t0 = 1 / d
        let err = (1 - d).addingProduct(a, F(repeating: 0.29))
        let rho = F(repeating: 1).addingProduct(-t0, d).addingProduct(-t0, err)
        return (t0 - 0.6411113739013672).addingProduct(t0, rho)
    }

    /// scale·R(a), R(a) = erfc(a/√2)·e^{a²/2}, from s; `scale` is 1 or ½ (a constant, folded
    /// into the coefficients exactly).
    @inlinable @inline(__always)
    static func erfcxPolynomial(_ s: F, scale: Float) -> F {
        var p = F(repeating: scale * 0.08407051861286163)
        p = F(repeating: scale * 0.018711142241954803).addingProduct(p, s)
        p = F(repeating: scale * -0.214598149061203).addingProduct(p, s)
        p = F(repeating: scale * -0.11567814648151398).addingProduct(p, s)
        p = F(repeating: scale * 0.5500383973121643).addingProduct(p, s)
        p = F(repeating: scale * 1.2864692211151123).addingProduct(p, s)
        p = F(repeating: scale * 1.4834558963775635).addingProduct(p, s)
        p = F(repeating: scale * 1.104207158088684).addingProduct(p, s)
        p = F(repeating: scale * 0.3451594412326813).addingProduct(p, s)
        return p
    }

    /// H(a) = D(a)/(a − a₀) on (0.4, 1.2).
    @inlinable @inline(__always)
    static func rootQuotient(_ a: F) -> F {
        let s = a - 0.8
        var p = F(repeating: -0.0037319634575396776)
        p = F(repeating: 0.00014648499200120568).addingProduct(p, s)
        p = F(repeating: 0.0006916539859957993).addingProduct(p, s)
        p = F(repeating: 0.001587294740602374).addingProduct(p, s)
        p = F(repeating: -0.004883762449026108).addingProduct(p, s)
        p = F(repeating: 0.0133570721372962).addingProduct(p, s)
        p = F(repeating: -0.034577690064907074).addingProduct(p, s)
        p = F(repeating: 0.08132681250572205).addingProduct(p, s)
        p = F(repeating: -0.5684036612510681).addingProduct(p, s)
        return p
    }

    /// 0.5x(1 + erf(x/√2)); −∞ → −0 (x is clamped to the lowest finite value, where the
    /// factor is 0).
    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        // |x| capped at 8.77 and e compared with 2⁻³¹ as integers on their bits (both ≥ 0, where
        // integer order is float order; integer instructions leave the FMA ports free). The cap
        // turns a NaN into 8.77; the NaN comes back through the factor x.
        typealias I = SIMD16<Int32>
        let a = VectorMath.capMagnitude(Float.vAbs(x), 8.77)
        let e = VectorMath.expNegativeHalfSquareInRange(a) * erfcxPolynomial(reducedArgument(a), scale: 0.5)  // Φ(−a)
        let grid = F(repeating: 0x1p-31)
        let eg = select(unsafeBitCast(e, to: I.self) .< I(repeating: 0x3000_0000), (e + grid) - grid, e)
        let xc = x.replacing(with: -.greatestFiniteMagnitude, where: x .< -.greatestFiniteMagnitude)
        return xc * Float.vSignSelect(x, eg, 1 - e)
    }

    /// Φ(x) + x·φ(x).
    @inlinable @inline(__always)
    static func derivative(_ x: F) -> F {
        let ax = Float.vAbs(x)
        let a = ax.replacing(with: 8.77, where: ax .> 8.77)
        let s = reducedArgument(a)
        let g = VectorMath.expNegativeHalfSquare(x)
        let r = erfcxPolynomial(s, scale: 1)
        let c = F(repeating: 0.3989422804014327)
        let window = (a .> 0.4) .& (a .< 1.2)
        let d = select(window, ((a - 0.75179153680801392) + 1.211444988769017e-08) * rootQuotient(a), r * 0.5 - c * a)
        let e = g * r
        let grid = F(repeating: 0x1p-30)
        let eg = select(e .< grid, (e + grid) - grid, e)
        // |x| capped at 14 (g is 0 from 13.1 on): x·φ is 0 at −∞, not ∞·0.
        let negFar = eg * 0.5 - c * (ax.replacing(with: 14, where: ax .> 14) * g)
        return select(x .< 0, select(window, g * d, negFar), 1 - g * d)
    }
}

/// GELU (tanh form) for Float. With u = √(2/π)(x + 0.044715x³),
/// 1 + tanh u = E = 2/(1 + e^{−2u}) (no cancellation), so 0.5x(1 + tanh u) = 0.5x·E = x/(1 + e^{−2u}).
/// E's relative error grows like 2|u|·δu on the negative side, so −2u is carried beyond Float
/// precision, as a head and a tail (see `forward`).
/// Only for x ≥ −4 (E ≥ 3.5e-5): below, float64's 1 + tanh u sits on the 2⁻⁵³ grid, and E is
/// then so small that a grid step is several Float ulps — PyTorch's value depends on how its
/// tanh rounds (ties to within 1e-7 of a step occur), which only a Double tanh reproduces. A
/// vector with any lane below −4 (or −∞) goes the Double way; for normal data that is one vector
/// in about 2000.
@usableFromInline
enum GELUTanhFloat {
    @usableFromInline typealias F = SIMD16<Float>

    /// w = −2u = x(c₁ + c₃x²), c₁ = −2√(2/π), c₃ = 0.044715c₁, as a head and a tail: x² exact
    /// by an FMA, c₁ and c₃ split into head and tail, the sum c₁ + c₃x² by Fast2Sum
    /// (|c₁| ≥ |c₃x²| for |x| ≤ 4.7; beyond, e^w is too small for the error to show). A Float w
    /// would cost ~10 ulp in e^w on the negative side.
    @inlinable @inline(__always)
    static func negativeTwoU(_ x: F) -> (head: F, tail: F) {
        let x2h = x * x
        let x2l = (-x2h).addingProduct(x, x)
        let c3h = F(repeating: -0.07135481387376785)
        let mh = c3h * x2h
        let ml = (-mh).addingProduct(c3h, x2h).addingProduct(c3h, x2l)
            .addingProduct(F(repeating: -2.3988324659995897e-09), x2h)
        let c1h: Float = -1.5957691669464111
        let qh = mh + c1h
        let ql = ((c1h - qh) + mh) + (ml + 4.534068054340423e-08)
        let wh = x * qh
        return (wh, (-wh).addingProduct(x, qh).addingProduct(x, ql))
    }

    /// e^{wₕ + wₗ} for wₕ ≤ 7 (x ≥ −4): wₕ clamped at −87 (e^w then below 2e-38, next to 1
    /// everywhere it is used; the tail dropped there, which also covers x = +∞, where the tail
    /// is NaN), the FMA reduction with wₗ added to the reduced argument, the degree-6
    /// polynomial and 2^k in the exponent field.
    @inlinable @inline(__always)
    static func exponential(_ wh: F, _ wl: F) -> F {
        let low = wh .< -87
        let (t, r) = VectorMath.reduceForExp(wh.replacing(with: -87, where: low))
        return VectorMath.expPolynomial(r + wl.replacing(with: 0, where: low)) * VectorMath.exponentScale(t, bias: 0)
    }

    /// 0.5x(1 + tanh u) = x/(1 + e^w), one division. For x ≥ −4 (see the type).
    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        let (wh, wl) = negativeTwoU(x)
        return x / (1 + exponential(wh, wl))
    }

    /// The exact derivative 0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′ for x ≥ −4, in Float: with
    /// E = e^w and q = 1/(1 + E) it is q²·(1 + E(1 + 2xu′)). That cancels near its root
    /// x₀ = −0.752461422…, so on (−1.25, −0.35) it is (x − x₀)·H(x) instead, H a degree-8 fit
    /// in x + 0.8 (relative error 1.6e-8; x − x₀ with x₀ as head and tail). Outside the window
    /// the bracket's cancellation is at most 1.1×. x is capped at 10⁴ inside the bracket (there
    /// E ≈ 0 and x² would overflow at the top of the range). Within 6 ulp of float64.
    @inlinable @inline(__always)
    static func derivative(_ x: F) -> F {
        let (wh, wl) = negativeTwoU(x)
        let e = exponential(wh, wl)
        let q = 1 / (1 + e)
        let xb = x.replacing(with: 1e4, where: x .> 1e4)
        let du = F(repeating: 0.7978845608028654).addingProduct(xb * xb, F(repeating: 3 * 0.044715 * 0.7978845608028654))
        let bracket = F(repeating: 1).addingProduct(e, F(repeating: 1).addingProduct(xb + xb, du))
        let plain = (q * q) * bracket
        let s = x + 0.8
        var h = F(repeating: -0.0013035807060077786)
        h = F(repeating: -0.0019280104897916317).addingProduct(h, s)
        h = F(repeating: 0.006147442385554314).addingProduct(h, s)
        h = F(repeating: 0.0180494487285614).addingProduct(h, s)
        h = F(repeating: -0.021131081506609917).addingProduct(h, s)
        h = F(repeating: -0.11034971475601196).addingProduct(h, s)
        h = F(repeating: 0.00022228338639251888).addingProduct(h, s)
        h = F(repeating: 0.3882541358470917).addingProduct(h, s)
        h = F(repeating: 0.41195449233055115).addingProduct(h, s)
        let windowed = ((x + 0.7524614334106445) - 1.1339628272762046e-08) * h
        return plain.replacing(with: windowed, where: (x .> -1.25) .& (x .< -0.35))
    }
}

/// Mish in Float with one division: with E = e·2⁶⁴, e = e^{−|x|} and x_c = max(−|x|, −110) (see
/// `VectorMath.expNonPositiveScaled`), tanh(softplus(x)) = a/(a + 2e²), a = 1 + 2e, for x ≥ 0
/// and n/(n + 2), n = e(e + 2), for x < 0; numerator and denominator are chosen by x's sign bit
/// before the one division, and the negative side is (x_c·E·(e + 2)/(n + 2))·2⁻⁶⁴, so a
/// subnormal e never limits the accuracy and x = −∞ gives the limit −0.
@usableFromInline
enum MishFloat {
    @usableFromInline typealias F = SIMD16<Float>
    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        let (scaled, clamped) = VectorMath.expNonPositiveScaled(VectorMath.negativeAbs(x))
        let e = scaled * 0x1p-64
        let ePlus2 = e + 2
        let n = e * ePlus2
        let a = (e + e) + 1
        let numerator = Float.vSignSelect(x, (clamped * scaled) * ePlus2, x * a)
        let denominator = Float.vSignSelect(x, n + 2, a.addingProduct(e + e, e))
        return (numerator / denominator) * Float.vSignSelect(x, F(repeating: 0x1p-64), F(repeating: 1))
    }
}

/// SiLU in Float, x·σ(x), with one division and no flush or limit selects. With
/// e·2⁶⁴ = E and x_c = max(−|x|, −110) from `VectorMath.expNonPositiveScaled(−|x|)`:
/// x/(1 + e) for x ≥ 0 and (x_c·E/(1 + e))·2⁻⁶⁴ for x < 0, where x_c = x down to −110 (below,
/// the result rounds to −0 either way, and x = −∞ gives the limit −0 instead of −∞·0). The
/// final 2⁻⁶⁴ rounds a subnormal result once, so silu(−100) keeps its accuracy.
@usableFromInline
enum SiLUFloat {
    @usableFromInline typealias F = SIMD16<Float>
    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        let (scaled, clamped) = VectorMath.expNonPositiveScaled(VectorMath.negativeAbs(x))
        let e = scaled * 0x1p-64
        let numerator = Float.vSignSelect(x, clamped * scaled, x)
        return (numerator / (1 + e)) * Float.vSignSelect(x, F(repeating: 0x1p-64), F(repeating: 1))
    }
}

/// x − tanh x in Float, with a = |x| and the sign put back last (the function is odd):
/// - a < 1: a³·P(a² − 1/2), P a degree-7 weighted minimax fit of (a − tanh a)/a³ on a² ∈ [0, 1]
///   (coefficients rounded to Float one at a time: relative error of the fit 4e-8). Below
///   a = 2⁻²⁰ the value is rounded to the grid of the Double ulp of x, as float64's x − tanh x
///   is (so tanhshrink(1e-8) = 0, like PyTorch's).
/// - a ≥ 1: (a − 1) + 2e/(1 + e), e = e^{−2a} (no cancellation: a − 1 ≥ 0), with a capped at 20
///   for the exponential (e^{−40} is far below an ulp of a − 1; no subnormals, no 2⁶⁴ scaling).
/// The comparisons and the cap (`VectorMath.capMagnitude`) act on the bits of a ≥ 0 as integers
/// (integer order is float order there, and integer instructions don't compete with the FMAs
/// for execution ports); NaN is carried by a − 1 and a³·P. Dense sweep against float64: 3.3 ulp.
@usableFromInline
enum TanhshrinkFloat {
    @usableFromInline typealias F = SIMD16<Float>
    @usableFromInline typealias I = SIMD16<Int32>

    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        let a = Float.vAbs(x)
        let ai = unsafeBitCast(a, to: I.self)
        let t = a * a
        let s = t - 0.5
        var f = F(repeating: -0.00014906057913322002)
        f = F(repeating: 0.0004464841040316969).addingProduct(f, s)
        f = F(repeating: -0.0011838229838758707).addingProduct(f, s)
        f = F(repeating: 0.0035109168384224176).addingProduct(f, s)
        f = F(repeating: -0.01045463141053915).addingProduct(f, s)
        f = F(repeating: 0.031030183658003807).addingProduct(f, s)
        f = F(repeating: -0.09223751723766327).addingProduct(f, s)
        f = F(repeating: 0.27788564562797546).addingProduct(f, s)
        let p = a * (t * f)
        // Below 2⁻²⁰, round p to multiples of the Double ulp of x: a·2⁻²⁹ has that ulp in Float.
        // Above, k is masked to 0 (an integer and instead of a select), so p + k − k = p.
        let below = I(repeating: 0).replacing(with: I(repeating: -1), where: ai .< I(repeating: 0x3580_0000))
        let k = unsafeBitCast(unsafeBitCast(a * 0x1p-29, to: I.self) & below, to: F.self)
        let small = (p + k) - k
        let ac = VectorMath.capMagnitude(a, 20)
        let e = VectorMath.expNegative(ac + ac, bias: 0)
        let big = (a - 1) + (e + e) / (1 + e)
        let magnitude = big.replacing(with: small, where: ai .< I(repeating: 0x3F80_0000))  // a < 1
        let sign = unsafeBitCast(x, to: I.self) & I(repeating: Int32(bitPattern: 0x8000_0000))
        return unsafeBitCast(unsafeBitCast(magnitude, to: I.self) ^ sign, to: F.self)
    }
}
