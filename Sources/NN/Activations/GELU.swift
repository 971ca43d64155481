import Autograd

// GELU (Hendrycks & Gimpel): x·Φ(x), in PyTorch's two forms.
//   .none: 0.5x(1 + erf(x/√2)); derivative Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π);
//          second derivative φ(x)(2 − x²).
//   .tanh: 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³); its exact derivative
//          0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′, u′ = √(2/π)(1 + 3·0.044715x²);
//          second derivative (1 − tanh²u)(u′ − x·tanh u·u′² + 0.5x·u″), u″ = 6·√(2/π)·0.044715x.
//
// In Double both are evaluated as PyTorch writes them. The Float forward of the exact form is
// computed in Float (see `GELUErfKernel`: erfc for the negative side, with float64's rounding of
// 1 + erf reproduced); the tanh form and the Float backward are still evaluated in Double (inputs
// widened, the result rounded once), so Float results are accurate to the float64 reference. For x ≲ −5 the terms
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

/// 0.5x(1 + erf(x/√2)). Double: as written (PyTorch's float64). Float, in Float: with
/// z = x/√2, 1 + erf z directly where erf z > −½; below, 1 + erf z = erfc w, w = |z| (exact in
/// float64 by Sterbenz), computed as e^{−w²}·R(w), R(w) = erfc(w)·e^{w²} from two polynomial
/// fits (w in [0.47, 2] and [2, 6.2]; w is clamped at 6.2, where erfc is below 2⁻⁵⁴), and
/// e^{−w²} = e^{−x²/2} from a 12-bit split of x so that its argument is exact. The result is
/// then rounded to multiples of 2⁻⁵³, as float64's 1 + erf z is, so far-negative inputs give
/// PyTorch's float64 values (e.g. −0 from x ≈ −7.9 on).
@usableFromInline
struct GELUErfKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline typealias D = SIMD8<Double>
    @usableFromInline typealias V = Scalar.Vector
    @usableFromInline let half = D(repeating: 0.5)
    @usableFromInline let one = D(repeating: 1)
    @usableFromInline let c = D(repeating: geluInvSqrt2)
    @usableFromInline let vHalf = V(repeating: 0.5)
    @usableFromInline let vOne = V(repeating: 1)
    @usableFromInline let vC = V(repeating: Scalar(geluInvSqrt2))
    @usableFromInline let tailStart = V(repeating: Scalar(-0.4769362762044699))  // erf = −½
    @usableFromInline let wMax = V(repeating: 6.2)
    @usableFromInline let xMin = V(repeating: Scalar(-6.2 * 1.4142135623730951))
    @usableFromInline let pieceBreak = V(repeating: 2)
    @usableFromInline let split = V(repeating: 4097)
    @usableFromInline let grid = V(repeating: 0x1p-30)
    @usableFromInline let e2, e3, e4: V
    @usableFromInline let mid1 = V(repeating: Scalar(1.2349999999999999))
    @usableFromInline let mid2 = V(repeating: Scalar(4.1))
    @usableFromInline let a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10: V
    @usableFromInline let b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12: V
    @inlinable init() {
        e2 = V(repeating: 0.5)
        e3 = V(repeating: Scalar(1.0 / 6))
        e4 = V(repeating: Scalar(1.0 / 24))
        a0 = V(repeating: Scalar(0.37097944407003997))
        a1 = V(repeating: Scalar(-0.2120599558731249))
        a2 = V(repeating: Scalar(0.10908543473533976))
        a3 = V(repeating: Scalar(-0.05155909022619358))
        a4 = V(repeating: Scalar(0.02270431306224646))
        a5 = V(repeating: Scalar(-0.009412897578829911))
        a6 = V(repeating: Scalar(0.0036976839856004123))
        a7 = V(repeating: Scalar(-0.0013642677205729283))
        a8 = V(repeating: Scalar(0.0004889600195782649))
        a9 = V(repeating: Scalar(-0.00020392879356410218))
        a10 = V(repeating: Scalar(6.811986698888119e-05))
        b0 = V(repeating: Scalar(0.13383411661287714))
        b1 = V(repeating: Scalar(-0.030939406388498257))
        b2 = V(repeating: Scalar(0.006982521053201063))
        b3 = V(repeating: Scalar(-0.001540743785108352))
        b4 = V(repeating: Scalar(0.000332831114851921))
        b5 = V(repeating: Scalar(-7.03966745247234e-05))
        b6 = V(repeating: Scalar(1.461704202121875e-05))
        b7 = V(repeating: Scalar(-3.037065849078319e-06))
        b8 = V(repeating: Scalar(6.114941887922569e-07))
        b9 = V(repeating: Scalar(-9.968604428822223e-08))
        b10 = V(repeating: Scalar(1.8871951334907116e-08))
        b11 = V(repeating: Scalar(-7.408111162586897e-09))
        b12 = V(repeating: Scalar(1.42948863231503e-09))
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        if Scalar.self == Double.self {
            return SmoothKernels.inDouble(x, Scalar.self) { (x: D) in x * half * (one + Double.vErf(x * c)) }
        }
        let z = x * vC
        let central = vOne + Scalar.vErf(z)
        let xt = Scalar.vSelect(Scalar.vLess(x, xMin), xMin, x)
        let w = Scalar.vAbs(xt * vC)
        let s = w - mid1
        var p = a10
        p = p * s + a9
        p = p * s + a8
        p = p * s + a7
        p = p * s + a6
        p = p * s + a5
        p = p * s + a4
        p = p * s + a3
        p = p * s + a2
        p = p * s + a1
        p = p * s + a0
        let t = w - mid2
        var q = b12
        q = q * t + b11
        q = q * t + b10
        q = q * t + b9
        q = q * t + b8
        q = q * t + b7
        q = q * t + b6
        q = q * t + b5
        q = q * t + b4
        q = q * t + b3
        q = q * t + b2
        q = q * t + b1
        q = q * t + b0
        let r = Scalar.vSelect(Scalar.vLess(w, pieceBreak), p, q)
        // e^{−x²/2} with x = xh + xl in 12-bit halves: xh²/2 is exact; e^{−d}, d = xl(xh + x)/2
        // (|d| < 0.03), by its Taylor polynomial.
        let big = xt * split
        let xh = big - (big - xt)
        let xl = xt - xh
        let d = vHalf * (xl * (xh + xt))
        let ed = vOne - d * (vOne - d * (e2 - d * (e3 - d * e4)))
        let tail0 = Scalar.vExp(-(vHalf * (xh * xh))) * (ed * r)
        // Below 2⁻³⁰ round to the float64 grid 2⁻⁵³ (from 2⁻³⁰ up Float's own ulp is that fine or coarser).
        let tail = Scalar.vSelect(Scalar.vLess(tail0, grid), (tail0 + grid) - grid, tail0)
        return (x * vHalf) * Scalar.vSelect(Scalar.vLess(z, tailStart), tail, central)
    }
}

/// 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), evaluated in Double.
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
        SmoothKernels.inDouble(x, Scalar.self) { (x: D) in half * x * (one + Double.vTanh(k * (x + kappa * (x * x * x)))) }
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
            return cdf + x * pdf
        case .tanh:
            let k = D(repeating: geluTanhScale)
            let kappa = D(repeating: geluKappa)
            let x2 = x * x
            let t = Double.vTanh(k * (x + kappa * (x2 * x)))
            let du = k * (one + D(repeating: 3) * kappa * x2)
            return half * (one + t) + half * x * ((one - t) * (one + t)) * du
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
            SmoothKernels.inDouble(g, x, Scalar.self) { (g: D, x: D) in g * GELUBackward.derivative(x, .none) }
        }
    }

    struct TanhKernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            SmoothKernels.inDouble(g, x, Scalar.self) { (g: D, x: D) in g * GELUBackward.derivative(x, .tanh) }
        }
    }
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

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.gelu(approximation: approximation) }
}
