import Foundation
import Testing
import TestSupport

@testable import NN

/// The derivative of `f` at each of `points` (one backward of sum(f(x))), in Double.
private func derivatives(_ points: [Double], _ f: (DV) -> DV) -> [Double] {
    let x = DV(DT(points), requiresGradient: true)
    f(x).sum().backward()
    return x.gradient!.scalars
}

/// The same in Float.
private func floatDerivatives(_ points: [Float], _ f: (Variable<Float>) -> Variable<Float>) -> [Float] {
    let x = Variable(Tensor<Float>(points), requiresGradient: true)
    f(x).sum().backward()
    return x.gradient!.scalars
}

/// gradcheck and gradgradcheck of f(x) and of f(x)·x (whose second derivative is not zero for
/// the piecewise-linear ones) at points away from the kinks.
private func expectChecks(_ name: String, kinks: [Double], at points: DT = checkPoints, _ f: @escaping (DV) -> DV,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    var options = GradcheckOptions()
    options.kinks = kinks.map { Kink(at: $0) }
    for (label, g) in [("f", f), ("f·x", { (x: DV) in f(x) * x })] {
        let first = gradcheck({ g($0[0]) }, at: [points], options: options)
        #expect(first.passed, "\(name) gradcheck of \(label): \(first)", sourceLocation: sourceLocation)
        let second = gradgradcheck({ g($0[0]) }, at: [points], options: options)
        #expect(second.passed, "\(name) gradgradcheck of \(label): \(second)", sourceLocation: sourceLocation)
    }
}

/// Each activation's Tensor form with a scalar oracle of its forward, for the long-tensor tests.
private func piecewiseCases<S: TensorScalar>(_: S.Type) -> [(name: String, tensor: (Tensor<S>) -> Tensor<S>, scalar: (S) -> S)] {
    [
        ("leakyReLU", { $0.leakyReLU(negativeSlope: 0.1) }, { $0 > 0 ? $0 : 0.1 * $0 }),
        ("relu6", { $0.relu6() }, { Swift.min(Swift.max($0, 0), 6) }),
        ("boundedReLU", { $0.boundedReLU(n: 1.5) }, { Swift.min(Swift.max($0, 0), 1.5) }),
        ("hardtanh", { $0.hardtanh(min: -0.5, max: 2) }, { Swift.min(Swift.max($0, -0.5), 2) }),
        ("threshold", { $0.threshold(threshold: 0.25, value: -7) }, { $0 > 0.25 ? $0 : -7 }),
        ("softshrink", { $0.softshrink(lambda: 0.5) }, { $0 > 0.5 ? $0 - 0.5 : ($0 < -0.5 ? $0 + 0.5 : 0) }),
        ("hardshrink", { $0.hardshrink(lambda: 0.5) }, { $0 > 0.5 || $0 < -0.5 ? $0 : 0 }),
        ("hardsigmoid", { $0.hardsigmoid() }, { Swift.min(Swift.max($0 + 3, 0), 6) / 6 }),
        ("hardswish", { $0.hardswish() }, { $0 * Swift.min(Swift.max($0 + 3, 0), 6) / 6 }),
        ("softsign", { $0.softsign() }, { $0 / (1 + Swift.abs($0)) }),
    ]
}

@Suite struct PiecewiseActivationTests {
    // MARK: Kink conventions, asserted exactly

    @Test func leakyReLUConventions() {
        for a in [0.01, 0.2, -0.5] {
            let x = DV(DT([0, -0.0, -2, 3]), requiresGradient: true)
            let y = x.leakyReLU(negativeSlope: a)
            #expect(y.value.scalars == [0, 0, -2 * a, 3])
            y.sum().backward()
            #expect(x.gradient!.scalars == [a, a, a, 1])  // derivative at 0 is a
        }
        #expect(floatDerivatives([0, -1, 1]) { $0.leakyReLU() } == [0.01, 0.01, 1])
        #expect(Tensor<Double>([-100]).leakyReLU().scalars == [-1])
        expectChecks("leakyReLU", kinks: [0]) { $0.leakyReLU() }
        expectChecks("leakyReLU 0.3", kinks: [0]) { $0.leakyReLU(negativeSlope: 0.3) }
        var options = GradcheckOptions()
        options.kinks = [Kink(at: 0, derivative: 0.01)]
        #expect(gradcheck({ $0[0].leakyReLU() }, at: [DT([-1, 0, 0.5])], options: options).passed)
    }

    @Test func relu6AndBoundedReLUConventions() {
        let points: [Double] = [-1, 0, 3, 6, 7, 1e-300, 6 - 1e-15]
        #expect(DT(points).relu6().scalars == [0, 0, 3, 6, 6, 1e-300, 6 - 1e-15])
        #expect(derivatives(points) { $0.relu6() } == [0, 0, 1, 0, 0, 1, 1])  // 0 at both bounds
        #expect(floatDerivatives([0, 6, 5.9, -0.1, 6.1]) { $0.relu6() } == [0, 0, 1, 0, 0])
        for n in [1.0, 6.0, 20.0] {
            #expect(derivatives([0, n, n / 2, -1, n + 1]) { $0.boundedReLU(n: n) } == [0, 0, 1, 0, 0])
            #expect(DT([-1, n / 2, n + 1]).boundedReLU(n: n).scalars == [0, n / 2, n])
        }
        expectChecks("relu6", kinks: [0, 6]) { $0.relu6() }
        expectChecks("boundedReLU(2)", kinks: [0, 2]) { $0.boundedReLU(n: 2) }
        var options = GradcheckOptions()
        options.kinks = [Kink(at: 0, derivative: 0), Kink(at: 6, derivative: 0)]
        #expect(gradcheck({ $0[0].relu6() }, at: [DT([-1, 0, 2, 6, 8])], options: options).passed)
    }

    @Test func hardtanhConventions() {
        // PyTorch's hardtanh_backward: the gradient passes only strictly inside (min, max).
        #expect(derivatives([-1, 1, 0, -2, 2, 0.999]) { $0.hardtanh() } == [0, 0, 1, 0, 0, 1])
        #expect(derivatives([-3, 0.5, -1, 0]) { $0.hardtanh(min: -3, max: 0.5) } == [0, 0, 1, 1])
        #expect(floatDerivatives([-1, 1, 0.5]) { $0.hardtanh() } == [0, 0, 1])
        #expect(DT([-5, -1, 0.25, 1, 5]).hardtanh().scalars == [-1, -1, 0.25, 1, 1])
        expectChecks("hardtanh", kinks: [-1, 1]) { $0.hardtanh() }
        expectChecks("hardtanh(-2, 0.5)", kinks: [-2, 0.5]) { $0.hardtanh(min: -2, max: 0.5) }
        var options = GradcheckOptions()
        options.kinks = [Kink(at: -1, derivative: 0), Kink(at: 1, derivative: 0)]
        #expect(gradcheck({ $0[0].hardtanh() }, at: [DT([-1, 0, 1, 2])], options: options).passed)
    }

    @Test func thresholdConventions() {
        let x = DV(DT([1, 0.5, 2, -4]), requiresGradient: true)
        let y = x.threshold(threshold: 1, value: -2)
        #expect(y.value.scalars == [-2, -2, 2, -2])  // x = t takes the value
        y.sum().backward()
        #expect(x.gradient!.scalars == [0, 0, 1, 0])  // derivative 0 at t
        #expect(floatDerivatives([-3, -2.9, -3.1]) { $0.threshold(threshold: -3, value: 0) } == [0, 1, 0])
        expectChecks("threshold", kinks: [0.1]) { $0.threshold(threshold: 0.1, value: 5) }
        var options = GradcheckOptions()
        options.kinks = [Kink(at: 0.5, derivative: 0)]
        // A jump at t (v ≠ t) is still only a kink for the derivative check.
        #expect(gradcheck({ $0[0].threshold(threshold: 0.5, value: 0.5) }, at: [DT([0, 0.5, 1])], options: options).passed)
    }

    @Test func softshrinkConventions() {
        #expect(DT([-2, -0.5, 0, 0.5, 2, 0.25]).softshrink().scalars == [-1.5, 0, 0, 0, 1.5, 0])
        #expect(derivatives([-0.5, 0.5, 0, -2, 2, 0.5000001]) { $0.softshrink() } == [0, 0, 0, 1, 1, 1])
        #expect(derivatives([-3, 3, 0, -3.5]) { $0.softshrink(lambda: 3) } == [0, 0, 0, 1])
        #expect(derivatives([0, 1, -1]) { $0.softshrink(lambda: 0) } == [0, 1, 1])  // λ = 0: the kink at 0 gives 0
        #expect(floatDerivatives([0.5, -0.5, 0.6]) { $0.softshrink() } == [0, 0, 1])
        expectChecks("softshrink", kinks: [-0.5, 0.5]) { $0.softshrink() }
        expectChecks("softshrink(1)", kinks: [-1, 1]) { $0.softshrink(lambda: 1) }
    }

    @Test func hardshrinkConventions() {
        #expect(DT([-2, -0.5, 0, 0.5, 2, 0.25, 0.5000001]).hardshrink().scalars == [-2, 0, 0, 0, 2, 0, 0.5000001])
        #expect(derivatives([-0.5, 0.5, 0, -2, 2]) { $0.hardshrink() } == [0, 0, 0, 1, 1])  // 0 at ±λ
        #expect(derivatives([-0.5, 0, 3]) { $0.hardshrink(lambda: -1) } == [1, 1, 1])  // negative λ: identity
        #expect(floatDerivatives([0.5, -0.5, 0.6]) { $0.hardshrink() } == [0, 0, 1])
        expectChecks("hardshrink", kinks: [-0.5, 0.5]) { $0.hardshrink() }
        expectChecks("hardshrink(1)", kinks: [-1, 1]) { $0.hardshrink(lambda: 1) }
    }

    @Test func hardsigmoidConventions() {
        #expect(DT([-3, 3, 0, -4, 4, 1.5]).hardsigmoid().scalars == [0, 1, 0.5, 0, 1, 0.75])
        let sixth: Double = 1.0 / 6
        let hsExpected: [Double] = [0, 0, sixth, 0, 0, sixth]
        #expect(derivatives([-3, 3, 0, -4, 4, 2.999]) { $0.hardsigmoid() } == hsExpected)
        #expect(floatDerivatives([-3, 3, 0]) { $0.hardsigmoid() } == [0, 0, Float(1) / 6])
        expectChecks("hardsigmoid", kinks: [-3, 3], at: DT([-3.1, -2.5, -1.2, 0.3, 2.9, 3.2])) { $0.hardsigmoid() }
        var options = GradcheckOptions()
        options.kinks = [Kink(at: -3, derivative: 0), Kink(at: 3, derivative: 0)]
        #expect(gradcheck({ $0[0].hardsigmoid() }, at: [DT([-3, 0, 3])], options: options).passed)
    }

    @Test func hardswishConventions() {
        #expect(DT([-3, 3, 0, -4, 4, -1.5]).hardswish().scalars == [0, 3, 0, 0, 4, -0.375])
        // PyTorch 2.x's open interval: hardswish'(−3) = 0, hardswish'(3) = 1 (see Hardswish.swift);
        // one ulp inside the interval the middle piece x/3 + 1/2 applies.
        #expect(derivatives([-3, 3, 0, -1.5, -4, 4, 1.5]) { $0.hardswish() } == [0, 1, 0.5, 0, 0, 1, 1])
        #expect(floatDerivatives([-3, 3, -1.5, 0]) { $0.hardswish() } == [0, 1, 0, 0.5])
        #expect(derivatives([Double(-3).nextUp, Double(3).nextDown, Double(-3).nextDown, Double(3).nextUp]) { $0.hardswish() }
                == [(Double(-3).nextUp + 1.5) / 3, (Double(3).nextDown + 1.5) / 3, 0, 1])
        #expect(floatDerivatives([Float(-3).nextUp, Float(3).nextDown, Float(-3).nextDown, Float(3).nextUp]) { $0.hardswish() }
                == [(Float(-3).nextUp + 1.5) / 3, (Float(3).nextDown + 1.5) / 3, 0, 1])
        // Near the zero of the derivative at −3/2 it stays accurate in Float.
        let near = Float(-1.5).nextUp.nextUp
        let d = floatDerivatives([near]) { $0.hardswish() }[0]
        #expect(ulpError(d, (Double(near) + 1.5) / 3) <= 1)
        // Double backward: 1/3 on (−3, 3), 0 outside.
        let x = DV(DT([-3.5, -2, 0, 2.5, 3.5]), requiresGradient: true)
        let g = gradients(of: x.hardswish().sum(), withRespectTo: [x], createGraph: true)[0]!
        g.sum().backward()
        let third: Double = 1.0 / 3
        let secondExpected: [Double] = [0, third, third, third, 0]
        #expect(x.gradient!.scalars == secondExpected)
        expectChecks("hardswish", kinks: [-3, 3], at: DT([-3.1, -2.5, -1.2, -0.4, 0.3, 2.9, 3.2])) { $0.hardswish() }
        var options = GradcheckOptions()
        options.kinks = [Kink(at: -3, derivative: 0), Kink(at: 3, derivative: 1)]
        #expect(gradcheck({ $0[0].hardswish() }, at: [DT([-3, 0, 3])], options: options).passed)
    }

    @Test func softsignDerivatives() {
        #expect(DT([0, 1, -3, .infinity, -.infinity]).softsign().scalars == [0, 0.5, -0.75, 1, -1])
        #expect(derivatives([0, 1, -3, .infinity]) { $0.softsign() } == [1, 0.25, 0.0625, 0])
        #expect(floatDerivatives([0, 1, -3]) { $0.softsign() } == [1, 0.25, 0.0625])
        // No early overflow: 1/(1 + 1e200)² is 1e-400, below Double's range, only in the last step.
        #expect(derivatives([1e150]) { $0.softsign() } == [1e-300])
        // Second derivative −2·sign(x)/(1 + |x|)³, 0 at 0.
        let x = DV(DT([-1, 0, 1, 3]), requiresGradient: true)
        let g = gradients(of: x.softsign().sum(), withRespectTo: [x], createGraph: true)[0]!
        g.sum().backward()
        let curvatureExpected: [Double] = [0.25, 0, -0.25, -2.0 / 64]
        #expect(x.gradient!.scalars == curvatureExpected)
        expectChecks("softsign", kinks: [0]) { $0.softsign() }
        expectChecks("softsign wide", kinks: [0], at: DT([-40, -7, -0.2, 0.1, 5, 300])) { $0.softsign() }
    }

    // MARK: Long tensors: vector bodies and tails, NaN, strided inputs

    @Test func forwardsMatchAScalarOracleAndKeepNaN() {
        func run<S: TensorScalar>(_: S.Type) {
            let n = 128 * 128 + 5
            var xs = Tensor<S>.randomNormal([n], seed: 11).scalars.map { $0 * 4 }
            for i in stride(from: 0, to: n, by: 3) { xs[i] = .nan }
            // The interesting exact points, away from the NaN lanes.
            for (i, v) in [-3, 3, -0.5, 0.5, 0, 6, 1.5, -1, 1, 2, 0.25].enumerated() { xs[3 * i + 1] = S(v) }
            let t = Tensor<S>(xs)
            for c in piecewiseCases(S.self) {
                let ys = c.tensor(t).scalars
                for i in 0..<n {
                    if xs[i].isNaN {
                        #expect(ys[i].isNaN, "\(c.name) (\(S.self)) loses NaN at \(i)")
                    } else {
                        let want = c.scalar(xs[i])
                        #expect(Swift.abs(ys[i] - want) <= 2 * want.magnitude.ulp, "\(c.name) (\(S.self)) at x=\(xs[i]): \(ys[i]) vs \(want)")
                    }
                }
            }
        }
        run(Float.self)
        run(Double.self)
    }

    @Test func derivativesOnLongTensorsMatchTheDoubleFormulas() {
        let n = 64 * 16 + 7
        let xs = Tensor<Double>.randomNormal([n], seed: 5).scalars.map { $0 * 4 }
        let cases: [(String, (DV) -> DV, (Double) -> Double)] = [
            ("leakyReLU", { $0.leakyReLU(negativeSlope: 0.1) }, { $0 > 0 ? 1 : 0.1 }),
            ("relu6", { $0.relu6() }, { $0 > 0 && $0 < 6 ? 1 : 0 }),
            ("hardtanh", { $0.hardtanh() }, { $0 > -1 && $0 < 1 ? 1 : 0 }),
            ("threshold", { $0.threshold(threshold: 0.3, value: 1) }, { $0 > 0.3 ? 1 : 0 }),
            ("softshrink", { $0.softshrink() }, { Swift.abs($0) > 0.5 ? 1 : 0 }),
            ("hardshrink", { $0.hardshrink() }, { Swift.abs($0) > 0.5 ? 1 : 0 }),
            ("hardsigmoid", { $0.hardsigmoid() }, { $0 > -3 && $0 < 3 ? 1.0 / 6 : 0 }),
            ("hardswish", { $0.hardswish() }, { $0 <= -3 ? 0 : ($0 >= 3 ? 1 : $0 / 3 + 0.5) }),
            ("softsign", { $0.softsign() }, { 1 / ((1 + Swift.abs($0)) * (1 + Swift.abs($0))) }),
        ]
        for (name, f, d) in cases {
            let got = derivatives(xs, f)
            for i in 0..<n {
                #expect(Swift.abs(got[i] - d(xs[i])) <= 1e-15, "\(name)' at \(xs[i]): \(got[i]) vs \(d(xs[i]))")
            }
        }
    }

    @Test func stridedInputsGiveTheContiguousResult() {
        let base = Tensor<Float>.randomNormal([6, 37], seed: 9) * 4
        for c in piecewiseCases(Float.self) {
            let want = c.tensor(base).scalars
            for (layout, t) in layouts(of: base) {
                #expect(c.tensor(t).scalars == want, "\(c.name) on \(layout)")
            }
        }
        // And through the Variable form, with gradients.
        for (layout, t) in layouts(of: Tensor<Double>(shape: base.shape, scalars: base.scalars.map { Double($0) })) {
            let x = Variable(t, requiresGradient: true)
            x.hardswish().sum().backward()
            let y = Variable(t.contiguous(), requiresGradient: true)
            y.hardswish().sum().backward()
            #expect(x.gradient!.scalars == y.gradient!.scalars, "hardswish gradient on \(layout)")
        }
    }


    @Test func leakyReLUWithANaNSlope() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, 2])).leakyReLU(negativeSlope: .nan)
        }
        expectStop(r, mentions: ["leakyReLU", "negativeSlope nan"])
    }

    @Test func boundedReLUWithANonPositiveBound() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>([1, 2])).boundedReLU(n: 0)
        }
        expectStop(r, mentions: ["boundedReLU", "n 0.0", "n > 0"])
    }

    @Test func hardtanhWithMinAboveMax() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, 2])).hardtanh(min: 1, max: -1)
        }
        expectStop(r, mentions: ["hardtanh", "min 1.0 with max -1.0", "min < max"])
    }

    @Test func hardtanhWithEqualBounds() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, 2])).hardtanh(min: 2, max: 2)
        }
        expectStop(r, mentions: ["hardtanh", "min 2.0 with max 2.0", "min < max"])
    }

    @Test func hardtanhWithANaNBound() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>([1, 2])).hardtanh(min: .nan, max: 1)
        }
        expectStop(r, mentions: ["hardtanh", "min nan", "NaN"])
    }

    @Test func thresholdWithANaNParameter() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, 2])).threshold(threshold: .nan, value: 0)
        }
        expectStop(r, mentions: ["threshold", "threshold nan with value 0.0"])
    }

    @Test func softshrinkWithANegativeLambda() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Double>([1, 2])).softshrink(lambda: -0.5)
        }
        expectStop(r, mentions: ["softshrink", "lambda -0.5", "lambda >= 0"])
    }

    @Test func hardshrinkWithANaNLambda() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>([1, 2])).hardshrink(lambda: .nan)
        }
        expectStop(r, mentions: ["hardshrink", "lambda nan"])
    }
}
