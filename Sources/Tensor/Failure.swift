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
