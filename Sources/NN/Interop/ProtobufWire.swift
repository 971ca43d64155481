// The protobuf binary wire format (https://protobuf.dev/programming-guides/encoding/): what a
// `.caffemodel` is and what an `.onnx` file is. A small writer and a bounds-checked reader,
// shared by the Caffe import and the ONNX export; no generated code, no dependency.

/// Why protobuf bytes could not be read: always a typed error, never a trap.
public struct ProtobufError: Error, Equatable, CustomStringConvertible {
    /// The byte offset where reading failed.
    public let offset: Int
    public let reason: String

    public var description: String { "protobuf: byte \(offset): \(reason)" }
}

/// A protobuf wire type.
public enum ProtobufWireType: UInt8, Sendable {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
}

/// Writes protobuf fields into `bytes`, in the order given.
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    mutating func rawVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ type: ProtobufWireType) {
        tensorCheck(field > 0 && field < 1 << 29, "ProtobufWriter: field number \(field). Fix: use a field number in 1..<2²⁹.")
        rawVarint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// An integer field (int32/int64/uint/bool/enum); negative values take ten bytes, as protobuf's
    /// int64 encoding does.
    public mutating func varint(_ field: Int, _ value: Int64) {
        key(field, .varint)
        rawVarint(UInt64(bitPattern: value))
    }

    public mutating func bool(_ field: Int, _ value: Bool) { varint(field, value ? 1 : 0) }

    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    public mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        rawVarint(UInt64(value.count))
        bytes += value
    }

    public mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }

    /// A nested message.
    public mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytesField(field, inner.bytes)
    }

    /// A packed repeated float field (one length-delimited run of little-endian floats).
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload += $0 } }
        bytesField(field, payload)
    }

    /// A packed repeated integer field.
    public mutating func packedVarints(_ field: Int, _ values: [Int64]) {
        var inner = ProtobufWriter()
        for v in values { inner.rawVarint(UInt64(bitPattern: v)) }
        bytesField(field, inner.bytes)
    }
}

/// One field as read: its number, wire type and payload (the value for varint and fixed
/// types, the bytes for length-delimited ones).
public struct ProtobufField {
    public let number: Int
    public let type: ProtobufWireType
    /// varint, fixed32 and fixed64: the raw 64-bit value.
    public let value: UInt64
    /// length-delimited: the bytes.
    public let payload: ArraySlice<UInt8>
    /// Where the field starts, for error messages.
    public let offset: Int

    public var int64: Int64 { Int64(bitPattern: value) }
    public var float: Float { Float(bitPattern: UInt32(truncatingIfNeeded: value)) }
    public var double: Double { Double(bitPattern: value) }
    public var string: String { String(decoding: payload, as: UTF8.self) }
}

/// Reads the fields of one message, checking every length against the bytes there are.
public enum ProtobufReader {
    /// The fields of `bytes`, in order. Nested messages are read by calling this on a field's
    /// payload.
    /// - Throws: `ProtobufError` for a varint longer than ten bytes, a field number 0, an
    ///   unknown or group wire type, or a length or fixed value past the end.
    public static func fields(_ bytes: ArraySlice<UInt8>) throws(ProtobufError) -> [ProtobufField] {
        var out: [ProtobufField] = []
        var i = bytes.startIndex
        func varint() throws(ProtobufError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            let start = i
            while true {
                guard i < bytes.endIndex else { throw ProtobufError(offset: start, reason: "a varint runs past the end (truncated data)") }
                let b = bytes[i]
                i += 1
                guard shift < 64 else { throw ProtobufError(offset: start, reason: "a varint longer than 10 bytes") }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while i < bytes.endIndex {
            let start = i
            let key = try varint()
            let number = Int(key >> 3)
            guard number > 0, number < 1 << 29 else { throw ProtobufError(offset: start, reason: "field number \(number) is not valid") }
            guard let type = ProtobufWireType(rawValue: UInt8(key & 7)) else {
                throw ProtobufError(offset: start, reason: "field \(number) has wire type \(key & 7) (groups and unknown types are not supported)")
            }
            switch type {
            case .varint:
                out.append(ProtobufField(number: number, type: type, value: try varint(), payload: [], offset: start))
            case .fixed32, .fixed64:
                let size = type == .fixed32 ? 4 : 8
                guard bytes.endIndex - i >= size else { throw ProtobufError(offset: start, reason: "field \(number) needs \(size) bytes; \(bytes.endIndex - i) remain (truncated data)") }
                var v: UInt64 = 0
                for k in 0..<size { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                i += size
                out.append(ProtobufField(number: number, type: type, value: v, payload: [], offset: start))
            case .lengthDelimited:
                let length = try varint()
                guard length <= UInt64(bytes.endIndex - i) else {
                    throw ProtobufError(offset: start, reason: "field \(number) claims \(length) bytes; \(bytes.endIndex - i) remain (truncated data)")
                }
                let end = i + Int(length)
                out.append(ProtobufField(number: number, type: type, value: length, payload: bytes[i..<end], offset: start))
                i = end
            }
        }
        return out
    }

    /// A packed (or, when a single value was written unpacked, plain) repeated float field.
    public static func floats(_ field: ProtobufField) throws(ProtobufError) -> [Float] {
        try fixedWidth(field, bytes: 4, plain: .fixed32, kind: "floats") { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    }

    /// A packed (or plain) repeated double field.
    public static func doubles(_ field: ProtobufField) throws(ProtobufError) -> [Double] {
        try fixedWidth(field, bytes: 8, plain: .fixed64, kind: "doubles") { Double(bitPattern: $0) }
    }

    /// A repeated fixed-width field: one plain value (`plain` wire type) or a packed run of
    /// little-endian `bytes`-wide values, each decoded from its bits by `decode`.
    static func fixedWidth<T>(
        _ field: ProtobufField, bytes: Int, plain: ProtobufWireType, kind: String, _ decode: (UInt64) -> T
    ) throws(ProtobufError) -> [T] {
        switch field.type {
        case plain: return [decode(field.value)]
        case .lengthDelimited:
            guard field.payload.count % bytes == 0 else {
                throw ProtobufError(offset: field.offset, reason: "field \(field.number): \(field.payload.count) bytes of packed \(kind) (not a multiple of \(bytes))")
            }
            let p = field.payload
            return stride(from: p.startIndex, to: p.endIndex, by: bytes).map { k in
                var bits: UInt64 = 0
                for j in 0..<bytes { bits |= UInt64(p[k + j]) << (8 * UInt64(j)) }
                return decode(bits)
            }
        default:
            throw ProtobufError(offset: field.offset, reason: "field \(field.number) holds \(kind) but has wire type \(field.type)")
        }
    }

    /// A packed (or plain) repeated integer field.
    public static func varints(_ field: ProtobufField) throws(ProtobufError) -> [Int64] {
        switch field.type {
        case .varint: return [field.int64]
        case .lengthDelimited:
            var values: [Int64] = []
            var i = field.payload.startIndex
            let p = field.payload
            while i < p.endIndex {
                var result: UInt64 = 0, shift: UInt64 = 0
                while true {
                    guard i < p.endIndex, shift < 64 else {
                        throw ProtobufError(offset: field.offset, reason: "field \(field.number): a packed varint runs past its run")
                    }
                    let b = p[i]
                    i += 1
                    result |= UInt64(b & 0x7F) << shift
                    if b & 0x80 == 0 { break }
                    shift += 7
                }
                values.append(Int64(bitPattern: result))
            }
            return values
        default:
            throw ProtobufError(offset: field.offset, reason: "field \(field.number) holds integers but has wire type \(field.type)")
        }
    }
}
