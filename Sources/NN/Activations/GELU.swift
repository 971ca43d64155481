import Autograd

// GELU (Hendrycks & Gimpel): x·Φ(x), in PyTorch's two forms.
//   .none: 0.5x(1 + erf(x/√2)); derivative Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π);
//          second derivative φ(x)(2 − x²).
//   .tanh: 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³); its exact derivative
//          0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′, u′ = √(2/π)(1 + 3·0.044715x²);
//          second derivative (1 − tanh²u)(u′ − x·tanh u·u′² + 0.5x·u″), u″ = 6·√(2/π)·0.044715x.
//
// In Double both are evaluated as PyTorch writes them. The exact form's Float forward and
// derivative are computed in Float (`GELUFloat`: erfc by one polynomial, far-negative values on
// float64's grid); the tanh form's Float forward is x/(1 + e^{−2u}) with −2u carried as a pair
// of Floats and the exponential in Float (`GELUTanhFloat`), its derivative likewise (with a
// root-factored fit around its zero), and vectors with an input below −4 take the Double
// formula, so Float results are
// accurate to the float64 reference. For x ≲ −5 the terms
// 1 + erf and 1 + tanh cancel in Double as they do in PyTorch: the results there are accurate to
// about 1e-16·|x| absolute, not relative (e.g. gelu(−20) = −0, like PyTorch's).

/// Which form of GELU: the exact one (Φ via erf) or PyTorch's tanh approximation.
public enum GELUApproximation: String, Sendable, CaseIterable {
    case none
    case tanh
}

@usableFromInline let geluKappa = 0.044715
@usableFromInline let geluTanhScale = 0.7978845608028654  // √(2/π)
@usableFromInline let geluInvSqrt2 = 0.7071067811865476   // 1/√2
@usableFromInline let geluInvSqrt2Pi = 0.3989422804014327  // 1/√(2π)

extension Tensor {
    /// GELU: `0.5x(1 + erf(x/√2))`, or with `.tanh` `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
    @inlinable
    public func gelu(approximation: GELUApproximation = .none) -> Tensor {
        switch approximation {
        case .none: return mapped(kernel: GELUErfKernel<Scalar>())
        case .tanh: return mapped(kernel: GELUTanhKernel<Scalar>())
        }
    }
}

/// 0.5x(1 + erf(x/√2)). Double: as written (PyTorch's float64). Float: in Float, one kernel
/// (`GELUFloat.forward`).
@usableFromInline
struct GELUErfKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline typealias D = SIMD8<Double>
    @usableFromInline let half = D(repeating: 0.5)
    @usableFromInline let one = D(repeating: 1)
    @usableFromInline let c = D(repeating: geluInvSqrt2)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        if Scalar.self == Float.self {
            return unsafeBitCast(GELUFloat.forward(unsafeBitCast(x, to: SIMD16<Float>.self)), to: Scalar.Vector.self)
        }
        let r = SmoothKernels.inDouble(x, Scalar.self) { (x: D) in x * half * (one + Double.vErf(x * c)) }
        // gelu(−∞) = −0, the limit (x·Φ(x) would be −∞·0 = NaN).
        return Scalar.vSelect(Scalar.vEqual(x, Scalar.Vector(repeating: -.infinity)), Scalar.Vector(repeating: -0.0), r)
    }
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

/// 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))): Double as written; Float via `GELUTanhFloat`.
@usableFromInline
struct GELUTanhKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline typealias D = SIMD8<Double>
    @usableFromInline let half = D(repeating: 0.5)
    @usableFromInline let one = D(repeating: 1)
    @usableFromInline let k = D(repeating: geluTanhScale)
    @usableFromInline let kappa = D(repeating: geluKappa)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        if Scalar.self == Float.self {
            let v = unsafeBitCast(x, to: SIMD16<Float>.self)
            if !any(v .< SIMD16<Float>(repeating: -4)) {
                return unsafeBitCast(GELUTanhFloat.forward(v), to: Scalar.Vector.self)
            }
        }
        let r = SmoothKernels.inDouble(x, Scalar.self) { (x: D) in half * x * (one + Double.vTanh(k * (x + kappa * (x * x * x)))) }
        // The limit −0 at −∞ (−∞·0 would be NaN).
        return Scalar.vSelect(Scalar.vEqual(x, Scalar.Vector(repeating: -.infinity)), Scalar.Vector(repeating: -0.0), r)
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

extension Variable {
    /// GELU, x·Φ(x) (erf) or PyTorch's tanh approximation; derivative Φ(x) + x·φ(x), or the
    /// approximation's exact derivative.
    public func gelu(approximation: GELUApproximation = .none) -> Variable {
        GELUFunction<Scalar>(approximation: approximation).apply(self)
    }
}

struct GELUFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let approximation: GELUApproximation
    var name: String { "gelu" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].gelu(approximation: approximation) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [GELUBackward(approximation: approximation).apply(gradient, saved[0])]
    }
}

/// g·gelu′(x). Derivatives: ∂/∂g = gelu′(x); ∂/∂x = g·gelu″(x).
struct GELUBackward<Scalar: TensorScalar>: DifferentiableFunction {
    let approximation: GELUApproximation
    var name: String { "geluBackward" }
    typealias D = SIMD8<Double>

    /// gelu′ in Double, as PyTorch evaluates it.
    @inline(__always)
    static func derivative(_ x: D, _ approximation: GELUApproximation) -> D {
        let half = D(repeating: 0.5)
        let one = D(repeating: 1)
        switch approximation {
        case .none:
            let cdf = half * (one + Double.vErf(x * D(repeating: geluInvSqrt2)))
            let pdf = Double.vExp(-half * x * x) * D(repeating: geluInvSqrt2Pi)
            // x·φ(x) → 0 at ±∞ (where ∞·0 would be NaN).
            return cdf + (x * pdf).replacing(with: 0, where: pdf .== 0)
        case .tanh:
            let k = D(repeating: geluTanhScale)
            let kappa = D(repeating: geluKappa)
            let x2 = x * x
            let t = Double.vTanh(k * (x + kappa * (x2 * x)))
            let du = k * (one + D(repeating: 3) * kappa * x2)
            let sech2 = (one - t) * (one + t)
            // The second term → 0 at ±∞ (where ∞·0 would be NaN).
            return half * (one + t) + (half * x * sech2 * du).replacing(with: 0, where: sech2 .== 0)
        }
    }

    /// gelu″ in Double.
    @inline(__always)
    static func secondDerivative(_ x: D, _ approximation: GELUApproximation) -> D {
        let half = D(repeating: 0.5)
        let one = D(repeating: 1)
        switch approximation {
        case .none:
            let pdf = Double.vExp(-half * x * x) * D(repeating: geluInvSqrt2Pi)
            return pdf * (D(repeating: 2) - x * x)
        case .tanh:
            let k = D(repeating: geluTanhScale)
            let kappa = D(repeating: geluKappa)
            let x2 = x * x
            let t = Double.vTanh(k * (x + kappa * (x2 * x)))
            let du = k * (one + D(repeating: 3) * kappa * x2)
            let ddu = D(repeating: 6) * k * kappa * x
            return (one - t * t) * (du - x * t * du * du + half * x * ddu)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        switch approximation {
        case .none: return Tensor.zipMapped(inputs[0], inputs[1], kernel: ErfKernel())
        case .tanh: return Tensor.zipMapped(inputs[0], inputs[1], kernel: TanhKernel())
        }
    }

    struct ErfKernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            if Scalar.self == Float.self {
                let f = unsafeBitCast(g, to: SIMD16<Float>.self) * GELUFloat.derivative(unsafeBitCast(x, to: SIMD16<Float>.self))
                return unsafeBitCast(f, to: Scalar.Vector.self)
            }
            return SmoothKernels.inDouble(g, x, Scalar.self) { (g: D, x: D) in g * GELUBackward.derivative(x, .none) }
        }
    }

    struct TanhKernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            if Scalar.self == Float.self, !any(unsafeBitCast(x, to: SIMD16<Float>.self) .< SIMD16<Float>(repeating: -4)) {
                let d = GELUTanhFloat.derivative(unsafeBitCast(x, to: SIMD16<Float>.self))
                return g * unsafeBitCast(d, to: Scalar.Vector.self)
            }
            return SmoothKernels.inDouble(g, x, Scalar.self) { (g: D, x: D) in g * GELUBackward.derivative(x, .tanh) }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let approximation = approximation
        let curvature = saved[1].value.mapped { x in
            SmoothKernels.inDouble(x, Scalar.self) { (x: D) in Self.secondDerivative(x, approximation) }
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}

/// The GELU layer: y = x·Φ(x) (`.none`, the default), or PyTorch's tanh approximation
/// 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) (`.tanh`); derivative Φ(x) + x·φ(x) (see
/// `Variable.gelu(approximation:)`).
public final class GELU<Scalar: TensorScalar>: Module, Layer {
    public let approximation: GELUApproximation

    public init(approximation: GELUApproximation = .none) {
        self.approximation = approximation
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.gelu(approximation: approximation) }
}
