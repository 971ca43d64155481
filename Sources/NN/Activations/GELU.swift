import Autograd

// GELU (Hendrycks & Gimpel), x·Φ(x), in PyTorch's two forms: two rules (two catalogue entries,
// "gelu" and "gelu_tanh") and one module choosing between them by `GELUApproximation`.
//
// The forward and first derivative are special functions of the scalar type (`Scalar.vGELU`,
// `vGELUBackward`, `vGELUTanh`, `vGELUTanhBackward`, in Sources/Tensor/Math/): in Double both
// forms are evaluated as PyTorch writes them; in Float by tuned kernels accurate to the float64
// reference (the tanh form takes the Double formula for vectors with an input below −4). For
// x ≲ −5 the terms 1 + erf and 1 + tanh cancel in Double as they do in PyTorch: the results
// there are accurate to about 1e-16·|x| absolute, not relative (e.g. gelu(−20) = −0, like
// PyTorch's). The second derivatives are evaluated in Double for both scalar types. The gradient
// is the special function g·f′ (for Float in the tanh form below −4 formed in Double and rounded
// once), so f′ alone is that function at g = 1.

/// GELU, exact: f(x) = x·Φ(x) = 0.5x(1 + erf(x/√2)).
///
/// f′(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π); f″(x) = φ(x)(2 − x²).
public struct GELURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "gelu" }
    public static var moduleName: String { "GELU" }
    public static var summary: String { "x·Φ(x), Φ the normal CDF (exact, via erf)" }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELU(x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUBackward(Scalar.Vector(repeating: 1), x) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUBackward(g, x) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vInDouble(x) { (x: SIMD8<Double>) in
            typealias D = SIMD8<Double>
            let pdf = Double.vExp(-D(repeating: 0.5) * x * x) * D(repeating: 0.3989422804014327)  // 1/√(2π)
            return pdf * (D(repeating: 2) - x * x)
        }
    }
}

/// GELU, PyTorch's tanh approximation: f(x) = 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³).
///
/// f′(x) = 0.5(1 + tanh u) + 0.5x(1 − tanh²u)u′, u′ = √(2/π)(1 + 3·0.044715x²) (the exact
/// derivative of the approximation); f″(x) = (1 − tanh²u)(u′ − x·tanh u·u′² + 0.5x·u″),
/// u″ = 6·√(2/π)·0.044715x.
public struct GELUTanhRule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "gelu_tanh" }
    public static var moduleName: String { "GELU" }
    public static var summary: String { "GELU's tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))" }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUTanh(x) }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUTanhBackward(Scalar.Vector(repeating: 1), x) }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Scalar.vGELUTanhBackward(g, x) }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vInDouble(x) { (x: SIMD8<Double>) in
            typealias D = SIMD8<Double>
            let one = D(repeating: 1)
            let k = D(repeating: 0.7978845608028654)  // √(2/π)
            let kappa = D(repeating: 0.044715)
            let x2 = x * x
            let t = Double.vTanh(k * (x + kappa * (x2 * x)))
            let du = k * (one + D(repeating: 3) * kappa * x2)
            let ddu = D(repeating: 6) * k * kappa * x
            return (one - t * t) * (du - x * t * du * du + D(repeating: 0.5) * x * ddu)
        }
    }
}

/// Which form of GELU: the exact one (Φ via erf) or PyTorch's tanh approximation.
public enum GELUApproximation: String, Sendable, CaseIterable {
    case none
    case tanh
}

/// The GELU module: y = x·Φ(x) (`.none`, the default; `GELURule`), or PyTorch's tanh
/// approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) (`.tanh`; `GELUTanhRule`).
public final class GELU<Scalar: TensorScalar>: Module, Layer {
    public let approximation: GELUApproximation
    // The forward, made where the scalar type is known (as `ActivationLayer` does).
    @usableFromInline let body: (Variable<Scalar>) -> Variable<Scalar>

    @inlinable
    public init(approximation: GELUApproximation = .none) {
        self.approximation = approximation
        switch approximation {
        case .none: body = { $0.activation(GELURule()) }
        case .tanh: body = { $0.activation(GELUTanhRule()) }
        }
        super.init()
    }

    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { body(x) }
}

extension Tensor {
    /// GELU: `0.5x(1 + erf(x/√2))`, or with `.tanh` `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
    @inlinable
    public func gelu(approximation: GELUApproximation = .none) -> Tensor {
        approximation == .none ? activation(GELURule()) : activation(GELUTanhRule())
    }
}

extension Variable {
    /// GELU, x·Φ(x) (erf) or PyTorch's tanh approximation; derivative Φ(x) + x·φ(x), or the
    /// approximation's exact derivative.
    @inlinable
    public func gelu(approximation: GELUApproximation = .none) -> Variable {
        approximation == .none ? activation(GELURule()) : activation(GELUTanhRule())
    }
}
