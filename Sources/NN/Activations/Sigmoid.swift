import Autograd

/// The sigmoid module: y = 1/(1 + e^−x); derivative y(1 − y) from the output (see `SigmoidRule`).
public typealias Sigmoid<Scalar: TensorScalar> = ActivationLayer<SigmoidRule<Scalar>>
