import Dispatch
import Synchronization

/// Process-wide settings for Tensor's kernels.
public enum TensorRuntime {
    private static let threads = Atomic<Int>(defaultThreadCount())

    private static func defaultThreadCount() -> Int {
        if let text = getenvString("TAPEGRAD_THREADS"), let n = Int(text), n >= 1 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The number of threads large kernels may use (default: the active processor count, or the
    /// `TAPEGRAD_THREADS` environment variable). 1 runs everything on the calling thread.
    public static var threadCount: Int {
        get { threads.load(ordering: .relaxed) }
        set {
            tensorCheck(
                newValue >= 1,
                "TensorRuntime.threadCount: \(newValue) threads requested. Fix: use 1 or more.")
            threads.store(newValue, ordering: .relaxed)
        }
    }

    /// Compute-bound elementwise work (exp, tanh, …) is split over threads only above this many
    /// elements per thread (PyTorch's grain): below it, waking a thread costs more than it saves.
    public static let elementwiseGrain = 32_768

    /// Memory-bound work (add, multiply, copy, comparisons) is split only above this many
    /// elements per thread: two threads barely add bandwidth, and on a busy machine waking the
    /// second one can cost more than the whole operation.
    public static let memoryBoundGrain = 1 << 20
}

import Foundation

@usableFromInline
func getenvString(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}

@usableFromInline
enum Parallel {
    /// Splits `0..<count` into contiguous chunks (each a multiple of `alignment` except the last)
    /// and runs `body(start, end)` for each, on up to `TensorRuntime.threadCount` threads when
    /// every thread gets at least `grain` elements; otherwise runs `body(0, count)` inline.
    /// Whether `forChunks` would use more than one thread for `count` elements.
    @usableFromInline
    static func isParallel(count: Int, grain: Int) -> Bool {
        TensorRuntime.threadCount > 1 && count / Swift.max(grain, 1) >= 2
    }

    @usableFromInline
    static func forChunks(
        count: Int, grain: Int = TensorRuntime.elementwiseGrain, alignment: Int = 64,
        _ body: (Int, Int) -> Void
    ) {
        let threads = min(TensorRuntime.threadCount, count / max(grain, 1))
        if threads <= 1 {
            body(0, count)
            return
        }
        var chunk = (count + threads - 1) / threads
        chunk = (chunk + alignment - 1) / alignment * alignment
        let pieces = (count + chunk - 1) / chunk
        let chunkSize = chunk
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: pieces) { i in
                let start = i * chunkSize
                work(start, min(count, start + chunkSize))
            }
        }
    }

    /// Runs `body(i)` for `i` in `0..<count`, spread over up to `threads` threads.
    @usableFromInline
    static func forEach(count: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: count) { i in work(i) }
        }
    }
}

extension TensorRuntime {
    /// Splits `0..<count` into at most `threads` contiguous chunks of equal size (the last one
    /// shorter) and runs `body(chunk, start, end)` for each, concurrently when there is more than
    /// one; `chunk` numbers them from 0 (for per-thread partial results).
    public static func parallelChunks(count: Int, threads: Int, _ body: (_ chunk: Int, _ start: Int, _ end: Int) -> Void) {
        guard count > 0 else { return }
        let t = Swift.max(1, Swift.min(threads, count))
        let size = (count + t - 1) / t
        let pieces = (count + size - 1) / size
        Parallel.forEach(count: pieces, threads: t) { i in body(i, i * size, Swift.min(count, (i + 1) * size)) }
    }
}
