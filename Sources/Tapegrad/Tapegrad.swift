// The umbrella module: `import Tapegrad` brings in the whole library, `Tensor` (tensors, kernels,
// random numbers), `Autograd` (`Variable`, the engine, gradcheck) and `NN` (modules, layers,
// activations, losses, optimizers, checkpoints, data sets). Foundation is not re-exported:
// a program that uses `URL` imports Foundation itself.
@_exported import Autograd
@_exported import NN
@_exported import Tensor
