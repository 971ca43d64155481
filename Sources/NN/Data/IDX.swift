import Foundation

/// The IDX format (MNIST's files): two zero bytes, a type code, the number of dimensions, each
/// dimension as a big-endian UInt32, then the values big-endian in row-major order.
///
/// | code | values |
/// |---|---|
/// | 0x08 | unsigned bytes (MNIST's images and labels) |
/// | 0x09 | signed bytes |
/// | 0x0B | Int16 |
/// | 0x0C | Int32 |
/// | 0x0D | Float32 |
/// | 0x0E | Float64 |
public enum IDX {
    /// The shape and the values (as Double) of the IDX file at `url`.
    ///
    /// - Throws: `DataError` when there is no regular file there, or `.badIDX` naming what is
    ///   wrong: the magic bytes, an unknown type code, a header or data size that does not match
    ///   the dimensions (truncated or trailing bytes), or a non-finite float.
    /// - Complexity: O(file size).
    public static func read(_ url: URL) throws(DataError) -> (shape: [Int], values: [Double], isInteger: Bool) {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .fileNotFound(path: path) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard !isDirectory.boolValue, (attributes?[.type] as? FileAttributeType) == .typeRegular else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        func bad(_ reason: String) -> DataError { .badIDX(path: path, reason: reason) }
        guard bytes.count >= 4 else { throw bad("\(bytes.count) bytes, shorter than the 4-byte header") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw bad(String(format: "the first two bytes are 0x%02X 0x%02X, not 0x00 0x00 (the IDX magic)", bytes[0], bytes[1]))
        }
        let code = bytes[2]
        let sizes: [UInt8: Int] = [0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8]
        guard let size = sizes[code] else {
            throw bad(String(format: "type code 0x%02X is not one of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E", code))
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw bad("0 dimensions") }
        let header = 4 + 4 * rank
        guard bytes.count >= header else { throw bad("\(bytes.count) bytes, shorter than the \(header)-byte header of \(rank) dimensions") }
        var shape: [Int] = []
        var count = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let dim = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            shape.append(dim)
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Int(Int32.max) else { throw bad("dimensions \(shape)… hold more than 2³¹ values") }
            count = product
        }
        let expected = header + count * size
        guard bytes.count == expected else {
            throw bad("dimensions \(shape) of \(size)-byte values need \(expected) bytes; the file has \(bytes.count) (\(bytes.count < expected ? "truncated" : "trailing bytes"))")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress! + header
            func u32(_ i: Int) -> UInt32 {
                UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | UInt32(p[i + 3])
            }
            for i in 0..<count {
                switch code {
                case 0x08: values[i] = Double(p[i])
                case 0x09: values[i] = Double(Int8(bitPattern: p[i]))
                case 0x0B: values[i] = Double(Int16(bitPattern: UInt16(p[2 * i]) << 8 | UInt16(p[2 * i + 1])))
                case 0x0C: values[i] = Double(Int32(bitPattern: u32(4 * i)))
                case 0x0D: values[i] = Double(Float(bitPattern: u32(4 * i)))
                default: values[i] = Double(bitPattern: UInt64(u32(8 * i)) << 32 | UInt64(u32(8 * i + 4)))
                }
            }
        }
        if code >= 0x0D, let i = values.firstIndex(where: { !$0.isFinite }) {
            throw bad("value \(i) is \(values[i]), not a finite number")
        }
        return (shape, values, code <= 0x0C)
    }
}

extension Dataset {
    /// An IDX image file and its IDX label file, as MNIST ships them (`train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, after gunzip): images [N, …] flattened to N rows of features
    /// times `featureScale` (1/255 by default: pixels to 0…1), labels [N] of integers in
    /// 0..<classCount.
    ///
    /// - Throws: `DataError` for either file (see `IDX.read`), `.badIDX` when the labels are not
    ///   one integer per image or one is outside 0..<classCount, or a scaled value overflows
    ///   the scalar type. Nothing is returned half-read.
    public init(idxImages images: URL, labels: URL, featureScale: Double = 1.0 / 255, classCount: Int? = 10) throws(DataError) {
        tensorCheck(featureScale.isFinite, "Dataset(idxImages:labels:): featureScale \(featureScale) is not finite. Fix: pass a finite scale (1/255 for bytes).")
        let x = try IDX.read(images)
        let y = try IDX.read(labels)
        guard y.shape.count == 1, y.isInteger else {
            throw .badIDX(path: labels.path, reason: "labels must be one integer per image (shape [N] of an integer type); found shape \(y.shape)\(y.isInteger ? "" : " of floats")")
        }
        guard y.shape[0] == x.shape[0] else {
            throw .badIDX(path: labels.path, reason: "\(y.shape[0]) labels for \(x.shape[0]) images in \(images.path)")
        }
        let limit = classCount.map(Double.init) ?? Double.infinity
        if let i = y.values.firstIndex(where: { v in v < 0 || v >= limit }) {
            throw .badIDX(path: labels.path, reason: "label \(Int(y.values[i])) at position \(i) is outside 0..<\(classCount ?? Int.max)")
        }
        let n = x.shape[0], features = x.shape.dropFirst().reduce(1, *)
        let scaled = x.values.map { Scalar($0 * featureScale) }
        if let i = scaled.firstIndex(where: { !$0.isFinite }) {
            throw .badIDX(path: images.path, reason: "value \(x.values[i]) scaled by \(featureScale) is outside \(Scalar.self)'s range")
        }
        self.init(features: Tensor(shape: [n, features], scalars: scaled), labels: y.values.map { Int($0) })
    }
}
