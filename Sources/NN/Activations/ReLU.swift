import Autograd

// ReLU: max(0, x), written as a select so NaN stays NaN. Derivative 1 for x > 0, else 0
// (relu'(0) = 0), read from the output: y > 0 exactly where x > 0.

extension Tensor {
    /// ReLU: `x` for x > 0, else 0. NaN in gives NaN out; relu(−0) = −0.
    @inlinable
    public func relu() -> Tensor {
        typealias V = Scalar.Vector
        return mapped(grain: TensorRuntime.memoryBoundGrain) { x in
            Scalar.vSelect(Scalar.vLess(x, V(repeating: 0)), V(repeating: 0), x)
        }
    }

    /// ReLU in place: overwrites this tensor (its buffer is reused when it owns it).
    public mutating func formReLU() { self = relu() }
}

extension Variable {
    /// ReLU, max(0, x), with derivative 1 for x > 0 and 0 otherwise (0 at 0).
    ///
    /// The derivative reads only the output, so only the output is kept for backward.
    public func relu() -> Variable { ReLUFunction<Scalar>().apply(self) }
}

struct ReLUFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "relu" }
    var savesOutput: Bool { true }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].relu() }
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [MaskedGradient<Scalar>(kind: .positive).apply(gradient, saved[1])]
    }
}

/// g where a condition on y holds, 0 elsewhere: the derivative kernel of the piecewise-linear
/// activations. Its own derivative: the same mask for g, nothing for y (piecewise constant).
struct MaskedGradient<Scalar: TensorScalar>: DifferentiableFunction {
    enum Kind: Sendable { case positive, inside(Scalar, Scalar) }
    let kind: Kind
    var name: String { "maskedGradient" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        typealias V = Scalar.Vector
        let zero = V(repeating: 0)
        switch kind {
        case .positive:
            return Tensor.zipMapped(inputs[0], inputs[1], grain: TensorRuntime.memoryBoundGrain) { g, y in
                Scalar.vSelect(Scalar.vLess(zero, y), g, zero)
            }
        case .inside(let lo, let hi):
            let l = V(repeating: lo)
            let h = V(repeating: hi)
            return Tensor.zipMapped(inputs[0], inputs[1], grain: TensorRuntime.memoryBoundGrain) { g, y in
                Scalar.vSelect(Scalar.vLess(l, y), Scalar.vSelect(Scalar.vLess(y, h), g, zero), zero)
            }
        }
    }

    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [apply(gradient, saved[1]), nil]
    }
}
