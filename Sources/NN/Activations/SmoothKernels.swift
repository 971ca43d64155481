import Autograd

// Vector building blocks shared by the smooth activations (SELU, CELU, softplus, swish/SiLU,
// mish, GELU, logSigmoid, tanhshrink). Everything goes through `Scalar.v…` so generic code binds
// to the concrete vector instructions.

/// −log(Double.greatestFiniteMagnitude): below it PyTorch's 1/(1 + e^−x) overflows e^−x and
/// gives σ(x) = 0 exactly. Swish and mish follow that flush (results there are below 1e-305 in
/// magnitude either way) so that they agree with PyTorch's float64 values; Float is unaffected
/// (e^x is 0 in Float long before).
@usableFromInline let pytorchSigmoidFlush = -709.782712893384

@usableFromInline
enum SmoothKernels {
    /// The pieces of a stable logistic: `e = e^−|z|` and `p = 1/(1 + e)`, with the mask z < 0.
    /// Then σ(z) = (z < 0 ? e·p : p), σ(−z) = (z < 0 ? p : e·p) and σ(z)σ(−z) = e·p², none of
    /// which overflows or cancels.
    @inlinable @inline(__always)
    static func logistic<S: TensorScalar>(_ z: S.Vector, _: S.Type)
        -> (e: S.Vector, p: S.Vector, negative: SIMDMask<S.Vector.MaskStorage>)
    {
        let one = S.Vector(repeating: 1)
        let e = S.vExpNegAbs(z)
        return (e, one / (one + e), S.vLess(z, S.Vector(repeating: 0)))
    }

    /// σ(z), stable for z ≪ 0.
    @inlinable @inline(__always)
    static func sigmoid<S: TensorScalar>(_ z: S.Vector, _: S.Type) -> S.Vector { S.vSigmoid(z) }

    /// log(1 + e^z) as max(z, 0) + log1p(e^−|z|): no overflow, no cancellation; NaN stays NaN.
    @inlinable @inline(__always)
    static func softplus<S: TensorScalar>(_ z: S.Vector, _: S.Type) -> S.Vector {
        let zero = S.Vector(repeating: 0)
        return S.vSelect(S.vLess(zero, z), z, zero) + S.vLog1p(S.vExpNegAbs(z))
    }

    /// log(1 + e^z) = max(z, 0) + log1p(e^−|z|); for Float by `VectorMath.log1pExp` (one exp, one
    /// division, the atanh series), for Double as `softplus`.
    @inlinable @inline(__always)
    static func log1pExp<S: TensorScalar>(_ z: S.Vector, _: S.Type) -> S.Vector {
        if S.self == Float.self {
            return unsafeBitCast(VectorMath.log1pExp(unsafeBitCast(z, to: SIMD16<Float>.self)), to: S.Vector.self)
        }
        return softplus(z, S.self)
    }

    /// Evaluates `f` in Double: for Double as is, for Float on the two halves widened to Double
    /// and rounded back once. Used where a Float evaluation of the formula cancels (x − tanh x
    /// near 0, 1 + erf near −1) but its Double evaluation is what PyTorch's float64 does.
    @inlinable @inline(__always)
    static func inDouble<S: TensorScalar>(_ x: S.Vector, _: S.Type, _ f: (SIMD8<Double>) -> SIMD8<Double>) -> S.Vector {
        if S.self == Double.self {
            return unsafeBitCast(f(unsafeBitCast(x, to: SIMD8<Double>.self)), to: S.Vector.self)
        }
        let v = unsafeBitCast(x, to: SIMD16<Float>.self)
        let lo = SIMD8<Float>(f(SIMD8<Double>(v.lowHalf)))
        let hi = SIMD8<Float>(f(SIMD8<Double>(v.highHalf)))
        return unsafeBitCast(SIMD16<Float>(lowHalf: lo, highHalf: hi), to: S.Vector.self)
    }

    /// Two-argument `inDouble`.
    @inlinable @inline(__always)
    static func inDouble<S: TensorScalar>(
        _ a: S.Vector, _ b: S.Vector, _: S.Type, _ f: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>
    ) -> S.Vector {
        if S.self == Double.self {
            return unsafeBitCast(
                f(unsafeBitCast(a, to: SIMD8<Double>.self), unsafeBitCast(b, to: SIMD8<Double>.self)), to: S.Vector.self)
        }
        let u = unsafeBitCast(a, to: SIMD16<Float>.self)
        let v = unsafeBitCast(b, to: SIMD16<Float>.self)
        let lo = SIMD8<Float>(f(SIMD8<Double>(u.lowHalf), SIMD8<Double>(v.lowHalf)))
        let hi = SIMD8<Float>(f(SIMD8<Double>(u.highHalf), SIMD8<Double>(v.highHalf)))
        return unsafeBitCast(SIMD16<Float>(lowHalf: lo, highHalf: hi), to: S.Vector.self)
    }
}

/// g · f″(x) as a second-order term for double backward: `gradient * g * curvature`, where the
/// curvature is a constant tensor computed from x (as ELU does).
func secondOrderTerm<S: TensorScalar>(_ gradient: Variable<S>, _ g: Variable<S>, _ curvature: Tensor<S>) -> Variable<S> {
    gradient * g * Variable(curvature)
}
