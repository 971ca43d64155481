// The protobuf text format (what a Caffe `.prototxt` is), parsed into a tree of fields, each with
// its line: `name: value`, `name { … }` (also `name: { … }` and `name < … >`), repeated names,
// `name: [a, b]` lists, `#` comments, optional `,`/`;` separators, numbers (with `inf`, `nan`,
// hex), strings in '…' or "…" with C escapes, and identifiers (enum values, true/false).

/// A parse error: the line and column (from 1) and what was expected; one line.
public struct ProtoTextError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let reason: String
    public var description: String { oneLine("prototxt: line \(line), column \(column): \(reason)") }
}

/// A value in the text format.
public indirect enum ProtoTextValue: Equatable {
    /// A number as written (`text`) and as a Double.
    case number(Double, text: String)
    case string(String)
    /// An identifier: an enum value, `true`/`false`.
    case identifier(String)
    case message(ProtoTextMessage)
}

/// One message: its fields in order (a repeated field appears once per value).
public struct ProtoTextMessage: Equatable {
    public struct Field: Equatable {
        public let name: String
        public let value: ProtoTextValue
        /// Where the field's name is.
        public let line: Int
    }

    public var fields: [Field] = []

    public init(fields: [Field] = []) { self.fields = fields }

    /// Every value of `name`, in order.
    public func all(_ name: String) -> [Field] { fields.filter { $0.name == name } }
    /// The first value of `name`.
    public func first(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// Parses a whole document (the top-level message).
    public static func parse(_ text: String) throws(ProtoTextError) -> ProtoTextMessage {
        var parser = ProtoTextParser(Array(text.utf8))
        return try parser.document()
    }
}

struct ProtoTextParser {
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    var depth = 0
    /// Deeper nesting is refused (a typed error, not a stack overflow); Caffe nets nest 4 deep.
    static let maxDepth = 100

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> ProtoTextError { ProtoTextError(line: line, column: i - lineStart + 1, reason: reason) }

    mutating func skipSpace() {
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\n") {
                i += 1
                line += 1
                lineStart = i
            } else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                i += 1
            } else if c == UInt8(ascii: "#") {
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            } else {
                return
            }
        }
    }

    var atEnd: Bool { i >= bytes.count }
    func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    static func isIdentifierStart(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
    static func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || (c >= 48 && c <= 57) || c == 46 }

    mutating func identifier() throws(ProtoTextError) -> String {
        guard let c = peek(), Self.isIdentifierStart(c) else { throw error("expected a field name") }
        let start = i
        while let c = peek(), Self.isIdentifierPart(c) { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func document() throws(ProtoTextError) -> ProtoTextMessage {
        let m = try fields(until: nil)
        skipSpace()
        guard atEnd else { throw error("unexpected '\(Character(Unicode.Scalar(bytes[i])))' (a closing brace without an opening one?)") }
        return m
    }

    /// Fields until `close` (a byte) or the end of input when nil.
    mutating func fields(until close: UInt8?) throws(ProtoTextError) -> ProtoTextMessage {
        var message = ProtoTextMessage()
        while true {
            skipSpace()
            if atEnd {
                if let close { throw error("the input ends inside a message; expected '\(Character(Unicode.Scalar(close)))'") }
                return message
            }
            if let close, peek() == close {
                i += 1
                return message
            }
            if close == nil, peek() == UInt8(ascii: "}") || peek() == UInt8(ascii: ">") {
                throw error("unexpected '\(Character(Unicode.Scalar(bytes[i])))' (a closing brace without an opening one?)")
            }
            let fieldLine = line
            let name = try identifier()
            skipSpace()
            if peek() == UInt8(ascii: ":") {
                i += 1
                skipSpace()
                if peek() == UInt8(ascii: "[") {
                    i += 1
                    while true {
                        skipSpace()
                        if peek() == UInt8(ascii: "]") { i += 1; break }
                        message.fields.append(.init(name: name, value: try value(), line: fieldLine))
                        skipSpace()
                        if peek() == UInt8(ascii: ",") { i += 1; continue }
                        guard peek() == UInt8(ascii: "]") else { throw error("expected ',' or ']' in the list of '\(name)'") }
                    }
                } else {
                    message.fields.append(.init(name: name, value: try value(), line: fieldLine))
                }
            } else if peek() == UInt8(ascii: "{") || peek() == UInt8(ascii: "<") {
                message.fields.append(.init(name: name, value: try value(), line: fieldLine))
            } else {
                throw error("expected ':' or '{' after '\(name)'")
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") || peek() == UInt8(ascii: ";") { i += 1 }
        }
    }

    mutating func value() throws(ProtoTextError) -> ProtoTextValue {
        guard let c = peek() else { throw error("the input ends where a value was expected") }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "<") {
            guard depth < Self.maxDepth else { throw error("messages nested more than \(Self.maxDepth) deep") }
            depth += 1
        }
        defer { if c == UInt8(ascii: "{") || c == UInt8(ascii: "<") { depth -= 1 } }
        if c == UInt8(ascii: "{") {
            i += 1
            return .message(try fields(until: UInt8(ascii: "}")))
        }
        if c == UInt8(ascii: "<") {
            i += 1
            return .message(try fields(until: UInt8(ascii: ">")))
        }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { return .string(try string()) }
        if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || (c >= 48 && c <= 57) {
            return try number()
        }
        if Self.isIdentifierStart(c) {
            let word = try identifier()
            let lower = word.lowercased()
            if lower == "inf" || lower == "infinity" { return .number(.infinity, text: word) }
            if lower == "nan" { return .number(.nan, text: word) }
            return .identifier(word)
        }
        throw error("expected a value (a number, a string, an identifier or '{')")
    }

    mutating func number() throws(ProtoTextError) -> ProtoTextValue {
        let start = i
        if peek() == UInt8(ascii: "-") || peek() == UInt8(ascii: "+") { i += 1 }
        while let c = peek(), Self.isIdentifierPart(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            // Exponent signs only right after e/E.
            if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")), !(i > start && (bytes[i - 1] | 0x20) == UInt8(ascii: "e")) { break }
            i += 1
        }
        var text = String(decoding: bytes[start..<i], as: UTF8.self)
        let negative = text.hasPrefix("-")
        var body = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
        if body.lowercased() == "inf" || body.lowercased() == "infinity" { return .number(negative ? -.infinity : .infinity, text: text) }
        if body.lowercased() == "nan" { return .number(.nan, text: text) }
        // Float suffixes (1.5f) are allowed by the text format.
        if body.hasSuffix("f") || body.hasSuffix("F"), !body.lowercased().hasPrefix("0x") { body.removeLast(); text.removeLast() }
        let value: Double?
        if body.lowercased().hasPrefix("0x") {
            value = UInt64(body.dropFirst(2), radix: 16).map { Double($0) }
        } else {
            value = Double(body)
        }
        guard let v = value else {
            i = start
            throw error("'\(text)' is not a number")
        }
        return .number(negative ? -v : v, text: text)
    }

    mutating func string() throws(ProtoTextError) -> String {
        let quote = bytes[i]
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek(), c != UInt8(ascii: "\n") else { throw error("a string is not closed on its line") }
            i += 1
            if c == quote { break }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                continue
            }
            guard let e = peek() else { throw error("a string ends with a backslash") }
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "x"):
                var v = 0, n = 0
                while n < 2, let h = peek(), let d = Int(String(Character(Unicode.Scalar(h))), radix: 16) { v = v * 16 + d; i += 1; n += 1 }
                guard n > 0 else { throw error("'\\x' without hex digits") }
                out.append(UInt8(v))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = Int(e - 48), n = 1
                while n < 3, let d = peek(), d >= 48, d <= 55 { v = v * 8 + Int(d - 48); i += 1; n += 1 }
                guard v < 256 else { throw error("octal escape \\\(String(v, radix: 8)) is above 255") }
                out.append(UInt8(v))
            default:
                throw error("unknown escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
