/// Views: new shapes, strides and offsets over the same storage; no element is copied.
extension Tensor {
    /// Resolves one −1 in a requested shape and checks the element count.
    func resolvedShape(_ newShape: [Int], op: String) -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        tensorCheck(
            unknown.count <= 1 && newShape.allSatisfy({ $0 >= -1 }),
            "\(op): shape \(describeShape(newShape)) may hold at most one −1 and no other negative size. Fix: give every size but one explicitly."
        )
        var shape = newShape
        var known = 1
        for d in newShape where d != -1 {
            let (p, overflow) = known.multipliedReportingOverflow(by: d)
            tensorCheck(
                !overflow,
                "\(op): shape \(describeShape(newShape)) has more elements than can be addressed (the product of its sizes overflows). Fix: choose sizes whose product is \(count).")
            known = p
        }
        if let u = unknown.first {
            tensorCheck(
                known != 0 && count % known == 0,
                "\(op): cannot reshape \(describeShape(self.shape)) (\(count) elements) to \(describeShape(newShape)): \(count) is not a multiple of \(known). Fix: choose sizes whose product is \(count)."
            )
            shape[u] = count / known
        }
        let newCount = checkedElementCount(shape, op: op)
        tensorCheck(
            newCount == count,
            "\(op): cannot reshape \(describeShape(self.shape)) (\(count) elements) to \(describeShape(newShape)) (\(newCount) elements). Fix: choose sizes whose product is \(count)."
        )
        return shape
    }

    /// Strides for viewing this tensor as `newShape` without copying, or nil when the current
    /// strides make that impossible (e.g. flattening a transposed matrix).
    func viewStrides(for newShape: [Int]) -> [Int]? {
        if isContiguous { return Tensor.contiguousStrides(for: newShape) }
        // Group old dimensions into runs that are contiguous with each other, then lay the new
        // dimensions over those runs.
        let old = zip(shape, strides).filter { $0.0 != 1 }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var oi = 0
        var ni = 0
        while ni < newShape.count {
            if newShape[ni] == 1 {
                newStrides[ni] = 1
                ni += 1
                continue
            }
            guard oi < old.count else { return nil }
            // Take old dims until their product covers the next new dims.
            var oldSize = old[oi].0
            var newSize = newShape[ni]
            let newStart = ni
            while oldSize != newSize {
                if oldSize < newSize {
                    oi += 1
                    guard oi < old.count else { return nil }
                    // Old dims in one run must be contiguous with each other.
                    if old[oi - 1].1 != old[oi].1 * old[oi].0 { return nil }
                    oldSize *= old[oi].0
                } else {
                    ni += 1
                    guard ni < newShape.count else { return nil }
                    newSize *= newShape[ni]
                }
            }
            var s = old[oi].1
            for j in stride(from: ni, through: newStart, by: -1) {
                newStrides[j] = s
                s *= newShape[j]
            }
            oi += 1
            ni += 1
        }
        return oi == old.count ? newStrides : nil
    }

    /// This tensor with a new shape holding the same elements in row-major order. A view when
    /// the strides allow it; otherwise the elements are copied (like PyTorch's `reshape`). One
    /// size may be −1 and is then inferred.
    public func reshaped(to newShape: [Int]) -> Tensor {
        let shape = resolvedShape(newShape, op: "reshaped(to:)")
        if let s = viewStrides(for: shape) {
            return Tensor(storage: storage, shape: shape, strides: s, offset: offset)
        }
        let c = contiguous()
        return Tensor(storage: c.storage, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: c.offset)
    }

    /// Reshapes in place (see `reshaped(to:)`).
    public mutating func reshape(to newShape: [Int]) { self = reshaped(to: newShape) }

    /// A view with a new shape; stops with a message when the strides don't allow a view (use
    /// `reshaped(to:)` to copy in that case). Like PyTorch's `view`.
    public func viewed(as newShape: [Int]) -> Tensor {
        let shape = resolvedShape(newShape, op: "viewed(as:)")
        guard let s = viewStrides(for: shape) else {
            tensorFailure(
                "viewed(as:): a tensor of shape \(describeShape(self.shape)) with strides \(describeShape(strides)) cannot be viewed as \(describeShape(newShape)) without copying. Fix: call reshaped(to:) (copies when needed) or contiguous() first."
            )
        }
        return Tensor(storage: storage, shape: shape, strides: s, offset: offset)
    }

    /// All elements as one dimension.
    public func flattened() -> Tensor { reshaped(to: [count]) }

    /// A view with the axes reordered: result axis i is this tensor's axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        let r = rank
        let normalized = axes.map { Layout.axis($0, rank: r, op: "permuted(_:)", shape: shape) }
        tensorCheck(
            axes.count == r && Set(normalized).count == r,
            "permuted(_:): \(describeShape(axes)) is not a permutation of the \(r) axes of a tensor of shape \(describeShape(shape)). Fix: list each axis 0..<\(r) exactly once."
        )
        return Tensor(
            storage: storage, shape: normalized.map { shape[$0] },
            strides: normalized.map { strides[$0] }, offset: offset)
    }

    /// A view with two axes swapped.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        let a = Layout.axis(a, rank: rank, op: "transposed(_:_:)", shape: shape)
        let b = Layout.axis(b, rank: rank, op: "transposed(_:_:)", shape: shape)
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return permuted(axes)
    }

    /// A view with the axes in reverse order (a matrix's transpose; like NumPy's `.T`).
    public func transposed() -> Tensor { permuted(Array((0..<rank).reversed())) }

    /// Reverses the axes in place.
    public mutating func transpose() { self = transposed() }

    /// A view of every `step`-th element of `axis` from `start` up to (not including) `end`.
    ///
    /// Negative `start`/`end` count from the end, and both are clamped to the axis like Python
    /// slices. `step` must be positive (as in PyTorch).
    public func sliced(alongAxis axis: Int, from start: Int = 0, to end: Int? = nil, by step: Int = 1) -> Tensor {
        let a = Layout.axis(axis, rank: rank, op: "sliced(alongAxis:)", shape: shape)
        tensorCheck(
            step > 0,
            "sliced(alongAxis:): step \(step) on axis \(a) of shape \(describeShape(shape)). Fix: use a positive step (reverse with a permutation or a copy instead)."
        )
        let size = shape[a]
        func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
        let s = clampIndex(start)
        let e = Swift.max(s, clampIndex(end ?? size))
        var newShape = shape
        var newStrides = strides
        newShape[a] = (e - s + step - 1) / step
        newStrides[a] = strides[a] * step
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset + (newShape[a] > 0 ? s * strides[a] : 0))
    }

    /// A view of rows `range` along `axis` (sugar for `sliced(alongAxis:from:to:)`).
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        sliced(alongAxis: axis, from: range.lowerBound, to: range.upperBound)
    }

    /// The view at `index` along `axis`, with that axis removed.
    public func selecting(_ index: Int, alongAxis axis: Int = 0) -> Tensor {
        let a = Layout.axis(axis, rank: rank, op: "selecting(_:alongAxis:)", shape: shape)
        tensorCheck(
            index >= -shape[a] && index < shape[a],
            "selecting(_:alongAxis:): index \(index) is out of range for axis \(a) of size \(shape[a]) (shape \(describeShape(shape))). Fix: use an index in \(-shape[a])..<\(shape[a])."
        )
        let i = index < 0 ? index + shape[a] : index
        var newShape = shape
        var newStrides = strides
        newShape.remove(at: a)
        newStrides.remove(at: a)
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset + i * strides[a])
    }

    /// The view of the rows in `range` along the first axis (`m[0..<2]`, `m[1...]`, `m[..<3]`),
    /// as PyTorch's `m[0:2]`: the axis stays, with the range's length.
    public subscript<R: RangeExpression>(range: R) -> Tensor where R.Bound == Int {
        slicedByRange(range, alongAxis: 0)
    }

    /// Rows in `rows`, then column `column` of each (`m[0..<2, 1]`): the integer drops its axis.
    public subscript<R: RangeExpression>(rows: R, column: Int) -> Tensor where R.Bound == Int {
        slicedByRange(rows, alongAxis: 0).selecting(column, alongAxis: 1)
    }

    /// Row `row`, then the columns in `columns` (`m[1, 0..<2]`): the integer drops its axis.
    public subscript<R: RangeExpression>(row: Int, columns: R) -> Tensor where R.Bound == Int {
        selecting(row, alongAxis: 0).slicedByRange(columns, alongAxis: 0)
    }

    /// Rows in `rows` and columns in `columns` (`m[0..<2, 1...]`).
    public subscript<R: RangeExpression, C: RangeExpression>(rows: R, columns: C) -> Tensor where R.Bound == Int, C.Bound == Int {
        slicedByRange(rows, alongAxis: 0).slicedByRange(columns, alongAxis: 1)
    }

    func slicedByRange<R: RangeExpression>(_ range: R, alongAxis axis: Int) -> Tensor where R.Bound == Int {
        tensorCheck(
            rank > axis,
            "Tensor subscript: a range for axis \(axis) of a tensor of shape \(describeShape(shape)). Fix: index only the axes it has.")
        let r = range.relative(to: 0..<shape[axis])
        tensorCheck(
            r.lowerBound >= 0 && r.upperBound <= shape[axis],
            "Tensor subscript: range \(r.lowerBound)..<\(r.upperBound) is outside axis \(axis) of size \(shape[axis]) (shape \(describeShape(shape))). Fix: use a range within 0..<\(shape[axis]).")
        return sliced(alongAxis: axis, from: r.lowerBound, to: r.upperBound)
    }

    /// A view broadcast to `newShape` by NumPy's rules: size-1 dimensions are repeated with
    /// stride 0 and missing leading dimensions are added.
    public func expanded(to newShape: [Int]) -> Tensor {
        _ = checkedElementCount(newShape, op: "expanded(to:)")
        let r = newShape.count
        tensorCheck(
            r >= rank,
            "expanded(to:): cannot expand shape \(describeShape(shape)) to \(describeShape(newShape)), which has fewer dimensions. Fix: the target needs at least \(rank) dimensions."
        )
        var newStrides = [Int](repeating: 0, count: r)
        for i in 0..<r {
            let j = i - (r - rank)
            if j < 0 { continue }
            if shape[j] == newShape[i] {
                newStrides[i] = strides[j]
            } else {
                tensorCheck(
                    shape[j] == 1,
                    "expanded(to:): cannot expand shape \(describeShape(shape)) to \(describeShape(newShape)): dimension \(j) has size \(shape[j]), not 1 or \(newShape[i]). Fix: only size-1 dimensions can be expanded."
                )
                newStrides[i] = 0
            }
        }
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// A view with size-1 dimension `axis` removed.
    public func squeezed(axis: Int) -> Tensor {
        let a = Layout.axis(axis, rank: rank, op: "squeezed(axis:)", shape: shape)
        tensorCheck(
            shape[a] == 1,
            "squeezed(axis:): axis \(a) of shape \(describeShape(shape)) has size \(shape[a]), not 1. Fix: squeeze only size-1 axes."
        )
        var s = shape
        var st = strides
        s.remove(at: a)
        st.remove(at: a)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset)
    }

    /// A view with every size-1 dimension removed.
    public func squeezed() -> Tensor {
        let keep = shape.indices.filter { shape[$0] != 1 }
        return Tensor(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
    }

    /// A view with a new size-1 dimension at `axis` (in `-(rank+1)...rank`).
    public func unsqueezed(axis: Int) -> Tensor {
        let a = Layout.axis(axis, rank: rank + 1, op: "unsqueezed(axis:)", shape: shape)
        var s = shape
        var st = strides
        s.insert(1, at: a)
        st.insert(a < rank ? strides[a] * shape[a] : 1, at: a)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset)
    }
}

extension Tensor {
    /// A tensor of zeros of `shape` whose slice `sliced(alongAxis: axis, from: start, by: step)`
    /// (of `source.shape[axis]` elements) holds `source` — the inverse of slicing, used for
    /// its gradient (like PyTorch's `slice_scatter` into zeros).
    public static func scatteringSlice(
        _ source: Tensor, into shape: [Int], alongAxis axis: Int, from start: Int, by step: Int = 1
    ) -> Tensor {
        let a = Layout.axis(axis, rank: shape.count, op: "scatteringSlice", shape: shape)
        var expected = shape
        expected[a] = source.shape.count == shape.count ? source.shape[a] : -1
        tensorCheck(
            source.shape == expected && step > 0 && start >= 0
                && (source.shape[a] == 0 || start + (source.shape[a] - 1) * step < shape[a]),
            "scatteringSlice: a slice of shape \(describeShape(source.shape)) from \(start) by \(step) does not fit axis \(a) of shape \(describeShape(shape)). Fix: pass the shape the slice was taken from."
        )
        let out = Tensor.zeros(shape)
        let outStrides = Tensor.contiguousStrides(for: shape)
        var dstStrides = outStrides
        dstStrides[a] *= step
        Layout.copy(
            shape: source.shape, from: source.storage.base + source.offset, strides: source.strides,
            to: out.storage.base + start * outStrides[a], strides: dstStrides)
        out.storage.bumpVersion()
        return out
    }
}
