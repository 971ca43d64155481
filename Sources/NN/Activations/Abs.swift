import Autograd

// Absolute value (Caffe's AbsVal), an Autograd primitive (`Variable.abs()`, derivative sign(x),
// 0 at 0; it needs the input, so it has no in-place form). This file holds its layer.

/// The absolute-value layer (Caffe's AbsVal): y = |x|; derivative sign(x), 0 at 0 (see
/// `Variable.abs()`).
public final class Abs<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.abs() }
}
