import Autograd

// Hardshrink (PyTorch's F.hardshrink): 0 on the closed interval [−λ, λ], x elsewhere.
// Derivative 1 outside [−λ, λ], 0 inside it — 0 at ±λ, as PyTorch's hardshrink_backward
// (`−λ ≤ x ≤ λ ? 0 : g`). Second derivative 0. λ may be any number but NaN (PyTorch accepts a
// negative λ too, which makes hardshrink the identity).
//
// The forward is the derivative's mask applied to x itself; NaN fails both comparisons and
// passes through.

extension Tensor {
    /// Hardshrink: 0 for −λ ≤ x ≤ λ, `x` otherwise (default λ 0.5). NaN in gives NaN out.
    @inlinable
    public func hardshrink(lambda: Scalar = 0.5) -> Tensor {
        mapped(grain: TensorRuntime.memoryBoundGrain, kernel: HardshrinkKernel(lambda: lambda))
    }
}

/// The hardshrink forward kernel: 0 on [−λ, λ], x elsewhere (NaN stays NaN).
@usableFromInline
struct HardshrinkKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @usableFromInline let l: Scalar.Vector
    @usableFromInline let nl: Scalar.Vector
    @inlinable init(lambda: Scalar) {
        l = Scalar.Vector(repeating: lambda)
        nl = Scalar.Vector(repeating: -lambda)
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLessEqual(x, l), Scalar.vSelect(Scalar.vLessEqual(nl, x), Scalar.Vector(repeating: 0), x), x)
    }
}

extension Variable {
    /// Hardshrink, 0 on [−λ, λ] and `x` elsewhere (default λ 0.5), with derivative 1 outside
    /// [−λ, λ] and 0 inside it, 0 at ±λ (as PyTorch).
    public func hardshrink(lambda: Scalar = 0.5) -> Variable {
        checkActivationParameter(!lambda.isNaN, "hardshrink", "lambda \(lambda)", "use a lambda that is not NaN (PyTorch's default is 0.5)")
        return HardshrinkFunction(lambda: lambda).apply(self)
    }
}

/// The hardshrink layer: y = x outside [−λ, λ], 0 inside (λ default 0.5, not NaN); derivative 1
/// outside, else 0 (see `Variable.hardshrink(lambda:)`).
public final class Hardshrink<Scalar: TensorScalar>: Module, Layer {
    public let lambda: Scalar

    public init(lambda: Scalar = 0.5) {
        checkActivationParameter(!lambda.isNaN, "Hardshrink", "lambda \(lambda)", "use a lambda that is not NaN (PyTorch's default is 0.5)")
        self.lambda = lambda
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.hardshrink(lambda: lambda) }
}

struct HardshrinkFunction<Scalar: TensorScalar>: DifferentiableFunction {
    let lambda: Scalar
    var name: String { "hardshrink" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].hardshrink(lambda: lambda) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .outsideClosed(-lambda, lambda)).apply(gradient, saved[0])]
    }
}
