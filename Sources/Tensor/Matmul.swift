/// Matrix products.
extension Tensor {
    /// How a strided matrix view can be handed to `Gemm` without copying: row-major with leading
    /// dimension `ld`, or column-major (`transposed`), or nil when it must be copied first.
    static func gemmLayout(rows: Int, cols: Int, rowStride: Int, colStride: Int) -> (transposed: Bool, ld: Int)? {
        if (colStride == 1 || cols == 1) && (rows == 1 || rowStride >= cols) {
            return (false, rows == 1 ? Swift.max(cols, 1) : rowStride)
        }
        if (rowStride == 1 || rows == 1) && (cols == 1 || colStride >= rows) {
            return (true, cols == 1 ? Swift.max(rows, 1) : colStride)
        }
        return nil
    }

    /// The matrix product, with NumPy/PyTorch `matmul` semantics: the last two axes are the
    /// matrices, leading (batch) axes broadcast, and a rank-1 operand is a vector (a row on the
    /// left, a column on the right; its axis is removed from the result).
    ///
    /// `transposingA`/`transposingB` multiply by the transpose of the last two axes without
    /// copying; transposed and other strided views are read in place whenever their strides
    /// allow, otherwise copied once.
    ///
    /// - Complexity: O(batch·m·n·k), by a packed, register-blocked kernel, multi-threaded for
    ///   large products.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func matmul(_ a: Tensor, _ b: Tensor, transposingA: Bool = false, transposingB: Bool = false) -> Tensor {
        tensorCheck(
            a.rank >= 1 && b.rank >= 1,
            "matmul: operands of shapes \(describeShape(a.shape)) and \(describeShape(b.shape)); a rank-0 tensor is not a matrix. Fix: use * for scaling by a scalar."
        )
        tensorCheck(
            !(transposingA && a.rank < 2) && !(transposingB && b.rank < 2),
            "matmul: transposing needs a matrix, but the operands have shapes \(describeShape(a.shape)) and \(describeShape(b.shape)). Fix: reshape the vector to a matrix first."
        )
        var x = a.rank == 1 ? a.unsqueezed(axis: 0) : a
        var y = b.rank == 1 ? b.unsqueezed(axis: 1) : b
        if transposingA { x = x.transposed(-1, -2) }
        if transposingB { y = y.transposed(-1, -2) }
        let m = x.shape[x.rank - 2]
        let k = x.shape[x.rank - 1]
        let k2 = y.shape[y.rank - 2]
        let n = y.shape[y.rank - 1]
        tensorCheck(
            k == k2,
            "matmul: inner sizes differ: \(describeShape(a.shape))\(transposingA ? "ᵀ" : "") × \(describeShape(b.shape))\(transposingB ? "ᵀ" : "") multiplies \(m)×\(k) by \(k2)×\(n). Fix: the left operand's last size must equal the right operand's second-to-last size (transpose or reshape one of them)."
        )
        let batchA = Array(x.shape.dropLast(2))
        let batchB = Array(y.shape.dropLast(2))
        let batch = broadcastShape(batchA, batchB, op: "matmul (batch dimensions)")
        let batchCount = batch.reduce(1, *)

        // Read operands in place when their strides allow; otherwise copy once.
        func prepare(_ t: Tensor, rows: Int, cols: Int) -> (Tensor, Bool, Int) {
            let r = t.rank
            if let l = gemmLayout(rows: rows, cols: cols, rowStride: t.strides[r - 2], colStride: t.strides[r - 1]) {
                return (t, l.transposed, l.ld)
            }
            let c = t.contiguous()
            return (c, false, Swift.max(cols, 1))
        }
        let (pa, ta, lda) = prepare(x, rows: m, cols: k)
        let (pb, tb, ldb) = prepare(y, rows: k, cols: n)
        let aBatchStrides = Array(pa.expandedBatchStrides(to: batch))
        let bBatchStrides = Array(pb.expandedBatchStrides(to: batch))

        var outShape = batch + [m, n]
        var result = Tensor(uninitializedShape: outShape) { dst in
            let out = dst.baseAddress!
            if k == 0 {
                out.update(repeating: 0, count: dst.count)
                return
            }
            if m == 0 || n == 0 { return }
            let threads = TensorRuntime.threadCount
            let flops = 2 * m * n * k
            let perBatchThreads = batchCount >= threads && flops < (1 << 22) ? 1 : threads
            let batchThreads = perBatchThreads == 1 ? threads : 1
            Parallel.forEach(count: batchCount, threads: batchThreads) { bi in
                var rem = bi
                var oa = pa.offset
                var ob = pb.offset
                for d in stride(from: batch.count - 1, through: 0, by: -1) {
                    let i = rem % batch[d]
                    rem /= batch[d]
                    oa += i * aBatchStrides[d]
                    ob += i * bBatchStrides[d]
                }
                Scalar._gemm(
                    transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1,
                    a: pa.storage.base + oa, lda: lda, b: pb.storage.base + ob, ldb: ldb,
                    beta: 0, c: out + bi * m * n, ldc: n, threads: perBatchThreads)
            }
            withExtendedLifetime((pa, pb)) {}
        }
        if a.rank == 1 { outShape.remove(at: outShape.count - 2) }
        if b.rank == 1 { outShape.removeLast() }
        if outShape.count != result.rank { result = result.reshaped(to: outShape) }
        return result
    }

    /// Strides of the batch (all but the last two) dimensions when broadcast to `batch`.
    func expandedBatchStrides(to batch: [Int]) -> [Int] {
        let own = Tensor(storage: storage, shape: Array(shape.dropLast(2)), strides: Array(strides.dropLast(2)), offset: 0)
        return own.broadcastStrides(to: batch)
    }

    /// `matmul(self, other)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }
}
