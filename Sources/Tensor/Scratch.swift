import Synchronization

/// A 64-byte aligned growable scratch buffer, owned by one worker at a time (checked out and
/// back in through `ScratchPool`): the GEMM's packing buffers, the convolution's per-image
/// column buffers. Reused across calls, it stays warm: a buffer of a few megabytes allocated on
/// every call would be faulted in again page by page each time.
public final class ScratchBuffer: @unchecked Sendable {
    public private(set) var base: UnsafeMutableRawPointer?
    public private(set) var capacity = 0

    public init() {}

    /// At least `bytes` bytes (the contents are undefined; growing does not keep them).
    public func ensure(_ bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > capacity || base == nil {
            base?.deallocate()
            let cap = max(bytes, 4096)
            base = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 64)
            capacity = cap
        }
        return base!
    }

    deinit { base?.deallocate() }
}

/// The process-wide pool of scratch buffers (at most `maxPooled` kept).
public enum ScratchPool {
    private static let pool = Mutex<[ScratchBuffer]>([])
    private static let maxPooled = 16

    /// A buffer for the caller alone until `release`.
    public static func acquire() -> ScratchBuffer {
        pool.withLock { $0.popLast() } ?? ScratchBuffer()
    }

    public static func release(_ s: ScratchBuffer) {
        pool.withLock { if $0.count < maxPooled { $0.append(s) } }
    }

    /// `body` with `count` buffers checked out (each for one thread at a time).
    public static func with<R>(_ count: Int, _ body: ([ScratchBuffer]) -> R) -> R {
        let buffers = (0..<count).map { _ in acquire() }
        defer { buffers.forEach(release) }
        return body(buffers)
    }
}
