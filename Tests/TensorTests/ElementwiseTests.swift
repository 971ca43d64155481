import Foundation
import Testing
import TestSupport

@testable import Tensor

/// Unary ops with their mathematical reference (Foundation's libm in Double) and the largest
/// error allowed, in Float ulps / Double ulps.
struct UnaryCase: Sendable {
    let name: String
    let op: UnaryOp
    let reference: @Sendable (Double) -> Double
    let floatUlps: Double
    let doubleUlps: Double
    init(_ name: String, _ op: UnaryOp, _ reference: @escaping @Sendable (Double) -> Double, _ floatUlps: Double, _ doubleUlps: Double) {
        self.name = name
        self.op = op
        self.reference = reference
        self.floatUlps = floatUlps
        self.doubleUlps = doubleUlps
    }
}

let unaryCases: [UnaryCase] = [
    UnaryCase("negate", .negate, { -$0 }, 0, 0),
    UnaryCase("abs", .abs, { Swift.abs($0) }, 0, 0),
    UnaryCase("sign", .sign, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, 0, 0),
    UnaryCase("sqrt", .sqrt, { $0.squareRoot() }, 0.5, 0.5),
    UnaryCase("reciprocal", .reciprocal, { 1 / $0 }, 0.5, 0.5),
    UnaryCase("square", .square, { $0 * $0 }, 0.5, 0.5),
    UnaryCase("exp", .exp, { Foundation.exp($0) }, 4, 4),
    UnaryCase("expm1", .expm1, { Foundation.expm1($0) }, 4, 4),
    UnaryCase("log", .log, { Foundation.log($0) }, 4, 4),
    UnaryCase("log1p", .log1p, { Foundation.log1p($0) }, 4, 4),
    UnaryCase("tanh", .tanh, { Foundation.tanh($0) }, 4, 4),
    UnaryCase("erf", .erf, { Foundation.erf($0) }, 4, 4),
    UnaryCase("sigmoid", .sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, 4, 4),
    UnaryCase("clamp", .clamp(lower: -0.5, upper: 0.75), { Swift.min(Swift.max($0, -0.5), 0.75) }, 0, 0),
    UnaryCase("power 3", .power(3), { Foundation.pow($0, 3) }, 1, 1),
]

/// Values inside every op's domain (positive, so log/sqrt are defined) plus negatives for
/// the others.
func sampleValues(_ n: Int, positive: Bool, seed: UInt64) -> [Double] {
    var g = TensorRandom(seed: seed)
    return (0..<n).map { _ in
        let v = (g.nextUnitDouble() * 8 - 4)
        return positive ? Swift.abs(v) + 0.01 : v
    }
}

func needsPositive(_ name: String) -> Bool { ["sqrt", "log", "reciprocal"].contains(name) }

@Suite struct ElementwiseTests {
    @Test(arguments: [1, 15, 16, 17, 1029])
    func vectorBodyAndTailMatchTheScalarReference(size: Int) {
        for c in unaryCases {
            let xs = sampleValues(size, positive: needsPositive(c.name), seed: UInt64(size))
            let d = Tensor<Double>(xs).applying(c.op).scalars
            let f = Tensor<Float>(xs.map { Float($0) }).applying(c.op).scalars
            for i in 0..<size {
                let x = xs[i]
                let refD = c.reference(x)
                #expect(ulpError(d[i], refD) <= c.doubleUlps, "\(c.name) Double x=\(x): \(d[i]) vs \(refD)")
                let xf = Double(Float(x))
                #expect(ulpError(f[i], c.reference(xf)) <= c.floatUlps, "\(c.name) Float x=\(xf): \(f[i]) vs \(c.reference(xf))")
                // An element's result does not depend on its position (body vs tail).
                let alone = Tensor<Float>([Float(x)]).applying(c.op).scalars[0]
                #expect(bitIdentical([alone], [f[i]]), "\(c.name) position dependence at \(i)")
            }
        }
    }

    @Test func unaryOpsGiveBitIdenticalResultsOnEveryLayout() {
        let base = Tensor<Double>(shape: [5, 7], scalars: sampleValues(35, positive: true, seed: 7))
        for c in unaryCases {
            let expected = base.applying(c.op).scalars
            for (name, t) in layouts(of: base) {
                #expect(naiveScalars(t) == base.scalars, "layout \(name) holds the wrong values")
                #expect(bitIdentical(t.applying(c.op).scalars, expected), "\(c.name) on \(name)")
            }
            // Expanded: a row repeated, computed once per row.
            let row = base.sliced(alongAxis: 0, from: 2, to: 3)
            let e = row.expanded(to: [4, 7]).applying(c.op)
            let rowResult = row.applying(c.op).scalars
            #expect(bitIdentical(e.scalars, Array((0..<4).map { _ in rowResult }.joined())), "\(c.name) on expanded")
        }
    }

    @Test func binaryOpsBroadcastOnEveryLayout() {
        let a = Tensor<Double>(shape: [4, 6], scalars: sampleValues(24, positive: true, seed: 1))
        let b = Tensor<Double>(shape: [4, 6], scalars: sampleValues(24, positive: true, seed: 2))
        let col = Tensor<Double>(shape: [4, 1], scalars: sampleValues(4, positive: true, seed: 3))
        let row = Tensor<Double>(shape: [6], scalars: sampleValues(6, positive: true, seed: 4))
        let ops: [(BinaryOp, (Double, Double) -> Double)] = [
            (.add, +), (.subtract, -), (.multiply, *), (.divide, /),
            (.maximum, { Swift.max($0, $1) }), (.minimum, { Swift.min($0, $1) }),
            (.power, { Foundation.pow($0, $1) }),
            (.less, { $0 < $1 ? 1 : 0 }), (.greaterEqual, { $0 >= $1 ? 1 : 0 }),
        ]
        for (op, f) in ops {
            for (la, ta) in layouts(of: a) {
                for (rhsName, rhs) in [("same", b), ("column", col), ("row", row), ("scalar", Tensor<Double>(2.5))] {
                    for (lb, tb) in layouts(of: rhs) + (rhs.rank == 0 ? [("rank0", rhs)] : []) {
                        let out = Tensor.combine(ta, tb, op, name: "test")
                        #expect(out.shape == [4, 6])
                        let expected = allIndices([4, 6]).map { idx -> Double in
                            let r = rhs.rank == 0 ? rhs.scalar : rhs.scalar(at: Array(idx.suffix(rhs.rank)).enumerated().map { rhs.shape[$0.offset] == 1 ? 0 : $0.element })
                            return f(a.scalar(at: idx), r)
                        }
                        #expect(maxRelativeError(out.scalars, expected) <= 1e-15, "\(op) \(la) with \(rhsName) \(lb)")
                    }
                }
            }
        }
    }

    @Test func broadcastShapesFollowNumPyRules() {
        typealias T = Tensor<Float>
        #expect(T.broadcastShape([3, 1], [4]) == [3, 4])
        #expect(T.broadcastShape([], [2, 3]) == [2, 3])
        #expect(T.broadcastShape([2, 1, 5], [3, 1]) == [2, 3, 5])
        #expect(T.broadcastShape([0], [1]) == [0])
        #expect(T.broadcastShape([2, 0], [2, 1]) == [2, 0])
        #expect(T.broadcastShape([0, 3], [3]) == [0, 3])
        #expect(T.broadcastShape([0], [2]) == nil)
        #expect(T.broadcastShape([2, 3], [4]) == nil)
        #expect(T.broadcastShape([], []) == [])

        let empty = T.zeros([0, 3]) + T.ones([3])
        #expect(empty.shape == [0, 3] && empty.scalars.isEmpty)
        let scalarSum = T(2) + T(3)
        #expect(scalarSum.shape == [] && scalarSum.scalar == 5)
        let outer = T([1, 2, 3]).reshaped(to: [3, 1]) * T([10, 20])
        #expect(outer.scalars == [10, 20, 20, 40, 30, 60])
    }

    @Test func nanPropagatesThroughEveryOp() {
        let xs: [Float] = [1, .nan, -2, 0.5] + [Float](repeating: .nan, count: 17)
        let t = Tensor<Float>(xs)
        for c in unaryCases {
            let y = t.applying(c.op).scalars
            for (i, x) in xs.enumerated() where x.isNaN {
                #expect(y[i].isNaN, "\(c.name) lost a NaN at \(i)")
            }
        }
        let m = Tensor.maximum(t, Tensor<Float>(0)).scalars
        #expect(m[1].isNaN && m[0] == 1 && m[2] == 0)
        let n = Tensor.minimum(Tensor<Float>(0), t).scalars
        #expect(n[1].isNaN && n[2] == -2)
        #expect(t.clamped(to: -1...1).scalars[1].isNaN)
    }

    @Test func specialValuesOfTheMathKernels() {
        let inf = Double.infinity
        let x = Tensor<Double>([0, -0.0, inf, -inf])
        #expect(x.exp().scalars == [1, 1, inf, 0])
        #expect(bitIdentical(x.expm1().scalars, [0, -0.0, inf, -1]))
        #expect(bitIdentical(x.tanh().scalars, [0, -0.0, 1, -1]))
        #expect(bitIdentical(x.erf().scalars, [0, -0.0, 1, -1]))
        #expect(Tensor<Double>([0, -1, inf]).log().scalars[0] == -inf)
        #expect(Tensor<Double>([0, -1, inf]).log().scalars[1].isNaN)
        #expect(Tensor<Float>([-1, -2]).log1p().scalars[0] == -.infinity)
        #expect(Tensor<Float>([-1, -2]).log1p().scalars[1].isNaN)
        #expect(Tensor<Float>([-1000, 1000]).sigmoid().scalars == [0, 1])
        let signed = Tensor<Float>([-0.0, 0, 3, -3])
        let absExpected: [Float] = [0, 0, 3, 3]
        let signExpected: [Float] = [0, 0, 1, -1]
        #expect(bitIdentical(signed.abs().scalars, absExpected))
        #expect(bitIdentical(signed.sign().scalars, signExpected))
    }

    @Test func scalarOperatorsAndComparisons() {
        let t: Tensor<Float> = [[1, 2], [3, 4]]
        let doubled = t * 2 + 1
        let back = doubled / 2 - 0.5
        #expect(back.scalars == [1, 2, 3, 4])
        #expect((10 - t).scalars == [9, 8, 7, 6])
        #expect((12 / t).scalars == [12, 6, 4, 3])
        #expect((t .> 2).scalars == [0, 0, 1, 1])
        #expect((t .== t.transposed()).scalars == [1, 0, 0, 1])
        let s = Tensor.select(t .> 2, t, Tensor(0))
        #expect(s.scalars == [0, 0, 3, 4])
        #expect((-t).scalars == [-1, -2, -3, -4])
        #expect(Tensor<Float>([1, 2, 3]).pow(2).scalars == [1, 4, 9])
    }

    @Test(.globalState) func multiThreadedElementwiseMatchesSingleThreaded() {  // sets TensorRuntime.threadCount
        let n = 3 * TensorRuntime.elementwiseGrain + 5
        let x = Tensor<Float>.randomNormal([n], seed: 9)
        let saved = TensorRuntime.threadCount
        defer { TensorRuntime.threadCount = saved }
        TensorRuntime.threadCount = 1
        let one = (x.exp() + x * x).scalars
        TensorRuntime.threadCount = 2
        let two = (x.exp() + x * x).scalars
        #expect(bitIdentical(one, two))
    }
}
