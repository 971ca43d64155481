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
    }
    let allowed: Allowed
    let reason: String
}

/// Places where the implementation is not the correctly rounded value, and why that is kept.
/// Key: "activation|Float or Double|forward or backward|x".
enum SpecialValueDeviations {
    static let table: [String: Deviation] = [:]

    static func key(_ name: String, _ type: String, _ pass: String, _ x: Double) -> String { "\(name)|\(type)|\(pass)|\(x)" }
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
                let deviation = SpecialValueDeviations.table[SpecialValueDeviations.key(info.name, "\(S.self)", pass, Double(x))]
                let got = [pick(results[0], i), pick(results[1], i), pick(results[1], i + n), pick(results[1], i + 2 * n)]
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
