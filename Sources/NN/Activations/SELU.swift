import Autograd

/// SELU's α.
public let seluAlpha = SELURule<Double>.alpha
/// SELU's λ (scale).
public let seluScale = SELURule<Double>.lambda

/// SELU (Klambauer et al.): f(x) = λ·elu(x, α) = λx for x > 0, λα(eˣ − 1) otherwise, with the
/// self-normalizing constants α ≈ 1.6733, λ ≈ 1.0507 (PyTorch's, `seluAlpha`, `seluScale`).
///
/// f′(x) = λ for x > 0, else λαeˣ (λα at 0, as PyTorch); f″(x) = 0 for x > 0, else λαeˣ. Like
/// ELU's, the derivative reads the input (from the output, y + λα cancels for very negative x in
/// Float); the in-place form, which only has the output, uses λ or y + λα.
public struct SELURule<Scalar: TensorScalar>: ElementwiseActivation {
    public static var name: String { "selu" }
    public static var moduleName: String { "SELU" }
    public static var summary: String { "scale·elu(x, alpha) with the self-normalizing constants" }
    public static var derivativeInput: ActivationDerivativeInput { .both }
    public var kinks: [ActivationKink] { [ActivationKink(at: 0, derivative: Double(Scalar(Self.lambda * Self.alpha)))] }

    public init() {}
    public init(_ arguments: ActivationArguments) {}

    // The constants as computed properties (a global's value is not visible to inlined code).
    @inlinable static var alpha: Double { 1.6732632423543772848170429916717 }
    @inlinable static var lambda: Double { 1.0507009873554804934193349852946 }
    @inlinable @inline(__always)
    var scale: Scalar.Vector { Scalar.Vector(repeating: Scalar(Self.lambda)) }
    @inlinable @inline(__always)
    var scaledAlpha: Scalar.Vector { Scalar.Vector(repeating: Scalar(Self.lambda * Self.alpha)) }

    @inlinable @inline(__always)
    public func value(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), scale * x, scaledAlpha * Scalar.vExpm1NonPositive(x))
    }

    @inlinable @inline(__always)
    public func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), scale, scaledAlpha * Scalar.vExp(x))
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), g * scale, g * (scaledAlpha * Scalar.vExp(x)))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), x), Scalar.Vector(repeating: 0), scaledAlpha * Scalar.vExp(x))
    }

    @inlinable @inline(__always)
    public func derivative(fromOutput y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), scale, y + scaledAlpha)
    }

    @inlinable @inline(__always)
    public func gradient(_ g: Scalar.Vector, fromOutput y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), g * scale, g * (y + scaledAlpha))
    }

    @inlinable @inline(__always)
    public func derivativeOfDerivative(fromOutput y: Scalar.Vector) -> Scalar.Vector {
        Scalar.vSelect(Scalar.vLess(Scalar.Vector(repeating: 0), y), Scalar.Vector(repeating: 0), Scalar.Vector(repeating: 1))
    }
}

/// The SELU module: y = λx for x > 0, λα(eˣ − 1) otherwise (see `SELURule`).
public typealias SELU<Scalar: TensorScalar> = ActivationLayer<SELURule<Scalar>>

extension Tensor {
    /// SELU: `λx` for x > 0, `λα(eˣ − 1)` otherwise (via expm1), with PyTorch's α and λ.
    @inlinable
    public func selu() -> Tensor { activation(SELURule()) }
}

extension Variable {
    /// SELU, λx for x > 0 and λα(eˣ − 1) otherwise; derivative λ or λαeˣ (λα at 0).
    @inlinable
    public func selu() -> Variable { activation(SELURule()) }
}
