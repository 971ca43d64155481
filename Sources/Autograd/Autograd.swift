@_exported import Tensor
