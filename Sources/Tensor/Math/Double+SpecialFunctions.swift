// Double+SpecialFunctions.swift
//
// The special functions for Double: the formulas as PyTorch's float64 evaluates them (so results
// follow PyTorch's, including its cancellations: 1 + erf for x ≲ −5, x − tanh x near 0), made
// stable where the naive form overflows (e^{−|x|}-based logistic, softplus and mish) and with the
// limits at ±∞ selected where the formula gives ∞·0.

extension Double: TensorSpecialFunctions {
    @inlinable @inline(__always)
    public static func vInDouble(_ x: Vector, _ f: (SIMD8<Double>) -> SIMD8<Double>) -> Vector { f(x) }

    @inlinable @inline(__always)
    public static func vInDouble(
        _ a: Vector, _ b: Vector, _ f: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>
    ) -> Vector { f(a, b) }

    /// max(x, 0) + log1p(e^{−|x|}), by the shared generic form (`SpecialFormulas.softplus`):
    /// the same body written here with Double's own `vLog1p` and `vExpNegAbs` was left as an
    /// out-of-line call per vector in the kernels (softplus and logSigmoid 60–85% slower).
    @inlinable @inline(__always)
    public static func vLog1pExp(_ x: Vector) -> Vector {
        SpecialFormulas.softplus(x, Double.self)
    }

    /// +∞: no shortcut claimed (softplus keeps its threshold comparison in Double).
    @inlinable @inline(__always)
    public static var log1pExpIsIdentityAbove: Double { .infinity }

    /// x·σ(x) with σ flushed to 0 below −709.78 (PyTorch's float64) and x pulled in to the lowest
    /// finite value first, so −∞ gives the limit −0 (−∞·0 would be NaN).
    @inlinable @inline(__always)
    public static func vSiLU(_ x: Vector) -> Vector {
        let zero = Vector(repeating: 0)
        let lowest = Vector(repeating: -greatestFiniteMagnitude)
        let s = vSelect(vLess(x, Vector(repeating: SpecialFormulas.sigmoidFlush)), zero, vSigmoid(x))
        return vSelect(vLess(x, lowest), lowest, x) * s
    }

    /// With e = e^{−|x|}, tanh(softplus(x)) = n/(n + 2), n = e(e + 2), for x < 0 and
    /// a/(a + 2e²), a = 1 + 2e, for x ≥ 0: no tanh, no log, no cancellation.
    @inlinable @inline(__always)
    public static func vMish(_ x: Vector) -> Vector {
        let zero = Vector(repeating: 0)
        let one = Vector(repeating: 1)
        let two = Vector(repeating: 2)
        let e = vExpNegAbs(x)
        let n = e * (e + two)
        let a = one + two * e
        let t = vSelect(vLess(x, zero), n / (n + two), a / (a + two * e * e))
        // mish(−∞) = −0 (the limit; x·t would be −∞·0 = NaN).
        return vSelect(vEqual(x, Vector(repeating: -.infinity)), Vector(repeating: -0.0), x * t)
    }

    /// The shared form (`SpecialFormulas.mishDerivative`); below the flush point, where
    /// PyTorch's σ(x) is 0, what remains is t = e(e + 2)/d.
    @inlinable @inline(__always)
    public static func vMishDerivative(_ x: Vector) -> Vector {
        SpecialFormulas.mishDerivative(x, Double.self) { e, d in e * (e + Vector(repeating: 2)) / d }
    }

    /// 0.5x(1 + erf(x/√2)) as written.
    @inlinable @inline(__always)
    public static func vGELU(_ x: Vector) -> Vector {
        let r = SpecialFormulas.gelu(x)
        // gelu(−∞) = −0, the limit (x·Φ(x) would be −∞·0 = NaN).
        return vSelect(vEqual(x, Vector(repeating: -.infinity)), Vector(repeating: -0.0), r)
    }

    @inlinable @inline(__always)
    public static func vGELUBackward(_ g: Vector, _ x: Vector) -> Vector { g * SpecialFormulas.geluDerivative(x) }

    /// 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) as written.
    @inlinable @inline(__always)
    public static func vGELUTanh(_ x: Vector) -> Vector {
        let r = SpecialFormulas.geluTanh(x)
        // The limit −0 at −∞ (−∞·0 would be NaN).
        return vSelect(vEqual(x, Vector(repeating: -.infinity)), Vector(repeating: -0.0), r)
    }

    @inlinable @inline(__always)
    public static func vGELUTanhBackward(_ g: Vector, _ x: Vector) -> Vector {
        g * SpecialFormulas.geluTanhDerivative(x)
    }

    /// x − tanh x as written.
    @inlinable @inline(__always)
    public static func vTanhshrink(_ x: Vector) -> Vector { x - vTanh(x) }
}
