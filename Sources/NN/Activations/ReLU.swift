import Autograd

/// ReLU: f(x) = max(0, x), written as a select so NaN stays NaN (relu(−0) = −0).
///
/// f′(x) = 1 for x > 0, else 0 (relu′(0) = 0), read from the output: y > 0 exactly where x > 0,
/// so only the output is kept and the in-place form works. f″ = 0.
public struct ReLURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "relu" }
    public static var moduleName: String { "ReLU" }
    public static var summary: String { "max(0, x); derivative 0 at 0" }
    public static var derivativeInput: ActivationDerivativeInput { .output }
    public static var isMemoryBound: Bool { true }
    public static var isPiecewiseLinear: Bool { true }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: 0)] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(x, Scalar.Vector(repeating: 0)), Scalar.Vector(repeating: 0), x)
    }

    @inlinable @inline(__always)
    public func derivative(_ y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), Scalar.Vector(repeating: 1), Scalar.Vector(repeating: 0))
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), g, Scalar.Vector(repeating: 0))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 0) }
}

/// The ReLU module: y = max(0, x) (see `ReLURule`).
public typealias ReLU<Scalar: TensorScalar> = ActivationLayer<ReLURule<Scalar>>

extension Tensor {
    /// ReLU: `x` for x > 0, else 0. NaN in gives NaN out; relu(−0) = −0.
    @inlinable
    public func relu() -> Tensor { activation(ReLURule()) }

    /// ReLU in place: overwrites this tensor (its buffer is reused when it owns it).
    @inlinable
    public mutating func formReLU() { formActivation(ReLURule()) }
}

extension Variable {
    /// ReLU, max(0, x), with derivative 1 for x > 0 and 0 otherwise (0 at 0).
    ///
    /// The derivative reads only the output, so only the output is kept for backward.
    @inlinable
    public func relu() -> Variable { activation(ReLURule()) }
}

/// g where a condition on its second input holds, 0 (or a multiple of g) elsewhere: the
/// derivative kernel of the piecewise-linear activations. The second input is the activation's
/// output or input, as each kind says. Its own derivative: the same mask for g, nothing for the
/// second input (piecewise constant).
///
/// NaN in the second input: every comparison with NaN is false, so each kind gives what its
/// formula's "false" branch gives (documented per kind; PyTorch itself differs between dtypes).
struct MaskedGradient<Scalar: TensorScalar>: DifferentiableFunction {
    enum Kind: Sendable {
        /// g where 0 < y, else 0 (relu, from the output).
        case positive
        /// scale·g where lo < y < hi (open), else 0 (relu6, hardtanh from the output;
        /// hardsigmoid from the input with scale 1/6).
        case inside(Scalar, Scalar, scale: Scalar = 1)
        /// g where 0 < x, else slope·g (leakyReLU, from the input).
        case positiveElseScaled(slope: Scalar)
        /// 0 where x ≤ t, else g (threshold; g for NaN, as PyTorch's threshold_backward).
        case above(Scalar)
        /// 0 where lo ≤ x ≤ hi (closed), else g (softshrink/hardshrink; g for NaN).
        case outsideClosed(Scalar, Scalar)
    }
    let kind: Kind
    var name: String { "maskedGradient" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        typealias V = Scalar.Vector
        let zero = V(repeating: 0)
        let grain = TensorRuntime.memoryBoundGrain
        switch kind {
        case .positive:
            return Tensor.zipMapped(inputs[0], inputs[1], grain: grain, kernel: PositiveKernel(zero: zero))
        case .inside(let lo, let hi, let scale):
            let l = V(repeating: lo)
            let h = V(repeating: hi)
            if scale == 1 {
                return Tensor.zipMapped(inputs[0], inputs[1], grain: grain, kernel: InsideKernel(lo: l, hi: h, zero: zero))
            }
            return Tensor.zipMapped(
                inputs[0], inputs[1], grain: grain, kernel: ScaledInsideKernel(lo: l, hi: h, scale: V(repeating: scale), zero: zero))
        case .positiveElseScaled(let slope):
            let a = V(repeating: slope)
            return Tensor.zipMapped(inputs[0], inputs[1], grain: grain, kernel: PositiveElseScaledKernel(slope: a, zero: zero))
        case .above(let t):
            let tv = V(repeating: t)
            return Tensor.zipMapped(inputs[0], inputs[1], grain: grain, kernel: AboveKernel(t: tv, zero: zero))
        case .outsideClosed(let lo, let hi):
            let l = V(repeating: lo)
            let h = V(repeating: hi)
            return Tensor.zipMapped(inputs[0], inputs[1], grain: grain, kernel: OutsideClosedKernel(lo: l, hi: h, zero: zero))
        }
    }

    // Kernel types rather than closures, so each inlines into the vector loop.

    /// g where 0 < y, else 0.
    struct PositiveKernel: BinaryVectorKernel {
        let zero: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector { Scalar.vSelect(Scalar.vLess(zero, y), g, zero) }
    }

    /// g where 0 < x, else slope·g.
    struct PositiveElseScaledKernel: BinaryVectorKernel {
        let slope, zero: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Scalar.vSelect(Scalar.vLess(zero, x), g, slope * g) }
    }

    /// 0 where x ≤ t, else g.
    struct AboveKernel: BinaryVectorKernel {
        let t, zero: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector { Scalar.vSelect(Scalar.vLessEqual(x, t), zero, g) }
    }

    /// 0 where lo ≤ x ≤ hi, else g.
    struct OutsideClosedKernel: BinaryVectorKernel {
        let lo, hi, zero: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            Scalar.vSelect(Scalar.vLessEqual(x, hi), Scalar.vSelect(Scalar.vLessEqual(lo, x), zero, g), g)
        }
    }

    /// g where lo < y < hi, else 0.
    struct InsideKernel: BinaryVectorKernel {
        let lo, hi, zero: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector {
            Scalar.vSelect(Scalar.vLess(lo, y), Scalar.vSelect(Scalar.vLess(y, hi), g, zero), zero)
        }
    }

    /// scale·g where lo < y < hi, else 0.
    struct ScaledInsideKernel: BinaryVectorKernel {
        let lo, hi, scale, zero: Scalar.Vector
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ y: Scalar.Vector) -> Scalar.Vector {
            Scalar.vSelect(Scalar.vLess(lo, y), Scalar.vSelect(Scalar.vLess(y, hi), g * scale, zero), zero)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [apply(gradient, saved[1]), nil]
    }
}
