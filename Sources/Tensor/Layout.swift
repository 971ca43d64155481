/// Walking strided layouts: the one place that turns shapes and strides into rows for kernels.
@usableFromInline
enum Layout {
    /// Merges neighbouring dimensions that are contiguous with each other in every operand and
    /// drops size-1 dimensions, so kernels see as few, as long rows as possible.
    static func collapse(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if !outShape.isEmpty,
                (0..<strides.count).allSatisfy({ outStrides[$0].last! == strides[$0][axis] * shape[axis] })
            {
                outShape[outShape.count - 1] *= shape[axis]
                for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][axis] }
            } else {
                outShape.append(shape[axis])
                for k in 0..<strides.count { outStrides[k].append(strides[k][axis]) }
            }
        }
        return (outShape, outStrides)
    }

    /// Calls `body(offsets, length, innerStrides)` once per innermost row of `shape`, where
    /// `offsets[k]` is operand k's element offset at the row's start. Dimensions are collapsed
    /// first. Nothing is called for a size-0 shape.
    static func forEachRow(
        shape: [Int], strides: [[Int]], offsets: [Int],
        _ body: (_ offsets: [Int], _ length: Int, _ innerStrides: [Int]) -> Void
    ) {
        if shape.contains(0) { return }
        let (cs, cst) = collapse(shape: shape, strides: strides)
        let k = strides.count
        if cs.isEmpty {
            body(offsets, 1, [Int](repeating: 1, count: k))
            return
        }
        let r = cs.count
        let inner = cs[r - 1]
        let innerStrides = cst.map { $0[r - 1] }
        var index = [Int](repeating: 0, count: r - 1)
        var current = offsets
        while true {
            body(current, inner, innerStrides)
            // Advance the outer index like an odometer.
            var axis = r - 2
            while axis >= 0 {
                index[axis] += 1
                for j in 0..<k { current[j] += cst[j][axis] }
                if index[axis] < cs[axis] { break }
                for j in 0..<k { current[j] -= cst[j][axis] * cs[axis] }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// Copies the elements of a strided region into another strided region of the same shape.
    static func copy<S: TensorScalar>(
        shape: [Int], from src: UnsafePointer<S>, strides srcStrides: [Int],
        to dst: UnsafeMutablePointer<S>, strides dstStrides: [Int]
    ) {
        forEachRow(shape: shape, strides: [dstStrides, srcStrides], offsets: [0, 0]) { o, n, s in
            let d = dst + o[0]
            let p = src + o[1]
            if s[0] == 1 && s[1] == 1 {
                d.update(from: p, count: n)
            } else {
                for i in 0..<n { d[i * s[0]] = p[i * s[1]] }
            }
        }
    }

    /// Copies a tensor's elements in row-major order into `dst`.
    static func copy<S: TensorScalar>(from t: Tensor<S>, to dst: UnsafeMutablePointer<S>) {
        let n = t.count
        if t.isContiguous {
            let src = t.storage.base + t.offset
            Parallel.forChunks(count: n, grain: TensorRuntime.memoryBoundGrain) { a, b in
                (dst + a).update(from: src + a, count: b - a)
            }
            return
        }
        copy(
            shape: t.shape, from: t.storage.base + t.offset, strides: t.strides, to: dst,
            strides: Tensor<S>.contiguousStrides(for: t.shape))
    }

    /// The row-major position of `indices` in `shape`, with bounds checks.
    static func flatIndex(_ indices: [Int], shape: [Int], op: String) -> Int {
        tensorCheck(
            indices.count == shape.count,
            "\(op): \(indices.count) indices for a tensor of rank \(shape.count), shape \(describeShape(shape)). Fix: give one index per dimension."
        )
        var flat = 0
        for (axis, i) in indices.enumerated() {
            tensorCheck(
                i >= -shape[axis] && i < shape[axis],
                "\(op): index \(i) is out of range for dimension \(axis) of size \(shape[axis]) (shape \(describeShape(shape))). Fix: use an index in \(-shape[axis])..<\(shape[axis])."
            )
            flat = flat * shape[axis] + (i < 0 ? i + shape[axis] : i)
        }
        return flat
    }

    /// Normalizes a possibly negative axis, stopping with a message when it is out of range.
    static func axis(_ axis: Int, rank: Int, op: String, shape: [Int]) -> Int {
        tensorCheck(
            axis >= -rank && axis < rank,
            "\(op): axis \(axis) is out of range for a tensor of rank \(rank), shape \(describeShape(shape)). Fix: use an axis in \(-rank)..<\(rank) (negative axes count from the end)."
        )
        return axis < 0 ? axis + rank : axis
    }
}
