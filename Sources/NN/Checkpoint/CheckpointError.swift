/// Why a checkpoint could not be read, written or loaded into a model. Every description is one
/// line (the command-line tool prints it as is).
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The checkpoint could not be written (the previous file, if any, is unchanged).
    case unwritable(path: String, reason: String)
    /// Fewer than the 8 bytes of the header length.
    case tooShort(byteCount: Int)
    /// The header length field is impossible for this file: 0 or 1, above the 100 MB limit, or
    /// more than the bytes that follow it.
    case badHeaderLength(UInt64, fileSize: Int)
    /// The header is not UTF-8, not JSON, or not the safetensors structure.
    case badHeader(String)
    /// One tensor entry of the header is invalid (dtype, shape, offsets).
    case badTensor(name: String, reason: String)
    /// The tensors do not tile the data buffer exactly (a hole, an overlap, trailing bytes).
    case badLayout(String)
    /// Two tensors with the same name were added to a file being written.
    case duplicateName(String)
    /// The file is valid but does not fit the model; every problem is listed.
    case mismatch(missing: [String], unexpected: [String], wrongShape: [ShapeMismatch], wrongDType: [DTypeMismatch])

    /// A tensor whose shape in the file differs from the model's.
    public struct ShapeMismatch: Equatable, Sendable, CustomStringConvertible {
        public var name: String
        public var expected: [Int]
        public var found: [Int]
        public init(name: String, expected: [Int], found: [Int]) {
            self.name = name
            self.expected = expected
            self.found = found
        }
        public var description: String { "\(name) (model \(describeShape(expected)), file \(describeShape(found)))" }
    }

    /// A tensor whose element type in the file differs from the model's (no conversion is made).
    public struct DTypeMismatch: Equatable, Sendable, CustomStringConvertible {
        public var name: String
        public var expected: SafeTensorsDType
        public var found: SafeTensorsDType
        public init(name: String, expected: SafeTensorsDType, found: SafeTensorsDType) {
            self.name = name
            self.expected = expected
            self.found = found
        }
        public var description: String { "\(name) (model \(expected.rawValue), file \(found.rawValue))" }
    }

    /// One line: control characters in names, paths and values are escaped, and the length is
    /// capped (see `oneLine`).
    public var description: String { oneLine(rawDescription) }

    private var rawDescription: String {
        switch self {
        case .fileNotFound(let path):
            return "checkpoint: no file at \(path)"
        case let .unreadable(path, reason):
            return "checkpoint: cannot read \(path): \(reason)"
        case let .unwritable(path, reason):
            return "checkpoint: cannot write \(path): \(reason) (any previous file is unchanged)"
        case .tooShort(let n):
            return "checkpoint: the file has \(n) bytes, fewer than the 8-byte header length of a safetensors file"
        case let .badHeaderLength(n, size):
            if n < 2 { return "checkpoint: header length \(n) is too short for a JSON header (file of \(size) bytes)" }
            if n > SafeTensorsFile.maxHeaderLength { return "checkpoint: header length \(n) is above the \(SafeTensorsFile.maxHeaderLength)-byte limit (not a safetensors file?)" }
            return "checkpoint: header length \(n) exceeds the \(size - 8) bytes after the length field (truncated file?)"
        case .badHeader(let what):
            return "checkpoint: invalid header: \(what)"
        case let .badTensor(name, reason):
            return "checkpoint: tensor \"\(name)\": \(reason)"
        case .badLayout(let what):
            return "checkpoint: invalid data layout: \(what)"
        case .duplicateName(let name):
            return "checkpoint: tensor \"\(name)\" added twice"
        case let .mismatch(missing, unexpected, wrongShape, wrongDType):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(describeList(missing))") }
            if !unexpected.isEmpty { parts.append("unexpected \(describeList(unexpected))") }
            if !wrongShape.isEmpty { parts.append("wrong shape \(describeList(wrongShape.map(\.description)))") }
            if !wrongDType.isEmpty { parts.append("wrong dtype \(describeList(wrongDType.map(\.description)))") }
            return "checkpoint does not match the model (nothing was loaded): " + parts.joined(separator: "; ")
        }
    }
}
