import Foundation

/// Reads a CSV file of numbers for `Dataset(csvAt:…)`, in fixed-size chunks straight from the
/// file descriptor: no `String` of the file and no array of lines, so memory is the result
/// plus one chunk (a 100 MB file used to take 3 GB and 44 s through `String.split`).
///
/// Two passes: the first counts the lines (up to the last non-blank one) and the first line's
/// fields, so the features tensor is allocated once at its exact size; the second parses each
/// field into it. Lines end in "\n", "\r\n" or a lone "\r".
final class CSVReader {
    let path: String
    private let fd: Int32
    private var closed = false
    /// Bytes read per `read(2)` (1 MB; tests use tiny chunks to cross every boundary).
    let chunkSize: Int
    /// The longest line read (a file without line ends, such as a binary file, is refused
    /// instead of being buffered whole).
    static let maxLineBytes = 64 << 20

    /// Opens `path` for reading; refuses anything but a regular file before reading a byte
    /// (a FIFO would block forever, /dev/zero never ends).
    init(path: String, chunkSize: Int = 1 << 20) throws(DataError) {
        self.path = path
        self.chunkSize = Swift.max(1, chunkSize)
        switch openRegularFile(path) {
        case .success(let opened): fd = opened.fd
        case .failure(.notFound): throw .fileNotFound(path: path)
        case .failure(.failed(let reason)): throw .unreadable(path: path, reason: reason)
        }
    }

    deinit { close() }

    func close() {
        if !closed { _ = Foundation.close(fd) }
        closed = true
    }

    /// What the lines of the file look like, from one pass over it.
    struct Shape {
        /// Lines up to and including the last one with anything but spaces and tabs.
        var lineCount = 0
        /// The fields every row must have: the header's comma-separated fields, or the first
        /// row's (0 when that row is blank).
        var expectedFields = 0
        /// The first line after the first whose field count (0 when blank) differs from the
        /// first line's, and that count: a file whose lines disagree is refused before the
        /// features tensor is allocated, so its size is bounded by the file's.
        var firstMismatch: (line: Int, fields: Int)?
    }

    private func rewind() throws(DataError) {
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    private func readChunk(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// One pass: the line count, the first line's fields, and the first line that disagrees.
    func scanShape(hasHeader: Bool) throws(DataError) -> Shape {
        try rewind()
        var shape = Shape()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0  // completed lines
        var blank = true  // the current line so far
        var startedLine = false  // the current line has at least one byte
        var commas = 0  // in the current line
        var lineBytes = 0
        var afterCR = false
        func endLine() {
            lines += 1
            if !blank { shape.lineCount = lines }
            let fields = blank && commas == 0 ? 0 : commas + 1
            if lines == 1 {
                shape.expectedFields = hasHeader ? commas + 1 : fields
            } else if shape.firstMismatch == nil && fields != shape.expectedFields {
                shape.firstMismatch = (lines, fields)
            }
            blank = true
            startedLine = false
            commas = 0
            lineBytes = 0
        }
        while true {
            let n = try readChunk(into: buffer)
            if n == 0 { break }
            for i in 0..<n {
                let b = buffer[i]
                if b == 0x0A && afterCR {  // the "\n" of "\r\n": the line already ended
                    afterCR = false
                    continue
                }
                afterCR = false
                if b == 0x0A || b == 0x0D {
                    endLine()
                    afterCR = b == 0x0D
                    continue
                }
                startedLine = true
                lineBytes += 1
                if lineBytes > Self.maxLineBytes {
                    throw .unreadable(path: path, reason: "line \(lines + 1) is longer than \(Self.maxLineBytes / (1 << 20)) MB (not a CSV file?)")
                }
                if b == 0x2C { commas += 1 }
                // A line of commas only is a row of empty fields, not a blank line.
                if b != 0x20 && b != 0x09 { blank = false }
            }
        }
        if startedLine { endLine() }
        return shape
    }

    /// Calls `body` with each of the first `limit` lines (1-based number, bytes without the line
    /// end; valid only during the call).
    func forEachLine(
        limit: Int, _ body: (Int, UnsafeRawBufferPointer) throws(DataError) -> Void
    ) throws(DataError) {
        try rewind()
        var capacity = chunkSize
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0  // bytes in the buffer
        var line = 0
        var skipLF = false  // the previous chunk ended in "\r"
        var atEnd = false
        while line < limit {
            if filled == capacity {  // one line longer than the buffer: grow it
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = atEnd ? 0 : try readChunk(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { atEnd = true }
            filled += n
            var start = 0
            if skipLF && filled > 0 {
                if buffer[0] == 0x0A { start = 1 }
                skipLF = false
            }
            var i = start
            while i < filled && line < limit {
                let b = buffer[i]
                if b == 0x0A || b == 0x0D {
                    line += 1
                    try body(line, UnsafeRawBufferPointer(rebasing: buffer[start..<i]))
                    i += 1
                    if b == 0x0D {
                        if i < filled {
                            if buffer[i] == 0x0A { i += 1 }
                        } else {
                            skipLF = true
                        }
                    }
                    start = i
                    continue
                }
                i += 1
            }
            if atEnd {
                if start < filled && line < limit {  // the last line has no line end
                    line += 1
                    try body(line, UnsafeRawBufferPointer(rebasing: buffer[start..<filled]))
                }
                return
            }
            // Keep the incomplete line for the next chunk.
            let rest = filled - start
            if start > 0 && rest > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: rest)
            }
            filled = rest
        }
    }

    /// Parses the whole file into features [rows, fields − 1] and labels.
    func parse<Scalar: TensorScalar>(
        as _: Scalar.Type, hasHeader: Bool, labelColumn: Int, featureScale: Double, classCount: Int?
    ) throws(DataError) -> (Tensor<Scalar>, [Int]) {
        let shape = try scanShape(hasHeader: hasHeader)
        let first = hasHeader ? 1 : 0
        guard shape.lineCount > first else { throw .empty(path: path) }
        let rowCount = shape.lineCount - first
        let expected = shape.expectedFields
        if !hasHeader && expected == 0 {
            throw .wrongFieldCount(path: path, line: 1, found: 0, expected: shape.firstMismatch?.fields ?? labelColumn + 1)
        }
        if expected >= 1 && labelColumn >= expected {
            throw .noLabelColumn(path: path, labelColumn: labelColumn, fieldCount: expected)
        }
        // Rows that disagree are refused before the tensor is allocated: rows × fields is then
        // bounded by the file's size (a 300 KB file could otherwise ask for 40 GB).
        if let (line, fields) = shape.firstMismatch, line <= shape.lineCount {
            throw .wrongFieldCount(path: path, line: line, found: fields, expected: Swift.max(expected, labelColumn + 1))
        }
        let featureCount = Swift.max(expected - 1, 0)
        var labels: [Int] = []
        labels.reserveCapacity(rowCount)
        var failure: DataError?
        let features = Tensor<Scalar>(uninitializedShape: [rowCount, featureCount]) { out in
            do throws(DataError) {
                var row = 0
                try forEachLine(limit: shape.lineCount) { (line, bytes) throws(DataError) in
                    if line <= first { return }
                    let label = try parseRow(
                        bytes, line: line, expected: expected, labelColumn: labelColumn, featureScale: featureScale,
                        classCount: classCount, into: out.baseAddress! + row * featureCount)
                    labels.append(label)
                    row += 1
                }
                if row != rowCount {
                    // The file changed between the two passes.
                    throw DataError.unreadable(path: path, reason: "the file changed while it was read")
                }
            } catch {
                failure = error  // the tensor (of a trivial type) is dropped unread
            }
        }
        if let failure { throw failure }
        return (features, labels)
    }

    /// Parses one data row: checks its field count, parses the label and writes the features.
    private func parseRow<Scalar: TensorScalar>(
        _ bytes: UnsafeRawBufferPointer, line: Int, expected: Int, labelColumn: Int, featureScale: Double,
        classCount: Int?, into out: UnsafeMutablePointer<Scalar>
    ) throws(DataError) -> Int {
        // Field boundaries: count commas first (cheap), then walk.
        var commas = 0
        var blank = true
        for b in bytes {
            if b == 0x2C { commas += 1 } else if b != 0x20 && b != 0x09 { blank = false }
        }
        let found = commas == 0 && blank ? 0 : commas + 1
        guard found == expected, found >= 1, labelColumn < found else {
            throw .wrongFieldCount(path: path, line: line, found: found, expected: Swift.max(expected, labelColumn + 1))
        }
        var label = 0
        var column = 0
        var start = 0
        var written = 0
        let n = bytes.count
        while column < found {
            var end = start
            while end < n && bytes[end] != 0x2C { end += 1 }
            // Trim spaces and tabs.
            var a = start
            var b = end
            while a < b && (bytes[a] == 0x20 || bytes[a] == 0x09) { a += 1 }
            while b > a && (bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09) { b -= 1 }
            let field = UnsafeRawBufferPointer(rebasing: bytes[a..<b])
            if column == labelColumn {
                guard let value = parseInteger(field) else {
                    throw .badLabel(path: path, line: line, field: text(field), reason: "is not an integer")
                }
                if let classCount {
                    guard (0..<classCount).contains(value) else {
                        throw .badLabel(path: path, line: line, field: text(field), reason: "is outside 0..<\(classCount)")
                    }
                } else if value < 0 {
                    throw .badLabel(path: path, line: line, field: text(field), reason: "is negative")
                }
                label = value
            } else {
                guard let value = parseDouble(field), value.isFinite else {
                    throw .notANumber(path: path, line: line, column: column + 1, field: text(field))
                }
                // Finite as a Double is not enough: the stored value must be finite too.
                let scaled = Scalar(value * featureScale)
                guard scaled.isFinite else {
                    throw .outOfRange(
                        path: path, line: line, column: column + 1, field: text(field),
                        scalarType: "\(Scalar.self)", scale: featureScale)
                }
                out[written] = scaled
                written += 1
            }
            column += 1
            start = end + 1
        }
        return label
    }

    private func text(_ field: UnsafeRawBufferPointer) -> String {
        String(decoding: field.prefix(80), as: UTF8.self)
    }
}

/// Why `openRegularFile` failed.
enum RegularFileFailure: Error {
    case notFound
    /// Not readable, or not a regular file: the reason for a message.
    case failed(String)
}

/// Opens `path` for reading, refusing anything but a regular file before a byte is read (a
/// FIFO would block forever, /dev/zero never ends): the descriptor and the file's size. Shared
/// by the CSV reader and the checkpoint reader.
func openRegularFile(_ path: String) -> Result<(fd: Int32, size: Int), RegularFileFailure> {
    // O_NONBLOCK: opening a FIFO without a writer must not block; it changes nothing for a
    // regular file, which is all that is read.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
        let code = errno
        return .failure(code == ENOENT ? .notFound : .failed(String(cString: strerror(code))))
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
        let reason = String(cString: strerror(errno))
        _ = close(fd)
        return .failure(.failed(reason))
    }
    if let kind = nonRegularKind(info.st_mode) {
        _ = close(fd)
        return .failure(.failed(kind))
    }
    return .success((fd, Int(info.st_size)))
}

/// The kind of a file that is not a regular one, for messages ("a directory", "not a regular
/// file (a named pipe)"), or nil for a regular file.
func nonRegularKind(_ mode: mode_t) -> String? {
    switch mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "is a directory"
    case S_IFIFO: return "not a regular file (a named pipe)"
    case S_IFCHR: return "not a regular file (a character device)"
    case S_IFBLK: return "not a regular file (a block device)"
    case S_IFSOCK: return "not a regular file (a socket)"
    default: return "not a regular file"
    }
}

/// An optionally signed decimal integer, nothing else; nil on overflow.
func parseInteger(_ field: UnsafeRawBufferPointer) -> Int? {
    var i = 0
    var negative = false
    if i < field.count && (field[i] == 0x2B || field[i] == 0x2D) {
        negative = field[i] == 0x2D
        i += 1
    }
    guard i < field.count else { return nil }
    var value = 0
    while i < field.count {
        let d = Int(field[i]) - 0x30
        guard d >= 0 && d <= 9 else { return nil }
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
        guard !o1 && !o2 else { return nil }
        value = s
        i += 1
    }
    return value
}

/// Powers of ten that are exact Doubles (10^0 … 10^22).
private let exactPowersOfTen: [Double] = (0...22).map { e in
    var p = 1.0
    for _ in 0..<e { p *= 10 }
    return p
}

/// A decimal number, correctly rounded. Plain decimals of at most 15 significant digits
/// ("12", "-0.375") take a fast path: the digits as an integer (exact in a Double) divided
/// by an exact power of ten is one correctly rounded operation (Clinger's fast path).
/// Everything else (exponents, long mantissas, "inf", "nan", hexadecimal) goes to `strtod`, the
/// same function Swift's `Double(String)` uses.
func parseDouble(_ field: UnsafeRawBufferPointer) -> Double? {
    let n = field.count
    guard n > 0 else { return nil }
    var i = 0
    var negative = false
    if field[0] == 0x2B || field[0] == 0x2D {
        negative = field[0] == 0x2D
        i = 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var fraction = 0
    var seenPoint = false
    var fast = i < n
    while i < n && fast {
        let b = field[i]
        if b >= 0x30 && b <= 0x39 {
            if mantissa > 0 || b != 0x30 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(b - 0x30)
            if seenPoint { fraction += 1 }
        } else if b == 0x2E && !seenPoint {
            seenPoint = true
        } else {
            fast = false
        }
        i += 1
    }
    // "." or "-" alone, or a lone point without digits, is not a number: leave it to strtod.
    if fast && digits <= 15 && fraction <= 22 && n > (seenPoint ? 1 : 0) + (field[0] == 0x2B || field[0] == 0x2D ? 1 : 0) {
        let v = Double(mantissa) / exactPowersOfTen[fraction]
        return negative ? -v : v
    }
    // strtod would skip leading white space (\v, \f) that Double(String) refuses.
    if field[0] <= 0x20 { return nil }
    // strtod needs a NUL-terminated copy.
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
        for j in 0..<n { buf[j] = CChar(bitPattern: field[j]) }
        buf[n] = 0
        var end: UnsafeMutablePointer<CChar>?
        let v = strtod(buf.baseAddress!, &end)
        guard let end, end == buf.baseAddress! + n else { return nil }
        return v
    }
}
