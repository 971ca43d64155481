import Autograd

// ReLU6 and bounded ReLU-n: min(max(0, x), n), n = 6 for relu6 (as PyTorch's relu6, which is
// hardtanh(0, 6)). Derivative 1 on the open interval (0, n), 0 at both bounds and outside.
// Second derivative 0 away from the kinks at 0 and n.

extension Tensor {
    /// ReLU6: `x` clamped to [0, 6]. NaN in gives NaN out.
    @inlinable
    public func relu6() -> Tensor { hardtanh(min: 0, max: 6) }

    /// Bounded ReLU-n: `x` clamped to [0, n] (n > 0, default 6). NaN in gives NaN out.
    @inlinable
    public func boundedReLU(n: Scalar = 6) -> Tensor { hardtanh(min: 0, max: n) }
}

extension Variable {
    /// ReLU6, min(max(0, x), 6), with derivative 1 on (0, 6) and 0 at 0, at 6 and outside.
    public func relu6() -> Variable { ClampActivation(name: "relu6", lower: 0, upper: 6).apply(self) }

    /// Bounded ReLU-n, min(max(0, x), n) (n > 0, default 6), with derivative 1 on the open
    /// interval (0, n) and 0 at both bounds and outside.
    public func boundedReLU(n: Scalar = 6) -> Variable {
        checkActivationParameter(n > 0, "boundedReLU", "n \(n)", "use a bound n > 0 (relu6 is n = 6)")
        return ClampActivation(name: "boundedReLU", lower: 0, upper: n).apply(self)
    }
}

/// The ReLU6 layer: y = min(max(0, x), 6); derivative 1 on (0, 6), else 0 (see `Variable.relu6()`).
public final class ReLU6<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.relu6() }
}

/// The bounded ReLU-n layer: y = min(max(0, x), n) (n default 6, > 0); derivative 1 on (0, n),
/// else 0 (see `Variable.boundedReLU(n:)`).
public final class BoundedReLU<Scalar: TensorScalar>: Module, Layer {
    public let n: Scalar

    public init(n: Scalar = 6) {
        checkActivationParameter(n > 0, "BoundedReLU", "n \(n)", "use a bound n > 0 (relu6 is n = 6)")
        self.n = n
        super.init()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.boundedReLU(n: n) }
}
