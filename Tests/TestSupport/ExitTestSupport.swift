import Testing

/// Checks the message of a programming-mistake stop: every part is mentioned, and a fix is
/// given ("Fix:"), as the bad-input policy requires. `result` is what
/// `#expect(processExitsWith: .failure, observing: [\.standardErrorContent])` returned.
public func expectStop(_ result: ExitTest.Result?, mentions parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else {
        Issue.record("no exit test result", sourceLocation: sourceLocation)
        return
    }
    let text = String(decoding: result.standardErrorContent, as: UTF8.self)
    for p in parts {
        #expect(text.contains(p), "message lacks \"\(p)\": \(text)", sourceLocation: sourceLocation)
    }
    #expect(text.contains("Fix:"), "message gives no fix: \(text)", sourceLocation: sourceLocation)
}
