import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The safetensors format (Hugging Face), as read by `safetensors.torch.load_file`:
//
//     [8 bytes: N, UInt64 little-endian] [N bytes: UTF-8 JSON header] [data buffer]
//
// header = {"name": {"dtype": "F32", "shape": [3, 4], "data_offsets": [begin, end]}, …,
//           "__metadata__": {"key": "value", …}}          (metadata optional, strings only)
//
// Offsets are relative to the data buffer. The tensors must tile it exactly: sorted by begin,
// the first starts at 0, each starts where the previous ended, the last ends at the buffer's
// end; end − begin = product(shape) · size(dtype). Values are row-major, little-endian. The
// header may be padded with trailing spaces (writers pad it to a multiple of 8 bytes so the
// data is aligned).

/// An element type of the safetensors format.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case uint8 = "U8", int8 = "I8", float8E5M2 = "F8_E5M2", float8E4M3 = "F8_E4M3"
    case int16 = "I16", uint16 = "U16", float16 = "F16", bfloat16 = "BF16"
    case int32 = "I32", uint32 = "U32", float32 = "F32"
    case float64 = "F64", int64 = "I64", uint64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// The dtype that stores `Scalar` (F32 for Float, F64 for Double).
    public static func of<Scalar: TensorScalar>(_: Scalar.Type) -> SafeTensorsDType {
        dtype(of: Scalar.self)
    }

    static func dtype(of type: any TensorScalar.Type) -> SafeTensorsDType {
        if type == Float.self { return .float32 }
        if type == Double.self { return .float64 }
        tensorFailure("SafeTensorsDType: no safetensors dtype for \(type). Fix: use Float or Double tensors.")
    }
}

/// A safetensors file in memory: named tensors (dtype, shape, little-endian bytes) and string
/// metadata. Reading validates everything (see `init(bytes:)`); writing is atomic.
public struct SafeTensorsFile: Sendable {
    /// One tensor's entry: its dtype, shape and byte range in the data buffer.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var dtype: SafeTensorsDType
        public var shape: [Int]
        /// Byte range relative to the start of the data buffer.
        public var dataOffsets: Range<Int>
    }

    /// Largest accepted header (the reference implementation's limit): 100 MB.
    public static let maxHeaderLength: UInt64 = 100_000_000

    /// The `__metadata__` map (empty when the file has none).
    public var metadata: [String: String]
    /// The tensors in header order (reading) or in the order they were added (writing).
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]
    /// The file's bytes (when read) or the data buffer (when written); the data buffer starts at
    /// `dataStart`.
    private var storage: [UInt8] = []
    private var dataStart = 0

    /// An empty file to add tensors to.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// The entry named `name`, if any.
    public func entry(named name: String) -> Entry? {
        index[name].map { entries[$0] }
    }

    /// The little-endian bytes of the tensor named `name`, if any.
    public func bytes(of name: String) -> ArraySlice<UInt8>? {
        entry(named: name).map { storage[(dataStart + $0.dataOffsets.lowerBound)..<(dataStart + $0.dataOffsets.upperBound)] }
    }

    /// The tensor named `name` as a `Tensor<Scalar>`, or `nil` when there is no such tensor or
    /// its dtype is not `Scalar`'s (no conversion).
    public func tensor<Scalar: TensorScalar>(named name: String, as _: Scalar.Type = Scalar.self) -> Tensor<Scalar>? {
        guard let e = entry(named: name), e.dtype == .of(Scalar.self) else { return nil }
        return bytes(of: name)!.withUnsafeBytes { tensorFromLittleEndianBytes($0, shape: e.shape) }
    }

    /// Adds a tensor: `bytes` are its row-major little-endian values, `shape`'s count of `dtype`.
    /// - Throws: `CheckpointError.duplicateName`, or `.badTensor` when the byte count is wrong.
    public mutating func append(_ name: String, dtype: SafeTensorsDType, shape: [Int], bytes: some Collection<UInt8>) throws(CheckpointError) {
        guard index[name] == nil else { throw .duplicateName(name) }
        guard name != "__metadata__" else { throw .badTensor(name: name, reason: "the name is reserved for metadata") }
        let expected = try Self.byteCount(name: name, dtype: dtype, shape: shape)
        guard bytes.count == expected else {
            throw .badTensor(name: name, reason: "\(bytes.count) bytes for shape \(describeShape(shape)) of \(dtype.rawValue), expected \(expected)")
        }
        if dataStart > 0 {  // a file that was read: keep only its data buffer before appending
            storage.removeSubrange(0..<dataStart)
            dataStart = 0
        }
        let begin = storage.count
        storage.append(contentsOf: bytes)
        index[name] = entries.count
        entries.append(Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<storage.count))
    }

    /// Adds a Float or Double tensor (F32 or F64).
    public mutating func append<Scalar: TensorScalar>(_ name: String, _ tensor: Tensor<Scalar>) throws(CheckpointError) {
        try append(name, dtype: .of(Scalar.self), shape: tensor.shape, bytes: tensorLittleEndianBytes(tensor))
    }

    /// product(shape) · size(dtype), refusing negative dimensions and overflow of `Int`.
    ///
    /// The product of the nonzero dimensions must fit `Int` too, even when a zero dimension
    /// makes the tensor empty: a tensor's row-major strides are products of its trailing
    /// dimensions, so [0, 2⁶², 4] (0 bytes) would overflow them when the tensor is made.
    static func byteCount(name: String, dtype: SafeTensorsDType, shape: [Int]) throws(CheckpointError) -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw .badTensor(name: name, reason: "negative dimension \(d) in shape \(describeShape(shape))") }
            let (p, overflow) = count.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard !overflow else { throw .badTensor(name: name, reason: "shape \(describeShape(shape)) has more elements than Int can count") }
            count = p
        }
        if shape.contains(0) { count = 0 }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw .badTensor(name: name, reason: "shape \(describeShape(shape)) of \(dtype.rawValue) has more bytes than Int can count") }
        return bytes
    }

    // MARK: Reading

    /// Reads and validates a file.
    /// - Throws: `CheckpointError.fileNotFound` / `.unreadable`, or any error of `init(bytes:)`.
    public init(contentsOf url: URL) throws(CheckpointError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let contents: Data
        do {
            contents = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](contents))
    }

    /// Parses and validates the bytes of a safetensors file.
    ///
    /// Checked, in order: the 8-byte length is there; 2 ≤ N ≤ 100 MB and N ≤ bytes after it; the
    /// header is UTF-8 JSON (trailing spaces allowed) holding one object; `__metadata__`, if
    /// present, maps strings to strings; every other key maps to exactly `dtype` (a known
    /// name), `shape` (non-negative integers whose product, times the dtype size, fits `Int`)
    /// and `data_offsets` (two integers 0 ≤ begin ≤ end ≤ data size with end − begin the byte
    /// count); sorted by begin, the tensors cover the data buffer with no hole, overlap or
    /// trailing byte. Duplicate keys are refused.
    /// - Throws: `CheckpointError` naming the first problem.
    public init(bytes: [UInt8]) throws(CheckpointError) {
        guard bytes.count >= 8 else { throw .tooShort(byteCount: bytes.count) }
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }
        let available = bytes.count - 8
        guard n >= 2, n <= Self.maxHeaderLength, n <= UInt64(available) else {
            throw .badHeaderLength(n, fileSize: bytes.count)
        }
        let headerEnd = 8 + Int(n)
        let headerBytes = Array(bytes[8..<headerEnd])
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw .badHeader("not valid UTF-8") }
        guard headerBytes.first == UInt8(ascii: "{") else { throw .badHeader("does not start with '{'") }
        let json: HeaderJSON
        do {
            json = try HeaderJSON.parse(headerBytes)
        } catch {
            throw .badHeader(error.message)
        }
        guard case .object(let members) = json else { throw .badHeader("not a JSON object") }

        let dataSize = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (key, value) in members {
            if key == "__metadata__" {
                guard case .object(let pairs) = value else { throw .badHeader("__metadata__ is \(value.kindDescription), expected an object of strings") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw .badHeader("__metadata__ value for \"\(k)\" is \(v.kindDescription), expected a string") }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try Self.entry(name: key, value, dataSize: dataSize))
        }

        // The tensors must tile the data buffer: sorted by (begin, end), each starts where the
        // previous one ended.
        var position = 0
        for e in entries.sorted(by: { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }) {
            if e.dataOffsets.lowerBound < position {
                throw .badLayout("tensor \"\(e.name)\" at bytes \(e.dataOffsets.lowerBound)..<\(e.dataOffsets.upperBound) overlaps the previous tensor, which ends at \(position)")
            }
            if e.dataOffsets.lowerBound > position {
                throw .badLayout("bytes \(position)..<\(e.dataOffsets.lowerBound) of the data buffer belong to no tensor")
            }
            position = e.dataOffsets.upperBound
        }
        guard position == dataSize else {
            throw .badLayout("the tensors end at byte \(position) but the data buffer has \(dataSize) bytes")
        }

        self.metadata = metadata
        self.entries = entries
        self.storage = bytes
        self.dataStart = headerEnd
        for (i, e) in entries.enumerated() { index[e.name] = i }
    }

    private static func entry(name: String, _ value: HeaderJSON, dataSize: Int) throws(CheckpointError) -> Entry {
        guard case .object(let fields) = value else { throw .badTensor(name: name, reason: "entry is \(value.kindDescription), expected an object") }
        var dtypeValue: HeaderJSON?, shapeValue: HeaderJSON?, offsetsValue: HeaderJSON?
        for (k, v) in fields {
            switch k {
            case "dtype": dtypeValue = v
            case "shape": shapeValue = v
            case "data_offsets": offsetsValue = v
            default: throw .badTensor(name: name, reason: "unknown field \"\(k)\"")
            }
        }
        guard let dtypeValue, let shapeValue, let offsetsValue else {
            let absent = [("dtype", dtypeValue), ("shape", shapeValue), ("data_offsets", offsetsValue)].filter { $0.1 == nil }.map(\.0)
            throw .badTensor(name: name, reason: "missing field \(absent.joined(separator: ", "))")
        }
        guard case .string(let dtypeName) = dtypeValue else { throw .badTensor(name: name, reason: "dtype is \(dtypeValue.kindDescription), expected a string") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .badTensor(name: name, reason: "unknown dtype \"\(dtypeName.prefix(40))\"")
        }
        guard case .array(let dims) = shapeValue else { throw .badTensor(name: name, reason: "shape is \(shapeValue.kindDescription), expected an array of integers") }
        var shape: [Int] = []
        for d in dims {
            guard let v = d.integerValue, v >= 0 else {
                throw .badTensor(name: name, reason: "shape element is \(d.kindDescription), expected a non-negative integer that fits Int")
            }
            shape.append(v)
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw .badTensor(name: name, reason: "data_offsets is \(offsetsValue.kindDescription), expected [begin, end]")
        }
        guard let begin = offsets[0].integerValue, let end = offsets[1].integerValue, begin >= 0, end >= 0 else {
            throw .badTensor(name: name, reason: "data_offsets [\(offsets[0].kindDescription), \(offsets[1].kindDescription)] are not non-negative integers that fit Int")
        }
        guard begin <= end, end <= dataSize else {
            throw .badTensor(name: name, reason: "data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data buffer")
        }
        let expected = try byteCount(name: name, dtype: dtype, shape: shape)
        guard end - begin == expected else {
            throw .badTensor(name: name, reason: "data_offsets [\(begin), \(end)] span \(end - begin) bytes but shape \(describeShape(shape)) of \(dtype.rawValue) needs \(expected)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    // MARK: Writing

    /// The file's bytes. The header lists `__metadata__` first (when not empty, keys sorted),
    /// then the tensors in data order; the data holds the tensors ordered by element size,
    /// largest first, otherwise in the order they were added (so every tensor is aligned to its
    /// element size); the header is padded with spaces to a multiple of 8 bytes. The output is
    /// a function of the contents alone (byte-identical on every run).
    public func serialized() -> [UInt8] {
        let order = entries.indices.sorted { a, b in
            let (sa, sb) = (entries[a].dtype.byteSize, entries[b].dtype.byteSize)
            return sa != sb ? sa > sb : a < b
        }
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(HeaderJSON.quoted($0)):\(HeaderJSON.quoted(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for i in order {
            let e = entries[i]
            let end = offset + e.dataOffsets.count
            let shape = e.shape.map(String.init).joined(separator: ",")
            parts.append("\(HeaderJSON.quoted(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + storage.count - dataStart)
        var n = UInt64(header.count)
        for _ in 0..<8 {
            out.append(UInt8(truncatingIfNeeded: n))
            n >>= 8
        }
        out += header
        for i in order { out += bytes(of: entries[i].name)! }
        return out
    }

    /// Writes the file atomically: the bytes go to a temporary file in the same directory,
    /// which is flushed to disk and then renamed over `url`. On any failure the temporary file
    /// is removed and whatever was at `url` before is unchanged.
    /// - Throws: `CheckpointError.unwritable`.
    public func write(to url: URL) throws(CheckpointError) {
        try atomicWrite(serialized(), to: url, beforeRename: nil)
    }
}

/// A hook for tests: runs after the temporary file is complete, before the rename.
typealias BeforeRenameHook = () throws -> Void

/// Writes `bytes` to a temporary file beside `url`, syncs it and renames it over `url`.
func atomicWrite(_ bytes: [UInt8], to url: URL, beforeRename: BeforeRenameHook?) throws(CheckpointError) {
    let path = url.path
    let directory = url.deletingLastPathComponent().path
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    func failure(_ what: String) -> CheckpointError {
        .unwritable(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
    var closed = false
    var renamed = false
    defer {
        if !closed { close(fd) }
        if !renamed { unlink(temporary) }
    }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure("write failed")
        }
        written += n
    }
    guard fsync(fd) == 0 else { throw failure("fsync failed") }
    closed = true
    guard close(fd) == 0 else { throw failure("close failed") }
    if let beforeRename {
        do { try beforeRename() } catch { throw .unwritable(path: path, reason: "\(error)") }
    }
    guard rename(temporary, path) == 0 else { throw failure("cannot rename the temporary file into place") }
    renamed = true
    // Make the rename itself durable.
    let dfd = open(directory, O_RDONLY)
    if dfd >= 0 {
        _ = fsync(dfd)
        close(dfd)
    }
}
