import Autograd

// GELU (Hendrycks & Gimpel): x·Φ(x), in PyTorch's two forms.
//   .none: 0.5x(1 + erf(x/√2)); derivative Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π);
//          second derivative φ(x)(2 − x²).
//   .tanh: 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³); its exact derivative
//          0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′, u′ = √(2/π)(1 + 3·0.044715x²);
//          second derivative (1 − tanh²u)(u′ − x·tanh u·u′² + 0.5x·u″), u″ = 6·√(2/π)·0.044715x.
//
// Both are evaluated as PyTorch writes them, in Double (Float inputs are widened and the result
// rounded once), so Float results are accurate to the float64 reference. For x ≲ −5 the terms
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

/// 0.5x(1 + erf(x/√2)), evaluated in Double (see the note at the top).
@usableFromInline
struct GELUErfKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline typealias D = SIMD8<Double>
    @usableFromInline let half = D(repeating: 0.5)
    @usableFromInline let one = D(repeating: 1)
    @usableFromInline let c = D(repeating: geluInvSqrt2)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        SmoothKernels.inDouble(x, Scalar.self) { (x: D) in x * half * (one + Double.vErf(x * c)) }
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
