import Foundation
import Synchronization

/// Allocates tensor buffers and keeps freed large ones for reuse.
///
/// A fresh 64 MB buffer costs a page fault per 4 KiB page on first touch, which is most of the
/// time PyTorch spends on a 16M-element activation. Freed buffers of 64 KiB and more are kept
/// (up to `maxCachedBytes` in all) and handed out again for a request of the same rounded size,
/// so a training loop or a benchmark that allocates the same shapes every step stops faulting.
/// Buffers of 4 MiB and more are 2 MiB-aligned and advised as transparent huge pages.
@usableFromInline
enum BufferCache {
    static let minCachedBytes = 1 << 16
    static let hugePageBytes = 1 << 21
    static let maxCachedBytes = 1 << 30
    static let maxPerSize = 8

    /// A cached buffer (the cache hands each one to exactly one owner at a time).
    struct Block: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

    struct State: ~Copyable {
        var free: [Int: [Block]] = [:]
        var cachedBytes = 0
    }

    static let state = Mutex(State())

    /// The size actually allocated for a request of `bytes`.
    @usableFromInline
    static func roundedSize(_ bytes: Int) -> Int {
        if bytes < minCachedBytes { return max(64, (bytes + 63) & ~63) }
        if bytes < 2 * hugePageBytes { return (bytes + 4095) & ~4095 }
        return (bytes + hugePageBytes - 1) & ~(hugePageBytes - 1)
    }

    @usableFromInline
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(bytes)
        if size >= minCachedBytes {
            let reused = state.withLock { s -> Block? in
                guard var list = s.free[size], let block = list.popLast() else { return nil }
                s.free[size] = list
                s.cachedBytes -= size
                return block
            }
            if let reused { return reused.pointer }
        }
        if size < minCachedBytes {
            // Small buffers: plain malloc (16-byte aligned; kernels load unaligned anyway).
            guard let p = malloc(size) else { tensorFailure("Tensor: out of memory allocating \(size) bytes. Fix: use smaller tensors or batches.") }
            return p
        }
        let alignment = size >= 2 * hugePageBytes ? hugePageBytes : 64
        var p: UnsafeMutableRawPointer?
        let rc = posix_memalign(&p, alignment, size)
        guard rc == 0, let p else {
            tensorFailure("Tensor: out of memory allocating \(size) bytes. Fix: use smaller tensors or batches.")
        }
        if size >= 2 * hugePageBytes {
            _ = madvise(p, size, 14)  // MADV_HUGEPAGE
        }
        return p
    }

    @usableFromInline
    static func release(_ p: UnsafeMutableRawPointer, bytes: Int) {
        let size = roundedSize(bytes)
        if size >= minCachedBytes {
            let block = Block(pointer: p)
            let kept = state.withLock { s -> Bool in
                guard s.cachedBytes + size <= maxCachedBytes,
                    s.free[size, default: []].count < maxPerSize
                else { return false }
                s.free[size, default: []].append(block)
                s.cachedBytes += size
                return true
            }
            if kept { return }
        }
        free(p)
    }

    /// Returns every cached buffer to the system.
    public static func trim() {
        let all = state.withLock { s -> [Block] in
            let all = s.free.values.flatMap { $0 }
            s.free = [:]
            s.cachedBytes = 0
            return all
        }
        for block in all { free(block.pointer) }
    }

    /// Bytes currently held in the cache.
    static var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}
