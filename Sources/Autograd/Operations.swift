/// The differentiable operations on variables: each computes the tensor result and records a
/// node (see `Primitive` for the derivatives).
extension Variable {
    /// Wraps `value`, recording `primitive` when gradients are on and an input needs one.
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func record(_ value: Tensor<Scalar>, _ inputs: [Variable], _ primitive: () -> Primitive<Scalar>) -> Variable {
        guard inputs.contains(where: { $0.node != nil }), GradientMode.isEnabled else {
            return Variable(value: value, node: nil)
        }
        let edges = inputs.map { Edge(node: $0.node, shape: $0.value.shape) }
        let node = Node(primitive(), first: edges[0], second: edges.count > 1 ? edges[1] : nil, more: Array(edges.dropFirst(2)), shape: value.shape)
        return Variable(value: value, node: node)
    }

    /// Records a two-input primitive without building an array.
    @usableFromInline @inline(__always)
    static func record(_ value: Tensor<Scalar>, _ a: Variable, _ b: Variable, _ primitive: () -> Primitive<Scalar>) -> Variable {
        guard a.node != nil || b.node != nil, GradientMode.isEnabled else { return Variable(value: value, node: nil) }
        let node = Node(primitive(), first: Edge(node: a.node, shape: a.value.shape), second: Edge(node: b.node, shape: b.value.shape), shape: value.shape)
        return Variable(value: value, node: node)
    }

    @usableFromInline @inline(__always)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func record(_ value: Tensor<Scalar>, _ input: Variable, _ primitive: () -> Primitive<Scalar>) -> Variable {
        guard let n = input.node, GradientMode.isEnabled else { return Variable(value: value, node: nil) }
        return Variable(value: value, node: Node(primitive(), first: Edge(node: n, shape: input.value.shape), shape: value.shape))
    }

    // MARK: Arithmetic (broadcasting)

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Variable, b: Variable) -> Variable { record(a.value + b.value, a, b) { .add } }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (a: Variable, b: Variable) -> Variable { record(a.value - b.value, a, b) { .subtract } }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Variable, b: Variable) -> Variable {
        record(a.value * b.value, a, b) { .multiply(Saved(a), Saved(b)) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (a: Variable, b: Variable) -> Variable {
        record(a.value / b.value, a, b) { .divide(Saved(a), Saved(b)) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static prefix func - (a: Variable) -> Variable { record(-a.value, a) { .negate } }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    /// scale·x + shift, recorded as one primitive.
    public func affine(scale: Scalar, shift: Scalar) -> Variable {
        let v: Tensor<Scalar>
        if shift == 0 {
            v = scale == 1 ? value : value * scale
        } else {
            v = scale == 1 ? value + shift : (scale == -1 ? shift - value : value * scale + shift)
        }
        return Variable.record(v, self) { .affine(scale: scale, shift: shift) }
    }

    public static func + (a: Variable, b: Scalar) -> Variable { a.affine(scale: 1, shift: b) }
    public static func - (a: Variable, b: Scalar) -> Variable { a.affine(scale: 1, shift: -b) }
    public static func * (a: Variable, b: Scalar) -> Variable { a.affine(scale: b, shift: 0) }
    /// x / c; kept as a division (not x · (1/c)) so results match the tensor operation exactly.
    public static func / (a: Variable, b: Scalar) -> Variable { a / Variable(b) }
    public static func + (a: Scalar, b: Variable) -> Variable { b.affine(scale: 1, shift: a) }
    public static func - (a: Scalar, b: Variable) -> Variable { b.affine(scale: -1, shift: a) }
    public static func * (a: Scalar, b: Variable) -> Variable { b.affine(scale: a, shift: 0) }
    public static func / (a: Scalar, b: Variable) -> Variable { Variable(a) / b }

    public static func += (a: inout Variable, b: Variable) { a = a.inPlace("+=") + b }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func -= (a: inout Variable, b: Variable) { a = a.inPlace("-=") - b }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func *= (a: inout Variable, b: Variable) { a = a.inPlace("*=") * b }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func /= (a: inout Variable, b: Variable) { a = a.inPlace("/=") / b }

    /// In-place arithmetic on a leaf that requires a gradient would change the value the
    /// gradient is taken at; it stops instead (as PyTorch). Elsewhere the operation is recorded
    /// like its out-of-place form, and copy-on-write keeps every saved tensor intact.
    func inPlace(_ op: String) -> Variable {
        tensorCheck(
            !(isLeaf && requiresGradient && GradientMode.isEnabled),
            "\(op): in-place operation on a leaf of shape \(describeShape(shape)) that requires a gradient. Fix: write x = x + y to make a new variable, or update parameters inside withoutGradients (or with assign(_:))."
        )
        return self
    }

    // MARK: Unary math
    // (sigmoid, tanh and abs are activation rules, in Rules/.)

    /// e^x; derivative e^x (from the output).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func exp() -> Variable {
        let y = value.exp()
        return Variable.record(y, self) { .exp(SavedOutput(y)) }
    }
    /// e^x − 1; derivative y + 1.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func expm1() -> Variable {
        let y = value.expm1()
        return Variable.record(y, self) { .expm1(SavedOutput(y)) }
    }
    /// log x; derivative 1/x.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log() -> Variable { Variable.record(value.log(), self) { .log(Saved(self)) } }
    /// log(1 + x); derivative 1/(1 + x).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log1p() -> Variable { Variable.record(value.log1p(), self) { .log1p(Saved(self)) } }
    /// √x; derivative 1/(2y).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sqrt() -> Variable {
        let y = value.sqrt()
        return Variable.record(y, self) { .sqrt(SavedOutput(y)) }
    }
    /// erf x; derivative 2/√π · e^(−x²).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func erf() -> Variable { Variable.record(value.erf(), self) { .erf(Saved(self)) } }
    /// x^p; derivative p·x^(p−1).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func pow(_ p: Scalar) -> Variable { Variable.record(value.pow(p), self) { .power(Saved(self), exponent: p) } }
    /// x².
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squared() -> Variable { self * self }
    /// clamp(x, lower, upper); derivative 1 on [lower, upper], 0 outside (as PyTorch).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func clamped(to range: ClosedRange<Scalar>) -> Variable {
        Variable.record(value.clamped(to: range), self) {
            .clamp(Saved(self), lower: range.lowerBound, upper: range.upperBound)
        }
    }
    /// Elementwise maximum; at ties each input gets half the gradient.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func maximum(_ a: Variable, _ b: Variable) -> Variable {
        record(Tensor.maximum(a.value, b.value), a, b) { .maximum(Saved(a), Saved(b)) }
    }
    /// Elementwise minimum; at ties each input gets half the gradient.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func minimum(_ a: Variable, _ b: Variable) -> Variable {
        record(Tensor.minimum(a.value, b.value), a, b) { .minimum(Saved(a), Saved(b)) }
    }

    // MARK: Reductions

    /// The sum of all elements (rank 0).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Variable {
        let shape = self.shape
        return Variable.record(value.sum(), self) { .sum(axes: Array(0..<shape.count), keepingDimensions: false, inputShape: shape) }
    }
    /// Sums along `axes`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Variable {
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        let shape = self.shape
        return Variable.record(value.sum(alongAxes: axes, keepingDimensions: keepingDimensions), self) {
            .sum(axes: normalized, keepingDimensions: keepingDimensions, inputShape: shape)
        }
    }
    /// The mean of all elements.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean() -> Variable { sum() / Scalar(value.count) }
    /// Means along `axes`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Variable {
        for axis in axes {
            tensorCheck(
                axis >= -rank && axis < rank,
                "mean(alongAxes:): axis \(axis) is out of range for a tensor of rank \(rank), shape \(describeShape(shape)). Fix: use an axis in \(-rank)..<\(rank) (negative axes count from the end).")
        }
        let n = axes.map { shape[$0 < 0 ? $0 + rank : $0] }.reduce(1, *)
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Scalar(n)
    }
    /// The largest values along `axis` and their indices; the gradient goes to the first
    /// maximum of each row (the index returned).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> (values: Variable, indices: [Int]) {
        let a = axis < 0 ? axis + rank : axis
        let (_, indices) = value.max(alongAxis: a, keepingDimensions: true)
        // One-hot mask of the arg-max along the axis, then a masked sum: differentiable by
        // construction, so double backward works.
        let moved = (0..<rank).filter { $0 != a } + [a]
        let rows = indices.count
        let len = shape[a]
        var mask = [Scalar](repeating: 0, count: rows * len)
        for (r, i) in indices.enumerated() { mask[r * len + i] = 1 }
        var movedShape = moved.map { shape[$0] }
        movedShape[movedShape.count - 1] = len
        var inverse = [Int](repeating: 0, count: rank)
        for (i, m) in moved.enumerated() { inverse[m] = i }
        let maskTensor = Tensor(shape: movedShape, scalars: mask).permuted(inverse)
        // select, not multiply: x·0 is NaN for an infinite x that is not the maximum. The other
        // places hold −0, which adds exactly (x + (−0) = x, −0 included), so the row's sum is
        // the maximum bit for bit.
        let values = Variable.select(maskTensor, self, Variable(Tensor(shape: shape, repeating: -0.0)))
            .sum(alongAxes: [a], keepingDimensions: keepingDimensions)
        return (values, indices)
    }

    // MARK: Matrix product

    /// The matrix product with `Tensor.matmul` semantics (batch broadcasting, vectors).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func matmul(_ a: Variable, _ b: Variable, transposingA: Bool = false, transposingB: Bool = false) -> Variable {
        if a.rank == 1 || b.rank == 1 {
            // Vectors become matrices for the primitive, and the extra axis is removed after.
            let x = a.rank == 1 ? a.unsqueezed(axis: 0) : a
            let y = b.rank == 1 ? b.unsqueezed(axis: 1) : b
            var r = matmul(x, y, transposingA: transposingA, transposingB: transposingB)
            if a.rank == 1 { r = r.squeezed(axis: r.rank - 2) }
            if b.rank == 1 { r = r.squeezed(axis: r.rank - 1) }
            return r
        }
        return record(Tensor.matmul(a.value, b.value, transposingA: transposingA, transposingB: transposingB), a, b) {
            .matmul(Saved(a), Saved(b), transposingA: transposingA, transposingB: transposingB)
        }
    }

    /// `matmul(self, other)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Variable) -> Variable { Variable.matmul(self, other) }

    // MARK: Views and joining

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reshaped(to newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable.record(value.reshaped(to: newShape), self) { .reshape(inputShape: shape) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func flattened() -> Variable { reshaped(to: [value.count]) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func permuted(_ axes: [Int]) -> Variable {
        let r = value.permuted(axes)
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        return Variable.record(r, self) { .permute(normalized) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed() -> Variable { permuted(Array((0..<rank).reversed())) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed(_ a: Int, _ b: Int) -> Variable {
        _ = value.transposed(a, b)  // axis checks with their messages (a view: no copy)
        var axes = Array(0..<rank)
        axes.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
        return permuted(axes)
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sliced(alongAxis axis: Int, from start: Int = 0, to end: Int? = nil, by step: Int = 1) -> Variable {
        let r = value.sliced(alongAxis: axis, from: start, to: end, by: step)
        let a = axis < 0 ? axis + rank : axis
        // The clamped start, recovered from the view's offset, for the gradient's placement.
        let size = shape[a]
        let s = Swift.min(Swift.max(start < 0 ? start + size : start, 0), size)
        let shape = self.shape
        return Variable.record(r, self) { .slice(axis: a, start: s, step: step, inputShape: shape) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Variable {
        sliced(alongAxis: axis, from: range.lowerBound, to: range.upperBound)
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func selecting(_ index: Int, alongAxis axis: Int = 0) -> Variable {
        _ = value.selecting(index, alongAxis: axis)  // axis and bounds checks with their messages
        let a = axis < 0 ? axis + rank : axis
        let i = index < 0 ? index + shape[a] : index
        return sliced(alongAxis: a, from: i, to: i + 1).squeezed(axis: a)
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func expanded(to newShape: [Int]) -> Variable { Variable.record(value.expanded(to: newShape), self) { .expand } }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squeezed(axis: Int) -> Variable {
        let shape = self.shape
        return Variable.record(value.squeezed(axis: axis), self) { .reshape(inputShape: shape) }
    }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func unsqueezed(axis: Int) -> Variable {
        let shape = self.shape
        return Variable.record(value.unsqueezed(axis: axis), self) { .reshape(inputShape: shape) }
    }

    /// The inverse of slicing: zeros of `shape` holding `source` at the slice (differentiable).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func scatteringSlice(_ source: Variable, into shape: [Int], alongAxis axis: Int, from start: Int, by step: Int = 1) -> Variable {
        record(Tensor.scatteringSlice(source.value, into: shape, alongAxis: axis, from: start, by: step), source) {
            .scatterSlice(axis: axis, start: start, step: step)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func concatenate(_ parts: [Variable], alongAxis axis: Int = 0) -> Variable {
        let r = Tensor.concatenate(parts.map(\.value), alongAxis: axis)
        let a = axis < 0 ? axis + r.rank : axis
        return record(r, parts) { .concatenate(axis: a, sizes: parts.map { $0.shape[a] }) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func stack(_ parts: [Variable], alongAxis axis: Int = 0) -> Variable {
        concatenate(parts.map { $0.unsqueezed(axis: axis) }, alongAxis: axis)
    }

    /// `a` where `condition` is non-zero, `b` elsewhere (the condition is a constant).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func select(_ condition: Tensor<Scalar>, _ a: Variable, _ b: Variable) -> Variable {
        record(Tensor.select(condition, a.value, b.value), a, b) { .select(condition: condition) }
    }

    /// Sums this gradient-shaped variable down to `shape` (the engine's un-broadcast).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func summed(toShape target: [Int]) -> Variable {
        let lead = rank - target.count
        var axes = Array(0..<Swift.max(lead, 0))
        for i in 0..<target.count where target[i] == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        let s = axes.isEmpty ? self : sum(alongAxes: axes, keepingDimensions: true)
        return s.shape == target ? s : s.reshaped(to: target)
    }
}

extension Variable: CustomStringConvertible {
    public var description: String {
        "Variable(requiresGradient: \(requiresGradient)\(node.map { $0.isLeaf ? "" : ", op: \($0.name)" } ?? "")) " + value.description
    }
}
