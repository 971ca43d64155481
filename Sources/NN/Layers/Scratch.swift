import Synchronization

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
    private static let pool = Mutex<[ScratchBuffer]>([])
    static let maxPooled = 8

    /// `body` with `count` buffers checked out of the pool (each used by one thread at a time).
    static func with<R>(_ count: Int, _ body: ([ScratchBuffer]) -> R) -> R {
        var buffers = pool.withLock { free -> [ScratchBuffer] in
            let n = Swift.min(count, free.count)
            let taken = Array(free.suffix(n))
            free.removeLast(n)
            return taken
        }
        while buffers.count < count { buffers.append(ScratchBuffer()) }
        defer {
            pool.withLock { free in
                for b in buffers where free.count < maxPooled { free.append(b) }
            }
        }
        return body(buffers)
    }
}
