import Autograd

// Tanhshrink: x − tanh x, derivative tanh²x, second derivative 2·tanh x·(1 − tanh²x).
//
// Near 0 the forward value is x³/3 and x − tanh x cancels: PyTorch evaluates exactly that, so a
// Double result follows PyTorch's (e.g. 0 at x = 1e-8, where tanh x rounds to x) and carries
// its relative error there (≈ 1e-16·|x|/|y|, absolute error ≤ 1 ulp of x). The Float forward is
// evaluated in Float with a polynomial for |x| < 1 (see `TanhshrinkFloat`), within a few ulps
// of the Double value.

extension Tensor {
    /// Tanhshrink: `x − tanh x` (for Float near 0 via a polynomial, see `TanhshrinkFloat`).
    @inlinable
    public func tanhshrink() -> Tensor { mapped(kernel: TanhshrinkKernel<Scalar>()) }
}

/// x − tanh x. Double: as written (PyTorch's float64). Float: `TanhshrinkFloat`.
@usableFromInline
struct TanhshrinkKernel<Scalar: TensorScalar>: UnaryVectorKernel {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: Scalar.Vector) -> Scalar.Vector {
        if Scalar.self == Float.self {
            return unsafeBitCast(TanhshrinkFloat.forward(unsafeBitCast(x, to: SIMD16<Float>.self)), to: Scalar.Vector.self)
        }
        return x - Scalar.vTanh(x)
    }
}

/// x − tanh x in Float, with a = |x| and the sign put back last (the function is odd):
/// - a < 1: a³·P(a² − 1/2), P a degree-7 weighted minimax fit of (a − tanh a)/a³ on a² ∈ [0, 1]
///   (coefficients rounded to Float one at a time: relative error of the fit 4e-8). Below
///   a = 2⁻²⁰ the value is rounded to the grid of the Double ulp of x, as float64's x − tanh x
///   is (so tanhshrink(1e-8) = 0, like PyTorch's).
/// - a ≥ 1: (a − 1) + 2e/(1 + e), e = e^{−2a} (no cancellation: a − 1 ≥ 0), with a capped at 20
///   for the exponential (e^{−40} is far below an ulp of a − 1; no subnormals, no 2⁶⁴ scaling).
/// The comparisons and the cap (`VectorMath.capMagnitude`) act on the bits of a ≥ 0 as integers
/// (integer order is float order there, and integer instructions don't compete with the FMAs
/// for execution ports); NaN is carried by a − 1 and a³·P. Dense sweep against float64: 3.3 ulp.
@usableFromInline
enum TanhshrinkFloat {
    @usableFromInline typealias F = SIMD16<Float>
    @usableFromInline typealias I = SIMD16<Int32>

    @inlinable @inline(__always)
    static func forward(_ x: F) -> F {
        let a = Float.vAbs(x)
        let ai = unsafeBitCast(a, to: I.self)
        let t = a * a
        let s = t - 0.5
        var f = F(repeating: -0.00014906057913322002)
        f = F(repeating: 0.0004464841040316969).addingProduct(f, s)
        f = F(repeating: -0.0011838229838758707).addingProduct(f, s)
        f = F(repeating: 0.0035109168384224176).addingProduct(f, s)
        f = F(repeating: -0.01045463141053915).addingProduct(f, s)
        f = F(repeating: 0.031030183658003807).addingProduct(f, s)
        f = F(repeating: -0.09223751723766327).addingProduct(f, s)
        f = F(repeating: 0.27788564562797546).addingProduct(f, s)
        let p = a * (t * f)
        // Below 2⁻²⁰, round p to multiples of the Double ulp of x: a·2⁻²⁹ has that ulp in Float.
        // Above, k is masked to 0 (an integer and instead of a select), so p + k − k = p.
        let below = I(repeating: 0).replacing(with: I(repeating: -1), where: ai .< I(repeating: 0x3580_0000))
        let k = unsafeBitCast(unsafeBitCast(a * 0x1p-29, to: I.self) & below, to: F.self)
        let small = (p + k) - k
        let ac = VectorMath.capMagnitude(a, 20)
        let e = VectorMath.expNegative(ac + ac, bias: 0)
        let big = (a - 1) + (e + e) / (1 + e)
        let magnitude = big.replacing(with: small, where: ai .< I(repeating: 0x3F80_0000))  // a < 1
        let sign = unsafeBitCast(x, to: I.self) & I(repeating: Int32(bitPattern: 0x8000_0000))
        return unsafeBitCast(unsafeBitCast(magnitude, to: I.self) ^ sign, to: F.self)
    }
}

extension Variable {
    /// Tanhshrink, x − tanh x, with derivative tanh²x.
    public func tanhshrink() -> Variable { TanhshrinkFunction<Scalar>().apply(self) }
}

struct TanhshrinkFunction<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "tanhshrink" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> { inputs[0].tanhshrink() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [TanhshrinkBackward<Scalar>().apply(gradient, saved[0])]
    }
}

/// g·tanh²x. Derivatives: ∂/∂g = tanh²x; ∂/∂x = g·2·tanh x·(1 − tanh²x).
struct TanhshrinkBackward<Scalar: TensorScalar>: DifferentiableFunction {
    var name: String { "tanhshrinkBackward" }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        Tensor.zipMapped(inputs[0], inputs[1], kernel: Kernel())
    }

    struct Kernel: BinaryVectorKernel {
        @inline(__always)
        func callAsFunction(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
            let t = Scalar.vTanh(x)
            return g * (t * t)
        }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        typealias V = Scalar.Vector
        let curvature = saved[1].value.mapped { x in
            let t = Scalar.vTanh(x)
            return V(repeating: 2) * t * (V(repeating: 1) - t * t)
        }
        return [apply(gradient, saved[1]), secondOrderTerm(gradient, saved[0], curvature)]
    }
}

/// The tanhshrink layer: y = x − tanh x; derivative tanh²x (see `Variable.tanhshrink()`).
public final class Tanhshrink<Scalar: TensorScalar>: Module, Layer {
    public override init() { super.init() }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { x.tanhshrink() }
}
