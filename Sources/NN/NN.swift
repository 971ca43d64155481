@_exported import Autograd
