import Testing
import Foundation
@testable import Tensor

// MARK: - ulp helpers
// err = |y - ref| / ulp(ref rounded to the result type), ulp floored at the
// smallest subnormal (so subnormal results are measured in subnormal spacing).
// NaN vs NaN and exact infinities count as 0; any other NaN/inf mismatch is +inf.

func ulpErrF(_ y: Float, _ ref: Double) -> Double {
    if ref.isNaN { return y.isNaN ? 0 : .infinity }
    if y.isNaN { return .infinity }
    let rf = Float(ref)
    if rf.isInfinite || y.isInfinite { return y == rf ? 0 : .infinity }
    return abs(Double(y) - ref) / Double(max(rf.ulp, Float.leastNonzeroMagnitude))
}

func ulpErrD(_ y: Double, _ ref: Double) -> Double {
    if ref.isNaN { return y.isNaN ? 0 : .infinity }
    if y.isNaN { return .infinity }
    if ref.isInfinite || y.isInfinite { return y == ref ? 0 : .infinity }
    return abs(y - ref) / max(ref.ulp, Double.leastNonzeroMagnitude)
}

struct Kernel: Sendable, CustomStringConvertible {
    let name: String
    let vf: @Sendable (SIMD16<Float>) -> SIMD16<Float>
    let vd: @Sendable (SIMD8<Double>) -> SIMD8<Double>
    let sf: @Sendable (Float) -> Float
    let sd: @Sendable (Double) -> Double
    let ref: @Sendable (Double) -> Double
    var description: String { name }
}

let kernels: [Kernel] = [
    Kernel(name: "exp", vf: { VectorMath.exp($0) }, vd: { VectorMath.exp($0) }, sf: { VectorMath.exp($0) }, sd: { VectorMath.exp($0) }, ref: { Foundation.exp($0) }),
    Kernel(name: "expm1", vf: { VectorMath.expm1($0) }, vd: { VectorMath.expm1($0) }, sf: { VectorMath.expm1($0) }, sd: { VectorMath.expm1($0) }, ref: { Foundation.expm1($0) }),
    Kernel(name: "log", vf: { VectorMath.log($0) }, vd: { VectorMath.log($0) }, sf: { VectorMath.log($0) }, sd: { VectorMath.log($0) }, ref: { Foundation.log($0) }),
    Kernel(name: "log1p", vf: { VectorMath.log1p($0) }, vd: { VectorMath.log1p($0) }, sf: { VectorMath.log1p($0) }, sd: { VectorMath.log1p($0) }, ref: { Foundation.log1p($0) }),
    Kernel(name: "tanh", vf: { VectorMath.tanh($0) }, vd: { VectorMath.tanh($0) }, sf: { VectorMath.tanh($0) }, sd: { VectorMath.tanh($0) }, ref: { Foundation.tanh($0) }),
    Kernel(name: "erf", vf: { VectorMath.erf($0) }, vd: { VectorMath.erf($0) }, sf: { VectorMath.erf($0) }, sd: { VectorMath.erf($0) }, ref: { Foundation.erf($0) }),
]

// Sweep density. Debug builds run the unoptimized generic SIMD code (~100x
// slower), so they sample sparser; `vmath-bench ulp` does the dense release sweep.
#if DEBUG
let floatStep: UInt64 = 4099      // ~1.05M bit patterns over all 2^32
let doubleSamples = 40_000        // per mode (3 modes)
#else
let floatStep: UInt64 = 257       // ~16.7M bit patterns
let doubleSamples = 1_000_000
#endif

struct SplitMix { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) } }

@Suite("VectorMath accuracy")
struct AccuracyTests {
    /// Every `floatStep`-th Float bit pattern (both signs, all exponents, incl. inf/NaN,
    /// i.e. the whole domain and outside it) vs Double libm rounded to Float.
    @Test(arguments: kernels)
    func floatSweep(_ k: Kernel) {
        var worst = 0.0, arg: Float = 0
        var bits: UInt64 = 0x1234 % floatStep
        var v = SIMD16<Float>()
        while bits < (1 << 32) {
            var n = 0
            while n < 16 && bits < (1 << 32) { v[n] = Float(bitPattern: UInt32(bits)); n += 1; bits += floatStep }
            let y = k.vf(v)
            for i in 0..<n {
                let e = ulpErrF(y[i], k.ref(Double(v[i])))
                if e > worst { worst = e; arg = v[i] }
            }
        }
        #expect(worst <= 4, "Float \(k.name): max \(worst) ulp at \(arg)")
    }

    /// Random bit patterns (log-uniform over all magnitudes) + log-spaced |x| in
    /// [1e-300, 1e300] + uniform in [-40, 40], vs glibc Double libm.
    @Test(arguments: kernels)
    func doubleSweep(_ k: Kernel) {
        var rng = SplitMix(s: 42)
        var worst = 0.0, arg = 0.0
        var v = SIMD8<Double>()
        for mode in 0..<3 {
            for _ in 0..<(doubleSamples / 8) {
                for l in 0..<8 {
                    let r = rng.next()
                    switch mode {
                    case 0: v[l] = Double(bitPattern: r)
                    case 1:
                        let m = Foundation.pow(10.0, -300 + 600 * Double(r >> 11) * 0x1p-53)
                        v[l] = (r & 1) == 0 ? m : -m
                    default: v[l] = -40 + 80 * Double(r >> 11) * 0x1p-53
                    }
                }
                let y = k.vd(v)
                for l in 0..<8 {
                    let e = ulpErrD(y[l], k.ref(v[l]))
                    if e > worst { worst = e; arg = v[l] }
                }
            }
        }
        #expect(worst <= 4, "Double \(k.name): max \(worst) ulp at \(arg)")
    }

    @Test func floatExpGradualUnderflow() {
        // exp in the subnormal range: within 1 subnormal spacing of the reference.
        var x: Float = -87.5
        while x > -104 {
            let y = VectorMath.exp(x)
            #expect(ulpErrF(y, Foundation.exp(Double(x))) <= 1, "exp(\(x)) = \(y)")
            x -= 0.0625
        }
        let y = VectorMath.exp(Float(-100))
        #expect(abs(Double(y) - 3.720075976020836e-44) <= Double(Float.leastNonzeroMagnitude))
        #expect(VectorMath.exp(Float(-103.9)) > 0)
        #expect(VectorMath.exp(Float(-104)) == 0)
    }

    @Test func oneSidedExponentials() {
        // e^x for x ≤ 0 (the activations' e^{−|x|}): within 1 ulp, subnormal results within one
        // subnormal spacing (the 2⁶⁴ scaling rounds them once), down to where e^x rounds to 0.
        var x: Float = 0
        var worst = 0.0
        while x > -110 {
            let v = SIMD16<Float>(repeating: x)
            worst = max(worst, ulpErrF(VectorMath.expNonPositive(v)[0], Foundation.exp(Double(x))))
            x -= 0.0371
        }
        #expect(worst <= 1, "expNonPositive: max \(worst) ulp")
        #expect(VectorMath.expNonPositive(SIMD16<Float>(repeating: -.infinity))[0] == 0)
        #expect(VectorMath.expNonPositive(SIMD16<Float>(repeating: .nan))[0].isNaN)
        // e^x − 1 for x ≤ 0: within 1 ulp, relative accuracy near 0, −0 kept.
        worst = 0
        x = 0
        while x > -30 {
            let v = SIMD16<Float>(repeating: x)
            worst = max(worst, ulpErrF(VectorMath.expm1NonPositive(v)[0], Foundation.expm1(Double(x))))
            x = x > -0.01 ? x - 1e-4 : x - 0.0173
        }
        #expect(worst <= 1, "expm1NonPositive: max \(worst) ulp")
        let negativeZero = VectorMath.expm1NonPositive(SIMD16<Float>(repeating: -0.0))[0]
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        #expect(VectorMath.expm1NonPositive(SIMD16<Float>(repeating: -.infinity))[0] == -1)
        #expect(VectorMath.expm1NonPositive(SIMD16<Float>(repeating: .nan))[0].isNaN)
    }

    @Test func doubleExpGradualUnderflow() {
        var x = -708.0
        while x > -746 {
            #expect(ulpErrD(VectorMath.exp(x), Foundation.exp(x)) <= 1, "exp(\(x))")
            x -= 0.125
        }
    }
}

// MARK: - special values

func bitsEqual(_ a: Float, _ b: Float) -> Bool { a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern }
func bitsEqual(_ a: Double, _ b: Double) -> Bool { a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern }

/// Checks f(x) == expected bit-exactly (NaN matches any NaN) for Float and Double.
func checkSpecial(_ k: Kernel, _ cases: [(Double, Double)], sourceLocation: SourceLocation = #_sourceLocation) {
    for (x, e) in cases {
        let yf = k.sf(Float(x)), yd = k.sd(x)
        #expect(bitsEqual(yf, Float(e)), "Float \(k.name)(\(Float(x))) = \(yf), expected \(Float(e))", sourceLocation: sourceLocation)
        #expect(bitsEqual(yd, e), "Double \(k.name)(\(x)) = \(yd), expected \(e)", sourceLocation: sourceLocation)
    }
}

let inf = Double.infinity
let nan = Double.nan

@Suite("VectorMath special values")
struct SpecialValueTests {
    @Test func exp() {
        checkSpecial(kernels[0], [(nan, nan), (inf, inf), (-inf, 0), (0, 1), (-0.0, 1), (1000, inf), (-1000, 0)])
        #expect(VectorMath.exp(Float(88.8)) == .infinity)
        #expect(VectorMath.exp(Float(88.72)).isFinite)
        #expect(VectorMath.exp(709.79) == .infinity)
        #expect(VectorMath.exp(709.78).isFinite)
        #expect(VectorMath.exp(-745.2) == 0)
        #expect(VectorMath.exp(-745.1) == Double.leastNonzeroMagnitude)
    }

    @Test func expm1() {
        checkSpecial(kernels[1], [(nan, nan), (inf, inf), (-inf, -1), (0, 0), (-0.0, -0.0), (1000, inf), (-1000, -1), (-50, -1)])
        for t in [1e-30, 1e-20, 1e-10] {
            #expect(VectorMath.expm1(Float(t)) == Float(t)); #expect(VectorMath.expm1(Float(-t)) == Float(-t))
        }
        for t in [1e-300, 1e-200, 1e-20] { #expect(VectorMath.expm1(t) == t); #expect(VectorMath.expm1(-t) == -t) }
        #expect(VectorMath.expm1(Float.leastNonzeroMagnitude) == Float.leastNonzeroMagnitude)
        #expect(VectorMath.expm1(-Double.leastNonzeroMagnitude) == -Double.leastNonzeroMagnitude)
    }

    @Test func log() {
        checkSpecial(kernels[2], [(nan, nan), (inf, inf), (-inf, nan), (0, -inf), (-0.0, -inf), (-1, nan), (1, 0), (-1e-30, nan)])
        // Subnormal inputs.
        #expect(ulpErrF(VectorMath.log(Float.leastNonzeroMagnitude), Foundation.log(Double(Float.leastNonzeroMagnitude))) <= 1)
        let sub = Float.leastNormalMagnitude / 1000
        #expect(ulpErrF(VectorMath.log(sub), Foundation.log(Double(sub))) <= 1)
        #expect(ulpErrD(VectorMath.log(Double.leastNonzeroMagnitude), Foundation.log(Double.leastNonzeroMagnitude)) <= 1)
        let subD = Double.leastNormalMagnitude / 3000
        #expect(ulpErrD(VectorMath.log(subD), Foundation.log(subD)) <= 1)
        #expect(VectorMath.log(Float.greatestFiniteMagnitude).isFinite)
        #expect(VectorMath.log(Double.greatestFiniteMagnitude).isFinite)
    }

    @Test func log1p() {
        checkSpecial(kernels[3], [(nan, nan), (inf, inf), (-inf, nan), (0, 0), (-0.0, -0.0), (-1, -inf), (-1.5, nan), (-2, nan)])
        for t in [1e-30, 1e-20, 1e-10] {
            #expect(VectorMath.log1p(Float(t)) == Float(t)); #expect(VectorMath.log1p(Float(-t)) == Float(-t))
        }
        for t in [1e-300, 1e-200, 1e-20] { #expect(VectorMath.log1p(t) == t); #expect(VectorMath.log1p(-t) == -t) }
        #expect(VectorMath.log1p(Float.leastNonzeroMagnitude) == Float.leastNonzeroMagnitude)
        #expect(VectorMath.log1p(-Double.leastNonzeroMagnitude) == -Double.leastNonzeroMagnitude)
        #expect(VectorMath.log1p(Float.greatestFiniteMagnitude).isFinite)
        #expect(VectorMath.log1p(Double.greatestFiniteMagnitude).isFinite)
    }

    @Test func tanh() {
        checkSpecial(kernels[4], [(nan, nan), (inf, 1), (-inf, -1), (0, 0), (-0.0, -0.0), (30, 1), (-30, -1), (1e30, 1), (-1e300, -1)])
        #expect(VectorMath.tanh(Float(9.1)) == 1)
        #expect(VectorMath.tanh(19.1) == 1)
        for t in [1e-30, 1e-20, 1e-5] {
            #expect(VectorMath.tanh(Float(t)) == Float(t)); #expect(VectorMath.tanh(Float(-t)) == Float(-t))
        }
        for t in [1e-300, 1e-200, 1e-10] { #expect(VectorMath.tanh(t) == t); #expect(VectorMath.tanh(-t) == -t) }
        #expect(VectorMath.tanh(Float.leastNonzeroMagnitude) == Float.leastNonzeroMagnitude)
    }

    @Test func erf() {
        checkSpecial(kernels[5], [(nan, nan), (inf, 1), (-inf, -1), (0, 0), (-0.0, -0.0), (10, 1), (-10, -1), (1e300, 1)])
        #expect(VectorMath.erf(Float(3.95)) == 1)
        #expect(VectorMath.erf(6.0) == 1)
        // Tiny: 2x/sqrt(pi) (relative accuracy, no flush to zero).
        for t in [1e-30, 1e-10] {
            #expect(ulpErrF(VectorMath.erf(Float(t)), Foundation.erf(Double(Float(t)))) <= 1)
            #expect(ulpErrD(VectorMath.erf(t), Foundation.erf(t)) <= 1)
        }
    }

    /// f(-x) == -f(x) exactly for the odd functions.
    @Test func oddSymmetry() {
        var rng = SplitMix(s: 9)
        for _ in 0..<2000 {
            let x = Double(bitPattern: rng.next() & 0x7FFF_FFFF_FFFF_FFFF)
            let xf = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7FFF_FFFF)
            for k in [kernels[4], kernels[5]] {
                #expect(bitsEqual(k.sd(-x), -k.sd(x)))
                #expect(bitsEqual(k.sf(-xf), -k.sf(xf)))
            }
        }
    }
}

// MARK: - lane independence

@Suite("VectorMath lanes")
struct LaneTests {
    static let specialsF: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 0.5, -0.5, 88.9, -104.5, Float.leastNormalMagnitude / 1000, -Float.leastNormalMagnitude / 1000, 3.0, -20, 1e30]
    static let specialsD: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 0.5, -0.5, 709.9, -746, Double.leastNormalMagnitude / 3000, -Double.leastNormalMagnitude / 3000, 3.0, -20, 1e300]

    @Test(arguments: kernels)
    func mixedLanesMatchScalar(_ k: Kernel) {
        // Every rotation of the special list, so each value visits every lane.
        for rot in 0..<16 {
            var v = SIMD16<Float>()
            for i in 0..<16 { v[i] = Self.specialsF[(i + rot) % 16] }
            let y = k.vf(v)
            for i in 0..<16 { #expect(bitsEqual(y[i], k.sf(v[i])), "Float \(k.name) lane \(i) x=\(v[i])") }
        }
        for rot in 0..<16 {
            var v = SIMD8<Double>()
            for i in 0..<8 { v[i] = Self.specialsD[(i + rot) % 16] }
            let y = k.vd(v)
            for i in 0..<8 { #expect(bitsEqual(y[i], k.sd(v[i])), "Double \(k.name) lane \(i) x=\(v[i])") }
        }
    }
}
