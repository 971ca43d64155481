import Autograd

// Vector building blocks shared by the smooth activations (softplus, swish/SiLU, mish,
// logSigmoid). Everything goes through `Scalar.v…` so generic code binds to the concrete vector
// instructions. Functions that differ by scalar type (Float's tuned kernels, Double's float64
// formulas) are special functions of `TensorScalar`, one conformance per type in
// Sources/Tensor/Math/: no activation file tests `Scalar.self` or bit-casts.

@usableFromInline
enum SmoothKernels {
    /// −log(Double.greatestFiniteMagnitude): below it PyTorch's 1/(1 + e^−x) overflows e^−x and
    /// gives σ(x) = 0 exactly. Swish follows that flush (results there are below 1e-305 in
    /// magnitude either way) so that it agrees with PyTorch's float64 values; Float is unaffected
    /// (e^x is 0 in Float long before). A computed property: a global's value is not visible to
    /// inlined code.
    @inlinable @inline(__always)
    static var pytorchSigmoidFlush: Double { -709.782712893384 }

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
}
