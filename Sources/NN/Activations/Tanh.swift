import Autograd

/// The tanh module: y = tanh x; derivative 1 − y² from the output (see `TanhRule`).
public typealias Tanh<Scalar: TensorScalar> = ActivationLayer<TanhRule<Scalar>>
