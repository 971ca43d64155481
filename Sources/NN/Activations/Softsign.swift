import Autograd

/// Softsign: f(x) = x/(1 + |x|), in (−1, 1).
///
/// f′(x) = 1/(1 + |x|)² (1 at 0); f″(x) = −2·sign(x)/(1 + |x|)³ (0 at 0, where f″ jumps from 2
/// to −2). ±∞ map to ±1 (the limits; the composite x/(1 + |x|) would give NaN) with derivatives
/// 0. The gradient divides by 1 + |x| twice rather than by its square, so it neither overflows
/// nor underflows early.
public struct SoftsignRule<Scalar: TensorScalar>: ElementwiseActivation {
    public var outputBounds: ClosedRange<Double>? { -1...1 }
    public static var name: String { "softsign" }
    public static var moduleName: String { "Softsign" }
    public static var summary: String { "x / (1 + |x|)" }
    public var secondOrderKinks: [Double] { [0] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        let one = Scalar.Vector(repeating: 1)
        let a = Scalar.vAbs(x)
        let limit = Scalar.vSelect(Scalar.vLess(x, Scalar.Vector(repeating: 0)), -one, one)
        return Scalar.vSelect(Scalar.vEqual(a, Scalar.Vector(repeating: .infinity)), limit, x / (one + a))
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let d = Scalar.Vector(repeating: 1) + Scalar.vAbs(x)
        return Scalar.Vector(repeating: 1) / d / d
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        let d = Scalar.Vector(repeating: 1) + Scalar.vAbs(x)
        return g / d / d
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        typealias V = Scalar.Vector
        let zero = V(repeating: 0)
        let d = V(repeating: 1) + Scalar.vAbs(x)
        let s = Scalar.vSelect(Scalar.vLess(zero, x), V(repeating: -2), Scalar.vSelect(Scalar.vLess(x, zero), V(repeating: 2), zero))
        return s / d / d / d
    }
}

/// The softsign module: y = x/(1 + |x|) (see `SoftsignRule`).
public typealias Softsign<Scalar: TensorScalar> = ActivationLayer<SoftsignRule<Scalar>>

extension Tensor {
    /// Softsign: `x / (1 + |x|)`; ±1 at ±∞. NaN in gives NaN out.
    @inlinable
    public func softsign() -> Tensor { activation(SoftsignRule()) }
}

extension Variable {
    /// Softsign, `x / (1 + |x|)`, with derivative `1/(1 + |x|)²` (1 at 0) and second derivative
    /// `−2·sign(x)/(1 + |x|)³` (0 at 0).
    @inlinable
    public func softsign() -> Variable { activation(SoftsignRule()) }
}
