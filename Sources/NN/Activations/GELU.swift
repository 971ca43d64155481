import Autograd

// GELU (Hendrycks & Gimpel): x·Φ(x), in PyTorch's two forms.
//   .none: 0.5x(1 + erf(x/√2)); derivative Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π);
//          second derivative φ(x)(2 − x²).
//   .tanh: 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³); its exact derivative
//          0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′, u′ = √(2/π)(1 + 3·0.044715x²);
//          second derivative (1 − tanh²u)(u′ − x·tanh u·u′² + 0.5x·u″), u″ = 6·√(2/π)·0.044715x.
//
// The forward and first derivative are special functions of the scalar type
// (`Scalar.vGELU`, `vGELUBackward`, `vGELUTanh`, `vGELUTanhBackward`, in Sources/Tensor/Math/):
// in Double both forms are evaluated as PyTorch writes them; in Float in Float by tuned kernels
// accurate to the float64 reference (the tanh form takes the Double formula for vectors with an
// input below −4). For x ≲ −5 the terms 1 + erf and 1 + tanh cancel in Double as they do in
// PyTorch: the results there are accurate to about 1e-16·|x| absolute, not relative (e.g.
// gelu(−20) = −0, like PyTorch's). The second derivative is evaluated in Double for both types.

/// Which form of GELU: the exact one (Φ via erf) or PyTorch's tanh approximation.
public enum GELUApproximation: String, Sendable, CaseIterable {
    case none
    case tanh
}

// The second derivative's constants (the forward and f′ have theirs in Sources/Tensor/Math/).
let geluKappa = 0.044715
let geluTanhScale = 0.7978845608028654  // √(2/π)
let geluInvSqrt2Pi = 0.3989422804014327  // 1/√(2π)

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

/// 0.5x(1 + erf(x/√2)): `Scalar.vGELU`.
@usableFromInline
struct GELUErfKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELU(x) }
}

/// 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))): `Scalar.vGELUTanh`.
@usableFromInline
struct GELUTanhKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUTanh(x) }
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
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUBackward(g, x) }
    }

    struct TanhKernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUTanhBackward(g, x) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let approximation = approximation
        let curvature = saved[1].value.mapped { x in
            Scalar.vInDouble(x) { (x: D) in Self.secondDerivative(x, approximation) }
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
