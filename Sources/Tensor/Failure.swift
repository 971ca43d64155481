/// Stops the program with a message for a programming mistake in model code.
///
/// Every check in Tensor, Autograd and NN goes through here, so the message always has the same
/// shape: `Op: what is wrong (the shapes or values involved). Fix: what to do.` `fatalError`
/// (not `precondition`) is used because its message survives optimized builds.
@inline(never)
public func tensorFailure(
    _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) -> Never {
    fatalError(message(), file: file, line: line)
}

/// Checks a condition that model code must satisfy; stops with `message` when it doesn't.
@inlinable
@inline(__always)
public func tensorCheck(
    _ condition: Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition { tensorFailure(message(), file: file, line: line) }
}

/// Formats a shape the way messages print it: `[2, 3]`, `[]` for a scalar.
@inlinable
public func describeShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// The number of elements of `shape`, checked: every size ≥ 0, the product of the nonzero
/// sizes fits `Int` (row-major strides are products of trailing sizes, even in an empty
/// tensor), and a non-empty tensor's bytes (8 per element at most) fit `Int`. Stops with a message naming `op` and the shape otherwise (an overflowing
/// `reduce(1, *)` would trap without one).
@inlinable
public func checkedElementCount(_ shape: [Int], op: @autoclosure () -> String) -> Int {
    var count = 1
    var empty = false
    for d in shape {
        if d < 0 {
            tensorFailure("\(op()): negative dimension \(d) in shape \(describeShape(shape)). Fix: use sizes ≥ 0.")
        }
        if d == 0 {
            empty = true
            continue
        }
        let (p, overflow) = count.multipliedReportingOverflow(by: d)
        if overflow {
            tensorFailure(
                "\(op()): shape \(describeShape(shape)) has more elements than can be addressed (the product of its sizes overflows). Fix: use a smaller shape.")
        }
        count = p
    }
    if empty { return 0 }
    if count > Int.max / 8 {
        tensorFailure(
            "\(op()): shape \(describeShape(shape)) has \(count) elements, more bytes than can be addressed. Fix: use a smaller shape.")
    }
    return count
}

/// Text from outside the program (a path, a flag value, a tensor name, a whole message built
/// from them) made fit for a one-line message: line breaks, tabs, NUL and every other control
/// character (C0, DEL, C1, U+2028, U+2029) are written as escapes (`\n`, `\t`, `\0`, `\u{85}`),
/// and text longer than `limit` characters is cut, saying how much was left out.
public func oneLine(_ text: some StringProtocol, limit: Int = 2_000) -> String {
    var out = ""
    var kept = 0
    var dropped = 0
    for scalar in text.unicodeScalars {
        if kept >= limit {
            dropped += 1
            continue
        }
        kept += 1
        switch scalar.value {
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x00: out += "\\0"
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029:
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    if dropped > 0 { out += "… (\(dropped) more characters)" }
    return out
}

/// Names for a one-line message: the first `limit`, then how many more (a list of 200,000
/// mismatched names stays short).
public func describeList(_ items: [String], limit: Int = 8) -> String {
    guard items.count > limit else { return items.joined(separator: ", ") }
    return items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
}
