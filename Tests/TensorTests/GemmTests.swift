import Testing
@testable import Tensor

/// Deterministic pseudo-random values in [-1, 1).
struct LCG {
    var s: UInt64
    mutating func next() -> Double {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Double(Int64(bitPattern: s >> 11) % 2000) / 1000.0 - 1.0
    }
}

typealias GemmFn<T> = @Sendable (_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
                       _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                       _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ threads: Int) -> Void

struct GemmCase: CustomStringConvertible {
    var tA: Bool, tB: Bool, m: Int, n: Int, k: Int
    var alpha: Double = 1, beta: Double = 0
    var padA = 0, padB = 0, padC = 0
    var nanC = false
    var description: String {
        "tA=\(tA) tB=\(tB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) pad=\(padA),\(padB),\(padC) nanC=\(nanC)"
    }
}

/// Runs `gemm` on the case, checks against a naive Double triple loop, and returns C.
@discardableResult
func check<T: BinaryFloatingPoint>(_ cs: GemmCase, _ type: T.Type, threads: Int, seed: UInt64 = 1,
                                   _ gemm: GemmFn<T>) -> [T] {
    var rng = LCG(s: seed)
    // Stored shapes: A is m×k (or k×m if tA), B is k×n (or n×k if tB).
    let aRows = cs.tA ? cs.k : cs.m, aCols = cs.tA ? cs.m : cs.k
    let bRows = cs.tB ? cs.n : cs.k, bCols = cs.tB ? cs.k : cs.n
    let lda = aCols + cs.padA, ldb = bCols + cs.padB, ldc = cs.n + cs.padC
    let a = (0..<max(1, aRows * lda)).map { _ in T(rng.next()) }
    let b = (0..<max(1, bRows * ldb)).map { _ in T(rng.next()) }
    var c = (0..<max(1, cs.m * ldc)).map { _ in cs.nanC ? T.nan : T(rng.next()) }
    let c0 = c

    func A(_ i: Int, _ p: Int) -> Double { Double(cs.tA ? a[p * lda + i] : a[i * lda + p]) }
    func B(_ p: Int, _ j: Int) -> Double { Double(cs.tB ? b[j * ldb + p] : b[p * ldb + j]) }

    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                gemm(cs.tA, cs.tB, cs.m, cs.n, cs.k, T(cs.alpha), ap.baseAddress!, lda,
                     bp.baseAddress!, ldb, T(cs.beta), cp.baseAddress!, ldc, threads)
            }
        }
    }
    let eps = Double(T.ulpOfOne)
    var bad = 0
    for i in 0..<cs.m {
        for j in 0..<cs.n {
            var s = 0.0, sa = 0.0
            for p in 0..<cs.k { let t = A(i, p) * B(p, j); s += t; sa += abs(t) }
            var ref = cs.alpha * s
            var mag = abs(cs.alpha) * sa
            if cs.beta != 0 {
                ref += cs.beta * Double(c0[i * ldc + j])
                mag += abs(cs.beta * Double(c0[i * ldc + j]))
            }
            let got = Double(c[i * ldc + j])
            let tol = 4 * eps * Double(cs.k + 2) * mag + 1e-300
            if !(abs(got - ref) <= tol) {
                bad += 1
                if bad <= 3 { Issue.record("\(cs) [\(i),\(j)] got \(got) want \(ref) tol \(tol)") }
            }
        }
        // Padding columns of C must be untouched.
        for j in cs.n..<ldc where !(c[i * ldc + j] == c0[i * ldc + j] || (c[i * ldc + j].isNaN && c0[i * ldc + j].isNaN)) {
            Issue.record("\(cs) padding C[\(i),\(j)] modified")
        }
    }
    return c
}

func sgemmFn(_ blk: GemmBlocking) -> GemmFn<Float> {
    { tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, th in
        gemmF32(transA: tA, transB: tB, m: m, n: n, k: k, alpha: al, a: a, lda: lda, b: b, ldb: ldb,
                beta: be, c: c, ldc: ldc, threads: th, blocking: blk)
    }
}

func dgemmFn(_ blk: GemmBlocking) -> GemmFn<Double> {
    { tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, th in
        gemmF64(transA: tA, transB: tB, m: m, n: n, k: k, alpha: al, a: a, lda: lda, b: b, ldb: ldb,
                beta: be, c: c, ldc: ldc, threads: th, blocking: blk)
    }
}

let publicS: GemmFn<Float> = { tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, th in
    Gemm.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: al, a: a, lda: lda, b: b, ldb: ldb,
               beta: be, c: c, ldc: ldc, threads: th)
}
let publicD: GemmFn<Double> = { tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc, th in
    Gemm.dgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: al, a: a, lda: lda, b: b, ldb: ldb,
               beta: be, c: c, ldc: ldc, threads: th)
}

/// Tiny blocks (several MC/KC/NC blocks even for small sizes) and threading always allowed.
let tinyBlocks = GemmBlocking(mc: 12, kc: 8, nc: 32, parallelThreshold: 0)
let oddSizes: [(Int, Int, Int)] = [
    (1, 1, 1), (3, 5, 7), (7, 3, 5), (5, 7, 3), (17, 33, 65), (65, 17, 33), (33, 65, 17),
    (6, 16, 8), (12, 32, 9), (1, 65, 33), (65, 1, 17), (13, 17, 1),
]
let transCombos = [(false, false), (true, false), (false, true), (true, true)]

@Suite struct GemmTests {
    @Test(arguments: [false, true])
    func oddSizesAllTrans(double: Bool) {
        for (tA, tB) in transCombos {
            for (m, n, k) in oddSizes {
                for blk in [GemmBlocking.f32, tinyBlocks] {
                    let cs = GemmCase(tA: tA, tB: tB, m: m, n: n, k: k)
                    if double { check(cs, Double.self, threads: 1, dgemmFn(blk)) }
                    else { check(cs, Float.self, threads: 1, sgemmFn(blk)) }
                }
            }
        }
    }

    @Test(arguments: [false, true])
    func stridesAlphaBeta(double: Bool) {
        let ab: [(Double, Double, Bool)] = [(1, 0, true), (0.5, 0, true), (2, 1, false),
                                            (-1.5, 0.25, false), (1, -1, false)]
        for (tA, tB) in transCombos {
            for (m, n, k) in [(17, 33, 65), (7, 5, 3), (33, 17, 20)] {
                for (al, be, nan) in ab {
                    let cs = GemmCase(tA: tA, tB: tB, m: m, n: n, k: k, alpha: al, beta: be,
                                  padA: 3, padB: 5, padC: 7, nanC: nan)
                    if double {
                        check(cs, Double.self, threads: 1, dgemmFn(tinyBlocks))
                        check(cs, Double.self, threads: 1, publicD)
                    } else {
                        check(cs, Float.self, threads: 1, sgemmFn(tinyBlocks))
                        check(cs, Float.self, threads: 1, publicS)
                    }
                }
            }
        }
    }

    /// Sizes above one default cache block: k = KC + 3, m = MC + 6 + 1, n > NR multiples.
    @Test func aboveDefaultBlocks() {
        let kc = GemmBlocking.f32.kc, mc = GemmBlocking.f32.mc
        for (tA, tB) in transCombos {
            check(GemmCase(tA: tA, tB: tB, m: 9, n: 19, k: kc + 3, alpha: 1, beta: 0.5), Float.self,
                  threads: 1, publicS)
            check(GemmCase(tA: tA, tB: tB, m: mc + 7, n: 17, k: 5, nanC: true), Float.self,
                  threads: 1, publicS)
            check(GemmCase(tA: tA, tB: tB, m: 8, n: 9, k: GemmBlocking.f64.kc + 3, beta: 1), Double.self,
                  threads: 1, publicD)
            check(GemmCase(tA: tA, tB: tB, m: GemmBlocking.f64.mc + 5, n: 11, k: 4), Double.self,
                  threads: 1, publicD)
        }
        // nc blocking with moderately small custom blocks
        let blk = GemmBlocking(mc: 30, kc: 40, nc: 48, parallelThreshold: 0)
        check(GemmCase(tA: false, tB: true, m: 70, n: 130, k: 90, alpha: 0.75, beta: -2), Float.self,
              threads: 2, sgemmFn(blk))
    }

    @Test func zeroSizes() {
        for (tA, tB) in transCombos {
            for (m, n, k) in [(0, 5, 3), (4, 0, 3), (0, 0, 0), (4, 5, 0), (1, 1, 0)] {
                for (be, nan) in [(0.0, true), (2.0, false), (1.0, false)] {
                    let cs = GemmCase(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 1.5, beta: be, padC: 2, nanC: nan)
                    check(cs, Float.self, threads: 2, publicS)
                    check(cs, Double.self, threads: 2, publicD)
                    check(cs, Float.self, threads: 2, sgemmFn(tinyBlocks))
                }
            }
        }
        // alpha == 0 → C = beta*C, A/B not used for the result
        check(GemmCase(tA: false, tB: false, m: 5, n: 6, k: 7, alpha: 0, beta: 0, nanC: true), Float.self,
              threads: 1, publicS)
        check(GemmCase(tA: true, tB: false, m: 5, n: 6, k: 7, alpha: 0, beta: 3), Double.self,
              threads: 1, publicD)
    }

    /// Threaded results must match single-threaded ones bit for bit.
    @Test(arguments: [false, true])
    func threadsAgree(double: Bool) {
        for (tA, tB) in transCombos {
            for (m, n, k) in [(65, 33, 17), (17, 65, 33), (33, 17, 65), (7, 200, 9), (200, 7, 9)] {
                for blk in [tinyBlocks, GemmBlocking(mc: 144, kc: 256, nc: 4096, parallelThreshold: 0)] {
                    let cs = GemmCase(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 1.25, beta: 0.5, padC: 1)
                    if double {
                        let r1 = check(cs, Double.self, threads: 1, dgemmFn(blk))
                        let r2 = check(cs, Double.self, threads: 2, dgemmFn(blk))
                        #expect(r1 == r2, "\(cs)")
                    } else {
                        let r1 = check(cs, Float.self, threads: 1, sgemmFn(blk))
                        let r2 = check(cs, Float.self, threads: 2, sgemmFn(blk))
                        let r3 = check(cs, Float.self, threads: 3, sgemmFn(blk))
                        #expect(r1 == r2, "\(cs)")
                        #expect(r1 == r3, "\(cs)")
                    }
                }
            }
        }
        // Public API above the threading threshold.
        let cs = GemmCase(tA: false, tB: false, m: 64, n: 128, k: 300, alpha: 1, beta: 0, nanC: true)
        #expect(check(cs, Float.self, threads: 1, publicS) == check(cs, Float.self, threads: 2, publicS))
    }

    /// In-place (unpacked) A and/or B, forced on and off, against the reference; every
    /// transpose combination, odd sizes, padded strides, NaN-filled C with beta == 0, and
    /// threaded results bit-identical to single-threaded ones.
    @Test(arguments: [false, true])
    func directPaths(double: Bool) {
        let sizes = oddSizes + [(64, 128, 40), (13, 33, 300), (7, 40, 17), (2, 31, 5)]
        let ab: [(Double, Double, Bool)] = [(1, 0, true), (-1.5, 0.25, false), (0.5, 1, false)]
        for dA in [false, true] {
            for dB in [false, true] {
                for base in [double ? GemmBlocking.f64 : GemmBlocking.f32, tinyBlocks] {
                    var blk = base
                    blk.directA = dA
                    blk.directB = dB
                    blk.parallelThreshold = 0
                    for (tA, tB) in transCombos {
                        for (m, n, k) in sizes {
                            for (i, (al, be, nan)) in ab.enumerated() {
                                let pad = i == 0 ? 0 : 1
                                let cs = GemmCase(tA: tA, tB: tB, m: m, n: n, k: k, alpha: al, beta: be,
                                              padA: 3 * pad, padB: 5 * pad, padC: 7 * pad, nanC: nan)
                                if double {
                                    let r1 = check(cs, Double.self, threads: 1, dgemmFn(blk))
                                    if i == 1 { #expect(r1 == check(cs, Double.self, threads: 2, dgemmFn(blk)), "\(cs)") }
                                } else {
                                    let r1 = check(cs, Float.self, threads: 1, sgemmFn(blk))
                                    if i == 1 { #expect(r1 == check(cs, Float.self, threads: 2, sgemmFn(blk)), "\(cs)") }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The MLP shapes through the public API (default heuristics), NaN-filled C, and the
    /// heuristic itself.
    @Test func mlpShapes() {
        let shapes: [(Bool, Bool, Int, Int, Int)] = [   // tA, tB, m, n, k
            (false, false, 64, 128, 784), (true, false, 784, 128, 64), (false, true, 64, 784, 128),
            (false, false, 32, 128, 64), (false, false, 32, 64, 128), (false, false, 32, 10, 64),
            (true, false, 64, 128, 32), (false, true, 32, 64, 128), (true, true, 33, 70, 31),
        ]
        for (tA, tB, m, n, k) in shapes {
            let cs = GemmCase(tA: tA, tB: tB, m: m, n: n, k: k, nanC: true)
            #expect(check(cs, Float.self, threads: 1, publicS) == check(cs, Float.self, threads: 2, publicS))
            check(GemmCase(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 0.5, beta: -1, padA: 1, padB: 2, padC: 3),
                  Float.self, threads: 1, publicS)
            check(cs, Double.self, threads: 1, publicD)
        }
        let h = gemmDirectHeuristic(transA: false, transB: false, m: 64, n: 128, k: 784, nr: 16)
        #expect(h.a && !h.b)
        let small = gemmDirectHeuristic(transA: true, transB: false, m: 32, n: 128, k: 64, nr: 16)
        #expect(small.a && small.b)
        let fwd = GemmBlocking.f32.resolved(transA: false, transB: false, m: 64, n: 128, k: 784, nr: 16)
        #expect(fwd.kc == 400)
        let r = GemmBlocking.f32.resolved(transA: false, transB: true, m: 32, n: 64, k: 128, nr: 16)
        #expect(r.directB == false)
        let big = gemmDirectHeuristic(transA: false, transB: false, m: 1024, n: 1024, k: 1024, nr: 16)
        #expect(!big.a && !big.b)
    }

    @Test func splitPlanning() {
        // Below threshold: single thread.
        #expect(gemmPlanSplit(m: 32, n: 128, k: 64, nr: 16, maxThreads: 2, threshold: 4_000_000).threads == 1)
        let s = gemmPlanSplit(m: 64, n: 128, k: 784, nr: 16, maxThreads: 2, threshold: 4_000_000)
        #expect(s.threads == 2 && s.alongN && s.chunk == 64)
        let t = gemmPlanSplit(m: 1, n: 1, k: 10_000_000, nr: 16, maxThreads: 2, threshold: 0)
        #expect(t.threads == 1)
    }
}
