// PLACEHOLDER naive GEMM until the packed kernel lands.
public enum Gemm {
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        naive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    public static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int) {
        naive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    static func naive<T: BinaryFloatingPoint>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        for i in 0..<m { for j in 0..<n {
            var s: T = 0
            for p in 0..<k { s += (transA ? a[p*lda+i] : a[i*lda+p]) * (transB ? b[j*ldb+p] : b[p*ldb+j]) }
            c[i*ldc+j] = beta == 0 ? alpha*s : alpha*s + beta*c[i*ldc+j]
        } }
    }
}
