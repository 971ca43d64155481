import Foundation
import Testing
import TestSupport

@testable import NN

// Special values: every elementwise activation at ±0, ± the smallest subnormal, ±1e-8, ±20,
// ±88.7, ±710, ±∞ and NaN, forward and backward (input gradient with seed 1), in Float and
// Double, compared exactly (bit for bit, signs of zeros included) with the correctly rounded
// value of the Float80 reference in OpInfo.swift, the limits at ±∞ and the NaN conventions in
// the entry's `special` facts — except where `SpecialValueDeviations` documents that the
// implementation deliberately or unavoidably differs (with the reason and the allowed distance).

/// The special inputs in `S`.
func specialInputs<S: TensorScalar>(_: S.Type) -> [S] {
    let tiny = S.leastNonzeroMagnitude
    return [0, -0.0, tiny, -tiny, 1e-8, -1e-8, 20, -20, 88.7, -88.7, 710, -710, .infinity, -.infinity, .nan]
}

/// Bitwise-equal results: NaN matches NaN, and a zero matches only a zero of the same sign.
func sameValue<S: TensorScalar>(_ a: S, _ b: S) -> Bool {
    (a.isNaN && b.isNaN) || (a == b && a.sign == b.sign)
}

/// A documented difference from the correctly rounded mathematical value.
struct Deviation {
    enum Allowed {
        /// Within this many units in the last place (of the expected value's magnitude, or of
        /// the smallest normal near 0).
        case ulps(Double)
        /// This value instead, exactly.
        case value(Double)
        /// Within this absolute distance; a zero of either sign matches a zero.
        case absolute(Double)
    }
    let allowed: Allowed
    let reason: String
}

/// Places where the implementation is not the correctly rounded value, and why that is kept.
/// Key: "activation|Float or Double|forward or backward|x".
enum SpecialValueDeviations {
    static let table: [String: Deviation] = {
        var t: [String: Deviation] = [:]
        func add(_ names: [String], _ types: [String], _ passes: [String], _ xs: [Double], _ allowed: Deviation.Allowed, _ reason: String) {
            for n in names { for ty in types { for p in passes { for x in xs {
                let xv = ty == "Float" ? Double(Float(x)) : x
                t[key(n, ty, p, xv)] = Deviation(allowed: allowed, reason: reason)
            } } } }
        }
        let both = ["Float", "Double"], fb = ["forward", "backward"]
        // Derivatives read from the output (STYLE: sigmoid' = y(1 − y), tanh' = 1 − y²): once y
        // rounds to 1 the derivative is 0 (or carries y's rounding), an absolute error below ε.
        add(["sigmoid"], ["Float"], ["backward"], [20, 88.7], .absolute(Double(Float.ulpOfOne)), "derivative y(1 − y) from the output: absolute error < ε once y rounds near 1")
        add(["sigmoid"], ["Double"], ["backward"], [20, 88.7, 710], .absolute(Double.ulpOfOne), "derivative y(1 − y) from the output: absolute error < ε once y rounds near 1")
        add(["tanh"], ["Float"], ["backward"], [20, -20], .absolute(Double(Float.ulpOfOne)), "derivative 1 − y² from the output: 0 once y rounds to ±1")
        add(["tanh"], ["Double"], ["backward"], [20, -20, 88.7, -88.7], .absolute(Double.ulpOfOne), "derivative 1 − y² from the output: 0 once y rounds to ±1")
        // PyTorch's float64 formulas, kept so results match it (documented in GELU.swift):
        // 1 + erf and 1 + tanh cancel far out on the negative side.
        add(["gelu", "gelu_tanh"], both, fb, [-20, -88.7, -710], .absolute(1e-13), "1 + erf / 1 + tanh cancel as in PyTorch's float64: accurate to ~1e-16·|x| absolute, signs of underflowed zeros unspecified")
        // PyTorch's sigmoid flush below x = −709.78 (SmoothKernels.pytorchSigmoidFlush).
        add(["silu", "swish", "trainable_swish", "mish"], both, fb, [-710], .absolute(1e-304), "σ flushed to 0 below −709.78 as PyTorch's float64 (|value| < 2e-305); sign of the zero unspecified")
        // x − tanh x cancels near 0 as PyTorch's float64 does (Tanhshrink.swift).
        add(["tanhshrink"], both, ["forward"], [0, -0.0, 1e-8, -1e-8, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, Double(Float.leastNonzeroMagnitude), -Double(Float.leastNonzeroMagnitude)], .absolute(2e-24), "x − tanh x cancels near 0 as in PyTorch (absolute error ≤ 1 ulp of x; −0 gives +0)")
        add(["logsigmoid"], ["Float"], ["forward"], [710], .absolute(0), "log σ(710) = −(e^−710) underflows to +0 rather than −0")
        // Conditioning: e^{βx} with βx rounded has relative error ≈ |βx|·ε.
        add(["swish"], ["Double"], fb, [-88.7], .ulps(70), "β·x = −133.05 is rounded before the exponential: relative error ≈ |βx|·ε/2 (~64 ulps)")
        // The composite trainable swish x·σ(βx) (product rule through primitives) has no limit
        // handling: ±∞ gives ∞·0 = NaN. Not fixed: it needs a dedicated kernel.
        add(["trainable_swish"], both, ["forward"], [-inf], .value(.nan), "composite x·σ(βx): −∞·0 = NaN (no dedicated kernel)")
        add(["trainable_swish"], both, ["backward"], [inf, -inf], .value(.nan), "composite product rule: ±∞·0 = NaN (no dedicated kernel)")
        return t
    }()

    static func key(_ name: String, _ type: String, _ pass: String, _ x: Double) -> String { "\(name)|\(type)|\(pass)|\(x)" }

    static func lookup(_ name: String, _ type: String, _ pass: String, _ x: Double) -> Deviation? {
        if let d = table[key(name, type, pass, x)] { return d }
        guard x.isFinite, let r = OpInfoTable.specialValueRounding[name] else { return nil }
        let n = type == "Float" ? r.float : r.double
        return n > 0 ? Deviation(allowed: .ulps(n), reason: "faithfully rounded: within \(Int(n)) ulp of the correctly rounded value") : nil
    }
}

/// The expected forward value and derivative of `info` at `x` in `S`.
func specialExpectation<S: TensorScalar>(_ info: OpInfo, _ x: S) -> (value: S, derivative: S) {
    guard case .unary(let f, let d) = info.reference, let facts = info.special else { fatalError("\(info.name): not elementwise") }
    if x.isNaN { return (.nan, facts.nanDerivative.map { S($0) } ?? .nan) }
    if x == .infinity { return (S(facts.atPlusInfinity.value), S(facts.atPlusInfinity.derivative)) }
    if x == -.infinity { return (S(facts.atMinusInfinity.value), S(facts.atMinusInfinity.derivative)) }
    let r = R(Double(x))
    if S.self == Float.self {
        return (unsafeBitCast(Float(f(r)), to: S.self), unsafeBitCast(Float(d(r)), to: S.self))
    }
    return (S(Double(f(r))), S(Double(d(r))))
}

/// Whether `actual` is acceptable for the expectation `expected`, given a possible deviation.
func acceptable<S: TensorScalar>(_ actual: S, _ expected: S, _ deviation: Deviation?) -> Bool {
    if sameValue(actual, expected) { return true }
    guard let deviation else { return false }
    switch deviation.allowed {
    case .value(let v): return sameValue(actual, S(v))
    case .absolute(let a): return actual.isFinite && expected.isFinite && Swift.abs(Double(actual) - Double(expected)) <= a
    case .ulps(let n):
        guard actual.isFinite && expected.isFinite else { return false }
        let spacing = Swift.max(expected.magnitude, S.leastNormalMagnitude).ulp
        return Swift.abs(actual - expected) <= S(n) * spacing
    }
}

@Suite struct OpInfoSpecialValueTests {
    static let elementwise = OpInfoTable.activations.filter { $0.special != nil }

    /// Forward and backward at every special value; each value sits in a 15-element tensor (the
    /// kernels' tail) and three times in a 45-element one (vector body and tail).
    @Test(arguments: elementwise)
    func specialValuesAreExact(_ info: OpInfo) {
        check(info, Float.self)
        check(info, Double.self)
    }

    func check<S: TensorScalar>(_ info: OpInfo, _: S.Type) {
        let values = specialInputs(S.self)
        let n = values.count
        var results: [(y: [S], dx: [S])] = []
        for copies in [1, 3] {
            let x = Variable(Tensor<S>(Array([[S]](repeating: values, count: copies).joined())), requiresGradient: true)
            let y = opFunction(info, [x])
            y.backward(seed: Tensor(shape: y.shape, repeating: 1))
            results.append((y.value.scalars, x.gradient!.scalars))
        }
        for (i, x) in values.enumerated() {
            let (ev, ed) = specialExpectation(info, x)
            for (pass, expected, pick) in [("forward", ev, { (r: (y: [S], dx: [S]), j: Int) in r.y[j] }), ("backward", ed, { r, j in r.dx[j] })] {
                let deviation = SpecialValueDeviations.lookup(info.name, "\(S.self)", pass, Double(x))
                let got = [pick(results[0], i), pick(results[1], i), pick(results[1], i + n), pick(results[1], i + 2 * n)]
                if !got.allSatisfy({ acceptable($0, expected, deviation) }) {
                    let e = Double(expected), g = Double(got[0])
                    let spacing = Double(Swift.max(expected.magnitude, S.leastNormalMagnitude).ulp)
                    print("DEV \(info.name)|\(S.self)|\(pass)|\(Double(x))|got \(got[0])|expected \(expected)|ulps \(Swift.abs(g - e) / spacing)|abs \(Swift.abs(g - e))")
                }
                #expect(
                    got.allSatisfy { acceptable($0, expected, deviation) },
                    "\(info.name) \(pass) at \(x) in \(S.self): got \(got.map { "\($0)" }), expected \(expected)\(deviation.map { " (documented: \($0.reason))" } ?? "")")
            }
        }
    }

    /// NaN in every third element of a 128×128 tensor (vector bodies) and of a 127×127 one (a
    /// tail): the output is NaN exactly there and finite elsewhere; the input gradient (seed 1)
    /// follows the NaN convention there and is finite elsewhere.
    @Test(arguments: elementwise)
    func nanEveryThirdElement(_ info: OpInfo) {
        grid(info, Float.self)
        grid(info, Double.self)
    }

    func grid<S: TensorScalar>(_ info: OpInfo, _: S.Type) {
        let d = info.domains[0]
        for side in [128, 127] {
            var scalars = Tensor<S>.randomUniform([side * side], low: S(d.lowerBound), high: S(d.upperBound), seed: 3).scalars
            for i in stride(from: 0, to: scalars.count, by: 3) { scalars[i] = .nan }
            let x = Variable(Tensor(shape: [side, side], scalars: scalars), requiresGradient: true)
            let y = opFunction(info, [x])
            y.backward(seed: Tensor(shape: y.shape, repeating: 1))
            let ys = y.value.scalars
            let gs = x.gradient!.scalars
            let nanDerivative = info.special!.nanDerivative.map { S($0) }
            var badForward = 0, badForwardFinite = 0, badBackward = 0, badBackwardFinite = 0
            for i in 0..<ys.count {
                if i % 3 == 0 {
                    if !ys[i].isNaN { badForward += 1 }
                    if !(nanDerivative.map { gs[i] == $0 } ?? gs[i].isNaN) { badBackward += 1 }
                } else {
                    if !ys[i].isFinite { badForwardFinite += 1 }
                    if !gs[i].isFinite { badBackwardFinite += 1 }
                }
            }
            #expect(badForward == 0, "\(info.name) \(S.self) \(side)×\(side): \(badForward) NaN inputs gave a non-NaN output")
            #expect(badForwardFinite == 0, "\(info.name) \(S.self) \(side)×\(side): \(badForwardFinite) finite inputs gave a non-finite output")
            #expect(badBackward == 0, "\(info.name) \(S.self) \(side)×\(side): \(badBackward) NaN inputs broke the NaN gradient convention \(nanDerivative.map { "\($0)" } ?? "NaN")")
            #expect(badBackwardFinite == 0, "\(info.name) \(S.self) \(side)×\(side): \(badBackwardFinite) finite inputs gave a non-finite gradient")
        }
    }
}
