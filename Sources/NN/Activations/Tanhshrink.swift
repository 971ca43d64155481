import Autograd

// Tanhshrink: x − tanh x, derivative tanh²x, second derivative 2·tanh x·(1 − tanh²x).
//
// Near 0 the forward value is x³/3 and x − tanh x cancels: PyTorch evaluates exactly that, so a
// Double result follows PyTorch's (e.g. 0 at x = 1e-8, where tanh x rounds to x) and carries
// its relative error there (≈ 1e-16·|x|/|y|, absolute error ≤ 1 ulp of x). The Float forward is
// evaluated in Double and rounded once, so it is accurate to the Double value.

extension Tensor {
    /// Tanhshrink: `x − tanh x` (Float evaluated in Double).
    @inlinable
    public func tanhshrink() -> Tensor { mapped(kernel: TanhshrinkKernel<Scalar>()) }
}

/// x − tanh x, evaluated in Double.
@usableFromInline
struct TanhshrinkKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        SmoothKernels.inDouble(x, Scalar.self) { (d: SIMD8<Double>) in d - Double.vTanh(d) }
    }
}

extension Variable {
    /// Tanhshrink, x − tanh x, with derivative tanh²x.
    public func tanhshrink() -> Variable { TanhshrinkFunction<Scalar>().apply(self) }
}

struct TanhshrinkFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "tanhshrink" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].tanhshrink() }
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [TanhshrinkBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g·tanh²x. Derivatives: ∂/∂g = tanh²x; ∂/∂x = g·2·tanh x·(1 − tanh²x).
struct TanhshrinkBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "tanhshrinkBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let t = Scalar.vTanh(x)
            return g * (t * t)
        }
    }
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let curvature = saved[1].value.mapped { x in
            let t = Scalar.vTanh(x)
            return V(repeating: 2) * t * (V(repeating: 1) - t * t)
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}
