import Dispatch
import Testing

@testable import NN

/// A checkpoint header nested far deeper than any real one (`[[[[…` or `{"a":{"a":…`, 10⁵
/// levels) is refused by the header parser's depth limit with a one-line `CheckpointError`,
/// without recursing once per level, on a Dispatch thread (whose stack is the smallest a
/// loader runs on).
@Suite struct DeepHeaderTests {
    static func load(header: String) -> Result<SafeTensorsFile, CheckpointError> {
        let h = Array(header.utf8)
        var n = UInt64(h.count)
        var bytes: [UInt8] = []
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: n))
            n >>= 8
        }
        return Result { () throws(CheckpointError) in try SafeTensorsFile(bytes: bytes + h) }
    }

    static func loadOnDispatchThread(header: String) async -> Result<SafeTensorsFile, CheckpointError> {
        await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: load(header: header)) }
        }
    }

    static func expectDepthError(_ result: Result<SafeTensorsFile, CheckpointError>) {
        guard case .failure(let error) = result else {
            Issue.record("a 100,000-level header was accepted")
            return
        }
        guard case .badHeader(let what) = error else {
            Issue.record("expected badHeader, got \(error)")
            return
        }
        #expect(what.contains("nesting deeper than 32 levels"))
        #expect(!error.description.contains("\n"))
    }

    @Test func deeplyNestedArraysAreRefused() async {
        let header = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        Self.expectDepthError(await Self.loadOnDispatchThread(header: header))
    }

    @Test func deeplyNestedObjectsAreRefused() async {
        let header = String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        Self.expectDepthError(await Self.loadOnDispatchThread(header: header))
    }

    /// Nesting up to the limit is parsed (the limit counts levels, not bytes): 31 levels below
    /// the top object are fine for the parser, and the loader then reports the structure.
    @Test func nestingBelowTheLimitReachesTheStructureCheck() {
        let header = "{\"a\":" + String(repeating: "[", count: 30) + String(repeating: "]", count: 30) + "}"
        guard case .failure(let error) = Self.load(header: header) else {
            Issue.record("a header without tensors entries was accepted")
            return
        }
        #expect(!error.description.contains("nesting"))
    }
}
