import Foundation

// Reusable scratch memory for the layer kernels (the convolution's per-image column buffers and
// padded copies). A buffer of a few megabytes freshly allocated on every call is returned to
// the system and faulted in again page by page each time (the kernel zeroing every page);
// kept here, it is warm for the next call. At most `maxPooled` buffers are kept.

final class ScratchBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    /// At least `bytes` bytes, 64-byte aligned; the contents are undefined.
    func ensure(_ bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > capacity || base == nil {
            base?.deallocate()
            capacity = Swift.max(bytes, 4096)
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
        return base!
    }

    deinit { base?.deallocate() }
}

enum ScratchPool {
    // An NSLock rather than Synchronization.Mutex: ThreadSanitizer sees this lock (it does not
    // see Mutex on Linux, .ci/tsan-suppressions.txt), so the pool needs no suppression.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [ScratchBuffer] = []
    static let maxPooled = 8

    /// `body` with `count` buffers checked out of the pool (each used by one thread at a time).
    static func with<R>(_ count: Int, _ body: ([ScratchBuffer]) -> R) -> R {
        lock.lock()
        let n = Swift.min(count, free.count)
        var buffers = Array(free.suffix(n))
        free.removeLast(n)
        lock.unlock()
        while buffers.count < count { buffers.append(ScratchBuffer()) }
        defer {
            lock.lock()
            for b in buffers where free.count < maxPooled { free.append(b) }
            lock.unlock()
        }
        return body(buffers)
    }
}
