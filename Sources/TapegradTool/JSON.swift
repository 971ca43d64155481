import Foundation
import NN

/// One line of `--json` output, built field by field so that every line is valid JSON
/// (`json.loads` and `jq` accept it): strings are escaped, and a number that is not finite
/// (a diverged loss, an error that overflowed) is written as `null`, with its reason in a
/// `"non_finite"` object, e.g. `"final_loss":null,…,"non_finite":{"final_loss":"nan"}`.
struct JSONLine {
    private var fields: [String] = []
    private var nonFinite: [String] = []

    init() {}

    mutating func add(_ key: String, _ value: String) { fields.append("\(Self.quoted(key)):\(Self.quoted(value))") }
    mutating func add(_ key: String, _ value: Int) { fields.append("\(Self.quoted(key)):\(value)") }
    mutating func add(_ key: String, _ value: UInt64) { fields.append("\(Self.quoted(key)):\(value)") }
    mutating func add(_ key: String, _ value: Bool) { fields.append("\(Self.quoted(key)):\(value)") }
    /// A number, with `format` (printf style) when finite.
    mutating func add(_ key: String, _ value: Double, format: String = "%.6g") {
        if value.isFinite {
            fields.append("\(Self.quoted(key)):\(String(format: format, value))")
        } else {
            fields.append("\(Self.quoted(key)):null")
            nonFinite.append("\(Self.quoted(key)):\(Self.quoted(value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"))")
        }
    }
    /// A raw JSON value (an array or object built with this type).
    mutating func add(_ key: String, raw value: String) { fields.append("\(Self.quoted(key)):\(value)") }

    var text: String {
        var all = fields
        if !nonFinite.isEmpty { all.append("\"non_finite\":{\(nonFinite.joined(separator: ","))}") }
        return "{" + all.joined(separator: ",") + "}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ s: String) -> String { jsonStringLiteral(s) }
}
