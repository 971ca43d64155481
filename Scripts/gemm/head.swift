// Gemm.swift — self-contained single/double precision matrix multiply for Tapegrad.
//
// Goto/BLIS-style blocked GEMM:
//   jc loop (NC columns of C)  → pc loop (KC of the shared dimension, pack B panel)
//   → ic loop (MC rows, pack A block) → jr (NR-wide B sliver) → ir (MR-tall A sliver)
//   → register-blocked micro-kernel (MR × NR accumulators held in SIMD registers).
// Packed panels are zero padded at the m/n edges; tiles with fewer than NR columns go
// through a small temporary tile, tiles with fewer than MR rows run a 4- or 2-row kernel
// body. Scratch buffers are pooled (thread safe) and reused across calls.
// Small problems skip packing where it does not pay (see `gemmDirectHeuristic`): A is read
// in place when n is small, B (if not transposed) when m is small; when all of m fits one
// MC block, B is packed one NR sliver at a time right before use. Transposed B is packed
// with 8×8 in-register transposes.
// Multithreading splits C into disjoint column (or row) ranges, one per worker.
//
// NOTE: the F64 section below is a mechanical copy of the F32 section
// (Float→Double, SIMD16→SIMD8, F32→F64); keep them in sync when editing.

import Dispatch
import Synchronization

public enum Gemm {
    /// C = alpha * op(A) * op(B) + beta * C, all row-major. op(A) is m×k, op(B) is k×n.
    /// transA: A is stored k×m (row-major) and used transposed; lda is the row stride of A
    /// as stored. Same for B (stored n×k when transB). beta == 0 never reads C.
    /// `threads` is the maximum number of threads to use (1 = single-threaded).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                             threads: Int) {
        gemmF32(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                threads: threads, blocking: GemmBlocking.f32)
    }

    /// Double precision version of `sgemm`; same conventions.
    public static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Double, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int,
                             threads: Int) {
        gemmF64(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                threads: threads, blocking: GemmBlocking.f64)
    }
}

// MARK: - Shared infrastructure

/// Micro-tile height (rows of C per micro-kernel call); same for both precisions.
@usableFromInline let gemmMR = 6
/// Micro-tile widths: one 16-lane Float vector / one 8-lane Double vector per row.
@usableFromInline let gemmNRF32 = 16
@usableFromInline let gemmNRF64 = 8

/// Cache-blocking parameters. mc is rounded to a multiple of MR and nc to a multiple of NR.
/// Internal (not public) so tests can force tiny blocks.
struct GemmBlocking: Sendable {
    var mc: Int
    var kc: Int
    var nc: Int
    /// Minimum 2·m·n·k before more than one thread is used.
    var parallelThreshold: Int
    /// Read A / B in place instead of packing them (nil = decide from the shape).
    /// Resolved once per call from the global shape (never per worker), so the k blocking
    /// and the arithmetic of every element are the same for any thread count.
    var directA: Bool? = nil
    var directB: Bool? = nil
    /// KC used instead of `kc` when A is read in place and B is packed (no A block to keep
    /// in L2, only the KC×NR B sliver in L1). nil = same as kc.
    var kcDirectA: Int? = nil

    // Float: A block 144×256×4 B = 144 KB (L2), B sliver 256×16×4 B = 16 KB (L1).
    // Double: A block 96×256×8 B = 192 KB (L2), B sliver 256×8×8 B = 16 KB (L1).
    // With A in place: Float B sliver 400×16×4 B = 25 KB, Double 200×8×8 B = 12.5 KB.
    static let f32 = GemmBlocking(mc: 144, kc: 256, nc: 4096, parallelThreshold: 4_000_000,
                                  kcDirectA: 400)
    static let f64 = GemmBlocking(mc: 96, kc: 256, nc: 2048, parallelThreshold: 4_000_000,
                                  kcDirectA: 200)

    func normalized(nr: Int) -> GemmBlocking {
        var r = self
        r.mc = max(gemmMR, (mc + gemmMR - 1) / gemmMR * gemmMR)
        r.nc = max(nr, (nc + nr - 1) / nr * nr)
        r.kc = max(1, kc)
        return r
    }

    /// Fills in directA / directB for the whole problem (see `gemmDirectHeuristic`).
    func resolved(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, nr: Int) -> GemmBlocking {
        var r = self
        let h = gemmDirectHeuristic(transA: transA, transB: transB, m: m, n: n, k: k, nr: nr)
        r.directA = directA ?? h.a
        // B can only be read in place when its rows are contiguous (not transposed).
        r.directB = !transB && (directB ?? h.b)
        if r.directA == true && r.directB == false, let kd = kcDirectA { r.kc = max(1, kd) }
        return r
    }
}

/// Packing pays off only when a packed element is reused many times: a packed A element
/// is reused n/NR times, a packed B element m/MR times. Reading A in place costs nothing
/// extra (six row streams, or six adjacent values per k step when transposed); reading B
/// in place suffers L1 set conflicts (rows ldb apart), so it only wins for very small m.
func gemmDirectHeuristic(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, nr: Int) -> (a: Bool, b: Bool) {
    let a = n <= gemmDirectMaxN
    let b = !transB && (m <= gemmDirectMaxM / 2 || (m <= gemmDirectMaxM && k <= 256))
    return (a, b)
}
let gemmDirectMaxM = 64
let gemmDirectMaxN = 256

/// A 64-byte aligned growable scratch buffer. Owned by exactly one worker at a time
/// (check-out / check-in through `GemmScratchPool`).
final class GemmScratch: @unchecked Sendable {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    func ensure(_ bytes: Int) -> UnsafeMutableRawPointer {
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

enum GemmScratchPool {
    private static let pool = Mutex<[GemmScratch]>([])
    private static let maxPooled = 16

    static func acquire() -> GemmScratch {
        pool.withLock { $0.popLast() } ?? GemmScratch()
    }

    static func release(_ s: GemmScratch) {
        pool.withLock { if $0.count < maxPooled { $0.append(s) } }
    }
}

@inline(__always) func gemmRoundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }
@inline(__always) func gemmAlign64(_ x: Int) -> Int { (x + 63) & ~63 }

/// How C is split among workers: along columns (n) or rows (m), in chunks of `step`.
struct GemmSplit: Sendable {
    var threads: Int
    var alongN: Bool
    var chunk: Int   // elements per worker along the split dimension (multiple of MR/NR)
}

func gemmPlanSplit(m: Int, n: Int, k: Int, nr: Int, maxThreads: Int, threshold: Int) -> GemmSplit {
    let flops = 2.0 * Double(m) * Double(n) * Double(k)
    let nbM = (m + gemmMR - 1) / gemmMR
    let nbN = (n + nr - 1) / nr
    var t = max(1, min(maxThreads, 64))
    if flops < Double(threshold) { t = 1 }
    t = min(t, max(nbM, nbN))
    if t <= 1 { return GemmSplit(threads: 1, alongN: true, chunk: n) }
    // Rough per-worker cost in cycles: micro-tiles (MR·NR·k lane-FMAs at ~16 per cycle)
    // plus ~1 cycle per packed element. Splitting along n makes every worker pack all
    // of A; splitting along m makes every worker pack all of B.
    let perN = (nbN + t - 1) / t
    let perM = (nbM + t - 1) / t
    let tileCost = Double(gemmMR * nr * k) / 16
    let costN = nbN >= t ? Double(perN * nbM) * tileCost + Double(m * k + perN * nr * k) : .infinity
    let costM = nbM >= t ? Double(perM * nbN) * tileCost + Double(n * k + perM * gemmMR * k) : .infinity
    let single = Double(nbM * nbN) * tileCost + Double(m * k + n * k)
    if min(costN, costM) > 0.8 * single { return GemmSplit(threads: 1, alongN: true, chunk: n) }
    if costN <= costM {
        let tt = (nbN + perN - 1) / perN
        return GemmSplit(threads: tt, alongN: true, chunk: perN * nr)
    } else {
        let tt = (nbM + perM - 1) / perM
        return GemmSplit(threads: tt, alongN: false, chunk: perM * gemmMR)
    }
}

/// Size of the next block when `remaining` is cut into ceil(remaining/block) nearly equal
/// blocks, each (except possibly the last) a multiple of `multiple`.
@inline(__always)
func gemmBalancedBlock(remaining: Int, block: Int, multiple: Int) -> Int {
    if remaining <= block { return remaining }
    let count = (remaining + block - 1) / block
    let size = gemmRoundUp((remaining + count - 1) / count, multiple)
    return min(size, block, remaining)
}

