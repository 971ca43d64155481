import Foundation

/// A labelled data set in memory: features [N, F] and one integer class label per row.
///
/// Load one from CSV with `init(csvAt:…)` (or `digits(at:)` for the shipped digits file), split
/// it with `split(at:)` and iterate seeded shuffled mini-batches with `batches(size:…)`.
public struct Dataset<Scalar: TensorScalar>: Sendable {
    /// The features, shape [count, featureCount], contiguous (batches are gathered from it).
    public let features: Tensor<Scalar>
    /// The class label of each row.
    public let labels: [Int]

    /// A data set from features [N, F] and N labels.
    public init(features: Tensor<Scalar>, labels: [Int]) {
        tensorCheck(
            features.rank == 2 && features.shape[0] == labels.count,
            "Dataset: features of shape \(describeShape(features.shape)) with \(labels.count) labels. Fix: pass features [N, F] and exactly N labels.")
        self.features = features.contiguous()
        self.labels = labels
    }

    private init(contiguousFeatures: Tensor<Scalar>, labels: [Int]) {
        self.features = contiguousFeatures
        self.labels = labels
    }

    /// Number of rows (examples).
    public var count: Int { labels.count }
    /// Number of features per row.
    public var featureCount: Int { features.shape[1] }

    /// Reads a CSV file of numbers: an optional header line, then rows with the label in
    /// `labelColumn` and the features in the other columns (in order).
    ///
    /// Each feature is stored as `Scalar(value · featureScale)` (the digits are scaled by 1/16
    /// to 0…1, as in the PyTorch comparison script), and must be finite after that conversion
    /// (1e300 is a finite Double but not a finite Float). Fields may be surrounded by spaces
    /// and tabs; lines may end in "\n", "\r\n" or a lone "\r"; blank lines at the end of the
    /// file are ignored.
    ///
    /// The file is read in fixed-size chunks, twice (once to count the rows, once to parse them
    /// straight into the features tensor), so memory is the tensor plus one chunk. Only a regular
    /// file is read: a directory, a named pipe or a device is refused before any read.
    /// - Parameters:
    ///   - labelColumn: the label's 0-based column; must be ≥ 0 (a programming mistake stops).
    ///   - featureScale: must be finite (a programming mistake stops).
    ///   - classCount: when given (≥ 1), every label must lie in 0..<classCount; otherwise
    ///     labels must be non-negative.
    /// - Throws: `DataError` naming the line (counting from 1, header included), the column and
    ///   the problem.
    /// - Complexity: O(file size).
    public init(
        csvAt url: URL, hasHeader: Bool = true, labelColumn: Int = 0,
        featureScale: Double = 1, classCount: Int? = nil
    ) throws(DataError) {
        tensorCheck(
            labelColumn >= 0,
            "Dataset(csvAt:): labelColumn \(labelColumn) is negative. Fix: pass the label's 0-based column index (0 for the first column).")
        if let classCount {
            tensorCheck(
                classCount >= 1,
                "Dataset(csvAt:): classCount \(classCount) leaves no valid label. Fix: pass the number of classes (at least 1), or nil to accept any non-negative label.")
        }
        tensorCheck(
            featureScale.isFinite,
            "Dataset(csvAt:): featureScale \(featureScale) is not finite, so every feature would be. Fix: pass a finite scale (e.g. 1.0 / 16 for pixels 0…16).")
        let reader = try CSVReader(path: url.path)
        defer { reader.close() }
        let (features, labels) = try reader.parse(
            as: Scalar.self, hasHeader: hasHeader, labelColumn: labelColumn, featureScale: featureScale, classCount: classCount)
        self.init(contiguousFeatures: features, labels: labels)
    }

    /// The digits data set (`Data/digits.csv`: header, then `label,p0,…,p63` with pixels 0…16)
    /// with pixels scaled to 0…1 (÷16) and labels 0…9.
    /// - Throws: `DataError`.
    public static func digits(at url: URL) throws(DataError) -> Dataset {
        try Dataset(csvAt: url, hasHeader: true, labelColumn: 0, featureScale: 1.0 / 16, classCount: 10)
    }

    /// The digits data set shipped with Tapegrad: `Data/digits.csv` in the current directory,
    /// else in the package checkout this library was built from.
    /// - Throws: `DataError.fileNotFound` when neither exists (pass a path to `digits(at:)`).
    public static func digits() throws(DataError) -> Dataset {
        try digits(at: shippedDigitsURL())
    }

    /// Where `digits()` looks: `Data/digits.csv` here, or beside the package's sources.
    public static func shippedDigitsURL() -> URL {
        let local = URL(fileURLWithPath: "Data/digits.csv")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        // #filePath is Sources/NN/Data/Dataset.swift inside the checkout.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("Data/digits.csv")
    }

    /// The rows at `indices`, in that order.
    /// - Complexity: O(indices.count · featureCount).
    public func subset(_ indices: some Collection<Int>) -> Dataset {
        gather(Array(indices))
    }

    // One row copy per index, in a loop specialized per scalar type (this runs per mini-batch).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func gather(_ indices: [Int]) -> Dataset {
        let f = featureCount
        for i in indices {
            tensorCheck(i >= 0 && i < count, "Dataset.subset: row \(i) of a data set of \(count) rows. Fix: use indices in 0..<\(count).")
        }
        let gathered = Tensor<Scalar>(uninitializedShape: [indices.count, f]) { dst in
            features.withUnsafeBufferPointer { src in
                for (r, i) in indices.enumerated() {
                    (dst.baseAddress! + r * f).initialize(from: src.baseAddress! + i * f, count: f)
                }
            }
        }
        return Dataset(contiguousFeatures: gathered, labels: indices.map { labels[$0] })
    }

    /// The first `index` rows and the rest: `digits.split(at: 1437)` gives the conventional
    /// 1,437 training and 360 test digits.
    public func split(at index: Int) -> (train: Dataset, test: Dataset) {
        tensorCheck(index >= 0 && index <= count, "Dataset.split(at:): index \(index) for a data set of \(count) rows. Fix: split at 0...\(count).")
        return (subset(0..<index), subset(index..<count))
    }

    /// The mini-batches of one epoch: rows in an order drawn from `generator` (Fisher–Yates)
    /// when `shuffle`, in file order otherwise, cut into batches of `size`; the last batch is
    /// smaller when `size` does not divide `count` (PyTorch's `drop_last=False`). Each call
    /// draws a new order, so calling it once per epoch reshuffles.
    public func batches(size: Int, shuffle: Bool = true, generator: inout TensorRandom) -> Batches<Scalar> {
        Batches(self, order: BatchIndices(count: count, batchSize: size, shuffle: shuffle, generator: &generator))
    }

    /// `batches(size:shuffle:generator:)` with a generator seeded with `seed`.
    public func batches(size: Int, shuffle: Bool = true, seed: UInt64) -> Batches<Scalar> {
        var g = TensorRandom(seed: seed)
        return batches(size: size, shuffle: shuffle, generator: &g)
    }

    /// The features [b, F] and labels of the rows at `indices`.
    public func batch(_ indices: [Int]) -> (features: Tensor<Scalar>, labels: [Int]) {
        let s = gather(indices)
        return (s.features, s.labels)
    }
}

/// One epoch of mini-batches of a `Dataset`; each element is (features [b, F], labels).
public struct Batches<Scalar: TensorScalar>: Sequence, Sendable {
    public let dataset: Dataset<Scalar>
    /// The row indices of each batch.
    public let order: BatchIndices

    public init(_ dataset: Dataset<Scalar>, order: BatchIndices) {
        tensorCheck(order.count == dataset.count, "Batches: an order over \(order.count) rows for a data set of \(dataset.count). Fix: build the order with count: dataset.count.")
        self.dataset = dataset
        self.order = order
    }

    /// Number of batches: ⌈count / batchSize⌉.
    public var underestimatedCount: Int { order.batchCount }

    public struct Iterator: IteratorProtocol {
        let dataset: Dataset<Scalar>
        var indices: BatchIndices.Iterator
        public mutating func next() -> (features: Tensor<Scalar>, labels: [Int])? {
            indices.next().map { dataset.batch($0) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(dataset: dataset, indices: order.makeIterator()) }
}

/// The row indices of one epoch cut into batches: a permutation of 0..<count (Fisher–Yates on
/// a `TensorRandom`) or 0..<count in order, in chunks of `batchSize`, the last one possibly
/// smaller.
public struct BatchIndices: Sequence, Sendable {
    /// Number of rows.
    public let count: Int
    public let batchSize: Int
    /// Every row index once, in epoch order.
    public let permutation: [Int]

    public init(count: Int, batchSize: Int, shuffle: Bool = true, generator: inout TensorRandom) {
        tensorCheck(count >= 0 && batchSize > 0, "BatchIndices: count \(count), batch size \(batchSize). Fix: use a positive batch size and a non-negative count.")
        self.count = count
        self.batchSize = batchSize
        permutation = shuffle ? generator.permutation(count) : Array(0..<count)
    }

    public init(count: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64) {
        var g = TensorRandom(seed: seed)
        self.init(count: count, batchSize: batchSize, shuffle: shuffle, generator: &g)
    }

    /// ⌈count / batchSize⌉.
    public var batchCount: Int { (count + batchSize - 1) / batchSize }
    public var underestimatedCount: Int { batchCount }

    public struct Iterator: IteratorProtocol {
        let permutation: [Int]
        let batchSize: Int
        var start = 0
        public mutating func next() -> [Int]? {
            guard start < permutation.count else { return nil }
            let end = Swift.min(start + batchSize, permutation.count)
            defer { start = end }
            return Array(permutation[start..<end])
        }
    }

    public func makeIterator() -> Iterator { Iterator(permutation: permutation, batchSize: batchSize) }
}

extension TensorRandom {
    /// A uniform integer in 0..<n, without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextIndex(below n: Int) -> Int {
        tensorCheck(n > 0, "TensorRandom.nextIndex(below:): n = \(n). Fix: use a positive bound.")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates: for i from count−1 down to 1,
    /// swap element i with a uniform j in 0...i).
    /// - Complexity: O(count).
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        var i = count - 1
        while i > 0 {
            p.swapAt(i, nextIndex(below: i + 1))
            i -= 1
        }
        return p
    }
}
