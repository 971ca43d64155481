import Autograd

// Sigmoid: 1/(1 + e^−x), an Autograd primitive (`Variable.sigmoid()`, derivative y(1 − y) from
// the output; the stable vector kernel is `TensorScalar.vSigmoid`). This file holds its layer.

/// The sigmoid layer: y = 1/(1 + e^−x); derivative y(1 − y) (see `Variable.sigmoid()`).
public final class Sigmoid<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.sigmoid() }
}
