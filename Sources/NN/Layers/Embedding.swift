import Autograd

/// A lookup table of `count` vectors of size `dimension` (PyTorch's `nn.Embedding`): index i
/// gives row i of "weight" [count, dimension], initialized from N(0, 1) like PyTorch.
///
///     let embed = Embedding<Float>(1000, 32)
///     let vectors = embed(indices: [[3, 14, 15], [9, 2, 6]])   // [2, 3, 32]
///
/// The gradient of each row is the sum of the gradients of its lookups (a scatter-add; the
/// lookup and the scatter-add are each other's derivative, so second derivatives work).
/// `paddingIndex`'s row starts at zero and gets no gradient, as in PyTorch. As a `Layer` it
/// takes a variable of integral values (the indices as numbers, as PyTorch takes a LongTensor)
/// and appends the dimension axis. Stops for an index outside 0..<count or a non-integral value.
/// - Complexity: O(lookups · dimension).
public final class Embedding<Scalar: TensorScalar>: Module, Layer {
    @Parameter public var weight: Variable<Scalar>
    public let count: Int
    public let dimension: Int
    public let paddingIndex: Int?

    public convenience init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil) {
        let w = ModelRandom.withGenerator { Tensor<Scalar>.randomNormal([Swift.max(count, 1), Swift.max(dimension, 1)], using: &$0) }
        self.init(weight: w, paddingIndex: paddingIndex, zeroPadding: true)
    }

    public convenience init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, using generator: inout TensorRandom) {
        let w = Tensor<Scalar>.randomNormal([Swift.max(count, 1), Swift.max(dimension, 1)], using: &generator)
        self.init(weight: w, paddingIndex: paddingIndex, zeroPadding: true)
    }

    /// From a given table [count, dimension] (PyTorch's `Embedding.from_pretrained`; the
    /// padding row is kept as given).
    public convenience init(weight: Tensor<Scalar>, paddingIndex: Int? = nil) {
        self.init(weight: weight, paddingIndex: paddingIndex, zeroPadding: false)
    }

    init(weight: Tensor<Scalar>, paddingIndex: Int?, zeroPadding: Bool) {
        tensorCheck(
            weight.rank == 2 && weight.shape[0] > 0 && weight.shape[1] > 0,
            "Embedding: a table of shape \(describeShape(weight.shape)). Fix: use count ≥ 1 vectors of dimension ≥ 1 ([count, dimension])."
        )
        let n = weight.shape[0]
        if let p = paddingIndex {
            tensorCheck(p >= -n && p < n, "Embedding: paddingIndex \(p) for \(n) vectors. Fix: use an index in \(-n)..<\(n), or nil.")
        }
        let padding = paddingIndex.map { $0 < 0 ? $0 + n : $0 }
        var w = weight
        if let padding, zeroPadding { w[padding] = [0] }
        _weight = Parameter(w)
        count = n
        dimension = weight.shape[1]
        self.paddingIndex = padding
        super.init()
    }

    public override var summaryLine: String {
        "Embedding<\(Scalar.self)>(\(count), \(dimension)" + (paddingIndex.map { ", paddingIndex: \($0)" } ?? "") + ")"
    }

    /// The vectors of `indices` (flat, with the given `shape`; default `[indices.count]`):
    /// shape + [dimension].
    public func callAsFunction(indices: [Int], shape: [Int]? = nil) -> Variable<Scalar> {
        let shape = shape ?? [indices.count]
        let y = lookup(indices, shape: shape)
        // A call with indices does not pass through `layer(x)`: run the hooks here.
        if !forwardHooks.isEmpty { runForwardHooks(Variable(Tensor(shape: shape, scalars: indices.map { Scalar($0) })), y) }
        return y
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func lookup(_ indices: [Int], shape: [Int]) -> Variable<Scalar> {
        tensorCheck(
            shape.reduce(1, *) == indices.count,
            "Embedding: \(indices.count) indices for shape \(describeShape(shape)). Fix: give as many indices as the shape holds."
        )
        for (k, i) in indices.enumerated() {
            tensorCheck(
                i >= 0 && i < count,
                "Embedding: index \(i) at position \(k) is out of range for \(count) vectors. Fix: use indices in 0..<\(count) (or a larger table)."
            )
        }
        let d = dimension
        var flat = [Int](repeating: 0, count: indices.count * d)
        for (k, i) in indices.enumerated() {
            for j in 0..<d { flat[k * d + j] = i * d + j }
        }
        let skip = paddingIndex.map { p in Set(indices.enumerated().filter { $0.element == p }.map(\.offset)) } ?? []
        let lookup = EmbeddingLookup<Scalar>(indices: flat, tableShape: [count, d], outputShape: shape + [d], skippedRows: skip, dimension: d)
        return lookup.apply(weight)
    }

    /// Nested index arrays, as PyTorch's `embedding(torch.tensor([[…], […]]))`.
    public func callAsFunction(indices: [[Int]]) -> Variable<Scalar> {
        let width = indices.first?.count ?? 0
        tensorCheck(indices.allSatisfy { $0.count == width }, "Embedding: rows of different lengths. Fix: pad every row to the same length (paddingIndex is for that).")
        return self(indices: indices.flatMap { $0 }, shape: [indices.count, width])
    }

    /// The layer form: `x` holds indices as integral numbers.
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let values = x.value.scalars
        for v in values {
            tensorCheck(
                v == v.rounded() && v.isFinite,
                "Embedding: the input holds \(v), not an index. Fix: pass indices as whole numbers (or call embedding(indices:))."
            )
        }
        return lookup(values.map { Int($0) }, shape: x.shape)
    }
}

/// The lookup: y[k] = table[indices[k]] (flat positions); derivative: scatter-add of g, except at
/// the output positions of `skippedRows` (lookups of the padding index).
struct EmbeddingLookup<Scalar: TensorScalar>: DifferentiableFunction {
    let indices: [Int]
    let tableShape: [Int]
    let outputShape: [Int]
    let skippedRows: Set<Int>
    let dimension: Int
    var name: String { "embedding" }

    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        GatherAtIndices<Scalar>(indices: indices, inputShape: tableShape, outputShape: outputShape).forward(inputs)
    }

    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        var g = gradient
        if !skippedRows.isEmpty {
            // Zero the gradient of the padding lookups before the scatter-add (a constant mask,
            // so the second derivative is masked the same way).
            var mask = [Scalar](repeating: 1, count: indices.count)
            for row in skippedRows { for j in 0..<dimension { mask[row * dimension + j] = 0 } }
            g = g * Variable(Tensor(shape: outputShape, scalars: mask))
        }
        return [ScatterAddAtIndices<Scalar>(indices: indices, inputShape: outputShape, outputShape: tableShape).apply(g)]
    }
}
