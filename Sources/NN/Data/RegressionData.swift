import Foundation

/// Rows of features with real-valued targets, for regression (`tapegrad train --task regression`).
public struct RegressionData<Scalar: TensorScalar> {
    /// [N, features].
    public let features: Tensor<Scalar>
    /// [N, targets].
    public let targets: Tensor<Scalar>

    public init(features: Tensor<Scalar>, targets: Tensor<Scalar>) {
        tensorCheck(
            features.rank == 2 && targets.rank == 2 && features.shape[0] == targets.shape[0],
            "RegressionData: features \(describeShape(features.shape)) and targets \(describeShape(targets.shape)). Fix: pass [N, features] and [N, targets] with the same N."
        )
        self.features = features.contiguous()
        self.targets = targets.contiguous()
    }

    public var count: Int { features.shape[0] }
    public var featureCount: Int { features.shape[1] }
    public var targetCount: Int { targets.shape[1] }

    /// A CSV of numbers: the last `targetCount` columns are the targets, the others the features.
    /// A first line that is not all numbers is a header. `\n`, `\r\n` and `\r` line ends.
    ///
    /// - Throws: `DataError` naming the line and column: missing file, not a regular file, no
    ///   rows, a row with another field count, a field that is not a finite number (or not
    ///   finite in the scalar type).
    public init(csvAt url: URL, targetCount: Int = 1) throws(DataError) {
        tensorCheck(targetCount >= 1, "RegressionData(csvAt:): targetCount \(targetCount). Fix: use at least 1 target column.")
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .fileNotFound(path: path) }
        guard !isDirectory.boolValue, (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw .unreadable(path: path, reason: "not UTF-8 text") }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).enumerated().map { ($0.offset + 1, $0.element) }
        while let last = lines.last, last.1.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        func fields(_ line: Substring) -> [Substring] { line.split(separator: ",", omittingEmptySubsequences: false) }
        guard let first = lines.first else { throw .empty(path: path) }
        if fields(first.1).contains(where: { Double($0.trimmingCharacters(in: .whitespaces)) == nil }) { lines.removeFirst() }
        guard let head = lines.first else { throw .empty(path: path) }
        let width = fields(head.1).count
        guard width > targetCount else { throw .noLabelColumn(path: path, labelColumn: width - targetCount - 1, fieldCount: width) }
        var x: [Scalar] = [], y: [Scalar] = []
        x.reserveCapacity(lines.count * (width - targetCount))
        for (number, line) in lines {
            let parts = fields(line)
            guard parts.count == width else { throw .wrongFieldCount(path: path, line: number, found: parts.count, expected: width) }
            for (column, field) in parts.enumerated() {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let v = Double(trimmed), v.isFinite else { throw .notANumber(path: path, line: number, column: column, field: trimmed) }
                let s = Scalar(v)
                guard s.isFinite else {
                    throw .outOfRange(path: path, line: number, column: column, field: trimmed, scalarType: "\(Scalar.self)", scale: 1)
                }
                if column < width - targetCount { x.append(s) } else { y.append(s) }
            }
        }
        self.init(
            features: Tensor(shape: [lines.count, width - targetCount], scalars: x),
            targets: Tensor(shape: [lines.count, targetCount], scalars: y))
    }

    /// A generated data set: x uniform in [−2, 2]², y = sin(x₁)·cos(x₂) + x₁²/10 + noise N(0, 0.05²),
    /// the same for the same seed (what `tapegrad train --task regression` uses without --data).
    public static func synthetic(count: Int, seed: UInt64) -> RegressionData {
        var g = TensorRandom(seed: seed)
        var x: [Scalar] = [], y: [Scalar] = []
        for _ in 0..<count {
            let a = g.nextUnitDouble() * 4 - 2, b = g.nextUnitDouble() * 4 - 2
            x += [Scalar(a), Scalar(b)]
            y.append(Scalar(sin(a) * cos(b) + a * a / 10 + 0.05 * g.nextNormal()))
        }
        return RegressionData(features: Tensor(shape: [count, 2], scalars: x), targets: Tensor(shape: [count, 1], scalars: y))
    }

    /// Rows 0..<index and index..<count.
    public func split(at index: Int) -> (train: RegressionData, test: RegressionData) {
        tensorCheck(index > 0 && index < count, "RegressionData.split(at:): \(index) of \(count) rows. Fix: split inside 1..<\(count).")
        return (RegressionData(features: features[0..<index], targets: targets[0..<index]),
                RegressionData(features: features[index...], targets: targets[index...]))
    }

    /// One epoch of mini-batches in a random order (the last one may be smaller).
    public func batches(size: Int, generator: inout TensorRandom) -> [(features: Tensor<Scalar>, targets: Tensor<Scalar>)] {
        tensorCheck(size > 0, "RegressionData.batches: size \(size). Fix: use a batch size ≥ 1.")
        let order = generator.permutation(count)
        let fx = features.scalars, ty = targets.scalars, f = featureCount, t = targetCount
        return stride(from: 0, to: count, by: size).map { start in
            let rows = order[start..<Swift.min(start + size, count)]
            return (Tensor(shape: [rows.count, f], scalars: rows.flatMap { fx[($0 * f)..<(($0 + 1) * f)] }),
                    Tensor(shape: [rows.count, t], scalars: rows.flatMap { ty[($0 * t)..<(($0 + 1) * t)] }))
        }
    }
}
