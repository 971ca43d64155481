import Foundation
import Testing
import TestSupport

@testable import Autograd

typealias V = Variable<Double>
typealias T = Tensor<Double>

func randomTensor(_ shape: [Int], seed: UInt64, positive: Bool = false) -> T {
    let t = T.randomUniform(shape, low: positive ? 0.5 : -2, high: 2, seed: seed)
    return t
}

/// Every primitive, as a function of its inputs, with inputs in its domain.
struct PrimitiveCase: @unchecked Sendable, CustomStringConvertible {
    let name: String
    let shapes: [[Int]]
    let positive: Bool
    let f: ([V]) -> V
    var description: String { name }
}

let primitiveCases: [PrimitiveCase] = [
    PrimitiveCase(name: "add broadcast", shapes: [[3, 4], [4]], positive: false) { $0[0] + $0[1] },
    PrimitiveCase(name: "subtract broadcast", shapes: [[3, 1], [1, 4]], positive: false) { $0[0] - $0[1] },
    PrimitiveCase(name: "multiply broadcast", shapes: [[2, 3, 4], [3, 1]], positive: false) { $0[0] * $0[1] },
    PrimitiveCase(name: "divide", shapes: [[3, 4], [3, 4]], positive: true) { $0[0] / $0[1] },
    PrimitiveCase(name: "scalar ops", shapes: [[5]], positive: false) { (2 - $0[0] * 3) / 4 + 1 },
    PrimitiveCase(name: "negate", shapes: [[4]], positive: false) { -$0[0] },
    PrimitiveCase(name: "exp", shapes: [[3, 4]], positive: false) { $0[0].exp() },
    PrimitiveCase(name: "expm1", shapes: [[7]], positive: false) { $0[0].expm1() },
    PrimitiveCase(name: "log", shapes: [[6]], positive: true) { $0[0].log() },
    PrimitiveCase(name: "log1p", shapes: [[6]], positive: true) { $0[0].log1p() },
    PrimitiveCase(name: "tanh", shapes: [[2, 5]], positive: false) { $0[0].tanh() },
    PrimitiveCase(name: "sigmoid", shapes: [[2, 5]], positive: false) { $0[0].sigmoid() },
    PrimitiveCase(name: "sqrt", shapes: [[5]], positive: true) { $0[0].sqrt() },
    PrimitiveCase(name: "erf", shapes: [[5]], positive: false) { $0[0].erf() },
    PrimitiveCase(name: "pow 3", shapes: [[5]], positive: false) { $0[0].pow(3) },
    PrimitiveCase(name: "pow 2.5", shapes: [[5]], positive: true) { $0[0].pow(2.5) },
    PrimitiveCase(name: "sum", shapes: [[3, 4]], positive: false) { $0[0].sum() },
    PrimitiveCase(name: "sum axes", shapes: [[2, 3, 4]], positive: false) { $0[0].sum(alongAxes: [0, 2]) },
    PrimitiveCase(name: "mean keepdims", shapes: [[2, 3, 4]], positive: false) { $0[0].mean(alongAxes: [1], keepingDimensions: true) },
    PrimitiveCase(name: "matmul", shapes: [[3, 4], [4, 5]], positive: false) { V.matmul($0[0], $0[1]) },
    PrimitiveCase(name: "matmul transposed", shapes: [[4, 3], [5, 4]], positive: false) { V.matmul($0[0], $0[1], transposingA: true, transposingB: true) },
    PrimitiveCase(name: "matmul batched broadcast", shapes: [[2, 3, 4], [4, 2]], positive: false) { V.matmul($0[0], $0[1]) },
    PrimitiveCase(name: "matmul vector", shapes: [[3, 4], [4]], positive: false) { V.matmul($0[0], $0[1]) },
    PrimitiveCase(name: "reshape", shapes: [[3, 4]], positive: false) { $0[0].reshaped(to: [2, 6]) * $0[0].reshaped(to: [2, 6]) },
    PrimitiveCase(name: "transpose", shapes: [[3, 4]], positive: false) { $0[0].transposed().exp() },
    PrimitiveCase(name: "permute", shapes: [[2, 3, 4]], positive: false) { $0[0].permuted([2, 0, 1]).tanh() },
    PrimitiveCase(name: "slice step", shapes: [[7, 3]], positive: false) { $0[0].sliced(alongAxis: 0, from: 1, to: 7, by: 2).squared() },
    PrimitiveCase(name: "select index", shapes: [[4, 3]], positive: false) { $0[0].selecting(2, alongAxis: 1).exp() },
    PrimitiveCase(name: "expand", shapes: [[3, 1]], positive: false) { $0[0].expanded(to: [2, 3, 4]).squared() },
    PrimitiveCase(name: "squeeze/unsqueeze", shapes: [[3, 1]], positive: false) { $0[0].squeezed(axis: 1).unsqueezed(axis: 0).exp() },
    PrimitiveCase(name: "concatenate", shapes: [[2, 3], [4, 3]], positive: false) { V.concatenate([$0[0], $0[1]]).squared() },
    PrimitiveCase(name: "stack", shapes: [[3], [3]], positive: false) { V.stack([$0[0], $0[1]], alongAxis: 1) * V.stack([$0[1], $0[0]], alongAxis: 1) },
    PrimitiveCase(name: "select where", shapes: [[6], [6]], positive: false) { V.select(T([1, 0, 1, 0, 0, 1]), $0[0].exp(), $0[1].squared()) },
    PrimitiveCase(name: "max along axis", shapes: [[3, 5]], positive: false) { $0[0].max(alongAxis: 1).values.squared() },
    PrimitiveCase(name: "maximum", shapes: [[6], [6]], positive: false) { V.maximum($0[0], $0[1]).squared() },
    PrimitiveCase(name: "abs", shapes: [[6]], positive: false) { $0[0].abs() * $0[0] },
    PrimitiveCase(name: "clamp", shapes: [[6]], positive: false) { $0[0].clamped(to: -1...1).squared() },
]

/// The backward operations of tanh and sigmoid (rules: `ActivationGradient`, g·f′(y)), checked to
/// first order (∂/∂g = f′(y), ∂/∂y = g·d f′/dy) on every layout; their own second derivative
/// (the activation's third) is not supported, d f′/dy being taken as a constant.
let ruleGradientCases: [PrimitiveCase] = [
    PrimitiveCase(name: "tanhBackward", shapes: [[2, 5], [2, 5]], positive: false) { ActivationGradient(TanhRule<Double>()).apply($0[0], $0[1]) },
    PrimitiveCase(name: "sigmoidBackward", shapes: [[2, 5], [5]], positive: false) { ActivationGradient(SigmoidRule<Double>()).apply($0[0], $0[1]) },
]

func inputs(for c: PrimitiveCase, layout: Int) -> [T] {
    c.shapes.enumerated().map { i, shape in
        let t = randomTensor(shape, seed: UInt64(10 * i + 1), positive: c.positive)
        // Feed the same values through different layouts (the derivative must not care).
        if layout == 4 && t.rank >= 1 {
            // Expanded: the first slice repeated along axis 0 with stride 0.
            return t.sliced(alongAxis: 0, from: 0, to: 1).expanded(to: t.shape)
        }
        let l = layouts(of: t)
        return l[layout % l.count].tensor
    }
}

@Suite struct GradcheckTests {
    @Test(arguments: primitiveCases + ruleGradientCases)
    func firstDerivativesMatchFiniteDifferencesOnEveryLayout(_ c: PrimitiveCase) {
        for layout in 0..<5 {
            let r = gradcheck(c.f, at: inputs(for: c, layout: layout))
            #expect(r.passed, "\(c.name), layout \(layout): \(r)")
            #expect(r.comparisons > 0)
        }
        var projected = GradcheckOptions()
        projected.mode = .randomProjections(4)
        let r = gradcheck(c.f, at: inputs(for: c, layout: 0), options: projected)
        #expect(r.passed, "\(c.name) projections: \(r)")
    }

    @Test(arguments: primitiveCases)
    func secondDerivativesMatchFiniteDifferences(_ c: PrimitiveCase) {
        let r = gradgradcheck(c.f, at: inputs(for: c, layout: 0))
        #expect(r.passed, "\(c.name): \(r)")
    }

    @Test func aWrongDerivativeIsCaught() {
        struct WrongSquare: DifferentiableFunction {
            var name: String { "wrongSquare" }
            func forward(_ inputs: [T]) -> T { inputs[0] * inputs[0] }
            func backward(gradient: V, saved: [V]) -> [V?] { [gradient * saved[0] * 2.01] }
        }
        let r = gradcheck({ WrongSquare().apply($0[0]) }, at: [T([0.5, -1, 2])])
        #expect(!r.passed)
        #expect(r.worst != nil)
        var projected = GradcheckOptions()
        projected.mode = .randomProjections(2)
        #expect(!gradcheck({ WrongSquare().apply($0[0]) }, at: [T([0.5, -1, 2])], options: projected).passed)
    }

    @Test func theReportLocatesTheWorstComparison() throws {
        // y[i, j] = x[i, j]² with a derivative 0.5% too large only at x[1, 2] (the input 3):
        // the report must name that input coordinate, its value, the output coordinate, both
        // derivatives and the tolerance.
        struct WrongAtOne: DifferentiableFunction {
            var name: String { "wrongAtOne" }
            func forward(_ inputs: [T]) -> T { inputs[0] * inputs[0] }
            func backward(gradient: V, saved: [V]) -> [V?] {
                let scale = T(shape: [2, 3], scalars: [1, 1, 1, 1, 1, 1.005])
                return [gradient * saved[0] * 2 * V(scale)]
            }
        }
        let x = T(shape: [2, 3], scalars: [0.5, -1, 2, 1.5, -2, 3])
        let r = gradcheck({ WrongAtOne().apply($0[0]) }, at: [x])
        #expect(!r.passed)
        let w = try #require(r.worst)
        #expect(w.input == 0 && w.inputCoordinates == [1, 2] && w.inputValue == 3 && w.outputCoordinates == [1, 2])
        #expect(Swift.abs(w.analytic - 6.03) < 1e-9 && Swift.abs(w.numeric - 6) < 1e-6)
        #expect(Swift.abs(w.allowed - (1e-5 + 1e-3 * Swift.abs(w.numeric))) < 1e-15)
        let text = "\(r)"
        #expect(text.contains("∂y[1, 2]/∂x0[1, 2] at x0[1, 2] = 3.0") && text.contains("allowed"), "\(text)")
        // Random projections name the projection.
        let p = gradcheck({ WrongAtOne().apply($0[0]) }, at: [x], options: GradcheckOptions(mode: .randomProjections(3)))
        #expect(!p.passed && p.worst?.projection != nil && "\(p)".contains("random projection"), "\(p)")
        // A passing report says where its largest error is, not "analytic 0, numeric 0".
        let ok = gradcheck({ $0[0] * $0[0] }, at: [x])
        #expect(ok.passed && "\(ok)".contains("largest error at ∂y["), "\(ok)")
    }

    @Test func floatPointsArePromotedToDouble() {
        let r = gradcheck({ $0[0].tanh() }, at: [Tensor<Float>([-1, 0.25, 2])])
        #expect(r.passed && r.promotedFromFloat && "\(r)".contains("Float inputs checked in Double"), "\(r)")
        #expect(r.comparisons == 9)
    }

    @Test func kinksAreSkippedAndTheirConventionChecked() {
        // |x| has a kink at 0 with the convention abs'(0) = 0.
        var options = GradcheckOptions()
        options.kinks = [Kink(at: 0, derivative: 0)]
        let r = gradcheck({ $0[0].abs() }, at: [T([-1, 0, 1e-7, 2])], options: options)
        #expect(r.passed, "\(r)")
        #expect(r.skippedNearKinks == 2 && r.conventionChecks == 1)
        // A wrong convention is reported.
        options.kinks = [Kink(at: 0, derivative: 1)]
        #expect(!gradcheck({ $0[0].abs() }, at: [T([-1, 0, 2])], options: options).passed)
        // Without the declaration, finite differences across the kink fail.
        #expect(!gradcheck({ $0[0].abs() }, at: [T([-1, 1e-7, 2])]).passed)
    }
}
