import Foundation
import Testing
import TestSupport

@testable import NN

/// One smooth activation, as a Variable function and a Tensor function, for any scalar type.
struct SmoothCase: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }

    func apply<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
        switch name {
        case "selu": return x.selu()
        case "celu": return x.celu()
        case "celu(alpha: 0.5)": return x.celu(alpha: 0.5)
        case "celu(alpha: -2)": return x.celu(alpha: -2)
        case "softplus": return x.softplus()
        case "softplus(beta: 2, threshold: 5)": return x.softplus(beta: 2, threshold: 5)
        case "softplus(beta: -0.5)": return x.softplus(beta: -0.5)
        case "silu": return x.silu()
        case "swish(beta: 1.7)": return x.swish(beta: 1.7)
        case "mish": return x.mish()
        case "gelu": return x.gelu()
        case "gelu(approximation: .tanh)": return x.gelu(approximation: .tanh)
        case "logSigmoid": return x.logSigmoid()
        case "tanhshrink": return x.tanhshrink()
        default: fatalError("unknown case \(name)")
        }
    }

    func apply<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
        switch name {
        case "selu": return x.selu()
        case "celu": return x.celu()
        case "celu(alpha: 0.5)": return x.celu(alpha: 0.5)
        case "celu(alpha: -2)": return x.celu(alpha: -2)
        case "softplus": return x.softplus()
        case "softplus(beta: 2, threshold: 5)": return x.softplus(beta: 2, threshold: 5)
        case "softplus(beta: -0.5)": return x.softplus(beta: -0.5)
        case "silu": return x.silu()
        case "swish(beta: 1.7)": return x.swish(beta: 1.7)
        case "mish": return x.mish()
        case "gelu": return x.gelu()
        case "gelu(approximation: .tanh)": return x.gelu(approximation: .tanh)
        case "logSigmoid": return x.logSigmoid()
        case "tanhshrink": return x.tanhshrink()
        default: fatalError("unknown case \(name)")
        }
    }

    static let all: [SmoothCase] = [
        "selu", "celu", "celu(alpha: 0.5)", "celu(alpha: -2)", "softplus", "softplus(beta: 2, threshold: 5)",
        "softplus(beta: -0.5)", "silu", "swish(beta: 1.7)", "mish", "gelu", "gelu(approximation: .tanh)",
        "logSigmoid", "tanhshrink",
    ].map { SmoothCase(name: $0) }

    /// Whether the activation overflows by nature for large |x| of some sign (celu with a negative
    /// α grows like e^{x/α} for x → −∞), so the large-|x| test only checks the other side.
    var growsExponentially: Bool { name == "celu(alpha: -2)" }

    /// Where the function is not smooth: selu's derivative jumps at 0 (λ vs λα), and softplus
    /// jumps to the identity where βx crosses the threshold (x = 2.5 for β 2, threshold 5).
    var options: GradcheckOptions {
        var o = GradcheckOptions()
        switch name {
        case "selu", "celu", "celu(alpha: 0.5)", "celu(alpha: -2)": o.kinks = [Kink(at: 0)]
        case "softplus": o.kinks = [Kink(at: 20)]
        case "softplus(beta: 2, threshold: 5)": o.kinks = [Kink(at: 2.5)]
        case "softplus(beta: -0.5)": o.kinks = [Kink(at: -40)]
        default: break
        }
        return o
    }
}

/// Gradient-check points: the shared ones plus wider ones, away from 0 (the kink of selu/celu)
/// and from the softplus thresholds.
let smoothPoints: [DT] = [checkPoints, DT([-7.5, -4.2, -1.9, 1.6, 3.7, 6.4]), DT([-0.7, 0.45, 1.3, -2.6]).reshaped(to: [2, 2])]

@Suite struct SmoothActivationTests {
    @Test(arguments: SmoothCase.all)
    func gradcheckAndGradgradcheck(_ c: SmoothCase) {
        for p in smoothPoints {
            let first = gradcheck({ c.apply($0[0]) }, at: [p], options: c.options)
            #expect(first.passed, "\(c.name) at \(p.scalars): \(first)")
            let second = gradgradcheck({ c.apply($0[0]) }, at: [p], options: c.options)
            #expect(second.passed, "\(c.name) at \(p.scalars): \(second)")
        }
    }

    @Test(arguments: SmoothCase.all)
    func stridedInputsGiveTheContiguousResult(_ c: SmoothCase) {
        let t = Tensor<Float>.randomNormal([5, 21], seed: 11) * Float(4)
        let reference = c.apply(t.contiguous()).scalars
        for (layout, x) in layouts(of: t) {
            #expect(bitIdentical(c.apply(x).scalars, reference), "\(c.name) \(layout)")
        }
    }

    func largeInputs<S: TensorScalar>(_ c: SmoothCase, _: S.Type) {
        var xs: [S] = []
        for v in [1e4, 710, 89, 40, 21] {
            if !c.growsExponentially { xs.append(S(-v)) }
            xs.append(S(v))
        }
        let x = Variable(Tensor<S>(xs), requiresGradient: true)
        let y = c.apply(x)
        let grads = gradients(of: y.sum(), withRespectTo: [x], createGraph: true)
        let dx = grads[0]!
        let ddx = gradients(of: dx.sum(), withRespectTo: [x])[0]!
        for i in 0..<xs.count {
            #expect(y.value.scalars[i].isFinite, "\(c.name) \(S.self) y at \(xs[i]): \(y.value.scalars[i])")
            #expect(dx.value.scalars[i].isFinite, "\(c.name) \(S.self) dy/dx at \(xs[i]): \(dx.value.scalars[i])")
            #expect(ddx.value.scalars[i].isFinite, "\(c.name) \(S.self) d²y/dx² at \(xs[i]): \(ddx.value.scalars[i])")
        }
    }

    @Test(arguments: SmoothCase.all)
    func finiteValuesAndGradientsForLargeInputs(_ c: SmoothCase) {
        largeInputs(c, Float.self)
        largeInputs(c, Double.self)
    }

    func nanPropagation<S: TensorScalar>(_ c: SmoothCase, _: S.Type) {
        // NaN in every third element of 128 × 128 + 5: both vector bodies and tails see NaN.
        let n = 128 * 128 + 5
        var xs = Tensor<S>.randomNormal([n], seed: 5).scalars
        for i in stride(from: 0, to: n, by: 3) { xs[i] = .nan }
        let x = Variable(Tensor<S>(xs), requiresGradient: true)
        let y = c.apply(x)
        y.sum().backward()
        let ys = y.value.scalars
        let gs = x.gradient!.scalars
        for i in 0..<n {
            if i % 3 == 0 {
                #expect(ys[i].isNaN && gs[i].isNaN, "\(c.name) \(S.self) at \(i): \(ys[i]), \(gs[i])")
            } else {
                #expect(ys[i].isFinite && gs[i].isFinite, "\(c.name) \(S.self) at \(i)")
            }
        }
    }

    @Test(arguments: SmoothCase.all)
    func nanInNaNOutOnVectorBodyAndTail(_ c: SmoothCase) {
        nanPropagation(c, Float.self)
        nanPropagation(c, Double.self)
    }

    @Test func conventionsAtZeroAndThreshold() {
        let x = DV(DT([0, 30, -1]), requiresGradient: true)
        x.selu().sum().backward()
        #expect(x.gradient!.scalars[0] == seluScale * seluAlpha)  // selu′(0) = λα, as PyTorch
        #expect(x.gradient!.scalars[1] == seluScale)

        let c = DV(DT([0, -0.0, 2]), requiresGradient: true)
        c.celu(alpha: 0.5).sum().backward()
        #expect(c.gradient!.scalars == [1, 1, 1])  // celu′(0) = e⁰ = 1

        // Softplus is linear where βx > threshold: y = x exactly, y′ = 1.
        let s = DV(DT([30, 3, 20]), requiresGradient: true)
        let sp = s.softplus(beta: 2, threshold: 5)
        sp.sum().backward()
        #expect(sp.value.scalars[0] == 30 && sp.value.scalars[1] == 3)
        #expect(s.gradient!.scalars[0] == 1 && s.gradient!.scalars[1] == 1)
        // At βx = threshold exactly the smooth branch is used (as PyTorch: strictly greater).
        #expect(Tensor<Double>([20]).softplus().scalars[0] == 20 + Foundation.log1p(Foundation.exp(-20)))
    }

    @Test func siluAndMishKeepSubnormalAccuracyFarOut() {
        // x·e^x from x = −87 down: the result (and e^x before it) is near or below the smallest
        // normal Float. The kernels scale by 2⁻⁶⁴ last, so the result is rounded once: within
        // 4 units of its own spacing (the subnormal spacing there) of the Double value.
        var xs: [Float] = []
        var v: Float = -86.5
        while v > -104 { xs.append(v); v -= 0.173 }
        let silu = Tensor<Float>(xs).silu().scalars
        let mish = Tensor<Float>(xs).mish().scalars
        for (i, x) in xs.enumerated() {
            let d = Double(x)
            let refSilu = d / (1 + Foundation.exp(-d))
            let refMish = d * Foundation.tanh(Foundation.log1p(Foundation.exp(d)))
            for (got, ref, name) in [(silu[i], refSilu, "silu"), (mish[i], refMish, "mish")] {
                let spacing = Double(Swift.max(Float(ref).magnitude, Float.leastNormalMagnitude).ulp)
                #expect(Swift.abs(Double(got) - ref) <= 4 * spacing, "\(name)(\(x)) = \(got), float64 \(ref)")
            }
        }
    }

    @Test func siluIsSwishWithBetaOne() {
        let t = Tensor<Float>.randomNormal([333], seed: 2) * Float(6)
        #expect(bitIdentical(t.silu().scalars, t.swish(beta: 1).scalars))
        let x = Variable(t, requiresGradient: true)
        x.silu().sum().backward()
        let a = x.gradient!.scalars
        x.resetGradient()
        x.swish(beta: 1).sum().backward()
        #expect(bitIdentical(a, x.gradient!.scalars))
    }

    @Test func valuesAgainstScalarFormulas() {
        let xs: [Double] = [-30, -6, -2.5, -1, -0.3, 0.2, 1, 2.5, 6, 30]
        let t = DT(xs)
        func close(_ a: [Double], _ f: (Double) -> Double, _ name: String) {
            for (x, y) in zip(xs, a) {
                let r = f(x)
                #expect(Swift.abs(y - r) <= 1e-14 * Swift.max(1, Swift.abs(r)), "\(name)(\(x)): \(y) vs \(r)")
            }
        }
        func sp(_ x: Double) -> Double { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        func sigma(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        close(t.selu().scalars, { $0 > 0 ? seluScale * $0 : seluScale * seluAlpha * Foundation.expm1($0) }, "selu")
        close(t.celu(alpha: 2).scalars, { $0 > 0 ? $0 : 2 * Foundation.expm1($0 / 2) }, "celu")
        close(t.softplus().scalars, { $0 > 20 ? $0 : sp($0) }, "softplus")
        close(t.silu().scalars, { $0 * sigma($0) }, "silu")
        close(t.swish(beta: 0.5).scalars, { $0 * sigma(0.5 * $0) }, "swish")
        close(t.mish().scalars, { $0 * Foundation.tanh(sp($0)) }, "mish")
        close(t.gelu().scalars, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, "gelu")
        close(
            t.gelu(approximation: .tanh).scalars,
            { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) },
            "gelu tanh")
        close(t.logSigmoid().scalars, { -sp(-$0) }, "logSigmoid")
        close(t.tanhshrink().scalars, { $0 - Foundation.tanh($0) }, "tanhshrink")
    }

    @Test func derivativesNearTheirZeroCrossingsStayAccurateInAbsoluteTerms() {
        // silu′ and mish′ cross zero near −1.2785 and −1.1924, where their terms (≈ 0.3) cancel:
        // there an evaluation in the working precision is accurate in absolute terms only. Both
        // precisions are compared with a Float80 reference (64-bit significand, so its own error
        // is ~1e-19 in absolute terms) at exactly the point each one was given, within a few ulps
        // of 0.3 plus a few ulps of the value: for Double that is ≈ 2e-16 absolute near the
        // zero and ≈ 1e-15 relative away from it, so a 1e-12 relative error anywhere on the grid
        // (whose values reach ±7e-4) fails.
        func siluPrime(_ x: R) -> R { sigma(x) * (1 + x * sigma(-x)) }
        func mishPrime(_ x: R) -> R {
            let sp = Foundation.log1p(Foundation.exp(x))
            return Foundation.tanh(sp) + x * sigma(x) * sech2(sp)
        }
        for (name, x0) in [("silu", -1.2785), ("mish", -1.1924)] {
            let reference = name == "silu" ? siluPrime : mishPrime
            let xs = (0..<64).map { x0 + Double($0 - 32) * 1e-4 }
            func derivative<S: TensorScalar>(_: S.Type) -> [Double] {
                let x = Variable(Tensor<S>(xs.map { S($0) }), requiresGradient: true)
                (name == "silu" ? x.silu() : x.mish()).sum().backward()
                return x.gradient!.scalars.map { Double($0) }
            }
            let f = derivative(Float.self)
            let d = derivative(Double.self)
            var signs = Set<FloatingPointSign>()
            for i in 0..<xs.count {
                // Double: at xs[i] itself.
                let ref = Double(reference(R(xs[i])))
                signs.insert(ref.sign)
                let dTolerance = 4 * (0.3).ulp + 4 * Swift.abs(ref).ulp
                #expect(Swift.abs(d[i] - ref) <= dTolerance,
                        "\(name)′ in Double at \(xs[i]): \(d[i]) vs Float80 \(ref) (\(Swift.abs(d[i] - ref)) > \(dTolerance))")
                // Float: at the Float the input rounded to.
                let xf = Float(xs[i])
                let reff = Double(reference(R(xf)))
                let fTolerance = 4 * Double(Float(0.3).ulp)
                #expect(Swift.abs(f[i] - reff) <= fTolerance, "\(name)′ in Float at \(xf): \(f[i]) vs Float80 \(reff)")
            }
            // The grid straddles the zero crossing (so the cancelling region is exercised).
            #expect(signs == [.plus, .minus], "\(name)′: the grid around \(x0) does not cross zero")
        }
    }
}

/// Bad hyperparameters stop with a message naming the op, the value and the fix.
@Suite struct SmoothActivationBadInputTests {

    @Test func celuAlphaZero() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, -1]), requiresGradient: true).celu(alpha: 0)
        }
        expectStop(r, mentions: ["celu", "alpha 0.0", "nonzero"])
    }

    @Test func celuAlphaNaN() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>([1, -1])).celu(alpha: .nan)
        }
        expectStop(r, mentions: ["celu", "alpha nan"])
    }

    @Test func softplusBetaZero() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, -1]), requiresGradient: true).softplus(beta: 0)
        }
        expectStop(r, mentions: ["softplus", "beta 0.0", "nonzero beta"])
    }

    @Test func softplusBetaNaN() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, -1])).softplus(beta: .nan)
        }
        expectStop(r, mentions: ["softplus", "beta nan"])
    }

    @Test func softplusThresholdNaN() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>([1, -1])).softplus(threshold: .nan)
        }
        expectStop(r, mentions: ["softplus", "threshold nan"])
    }

    @Test func swishBetaInfinite() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, -1])).swish(beta: .infinity)
        }
        expectStop(r, mentions: ["swish", "beta inf", "finite beta"])
    }
}
