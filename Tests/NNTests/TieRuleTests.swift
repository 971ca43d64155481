import Foundation
import Testing
import TestSupport

@testable import NN

// The tie rule of the max-based ops: `Variable.max(alongAxis:)`, `Maxout` (over pieces) and
// `ChannelMaxout` (over groups of channels) send the whole gradient to the FIRST maximum. Every
// case below has exact ties (small integers, ±0, −∞), at different positions, and the expected
// gradient is built by explicit loops from `firstMaximum`, not from the code under test.

/// The index of the first maximum of `row`: the largest value (a plain loop), then the first
/// position holding a value equal to it (so −0 and +0 tie, and −∞ ties with −∞).
func firstMaximum(_ row: [Double]) -> Int {
    var largest = row[0]
    for v in row where v > largest { largest = v }
    return row.firstIndex { $0 == largest }!
}

/// Whether `a` and `b` are the same value for the purpose of these tests: equal (so ±0 match) or
/// both NaN.
func sameValue(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

/// The value of `max(alongAxis:)` is the first maximum itself (±0 compare equal: the value is a
/// sum along the axis, which starts from +0), and an infinity elsewhere in the row does not
/// turn it into NaN (the value was once the masked sum Σ xᵢ·maskᵢ, in which ±∞·0 = NaN).
func expectMaximum(_ value: Double, of row: [Double], _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = row[firstMaximum(row)]
    #expect(sameValue(value, expected), "\(context): max of \(row) is \(value), expected \(expected)", sourceLocation: sourceLocation)
}

@Suite struct TieRuleTests {
    // MARK: Variable.max(alongAxis:)

    /// Rows of 4 with their ties: at 0 and 2; 1, 2 and 3; 2 and 3; all four; −0 before +0; +0
    /// before −0 (three zeros); −0 then +0 after a −1; four −∞; −∞ and −5 twice; +∞ twice; and
    /// no tie.
    static let rows: [[Double]] = [
        [3, 1, 3, 2],
        [1, 3, 3, 3],
        [2, 1, 5, 5],
        [7, 7, 7, 7],
        [-0.0, 0.0, -1, -2],
        [0.0, -0.0, -3, -0.0],
        [-1, -0.0, 0.0, -2],
        [-.infinity, -.infinity, -.infinity, -.infinity],
        [-.infinity, -5, -.infinity, -5],
        [1, .infinity, 0, .infinity],
        [1, 2, 3, 4],
    ]

    @Test func theFirstMaximumOfEachRowIsTheIndexAndGetsTheWholeGradient() {
        let expected = Self.rows.map(firstMaximum)
        #expect(expected == [0, 1, 2, 0, 0, 0, 1, 0, 1, 1, 3])  // the table's intent
        func check<S: TensorScalar>(_: S.Type) {
            let r = Self.rows.count
            // Along axis 1 of [11, 4], along axis 0 of its transpose [4, 11] (built contiguous),
            // and along axis −1 keeping dimensions.
            for form in ["axis 1", "axis 0", "axis -1 keeping"] {
                let flat: [S]
                let shape: [Int]
                if form == "axis 0" {
                    flat = (0..<4).flatMap { j in Self.rows.map { S($0[j]) } }
                    shape = [4, r]
                } else {
                    flat = Self.rows.flatMap { $0.map { S($0) } }
                    shape = [r, 4]
                }
                let x = Variable(Tensor<S>(shape: shape, scalars: flat), requiresGradient: true)
                let (values, indices) = form == "axis 0" ? x.max(alongAxis: 0)
                    : form == "axis 1" ? x.max(alongAxis: 1) : x.max(alongAxis: -1, keepingDimensions: true)
                #expect(indices == expected, "\(S.self) \(form): indices \(indices)")
                #expect(values.shape == (form == "axis -1 keeping" ? [r, 1] : [r]))
                let got = values.value.scalars.map { Double($0) }
                for (row, v) in zip(Self.rows, got) { expectMaximum(v, of: row, "\(S.self) \(form)") }
                // A distinct upstream gradient per row: row i's goes to its first maximum only.
                let upstream = Tensor<S>(shape: values.shape, scalars: (0..<r).map { S(1 + $0) })
                values.backward(seed: upstream)
                let g = x.gradient!.scalars.map { Double($0) }
                for (i, row) in Self.rows.enumerated() {
                    for j in 0..<4 {
                        let got = form == "axis 0" ? g[j * r + i] : g[i * 4 + j]
                        let want = j == expected[i] ? Double(1 + i) : 0
                        #expect(got == want, "\(S.self) \(form): row \(row), ∂/∂x[\(j)] = \(got), expected \(want)")
                    }
                }
            }
        }
        check(Float.self)
        check(Double.self)
    }

    // MARK: Maxout (ties between pieces)

    /// k = 3 pieces, 2 inputs, 2 outputs, no bias: output 0's pieces are x₀, x₁, x₀ + x₁ and
    /// output 1's are x₁, x₀, −x₀. The rows tie pieces {0, 1} and {0, 1, 2}, {1, 2}, {0, 2}; two
    /// rows have no tie.
    static let maxoutWeight: [Double] = [1, 0, 0, 1, /**/ 0, 1, 1, 0, /**/ 1, 1, -1, 0]  // [k, out, in]
    static let maxoutBias: [Double] = [0, 0, 0, 0, 0, 0]  // [k, out]
    static let maxoutRows: [[Double]] = [[1, 1], [0, 0], [-1, 0], [0, -1], [2, 0], [0, 3]]

    @Test func maxoutSendsATiesGradientToTheFirstPiece() {
        let (k, outs, ins, n) = (3, 2, 2, Self.maxoutRows.count)
        let w = Self.maxoutWeight, b = Self.maxoutBias
        func piece(_ i: Int, _ j: Int, _ x: [Double]) -> Double {
            (0..<ins).reduce(b[i * outs + j]) { $0 + w[(i * outs + j) * ins + $1] * x[$1] }
        }
        // The winners, and that the table really has the ties it claims.
        var winners: [[Int]] = []
        var tieSets = Set<[Int]>()
        for x in Self.maxoutRows {
            var row: [Int] = []
            for j in 0..<outs {
                let z = (0..<k).map { piece($0, j, x) }
                row.append(firstMaximum(z))
                let tied = (0..<k).filter { z[$0] == z.max()! }
                if tied.count > 1 { tieSets.insert(tied) }
            }
            winners.append(row)
        }
        #expect(tieSets == [[0, 1], [0, 1, 2], [1, 2], [0, 2]], "ties in the table: \(tieSets)")
        // Expected gradients by explicit loops, upstream u[n][j] = 1 + n + j/2.
        let u = (0..<n).map { r in (0..<outs).map { 1 + Double(r) + Double($0) / 2 } }
        var gx = [Double](repeating: 0, count: n * ins)
        var gw = [Double](repeating: 0, count: k * outs * ins)
        var gb = [Double](repeating: 0, count: k * outs)
        for r in 0..<n {
            for j in 0..<outs {
                let i = winners[r][j]
                gb[i * outs + j] += u[r][j]
                for p in 0..<ins {
                    gw[(i * outs + j) * ins + p] += u[r][j] * Self.maxoutRows[r][p]
                    gx[r * ins + p] += u[r][j] * w[(i * outs + j) * ins + p]
                }
            }
        }
        func check<S: TensorScalar>(_: S.Type) {
            let layer = Maxout<S>(weight: Tensor(shape: [k, outs, ins], scalars: w.map { S($0) }),
                                  bias: Tensor(shape: [k, outs], scalars: b.map { S($0) }))
            let x = Variable(Tensor<S>(shape: [n, ins], scalars: Self.maxoutRows.flatMap { $0.map { S($0) } }), requiresGradient: true)
            let y = layer(x)
            let values = y.value.scalars.map { Double($0) }
            for r in 0..<n {
                for j in 0..<outs {
                    #expect(values[r * outs + j] == piece(winners[r][j], j, Self.maxoutRows[r]), "\(S.self): y[\(r)][\(j)]")
                }
            }
            y.backward(seed: Tensor(shape: [n, outs], scalars: u.flatMap { $0.map { S($0) } }))
            #expect(x.gradient!.scalars.map { Double($0) } == gx, "\(S.self) input gradient: \(x.gradient!.scalars), expected \(gx)")
            #expect(layer.weight.gradient!.scalars.map { Double($0) } == gw, "\(S.self) weight gradient: \(layer.weight.gradient!.scalars), expected \(gw)")
            #expect(layer.bias.gradient!.scalars.map { Double($0) } == gb, "\(S.self) bias gradient: \(layer.bias.gradient!.scalars), expected \(gb)")
        }
        check(Float.self)
        check(Double.self)
    }

    // MARK: ChannelMaxout (ties within a group of channels)

    /// [N = 2, C = 6, L = 2] in groups of k = 3 channels: groups[n][g][l] is the 3 values of
    /// channels 3g, 3g + 1, 3g + 2 at (n, l). Ties at {0, 1}, {1, 2}, {0, 2}, −0 before +0, three
    /// zeros, three −∞, −∞ then a tie of 3s, and three 5s.
    static let groups: [[[[Double]]]] = [
        [[[1, 1, 0], [0, 2, 2]], [[4, -1, 4], [-0.0, 0.0, -1]]],
        [[[0.0, -0.0, 0.0], [-.infinity, -.infinity, -.infinity]], [[-.infinity, 3, 3], [5, 5, 5]]],
    ]

    @Test func channelMaxoutSendsATiesGradientToTheFirstChannelOfItsGroup() {
        let (n, c, l, k) = (2, 6, 2, 3)
        var flat = [Double](repeating: .nan, count: n * c * l)
        for b in 0..<n { for g in 0..<2 { for p in 0..<l { for i in 0..<k {
            flat[(b * c + g * k + i) * l + p] = Self.groups[b][g][p][i]
        } } } }
        #expect(!flat.contains { $0.isNaN })
        let u = (0..<(n * 2 * l)).map { Double(1 + $0) }  // upstream [2, 2, 2], row-major
        var want = [Double](repeating: 0, count: n * c * l)
        var firsts: [Int] = []
        for b in 0..<n { for g in 0..<2 { for p in 0..<l {
            let i = firstMaximum(Self.groups[b][g][p])
            firsts.append(i)
            want[(b * c + g * k + i) * l + p] = u[(b * 2 + g) * l + p]
        } } }
        #expect(firsts == [0, 1, 0, 0, 0, 0, 1, 0])
        func check<S: TensorScalar>(_: S.Type) {
            for form in ["function", "layer"] {
                let x = Variable(Tensor<S>(shape: [n, c, l], scalars: flat.map { S($0) }), requiresGradient: true)
                let y = form == "function" ? x.maxout(groups: k) : ChannelMaxout<S>(groups: k)(x)
                #expect(y.shape == [n, 2, l])
                let values = y.value.scalars.map { Double($0) }
                for b in 0..<n { for g in 0..<2 { for p in 0..<l {
                    let group = Self.groups[b][g][p]
                    let v = values[(b * 2 + g) * l + p]
                    expectMaximum(v, of: group, "\(S.self) \(form)")
                } } }
                y.backward(seed: Tensor(shape: [n, 2, l], scalars: u.map { S($0) }))
                let g = x.gradient!.scalars.map { Double($0) }
                #expect(g == want, "\(S.self) \(form): gradient \(g), expected \(want)")
            }
        }
        check(Float.self)
        check(Double.self)
    }
}
