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
    /// Entry positions by name, compared byte for byte: "café" and "cafe\u{301}" are two
    /// names (Swift's `String ==` would call them equal).
    private var index: [ByteKey: Int] = [:]
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
        index[ByteKey(name)].map { entries[$0] }
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
        guard index[ByteKey(name)] == nil else { throw .duplicateName(name) }
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
        index[ByteKey(name)] = entries.count
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
    ///
    /// The header is read and validated first (8 bytes of length, then the header itself, checked
    /// against the file's size), so a file that is not a safetensors file is refused after
    /// reading a few bytes, whatever its size; only then is the file read, once, into memory
    /// (one copy of its bytes). Only a regular file is read: a directory, a named pipe or a
    /// device is refused before any read.
    /// - Throws: `CheckpointError.fileNotFound` / `.unreadable`, or any error of `init(bytes:)`.
    public init(contentsOf url: URL) throws(CheckpointError) {
        try self.init(contentsOf: url, beforeReadingData: nil)
    }

    /// `init(contentsOf:)` with a check of the validated header's entries that runs before the
    /// data is read (`Module.load(from:)` matches them against the model there, so a file for
    /// another model is refused without reading its data, and what is read is at most the
    /// model's size).
    init(
        contentsOf url: URL, beforeReadingData check: ((_ entries: [Entry]) throws(CheckpointError) -> Void)?
    ) throws(CheckpointError) {
        let path = url.path
        let fd: Int32, fileSize: Int
        switch openRegularFile(path) {
        case .success(let opened): (fd, fileSize) = opened
        case .failure(.notFound): throw .fileNotFound(path: path)
        case .failure(.failed(let reason)): throw .unreadable(path: path, reason: reason)
        }
        defer { close(fd) }

        /// Reads `count` bytes at file offset `offset` into a new array.
        func readFully(count: Int, at offset: Int) throws(CheckpointError) -> [UInt8] {
            var failure: CheckpointError?
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                var done = 0
                while done < count {
                    let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = .unreadable(path: path, reason: String(cString: strerror(errno)))
                        break
                    }
                    if n == 0 {
                        failure = .unreadable(path: path, reason: "the file became shorter while it was read")
                        break
                    }
                    done += n
                }
                if done < count { buffer.baseAddress!.advanced(by: done).initialize(repeating: 0, count: count - done) }
                initialized = count
            }
            if let failure { throw failure }
            return bytes
        }

        guard fileSize >= 8 else { throw .tooShort(byteCount: fileSize) }
        let n = Self.headerLength(try readFully(count: 8, at: 0))
        try Self.checkHeaderLength(n, fileSize: fileSize)
        let headerEnd = 8 + Int(n)
        // Validate the header against the data size before reading the data.
        let (metadata, entries) = try Self.parseHeader(try readFully(count: Int(n), at: 8), dataSize: fileSize - headerEnd)
        try check?(entries)
        let storage = try readFully(count: fileSize, at: 0)
        self.metadata = metadata
        self.entries = entries
        self.storage = storage
        self.dataStart = headerEnd
        for (i, e) in entries.enumerated() { index[ByteKey(e.name)] = i }
    }

    static func headerLength(_ bytes: some Collection<UInt8>) -> UInt64 {
        var n: UInt64 = 0
        for b in bytes.prefix(8).reversed() { n = n << 8 | UInt64(b) }
        return n
    }

    static func checkHeaderLength(_ n: UInt64, fileSize: Int) throws(CheckpointError) {
        guard n >= 2, n <= Self.maxHeaderLength, n <= UInt64(fileSize - 8) else {
            throw .badHeaderLength(n, fileSize: fileSize)
        }
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
        let n = Self.headerLength(bytes)
        try Self.checkHeaderLength(n, fileSize: bytes.count)
        let headerEnd = 8 + Int(n)
        let (metadata, entries) = try Self.parseHeader(Array(bytes[8..<headerEnd]), dataSize: bytes.count - headerEnd)
        self.metadata = metadata
        self.entries = entries
        self.storage = bytes
        self.dataStart = headerEnd
        for (i, e) in entries.enumerated() { index[ByteKey(e.name)] = i }
    }

    /// Parses and validates a header for a data buffer of `dataSize` bytes (see `init(bytes:)`).
    static func parseHeader(_ headerBytes: [UInt8], dataSize: Int) throws(CheckpointError) -> (metadata: [String: String], entries: [Entry]) {
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw .badHeader("not valid UTF-8") }
        guard headerBytes.first == UInt8(ascii: "{") else { throw .badHeader("does not start with '{'") }
        let json: HeaderJSON
        do {
            json = try HeaderJSON.parse(headerBytes)
        } catch {
            throw .badHeader(error.message)
        }
        guard case .object(let members) = json else { throw .badHeader("not a JSON object") }

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
        return (metadata, entries)
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

    /// Writes the file atomically (`AtomicFile.write`): the bytes go to a temporary file in the
    /// same directory, which is flushed to disk and then renamed over `url` (over the file a
    /// symbolic link points to, keeping that file's permissions). On any failure the temporary
    /// file is removed and whatever was at `url` before is unchanged.
    /// - Throws: `CheckpointError.unwritable`.
    public func write(to url: URL) throws(CheckpointError) {
        try atomicWrite(serialized(), to: url, beforeRename: nil)
    }
}

/// A hook for tests: runs after the temporary file is complete, before the rename.
typealias BeforeRenameHook = () throws -> Void

/// Writes `bytes` atomically (`AtomicFile`), reporting a failure as a `CheckpointError`.
func atomicWrite(_ bytes: [UInt8], to url: URL, beforeRename: BeforeRenameHook?) throws(CheckpointError) {
    do {
        try AtomicFile.write(bytes, to: url, beforeRename: beforeRename)
    } catch {
        throw .unwritable(path: error.path, reason: error.reason)
    }
}

/// A name compared and hashed by its UTF-8 bytes, not by Unicode canonical equivalence:
/// checkpoint names are byte strings in the safetensors format (Python compares them so), and
/// two names that differ only in normalization are two names.
struct ByteKey: Hashable, Comparable {
    let bytes: [UInt8]
    init(_ s: String) { bytes = Array(s.utf8) }
    static func < (a: ByteKey, b: ByteKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
