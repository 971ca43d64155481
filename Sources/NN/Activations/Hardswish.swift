import Autograd

// Hardswish (Howard et al., MobileNetV3; PyTorch's F.hardswish): x · min(max(x + 3, 0), 6) / 6.
// Derivative: 0 for x ≤ −3, x/3 + 1/2 on the open interval (−3, 3), 1 for x ≥ 3 — so
// hardswish'(−3) = 0 and hardswish'(3) = 1, PyTorch 2.x's convention (checked against 2.15's
// hardswish_backward; PyTorch 1.x used the closed interval and gave −1/2 and 3/2). The same open
// interval as hardsigmoid. Second derivative 1/3 on (−3, 3), 0 outside.
//
// The middle piece is computed as (x + 3/2)/3: the same value, without the cancellation of
// x/3 + 1/2 near its zero at x = −3/2.

extension Tensor {
    /// Hardswish: `x · min(max(x + 3, 0), 6) / 6`. NaN in gives NaN out.
    @inlinable
    public func hardswish() -> Tensor { mapped(grain: TensorRuntime.memoryBoundGrain, kernel: HardswishKernel<Scalar>()) }
}

/// The hardswish forward kernel.
@usableFromInline
struct HardswishKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let zero = Scalar.Vector(repeating: 0)
    @usableFromInline let three = Scalar.Vector(repeating: 3)
    @usableFromInline let six = Scalar.Vector(repeating: 6)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let t = x + three
        let r = Scalar.vSelect(Scalar.vLess(t, zero), zero, t)
        // hardswish(−∞) = −0 like every x < −3 (x·0 would be −∞·0 = NaN).
        return Scalar.vSelect(Scalar.vEqual(r, zero), Scalar.Vector(repeating: -0.0), x * Scalar.vSelect(Scalar.vLess(six, r), six, r) / six)
    }
}

extension Variable {
    /// Hardswish, `x · min(max(x + 3, 0), 6) / 6`, with derivative 0 for x ≤ −3, x/3 + 1/2 on
    /// the open (−3, 3) and 1 for x ≥ 3 (so 0 at −3 and 1 at 3, as PyTorch 2.x); double backward
    /// gives 1/3 on (−3, 3).
    public func hardswish() -> Variable { HardswishFunction<Scalar>().apply(self) }
}

/// The hardswish layer: y = x·min(max(x + 3, 0), 6)/6; derivative 0, x/3 + 1/2 on (−3, 3), 1
/// (see `Variable.hardswish()`).
public final class Hardswish<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.hardswish() }
}

struct HardswishFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "hardswish" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].hardswish() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [HardswishBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g · (0 for x ≤ −3, (x + 3/2)/3 on (−3, 3), 1 for x ≥ 3); g for NaN x (as PyTorch 2.15's
/// scalar loop; its vectorized chunks give NaN there).
/// Derivatives: ∂/∂g is the same kernel; ∂/∂x = g/3 on (−3, 3), 0 elsewhere.
struct HardswishBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "hardswishBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], grain: TensorRuntime.memoryBoundGrain, kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        let zero = Scalar.Vector(repeating: 0)
        let three = Scalar.Vector(repeating: 3)
        let negThree = Scalar.Vector(repeating: -3)
        let half3 = Scalar.Vector(repeating: 1.5)
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let middle = Scalar.vSelect(Scalar.vLess(x, three), g * ((x + half3) / three), g)
            return Scalar.vSelect(Scalar.vLessEqual(x, negThree), zero, middle)
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let g = saved[0]
        let x = saved[1]
        return [apply(gradient, x), MaskedGradient<Scalar>(kind: .inside(-3, 3, scale: 1 / 3)).apply(gradient * g, x)]
    }
}
