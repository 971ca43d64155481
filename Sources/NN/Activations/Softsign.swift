import Autograd

// Softsign: x / (1 + |x|). Derivative 1/(1 + |x|)², second derivative −2·sign(x)/(1 + |x|)³
// (smooth except at 0, where the second derivative jumps from 2 to −2; it is 0 exactly at 0).
//
// ±∞ map to ±1 (the limits; PyTorch's composite x / (1 + |x|) gives NaN there) and their
// derivative is 0. The derivative divides by 1 + |x| twice rather than by its square, so it
// neither overflows nor underflows early.

extension Tensor {
    /// Softsign: `x / (1 + |x|)`; ±1 at ±∞. NaN in gives NaN out.
    @inlinable
    public func softsign() -> Tensor { mapped(kernel: SoftsignKernel<Scalar>()) }
}

/// The softsign forward kernel.
@usableFromInline
struct SoftsignKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let zero = Scalar.Vector(repeating: 0)
    @usableFromInline let one = Scalar.Vector(repeating: 1)
    @usableFromInline let inf = Scalar.Vector(repeating: .infinity)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let a = Scalar.vAbs(x)
        let limit = Scalar.vSelect(Scalar.vLess(x, zero), -one, one)
        return Scalar.vSelect(Scalar.vEqual(a, inf), limit, x / (one + a))
    }
}

extension Variable {
    /// Softsign, `x / (1 + |x|)`, with derivative `1/(1 + |x|)²` (1 at 0) and second derivative
    /// `−2·sign(x)/(1 + |x|)³` (0 at 0).
    public func softsign() -> Variable { SoftsignFunction<Scalar>().apply(self) }
}

/// The softsign layer: y = x/(1 + |x|); derivative 1/(1 + |x|)² (see `Variable.softsign()`).
public final class Softsign<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.softsign() }
}

struct SoftsignFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "softsign" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].softsign() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [SoftsignBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g / (1 + |x|)². Derivatives: ∂/∂g is the same kernel; ∂/∂x = g · (−2·sign(x)/(1 + |x|)³).
struct SoftsignBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "softsignBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    /// g/(1 + |x|)², as two divisions (the rounding the fixtures were taken with).
    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let d = Scalar.Vector(repeating: 1) + Scalar.vAbs(x)
            return g / d / d
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let g = saved[0]
        let x = saved[1]
        return [apply(gradient, x), gradient * g * Variable(Self.curvature(x.value))]
    }

    /// −2·sign(x)/(1 + |x|)³ (0 at 0, NaN for NaN).
    static func curvature(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        typealias V = Scalar.Vector
        let zero = V(repeating: 0)
        let one = V(repeating: 1)
        return x.mapped { x in
            let d = one + Scalar.vAbs(x)
            let s = Scalar.vSelect(Scalar.vLess(zero, x), V(repeating: -2), Scalar.vSelect(Scalar.vLess(x, zero), V(repeating: 2), zero))
            return s / d / d / d
        }
    }
}
