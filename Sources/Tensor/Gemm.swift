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
    // Float splits over threads from 2·m·n·k = 16M (measured: the batch-32 MLP's 32×784×256
    // product, 12.8M, ran slower on two threads than on one; batch 128's 51M gains).
    static let f32 = GemmBlocking(mc: 144, kc: 256, nc: 4096, parallelThreshold: 16_000_000,
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

// The packing buffers come from `ScratchPool` (Scratch.swift).

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

// MARK: - F32

/// C ← beta·C for the m×n block (beta == 0 writes zeros without reading C).
func scaleCF32(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if beta == 1 { return }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else {
            for j in 0..<n { row[j] *= beta }
        }
    }
}

func gemmF32(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
             alpha: Float, a: UnsafePointer<Float>, lda: Int,
             b: UnsafePointer<Float>, ldb: Int,
             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
             threads: Int, blocking: GemmBlocking) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleCF32(m: m, n: n, beta: beta, c: c, ldc: ldc)
        return
    }
    let nr = gemmNRF32
    let blk = blocking.normalized(nr: nr).resolved(transA: transA, transB: transB,
                                                   m: m, n: n, k: k, nr: nr)
    let split = gemmPlanSplit(m: m, n: n, k: k, nr: nr, maxThreads: threads,
                              threshold: blk.parallelThreshold)
    if split.threads <= 1 {
        let s = ScratchPool.acquire()
        blockedF32(transA: transA, transB: transB, m0: 0, mm: m, n0: 0, nn: n, k: k,
                   alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                   blk: blk, scratch: s)
        ScratchPool.release(s)
        return
    }
    // Pointers are not Sendable; workers write disjoint parts of C, so this is safe.
    let job = JobF32(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                     blk: blk, split: split)
    DispatchQueue.concurrentPerform(iterations: split.threads) { t in job.run(t) }
}

struct JobF32: @unchecked Sendable {
    let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float
    let a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int
    let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    let blk: GemmBlocking, split: GemmSplit

    func run(_ t: Int) {
        let start = t * split.chunk
        let total = split.alongN ? n : m
        let len = min(split.chunk, total - start)
        if len <= 0 { return }
        let s = ScratchPool.acquire()
        if split.alongN {
            blockedF32(transA: transA, transB: transB, m0: 0, mm: m, n0: start, nn: len, k: k,
                       alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                       blk: blk, scratch: s)
        } else {
            blockedF32(transA: transA, transB: transB, m0: start, mm: len, n0: 0, nn: n, k: k,
                       alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                       blk: blk, scratch: s)
        }
        ScratchPool.release(s)
    }
}

/// Single-worker blocked GEMM over the C sub-block rows m0..<m0+mm, columns n0..<n0+nn.
/// With blk.directA / blk.directB the micro-kernel reads A / B in place (no packing).
func blockedF32(transA: Bool, transB: Bool, m0: Int, mm: Int, n0: Int, nn: Int, k: Int,
                alpha: Float, a: UnsafePointer<Float>, lda: Int,
                b: UnsafePointer<Float>, ldb: Int,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                blk: GemmBlocking, scratch: ScratchBuffer) {
    let mr = gemmMR, nr = gemmNRF32
    let directA = blk.directA ?? false
    let directB = !transB && (blk.directB ?? false)
    let kcMax = min(blk.kc, k)
    let mcMax = min(blk.mc, gemmRoundUp(mm, mr))
    let ncMax = min(blk.nc, gemmRoundUp(nn, nr))
    let elt = MemoryLayout<Float>.stride
    let aBytes = directA ? 0 : gemmAlign64(mcMax * kcMax * elt)
    // Direct B still packs a partial last NR sliver (reading NR columns would overrun B).
    let bBytes = gemmAlign64((directB || mm <= blk.mc ? nr : ncMax) * kcMax * elt)
    let tBytes = gemmAlign64(mr * nr * elt)
    let raw = scratch.ensure(aBytes + bBytes + tBytes)
    let packA = raw.bindMemory(to: Float.self, capacity: max(1, mcMax * kcMax))
    let packB = (raw + aBytes).bindMemory(to: Float.self, capacity: ncMax * kcMax)
    let tile = (raw + aBytes + bBytes).bindMemory(to: Float.self, capacity: mr * nr)
    // A(i, p) = a[i*ars + p*aps] (in place) or packA[sliver][p*MR + r] (packed).
    // All rows in one MC block: pack each B sliver right before its use (it then stays in
    // L1 for the whole ir loop) instead of the whole panel up front.
    let lazyB = !directB && mm <= blk.mc
    let ars = directA ? (transA ? 1 : lda) : 1
    let aps = directA ? (transA ? lda : 1) : mr

    var jc = 0
    while jc < nn {
        let nc = min(blk.nc, nn - jc)
        var pc = 0
        while pc < k {
            // Equal-sized k blocks (e.g. k=784, KC=256 → 4×196, not 256,256,256,16).
            let kc = gemmBalancedBlock(remaining: k - pc, block: blk.kc, multiple: 1)
            if lazyB {
                // packed one sliver at a time in the jr loop below
            } else if !directB {
                packBF32(trans: transB, b: b, ldb: ldb, p0: pc, kc: kc, j0: n0 + jc, nc: nc, dst: packB)
            } else if nc % nr != 0 {
                let j = nc - nc % nr
                packBF32(trans: false, b: b, ldb: ldb, p0: pc, kc: kc, j0: n0 + jc + j,
                         nc: nc - j, dst: packB)
            }
            let betaEff: Float = pc == 0 ? beta : 1
            var ic = 0
            while ic < mm {
                let mc = gemmBalancedBlock(remaining: mm - ic, block: blk.mc, multiple: mr)
                if !directA {
                    packAF32(trans: transA, a: a, lda: lda, i0: m0 + ic, mc: mc, p0: pc, kc: kc, dst: packA)
                }
                let aBlock = directA ? a + (m0 + ic) * (transA ? 1 : lda) + pc * (transA ? lda : 1)
                                     : UnsafePointer(packA)
                let aSliver = directA ? mr * ars : mr * kc
                var jr = 0
                while jr < nc {
                    let cols = min(nr, nc - jr)
                    let bp: UnsafePointer<Float>, bps: Int
                    if lazyB {
                        packBF32(trans: transB, b: b, ldb: ldb, p0: pc, kc: kc, j0: n0 + jc + jr,
                                 nc: cols, dst: packB)
                        bp = UnsafePointer(packB); bps = nr
                    } else if !directB {
                        bp = UnsafePointer(packB + jr * kc); bps = nr
                    } else if cols == nr {
                        bp = b + pc * ldb + (n0 + jc + jr); bps = ldb
                    } else {
                        bp = UnsafePointer(packB); bps = nr
                    }
                    var ir = 0
                    var ap = aBlock
                    while ir < mc {
                        let rows = min(mr, mc - ir)
                        let cp = c + (m0 + ic + ir) * ldc + (n0 + jc + jr)
                        if cols == nr {
                            microF32(kc, ap, ars, aps, rows, bp, bps, cp, ldc, alpha, betaEff)
                        } else {
                            microF32(kc, ap, ars, aps, rows, bp, bps, tile, nr, 1, 0)
                            mergeTileF32(tile, nr, cp, ldc, rows, cols, alpha, betaEff)
                        }
                        ir += mr
                        ap += aSliver
                    }
                    jr += nr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// C[rows×cols] ← alpha·T + beta·C (beta == 0: C not read).
@inline(__always)
func mergeTileF32(_ t: UnsafeMutablePointer<Float>, _ ldt: Int,
                  _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                  _ rows: Int, _ cols: Int, _ alpha: Float, _ beta: Float) {
    for i in 0..<rows {
        let tr = t + i * ldt, cr = c + i * ldc
        if beta == 0 {
            for j in 0..<cols { cr[j] = alpha * tr[j] }
        } else if beta == 1 {
            for j in 0..<cols { cr[j] += alpha * tr[j] }
        } else {
            for j in 0..<cols { cr[j] = beta * cr[j] + alpha * tr[j] }
        }
    }
}

/// Packs op(A)[i0..<i0+mc, p0..<p0+kc] as MR-row slivers: sliver s holds, for each p,
/// the MR values A(i0+s·MR+r, p0+p) contiguously. Rows past mc are zero.
func packAF32(trans: Bool, a: UnsafePointer<Float>, lda: Int, i0: Int, mc: Int,
              p0: Int, kc: Int, dst: UnsafeMutablePointer<Float>) {
    let mr = gemmMR
    var d = dst
    var i = 0
    while i < mc {
        let rows = min(mr, mc - i)
        if !trans {
            // A(r, p) = a[r*lda + p]
            let r0 = a + (i0 + i) * lda + p0
            if rows == mr {
                let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
                for p in 0..<kc {
                    d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]
                    d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p]
                    d += mr
                }
            } else {
                for p in 0..<kc {
                    for r in 0..<mr { d[r] = r < rows ? r0[r * lda + p] : 0 }
                    d += mr
                }
            }
        } else {
            // A(r, p) = a[p*lda + r]
            var src = a + p0 * lda + (i0 + i)
            if rows == mr {
                for _ in 0..<kc {
                    d[0] = src[0]; d[1] = src[1]; d[2] = src[2]
                    d[3] = src[3]; d[4] = src[4]; d[5] = src[5]
                    src += lda; d += mr
                }
            } else {
                for _ in 0..<kc {
                    for r in 0..<mr { d[r] = r < rows ? src[r] : 0 }
                    src += lda; d += mr
                }
            }
        }
        i += mr
    }
}

/// Packs op(B)[p0..<p0+kc, j0..<j0+nc] as NR-column slivers: sliver s holds, for each p,
/// the NR values B(p0+p, j0+s·NR+c) contiguously. Columns past nc are zero.
func packBF32(trans: Bool, b: UnsafePointer<Float>, ldb: Int, p0: Int, kc: Int,
              j0: Int, nc: Int, dst: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    let nr = gemmNRF32
    var d = dst
    var j = 0
    while j < nc {
        let cols = min(nr, nc - j)
        if !trans {
            // B(p, c) = b[p*ldb + c]
            var src = b + p0 * ldb + (j0 + j)
            if cols == nr {
                for _ in 0..<kc {
                    UnsafeMutableRawPointer(d).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: V.self), as: V.self)
                    src += ldb; d += nr
                }
            } else {
                for _ in 0..<kc {
                    for cc in 0..<nr { d[cc] = cc < cols ? src[cc] : 0 }
                    src += ldb; d += nr
                }
            }
        } else {
            // B(p, c) = b[c*ldb + p]
            if cols == nr {
                // Eight stored rows at a time: gather one value from each per k step and
                // store them as one vector.
                typealias H = SIMD8<Float>
                for h in stride(from: 0, to: nr, by: 8) {
                    let s0 = b + (j0 + j + h) * ldb + p0
                    let s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb
                    let s4 = s3 + ldb, s5 = s4 + ldb, s6 = s5 + ldb, s7 = s6 + ldb
                    var dd = UnsafeMutableRawPointer(d + h)
                    let rowBytes = nr * MemoryLayout<Float>.stride
                    var p = 0
                    while p + 8 <= kc {
                        // 8×8 block transpose in registers (unpack / shuffle / 128-bit swaps).
                        let r0 = UnsafeRawPointer(s0 + p).loadUnaligned(as: H.self)
                        let r1 = UnsafeRawPointer(s1 + p).loadUnaligned(as: H.self)
                        let r2 = UnsafeRawPointer(s2 + p).loadUnaligned(as: H.self)
                        let r3 = UnsafeRawPointer(s3 + p).loadUnaligned(as: H.self)
                        let r4 = UnsafeRawPointer(s4 + p).loadUnaligned(as: H.self)
                        let r5 = UnsafeRawPointer(s5 + p).loadUnaligned(as: H.self)
                        let r6 = UnsafeRawPointer(s6 + p).loadUnaligned(as: H.self)
                        let r7 = UnsafeRawPointer(s7 + p).loadUnaligned(as: H.self)
                        let t0 = H(r0[0], r1[0], r0[1], r1[1], r0[4], r1[4], r0[5], r1[5])
                        let t1 = H(r0[2], r1[2], r0[3], r1[3], r0[6], r1[6], r0[7], r1[7])
                        let t2 = H(r2[0], r3[0], r2[1], r3[1], r2[4], r3[4], r2[5], r3[5])
                        let t3 = H(r2[2], r3[2], r2[3], r3[3], r2[6], r3[6], r2[7], r3[7])
                        let t4 = H(r4[0], r5[0], r4[1], r5[1], r4[4], r5[4], r4[5], r5[5])
                        let t5 = H(r4[2], r5[2], r4[3], r5[3], r4[6], r5[6], r4[7], r5[7])
                        let t6 = H(r6[0], r7[0], r6[1], r7[1], r6[4], r7[4], r6[5], r7[5])
                        let t7 = H(r6[2], r7[2], r6[3], r7[3], r6[6], r7[6], r6[7], r7[7])
                        let u0 = H(t0[0], t0[1], t2[0], t2[1], t0[4], t0[5], t2[4], t2[5])
                        let u1 = H(t0[2], t0[3], t2[2], t2[3], t0[6], t0[7], t2[6], t2[7])
                        let u2 = H(t1[0], t1[1], t3[0], t3[1], t1[4], t1[5], t3[4], t3[5])
                        let u3 = H(t1[2], t1[3], t3[2], t3[3], t1[6], t1[7], t3[6], t3[7])
                        let u4 = H(t4[0], t4[1], t6[0], t6[1], t4[4], t4[5], t6[4], t6[5])
                        let u5 = H(t4[2], t4[3], t6[2], t6[3], t4[6], t4[7], t6[6], t6[7])
                        let u6 = H(t5[0], t5[1], t7[0], t7[1], t5[4], t5[5], t7[4], t7[5])
                        let u7 = H(t5[2], t5[3], t7[2], t7[3], t5[6], t5[7], t7[6], t7[7])
                        dd.storeBytes(of: H(lowHalf: u0.lowHalf, highHalf: u4.lowHalf), as: H.self)
                        (dd + rowBytes).storeBytes(of: H(lowHalf: u1.lowHalf, highHalf: u5.lowHalf), as: H.self)
                        (dd + 2 * rowBytes).storeBytes(of: H(lowHalf: u2.lowHalf, highHalf: u6.lowHalf), as: H.self)
                        (dd + 3 * rowBytes).storeBytes(of: H(lowHalf: u3.lowHalf, highHalf: u7.lowHalf), as: H.self)
                        (dd + 4 * rowBytes).storeBytes(of: H(lowHalf: u0.highHalf, highHalf: u4.highHalf), as: H.self)
                        (dd + 5 * rowBytes).storeBytes(of: H(lowHalf: u1.highHalf, highHalf: u5.highHalf), as: H.self)
                        (dd + 6 * rowBytes).storeBytes(of: H(lowHalf: u2.highHalf, highHalf: u6.highHalf), as: H.self)
                        (dd + 7 * rowBytes).storeBytes(of: H(lowHalf: u3.highHalf, highHalf: u7.highHalf), as: H.self)
                        dd += 8 * rowBytes
                        p += 8
                    }
                    while p < kc {
                        dd.storeBytes(of: H(s0[p], s1[p], s2[p], s3[p], s4[p], s5[p], s6[p], s7[p]),
                                      as: H.self)
                        dd += rowBytes
                        p += 1
                    }
                }
                d += kc * nr
                j += nr
                continue
            }
            // Partial sliver: read each stored row contiguously, scatter by NR.
            for cc in 0..<cols {
                let src = b + (j0 + j + cc) * ldb + p0
                var dd = d + cc
                for p in 0..<kc { dd[0] = src[p]; dd += nr }
            }
            if cols < nr {
                for p in 0..<kc {
                    for cc in cols..<nr { d[p * nr + cc] = 0 }
                }
            }
            d += kc * nr
        }
        j += nr
    }
}

/// MR×NR micro-kernel: C[0..<rows, 0..<NR] ← alpha·(A·B) + beta·C (beta == 0: C not read).
/// A(r, p) = a[r*ars + p*aps] for r < rows (packed: ars = 1, aps = MR); B row p starts at
/// b + p*bps (packed: bps = NR). Short edge tiles run a 4- or 2-row body; rows beyond
/// `rows` inside a body are computed from row rows-1 and not stored.
@inline(never)
func microF32(_ kc: Int, _ a: UnsafePointer<Float>, _ ars: Int, _ aps: Int, _ rows: Int,
              _ b: UnsafePointer<Float>, _ bps: Int,
              _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float) {
    // ars == 1 (packed A, or transposed A in place) gets its own copy so that the six
    // A values are addressed off one pointer.
    if rows == 6 && ars == 1 {
        microBodyF32(6, kc, a, 1, aps, 6, b, bps, c, ldc, alpha, beta)
    } else if rows > 4 {
        microBodyF32(6, kc, a, ars, aps, rows, b, bps, c, ldc, alpha, beta)
    } else if rows > 2 {
        microBodyF32(4, kc, a, ars, aps, rows, b, bps, c, ldc, alpha, beta)
    } else {
        microBodyF32(2, kc, a, ars, aps, rows, b, bps, c, ldc, alpha, beta)
    }
}

/// Micro-kernel body for R (a constant after inlining: 2, 4 or 6) computed rows.
@inline(__always)
func microBodyF32(_ R: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ ars: Int, _ aps: Int, _ rows: Int,
                  _ b: UnsafePointer<Float>, _ bps: Int,
                  _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float) {
    typealias V = SIMD16<Float>
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    let a0 = a
    let a1 = rows > 1 ? a0 + ars : a0
    let a2 = rows > 2 ? a1 + ars : a1
    let a3 = rows > 3 ? a2 + ars : a2
    let a4 = rows > 4 ? a3 + ars : a3
    let a5 = rows > 5 ? a4 + ars : a4
    var o = 0
    var bp = UnsafeRawPointer(b)
    let stepB = bps * MemoryLayout<Float>.stride
    for _ in 0..<kc {
        let bv = bp.loadUnaligned(as: V.self)
        c0 = c0.addingProduct(V(repeating: a0[o]), bv)
        c1 = c1.addingProduct(V(repeating: a1[o]), bv)
        if R > 2 {
            c2 = c2.addingProduct(V(repeating: a2[o]), bv)
            c3 = c3.addingProduct(V(repeating: a3[o]), bv)
        }
        if R > 4 {
            c4 = c4.addingProduct(V(repeating: a4[o]), bv)
            c5 = c5.addingProduct(V(repeating: a5[o]), bv)
        }
        o &+= aps
        bp += stepB
    }
    storeRowF32(c, c0, alpha, beta)
    if rows > 1 { storeRowF32(c + ldc, c1, alpha, beta) }
    if rows > 2 { storeRowF32(c + 2 * ldc, c2, alpha, beta) }
    if rows > 3 { storeRowF32(c + 3 * ldc, c3, alpha, beta) }
    if rows > 4 { storeRowF32(c + 4 * ldc, c4, alpha, beta) }
    if rows > 5 { storeRowF32(c + 5 * ldc, c5, alpha, beta) }
}

@inline(__always)
func storeRowF32(_ p: UnsafeMutablePointer<Float>, _ v: SIMD16<Float>, _ alpha: Float, _ beta: Float) {
    typealias V = SIMD16<Float>
    let raw = UnsafeMutableRawPointer(p)
    if beta == 0 {
        raw.storeBytes(of: v * alpha, as: V.self)
    } else if beta == 1 {
        let old = UnsafeRawPointer(p).loadUnaligned(as: V.self)
        raw.storeBytes(of: old.addingProduct(v, V(repeating: alpha)), as: V.self)
    } else {
        let old = UnsafeRawPointer(p).loadUnaligned(as: V.self)
        raw.storeBytes(of: (old * beta).addingProduct(v, V(repeating: alpha)), as: V.self)
    }
}

// MARK: - F64

/// C ← beta·C for the m×n block (beta == 0 writes zeros without reading C).
func scaleCF64(m: Int, n: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
    if beta == 1 { return }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else {
            for j in 0..<n { row[j] *= beta }
        }
    }
}

func gemmF64(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
             alpha: Double, a: UnsafePointer<Double>, lda: Int,
             b: UnsafePointer<Double>, ldb: Int,
             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int,
             threads: Int, blocking: GemmBlocking) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleCF64(m: m, n: n, beta: beta, c: c, ldc: ldc)
        return
    }
    let nr = gemmNRF64
    let blk = blocking.normalized(nr: nr).resolved(transA: transA, transB: transB,
                                                   m: m, n: n, k: k, nr: nr)
    let split = gemmPlanSplit(m: m, n: n, k: k, nr: nr, maxThreads: threads,
                              threshold: blk.parallelThreshold)
    if split.threads <= 1 {
        let s = ScratchPool.acquire()
        blockedF64(transA: transA, transB: transB, m0: 0, mm: m, n0: 0, nn: n, k: k,
                   alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                   blk: blk, scratch: s)
        ScratchPool.release(s)
        return
    }
    // Pointers are not Sendable; workers write disjoint parts of C, so this is safe.
    let job = JobF64(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                     blk: blk, split: split)
    DispatchQueue.concurrentPerform(iterations: split.threads) { t in job.run(t) }
}

struct JobF64: @unchecked Sendable {
    let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double
    let a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int
    let beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    let blk: GemmBlocking, split: GemmSplit

    func run(_ t: Int) {
        let start = t * split.chunk
        let total = split.alongN ? n : m
        let len = min(split.chunk, total - start)
        if len <= 0 { return }
        let s = ScratchPool.acquire()
        if split.alongN {
            blockedF64(transA: transA, transB: transB, m0: 0, mm: m, n0: start, nn: len, k: k,
                       alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                       blk: blk, scratch: s)
        } else {
            blockedF64(transA: transA, transB: transB, m0: start, mm: len, n0: 0, nn: n, k: k,
                       alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                       blk: blk, scratch: s)
        }
        ScratchPool.release(s)
    }
}

/// Single-worker blocked GEMM over the C sub-block rows m0..<m0+mm, columns n0..<n0+nn.
/// With blk.directA / blk.directB the micro-kernel reads A / B in place (no packing).
func blockedF64(transA: Bool, transB: Bool, m0: Int, mm: Int, n0: Int, nn: Int, k: Int,
                alpha: Double, a: UnsafePointer<Double>, lda: Int,
                b: UnsafePointer<Double>, ldb: Int,
                beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int,
                blk: GemmBlocking, scratch: ScratchBuffer) {
    let mr = gemmMR, nr = gemmNRF64
    let directA = blk.directA ?? false
    let directB = !transB && (blk.directB ?? false)
    let kcMax = min(blk.kc, k)
    let mcMax = min(blk.mc, gemmRoundUp(mm, mr))
    let ncMax = min(blk.nc, gemmRoundUp(nn, nr))
    let elt = MemoryLayout<Double>.stride
    let aBytes = directA ? 0 : gemmAlign64(mcMax * kcMax * elt)
    // Direct B still packs a partial last NR sliver (reading NR columns would overrun B).
    let bBytes = gemmAlign64((directB || mm <= blk.mc ? nr : ncMax) * kcMax * elt)
    let tBytes = gemmAlign64(mr * nr * elt)
    let raw = scratch.ensure(aBytes + bBytes + tBytes)
    let packA = raw.bindMemory(to: Double.self, capacity: max(1, mcMax * kcMax))
    let packB = (raw + aBytes).bindMemory(to: Double.self, capacity: ncMax * kcMax)
    let tile = (raw + aBytes + bBytes).bindMemory(to: Double.self, capacity: mr * nr)
    // A(i, p) = a[i*ars + p*aps] (in place) or packA[sliver][p*MR + r] (packed).
    // All rows in one MC block: pack each B sliver right before its use (it then stays in
    // L1 for the whole ir loop) instead of the whole panel up front.
    let lazyB = !directB && mm <= blk.mc
    let ars = directA ? (transA ? 1 : lda) : 1
    let aps = directA ? (transA ? lda : 1) : mr

    var jc = 0
    while jc < nn {
        let nc = min(blk.nc, nn - jc)
        var pc = 0
        while pc < k {
            // Equal-sized k blocks (e.g. k=784, KC=256 → 4×196, not 256,256,256,16).
            let kc = gemmBalancedBlock(remaining: k - pc, block: blk.kc, multiple: 1)
            if lazyB {
                // packed one sliver at a time in the jr loop below
            } else if !directB {
                packBF64(trans: transB, b: b, ldb: ldb, p0: pc, kc: kc, j0: n0 + jc, nc: nc, dst: packB)
            } else if nc % nr != 0 {
                let j = nc - nc % nr
                packBF64(trans: false, b: b, ldb: ldb, p0: pc, kc: kc, j0: n0 + jc + j,
                         nc: nc - j, dst: packB)
            }
            let betaEff: Double = pc == 0 ? beta : 1
            var ic = 0
            while ic < mm {
                let mc = gemmBalancedBlock(remaining: mm - ic, block: blk.mc, multiple: mr)
                if !directA {
                    packAF64(trans: transA, a: a, lda: lda, i0: m0 + ic, mc: mc, p0: pc, kc: kc, dst: packA)
                }
                let aBlock = directA ? a + (m0 + ic) * (transA ? 1 : lda) + pc * (transA ? lda : 1)
                                     : UnsafePointer(packA)
                let aSliver = directA ? mr * ars : mr * kc
                var jr = 0
                while jr < nc {
                    let cols = min(nr, nc - jr)
                    let bp: UnsafePointer<Double>, bps: Int
                    if lazyB {
                        packBF64(trans: transB, b: b, ldb: ldb, p0: pc, kc: kc, j0: n0 + jc + jr,
                                 nc: cols, dst: packB)
                        bp = UnsafePointer(packB); bps = nr
                    } else if !directB {
                        bp = UnsafePointer(packB + jr * kc); bps = nr
                    } else if cols == nr {
                        bp = b + pc * ldb + (n0 + jc + jr); bps = ldb
                    } else {
                        bp = UnsafePointer(packB); bps = nr
                    }
                    var ir = 0
                    var ap = aBlock
                    while ir < mc {
                        let rows = min(mr, mc - ir)
                        let cp = c + (m0 + ic + ir) * ldc + (n0 + jc + jr)
                        if cols == nr {
                            microF64(kc, ap, ars, aps, rows, bp, bps, cp, ldc, alpha, betaEff)
                        } else {
                            microF64(kc, ap, ars, aps, rows, bp, bps, tile, nr, 1, 0)
                            mergeTileF64(tile, nr, cp, ldc, rows, cols, alpha, betaEff)
                        }
                        ir += mr
                        ap += aSliver
                    }
                    jr += nr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// C[rows×cols] ← alpha·T + beta·C (beta == 0: C not read).
@inline(__always)
func mergeTileF64(_ t: UnsafeMutablePointer<Double>, _ ldt: Int,
                  _ c: UnsafeMutablePointer<Double>, _ ldc: Int,
                  _ rows: Int, _ cols: Int, _ alpha: Double, _ beta: Double) {
    for i in 0..<rows {
        let tr = t + i * ldt, cr = c + i * ldc
        if beta == 0 {
            for j in 0..<cols { cr[j] = alpha * tr[j] }
        } else if beta == 1 {
            for j in 0..<cols { cr[j] += alpha * tr[j] }
        } else {
            for j in 0..<cols { cr[j] = beta * cr[j] + alpha * tr[j] }
        }
    }
}

/// Packs op(A)[i0..<i0+mc, p0..<p0+kc] as MR-row slivers: sliver s holds, for each p,
/// the MR values A(i0+s·MR+r, p0+p) contiguously. Rows past mc are zero.
func packAF64(trans: Bool, a: UnsafePointer<Double>, lda: Int, i0: Int, mc: Int,
              p0: Int, kc: Int, dst: UnsafeMutablePointer<Double>) {
    let mr = gemmMR
    var d = dst
    var i = 0
    while i < mc {
        let rows = min(mr, mc - i)
        if !trans {
            // A(r, p) = a[r*lda + p]
            let r0 = a + (i0 + i) * lda + p0
            if rows == mr {
                let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
                for p in 0..<kc {
                    d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]
                    d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p]
                    d += mr
                }
            } else {
                for p in 0..<kc {
                    for r in 0..<mr { d[r] = r < rows ? r0[r * lda + p] : 0 }
                    d += mr
                }
            }
        } else {
            // A(r, p) = a[p*lda + r]
            var src = a + p0 * lda + (i0 + i)
            if rows == mr {
                for _ in 0..<kc {
                    d[0] = src[0]; d[1] = src[1]; d[2] = src[2]
                    d[3] = src[3]; d[4] = src[4]; d[5] = src[5]
                    src += lda; d += mr
                }
            } else {
                for _ in 0..<kc {
                    for r in 0..<mr { d[r] = r < rows ? src[r] : 0 }
                    src += lda; d += mr
                }
            }
        }
        i += mr
    }
}

/// Packs op(B)[p0..<p0+kc, j0..<j0+nc] as NR-column slivers: sliver s holds, for each p,
/// the NR values B(p0+p, j0+s·NR+c) contiguously. Columns past nc are zero.
func packBF64(trans: Bool, b: UnsafePointer<Double>, ldb: Int, p0: Int, kc: Int,
              j0: Int, nc: Int, dst: UnsafeMutablePointer<Double>) {
    typealias V = SIMD8<Double>
    let nr = gemmNRF64
    var d = dst
    var j = 0
    while j < nc {
        let cols = min(nr, nc - j)
        if !trans {
            // B(p, c) = b[p*ldb + c]
            var src = b + p0 * ldb + (j0 + j)
            if cols == nr {
                for _ in 0..<kc {
                    UnsafeMutableRawPointer(d).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: V.self), as: V.self)
                    src += ldb; d += nr
                }
            } else {
                for _ in 0..<kc {
                    for cc in 0..<nr { d[cc] = cc < cols ? src[cc] : 0 }
                    src += ldb; d += nr
                }
            }
        } else {
            // B(p, c) = b[c*ldb + p]
            if cols == nr {
                // Eight stored rows at a time: gather one value from each per k step and
                // store them as one vector.
                typealias H = SIMD8<Double>
                for h in stride(from: 0, to: nr, by: 8) {
                    let s0 = b + (j0 + j + h) * ldb + p0
                    let s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb
                    let s4 = s3 + ldb, s5 = s4 + ldb, s6 = s5 + ldb, s7 = s6 + ldb
                    var dd = UnsafeMutableRawPointer(d + h)
                    let rowBytes = nr * MemoryLayout<Double>.stride
                    var p = 0
                    while p + 8 <= kc {
                        // 8×8 block transpose in registers (unpack / shuffle / 128-bit swaps).
                        let r0 = UnsafeRawPointer(s0 + p).loadUnaligned(as: H.self)
                        let r1 = UnsafeRawPointer(s1 + p).loadUnaligned(as: H.self)
                        let r2 = UnsafeRawPointer(s2 + p).loadUnaligned(as: H.self)
                        let r3 = UnsafeRawPointer(s3 + p).loadUnaligned(as: H.self)
                        let r4 = UnsafeRawPointer(s4 + p).loadUnaligned(as: H.self)
                        let r5 = UnsafeRawPointer(s5 + p).loadUnaligned(as: H.self)
                        let r6 = UnsafeRawPointer(s6 + p).loadUnaligned(as: H.self)
                        let r7 = UnsafeRawPointer(s7 + p).loadUnaligned(as: H.self)
                        let t0 = H(r0[0], r1[0], r0[1], r1[1], r0[4], r1[4], r0[5], r1[5])
                        let t1 = H(r0[2], r1[2], r0[3], r1[3], r0[6], r1[6], r0[7], r1[7])
                        let t2 = H(r2[0], r3[0], r2[1], r3[1], r2[4], r3[4], r2[5], r3[5])
                        let t3 = H(r2[2], r3[2], r2[3], r3[3], r2[6], r3[6], r2[7], r3[7])
                        let t4 = H(r4[0], r5[0], r4[1], r5[1], r4[4], r5[4], r4[5], r5[5])
                        let t5 = H(r4[2], r5[2], r4[3], r5[3], r4[6], r5[6], r4[7], r5[7])
                        let t6 = H(r6[0], r7[0], r6[1], r7[1], r6[4], r7[4], r6[5], r7[5])
                        let t7 = H(r6[2], r7[2], r6[3], r7[3], r6[6], r7[6], r6[7], r7[7])
                        let u0 = H(t0[0], t0[1], t2[0], t2[1], t0[4], t0[5], t2[4], t2[5])
                        let u1 = H(t0[2], t0[3], t2[2], t2[3], t0[6], t0[7], t2[6], t2[7])
                        let u2 = H(t1[0], t1[1], t3[0], t3[1], t1[4], t1[5], t3[4], t3[5])
                        let u3 = H(t1[2], t1[3], t3[2], t3[3], t1[6], t1[7], t3[6], t3[7])
                        let u4 = H(t4[0], t4[1], t6[0], t6[1], t4[4], t4[5], t6[4], t6[5])
                        let u5 = H(t4[2], t4[3], t6[2], t6[3], t4[6], t4[7], t6[6], t6[7])
                        let u6 = H(t5[0], t5[1], t7[0], t7[1], t5[4], t5[5], t7[4], t7[5])
                        let u7 = H(t5[2], t5[3], t7[2], t7[3], t5[6], t5[7], t7[6], t7[7])
                        dd.storeBytes(of: H(lowHalf: u0.lowHalf, highHalf: u4.lowHalf), as: H.self)
                        (dd + rowBytes).storeBytes(of: H(lowHalf: u1.lowHalf, highHalf: u5.lowHalf), as: H.self)
                        (dd + 2 * rowBytes).storeBytes(of: H(lowHalf: u2.lowHalf, highHalf: u6.lowHalf), as: H.self)
                        (dd + 3 * rowBytes).storeBytes(of: H(lowHalf: u3.lowHalf, highHalf: u7.lowHalf), as: H.self)
                        (dd + 4 * rowBytes).storeBytes(of: H(lowHalf: u0.highHalf, highHalf: u4.highHalf), as: H.self)
                        (dd + 5 * rowBytes).storeBytes(of: H(lowHalf: u1.highHalf, highHalf: u5.highHalf), as: H.self)
                        (dd + 6 * rowBytes).storeBytes(of: H(lowHalf: u2.highHalf, highHalf: u6.highHalf), as: H.self)
                        (dd + 7 * rowBytes).storeBytes(of: H(lowHalf: u3.highHalf, highHalf: u7.highHalf), as: H.self)
                        dd += 8 * rowBytes
                        p += 8
                    }
                    while p < kc {
                        dd.storeBytes(of: H(s0[p], s1[p], s2[p], s3[p], s4[p], s5[p], s6[p], s7[p]),
                                      as: H.self)
                        dd += rowBytes
                        p += 1
                    }
                }
                d += kc * nr
                j += nr
                continue
            }
            // Partial sliver: read each stored row contiguously, scatter by NR.
            for cc in 0..<cols {
                let src = b + (j0 + j + cc) * ldb + p0
                var dd = d + cc
                for p in 0..<kc { dd[0] = src[p]; dd += nr }
            }
            if cols < nr {
                for p in 0..<kc {
                    for cc in cols..<nr { d[p * nr + cc] = 0 }
                }
            }
            d += kc * nr
        }
        j += nr
    }
}

/// MR×NR micro-kernel: C[0..<rows, 0..<NR] ← alpha·(A·B) + beta·C (beta == 0: C not read).
/// A(r, p) = a[r*ars + p*aps] for r < rows (packed: ars = 1, aps = MR); B row p starts at
/// b + p*bps (packed: bps = NR). Short edge tiles run a 4- or 2-row body; rows beyond
/// `rows` inside a body are computed from row rows-1 and not stored.
@inline(never)
func microF64(_ kc: Int, _ a: UnsafePointer<Double>, _ ars: Int, _ aps: Int, _ rows: Int,
              _ b: UnsafePointer<Double>, _ bps: Int,
              _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ alpha: Double, _ beta: Double) {
    // ars == 1 (packed A, or transposed A in place) gets its own copy so that the six
    // A values are addressed off one pointer.
    if rows == 6 && ars == 1 {
        microBodyF64(6, kc, a, 1, aps, 6, b, bps, c, ldc, alpha, beta)
    } else if rows > 4 {
        microBodyF64(6, kc, a, ars, aps, rows, b, bps, c, ldc, alpha, beta)
    } else if rows > 2 {
        microBodyF64(4, kc, a, ars, aps, rows, b, bps, c, ldc, alpha, beta)
    } else {
        microBodyF64(2, kc, a, ars, aps, rows, b, bps, c, ldc, alpha, beta)
    }
}

/// Micro-kernel body for R (a constant after inlining: 2, 4 or 6) computed rows.
@inline(__always)
func microBodyF64(_ R: Int, _ kc: Int, _ a: UnsafePointer<Double>, _ ars: Int, _ aps: Int, _ rows: Int,
                  _ b: UnsafePointer<Double>, _ bps: Int,
                  _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ alpha: Double, _ beta: Double) {
    typealias V = SIMD8<Double>
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    let a0 = a
    let a1 = rows > 1 ? a0 + ars : a0
    let a2 = rows > 2 ? a1 + ars : a1
    let a3 = rows > 3 ? a2 + ars : a2
    let a4 = rows > 4 ? a3 + ars : a3
    let a5 = rows > 5 ? a4 + ars : a4
    var o = 0
    var bp = UnsafeRawPointer(b)
    let stepB = bps * MemoryLayout<Double>.stride
    for _ in 0..<kc {
        let bv = bp.loadUnaligned(as: V.self)
        c0 = c0.addingProduct(V(repeating: a0[o]), bv)
        c1 = c1.addingProduct(V(repeating: a1[o]), bv)
        if R > 2 {
            c2 = c2.addingProduct(V(repeating: a2[o]), bv)
            c3 = c3.addingProduct(V(repeating: a3[o]), bv)
        }
        if R > 4 {
            c4 = c4.addingProduct(V(repeating: a4[o]), bv)
            c5 = c5.addingProduct(V(repeating: a5[o]), bv)
        }
        o &+= aps
        bp += stepB
    }
    storeRowF64(c, c0, alpha, beta)
    if rows > 1 { storeRowF64(c + ldc, c1, alpha, beta) }
    if rows > 2 { storeRowF64(c + 2 * ldc, c2, alpha, beta) }
    if rows > 3 { storeRowF64(c + 3 * ldc, c3, alpha, beta) }
    if rows > 4 { storeRowF64(c + 4 * ldc, c4, alpha, beta) }
    if rows > 5 { storeRowF64(c + 5 * ldc, c5, alpha, beta) }
}

@inline(__always)
func storeRowF64(_ p: UnsafeMutablePointer<Double>, _ v: SIMD8<Double>, _ alpha: Double, _ beta: Double) {
    typealias V = SIMD8<Double>
    let raw = UnsafeMutableRawPointer(p)
    if beta == 0 {
        raw.storeBytes(of: v * alpha, as: V.self)
    } else if beta == 1 {
        let old = UnsafeRawPointer(p).loadUnaligned(as: V.self)
        raw.storeBytes(of: old.addingProduct(v, V(repeating: alpha)), as: V.self)
    } else {
        let old = UnsafeRawPointer(p).loadUnaligned(as: V.self)
        raw.storeBytes(of: (old * beta).addingProduct(v, V(repeating: alpha)), as: V.self)
    }
}

