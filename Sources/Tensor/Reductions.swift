/// Reductions over all elements or along axes.
extension Tensor {
    func normalizedAxes(_ axes: [Int], op: String) -> [Int] {
        let a = axes.map { Layout.axis($0, rank: rank, op: op, shape: shape) }
        tensorCheck(
            Set(a).count == a.count,
            "\(op): axis listed twice in \(describeShape(axes)) for shape \(describeShape(shape)). Fix: list each axis once."
        )
        return a.sorted()
    }

    /// Reduces `axes` with `op`; the core of sum/max/min along axes.
    func reduced(_ op: ReduceOp, axes: [Int], keepingDimensions: Bool, name: String) -> Tensor {
        let axes = normalizedAxes(axes, op: name)
        let keptAxes = (0..<rank).filter { !axes.contains($0) }
        let outShapeKept = (0..<rank).map { axes.contains($0) ? 1 : shape[$0] }
        let outShape = keepingDimensions ? outShapeKept : keptAxes.map { shape[$0] }
        let reducedCount = axes.map { shape[$0] }.reduce(1, *)
        if op != .sum {
            tensorCheck(
                reducedCount > 0 || outShape.contains(0),
                "\(name): reducing \(reducedCount == 0 ? "an empty axis" : "axes") \(describeShape(axes)) of shape \(describeShape(shape)) has no elements to take the \(op == .max ? "maximum" : "minimum") of. Fix: reduce a non-empty axis."
            )
        }
        let outCount = outShape.reduce(1, *)
        // Leading axes reduced over a contiguous tensor: accumulate whole rows (column sums).
        if isContiguous, !axes.isEmpty, axes == Array(0..<axes.count), reducedCount > 0,
            outCount >= Scalar.Vector.scalarCount
        {
            let src = storage.base + offset
            return Tensor(uninitializedShape: outShape) { dst in
                let acc = dst.baseAddress!
                acc.update(from: src, count: outCount)
                for r in 1..<Swift.max(1, reducedCount) {
                    Scalar._accumulateKernel(op, acc, src + r * outCount, outCount)
                }
            }
        }
        // Otherwise move the reduced axes last, make that contiguous, and reduce each row.
        let moved = permuted(keptAxes + axes).contiguous()
        let src = moved.storage.base + moved.offset
        return Tensor(uninitializedShape: outShape) { dst in
            let y = dst.baseAddress!
            let rows = outCount
            Parallel.forChunks(count: rows, grain: Swift.max(1, TensorRuntime.elementwiseGrain / Swift.max(reducedCount, 1)), alignment: 1) { a, b in
                for r in a..<b { y[r] = Scalar._reduceKernel(op, src + r * reducedCount, reducedCount) }
            }
        }
    }

    /// The sum of all elements, as a rank-0 tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Tensor { reduced(.sum, axes: Array(0..<rank), keepingDimensions: false, name: "sum()") }

    /// Sums along `axes`; those dimensions are removed, or kept with size 1.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        reduced(.sum, axes: axes, keepingDimensions: keepingDimensions, name: "sum(alongAxes:)")
    }

    /// Sums along one axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The mean of all elements (NaN for an empty tensor, as in PyTorch).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean() -> Tensor { sum() / Scalar(count) }

    /// Means along `axes`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let a = normalizedAxes(axes, op: "mean(alongAxes:)")
        let n = a.map { shape[$0] }.reduce(1, *)
        return sum(alongAxes: a, keepingDimensions: keepingDimensions) / Scalar(n)
    }

    /// The variance along `axes`: Σ(x − mean)² / (n − correction). `correction` 1 gives the
    /// unbiased estimate (PyTorch's default), 0 the population variance.
    ///
    /// - Complexity: two passes over the data (mean first), which is stable for large means.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func variance(alongAxes axes: [Int], correction: Int = 1, keepingDimensions: Bool = false) -> Tensor {
        let a = normalizedAxes(axes, op: "variance(alongAxes:)")
        let n = a.map { shape[$0] }.reduce(1, *)
        let m = mean(alongAxes: a, keepingDimensions: true)
        let d = self - m
        return (d * d).sum(alongAxes: a, keepingDimensions: keepingDimensions) / Scalar(Swift.max(n - correction, 0))
    }

    /// The variance of all elements (see `variance(alongAxes:)`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func variance(correction: Int = 1) -> Tensor {
        variance(alongAxes: Array(0..<rank), correction: correction)
    }

    /// The largest element (NaN if any is NaN), as a rank-0 tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max() -> Tensor { reduced(.max, axes: Array(0..<rank), keepingDimensions: false, name: "Swift.max()") }
    /// The smallest element (NaN if any is NaN), as a rank-0 tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min() -> Tensor { reduced(.min, axes: Array(0..<rank), keepingDimensions: false, name: "Swift.min()") }

    /// Largest values along `axes` (NaN propagates).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        reduced(.max, axes: axes, keepingDimensions: keepingDimensions, name: "Swift.max(alongAxes:)")
    }

    /// Smallest values along `axes` (NaN propagates).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        reduced(.min, axes: axes, keepingDimensions: keepingDimensions, name: "Swift.min(alongAxes:)")
    }

    /// The largest value along `axis` and its index: the first occurrence on ties, the first NaN
    /// if there is one (as PyTorch). `indices` is in row-major order of `values`' shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> (values: Tensor, indices: [Int]) {
        extreme(alongAxis: axis, keepingDimensions: keepingDimensions, largest: true, name: "Swift.max(alongAxis:)")
    }

    /// The smallest value along `axis` and its index (see `Swift.max(alongAxis:)`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min(alongAxis axis: Int, keepingDimensions: Bool = false) -> (values: Tensor, indices: [Int]) {
        extreme(alongAxis: axis, keepingDimensions: keepingDimensions, largest: false, name: "Swift.min(alongAxis:)")
    }

    /// Indices of the largest values along `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmax(alongAxis axis: Int) -> [Int] { self.max(alongAxis: axis).indices }
    /// Indices of the smallest values along `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmin(alongAxis axis: Int) -> [Int] { self.min(alongAxis: axis).indices }

    func extreme(alongAxis axis: Int, keepingDimensions: Bool, largest: Bool, name: String) -> (values: Tensor, indices: [Int]) {
        let a = Layout.axis(axis, rank: rank, op: name, shape: shape)
        let len = shape[a]
        var outShape = shape
        outShape[a] = 1
        let outCount = outShape.reduce(1, *)
        tensorCheck(
            len > 0 || outCount == 0,
            "\(name): axis \(a) of shape \(describeShape(shape)) is empty, so it has no \(largest ? "maximum" : "minimum"). Fix: reduce a non-empty axis."
        )
        let moved = permuted((0..<rank).filter { $0 != a } + [a]).contiguous()
        let src = moved.storage.base + moved.offset
        var indices = [Int](repeating: 0, count: outCount)
        let values = Tensor(uninitializedShape: keepingDimensions ? outShape : shape.enumerated().filter { $0.offset != a }.map(\.element)) { dst in
            for r in 0..<outCount {
                let row = src + r * len
                var best = row[0]
                var bestIndex = 0
                if !best.isNaN {
                    for i in 1..<Swift.max(len, 1) {
                        let v = row[i]
                        if v.isNaN {
                            best = v
                            bestIndex = i
                            break
                        }
                        if largest ? v > best : v < best {
                            best = v
                            bestIndex = i
                        }
                    }
                }
                dst[r] = best
                indices[r] = bestIndex
            }
        }
        return (values, indices)
    }
}
