import Autograd

// Hardsigmoid (PyTorch's F.hardsigmoid): min(max(x + 3, 0), 6) / 6, i.e. 0 for x ≤ −3, 1 for
// x ≥ 3 and x/6 + 1/2 between. Derivative 1/6 on the open interval (−3, 3), 0 at ±3 and outside
// (as PyTorch's hardsigmoid_backward). Second derivative 0 away from the kinks at ±3.
//
// (x + 3)/6 rather than x/6 + 1/2: near x = −3 the sum is exact and only the division rounds.
// PyTorch's float64 backward multiplies by the float constant 1.0f/6.0f (0.1666666716…); ours is
// 1/6 rounded in the tensor's own type.

extension Tensor {
    /// Hardsigmoid: `min(max(x + 3, 0), 6) / 6`. NaN in gives NaN out.
    @inlinable
    public func hardsigmoid() -> Tensor { mapped(grain: TensorRuntime.memoryBoundGrain, kernel: HardsigmoidKernel<Scalar>()) }
}

/// The hardsigmoid forward kernel.
@usableFromInline
struct HardsigmoidKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let zero = Scalar.Vector(repeating: 0)
    @usableFromInline let three = Scalar.Vector(repeating: 3)
    @usableFromInline let six = Scalar.Vector(repeating: 6)
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let t = x + three
        let r = Scalar.vSelect(Scalar.vLess(t, zero), zero, t)
        return Scalar.vSelect(Scalar.vLess(six, r), six, r) / six
    }
}

extension Variable {
    /// Hardsigmoid, `min(max(x + 3, 0), 6) / 6`, with derivative 1/6 on the open interval
    /// (−3, 3) and 0 at ±3 and outside (as PyTorch).
    public func hardsigmoid() -> Variable { HardsigmoidFunction<Scalar>().apply(self) }
}

/// The hardsigmoid layer: y = min(max(x + 3, 0), 6)/6; derivative 1/6 on (−3, 3), else 0 (see
/// `Variable.hardsigmoid()`).
public final class Hardsigmoid<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.hardsigmoid() }
}

struct HardsigmoidFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "hardsigmoid" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].hardsigmoid() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .inside(-3, 3, scale: 1 / 6)).apply(gradient, saved[0])]
    }
}
