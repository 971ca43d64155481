import Autograd

// Tanh, an Autograd primitive (`Variable.tanh()`, derivative 1 − y² from the output; the kernel
// lives in Tensor). This file holds its layer.

/// The tanh layer: y = tanh x; derivative 1 − y² (see `Variable.tanh()`).
public final class Tanh<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.tanh() }
}
