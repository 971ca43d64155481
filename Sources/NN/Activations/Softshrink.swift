import Autograd

// Softshrink (PyTorch's F.softshrink): x − λ for x > λ, x + λ for x < −λ, 0 on [−λ, λ].
// Derivative 1 outside the closed interval [−λ, λ], 0 inside it — 0 at ±λ, as PyTorch's
// softshrink_backward (`−λ ≤ x ≤ λ ? 0 : g`). Second derivative 0. Requires λ ≥ 0.
//
// The selects are ordered so NaN (which fails every comparison) reaches `x − λ` and stays NaN.

extension Tensor {
    /// Softshrink: `x − λ` for x > λ, `x + λ` for x < −λ, 0 otherwise (λ ≥ 0, default 0.5).
    /// NaN in gives NaN out.
    @inlinable
    public func softshrink(lambda: Scalar = 0.5) -> Tensor {
        mapped(grain: TensorRuntime.memoryBoundGrain, kernel: SoftshrinkKernel(lambda: lambda))
    }
}

/// The softshrink forward kernel.
@usableFromInline
struct SoftshrinkKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let lambda: Scalar.Vector
    @usableFromInline let negativeLambda: Scalar.Vector
    @usableFromInline let zero: Scalar.Vector
    @inlinable init(lambda: Scalar) {
        self.lambda = Scalar.Vector(repeating: lambda)
        negativeLambda = Scalar.Vector(repeating: -lambda)
        zero = Scalar.Vector(repeating: 0)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        let upper = Scalar.vSelect(Scalar.vLessEqual(x, lambda), zero, x - lambda)
        return Scalar.vSelect(Scalar.vLess(x, negativeLambda), x + lambda, upper)
    }
}

extension Variable {
    /// Softshrink, `x − λ` for x > λ, `x + λ` for x < −λ and 0 on [−λ, λ] (λ ≥ 0, default 0.5),
    /// with derivative 1 outside [−λ, λ] and 0 inside it, 0 at ±λ (as PyTorch).
    public func softshrink(lambda: Scalar = 0.5) -> Variable {
        checkActivationParameter(lambda >= 0, "softshrink", "lambda \(lambda)", "use lambda >= 0 (PyTorch's default is 0.5)")
        return SoftshrinkFunction(lambda: lambda).apply(self)
    }
}

/// The softshrink layer: y = x − λ for x > λ, x + λ for x < −λ, 0 between (λ default 0.5, ≥ 0);
/// derivative 1 outside [−λ, λ], else 0 (see `Variable.softshrink(lambda:)`).
public final class Softshrink<Scalar: TensorScalar>: Module, Layer {
    public let lambda: Scalar

    public init(lambda: Scalar = 0.5) {
        checkActivationParameter(lambda >= 0, "Softshrink", "lambda \(lambda)", "use lambda >= 0 (PyTorch's default is 0.5)")
        self.lambda = lambda
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.softshrink(lambda: lambda) }
}

struct SoftshrinkFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let lambda: Scalar
    var name: String { "softshrink" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].softshrink(lambda: lambda) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .outsideClosed(-lambda, lambda)).apply(gradient, saved[0])]
    }
}
