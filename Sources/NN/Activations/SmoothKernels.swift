import Autograd

// Vector building blocks shared by the smooth activations (SELU, CELU, softplus, swish/SiLU,
// mish, GELU, logSigmoid, tanhshrink). Everything goes through `Scalar.v…` so generic code binds
// to the concrete vector instructions. Functions that differ by scalar type (Float's tuned
// kernels, Double's float64 formulas) are special functions of `TensorScalar`, one conformance
// per type in Sources/Tensor/Math/: no activation file tests `Scalar.self` or bit-casts.

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

    /// log(1 + e^z) = max(z, 0) + log1p(e^−|z|): `S.vLog1pExp` (Sources/Tensor/Math/).
    @inlinable @inline(__always)
    static func log1pExp<S: TensorScalar>(_ z: S.Vector, _: S.Type) -> S.Vector { S.vLog1pExp(z) }
}

/// g · f″(x) as a second-order term for double backward: `gradient * g * curvature`, where the
/// curvature is a constant tensor computed from x (as ELU does).
func secondOrderTerm<S: TensorScalar>(_ gradient: Variable<S>, _ g: Variable<S>, _ curvature: Tensor<S>) -> Variable<S> {
    gradient * g * Variable(curvature)
}
