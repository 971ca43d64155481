import Autograd

/// The absolute-value module (Caffe's AbsVal): y = |x|; derivative sign(x), 0 at 0 (see
/// `AbsRule`).
public typealias Abs<Scalar: TensorScalar> = ActivationLayer<AbsRule<Scalar>>
