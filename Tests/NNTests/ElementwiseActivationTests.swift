import Foundation
import Testing
import TestSupport

@testable import NN

// Activations as rules (`ElementwiseActivation`): the generic forms the protocol writes — Tensor,
// Variable with first and second derivatives, in place, module, catalogue entry and spec parsing —
// checked on built-in rules and on two rules defined here as a user would: one whose
// derivative reads the input, one whose derivative reads the output (so it works in place).

/// A user's rule: the bent identity, (√(x² + 1) − 1)/2 + x; f′ = x/(2√(x² + 1)) + 1,
/// f″ = 1/(2(x² + 1)^{3/2}).
struct TestBentIdentity<Scalar: TensorScalar>: ElementwiseActivation {
    static var name: String { "test_bent_identity" }
    static var summary: String { "(√(x² + 1) − 1)/2 + x" }
    init(_ arguments: ActivationArguments) {}
    func value(_ x: Scalar.Vector) -> Scalar.Vector {
        let one = Scalar.Vector(repeating: 1)
        return ((x * x + one).squareRoot() - one) / Scalar.Vector(repeating: 2) + x
    }
    func derivative(_ x: Scalar.Vector) -> Scalar.Vector {
        x / (Scalar.Vector(repeating: 2) * (x * x + Scalar.Vector(repeating: 1)).squareRoot()) + Scalar.Vector(repeating: 1)
    }
    func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector {
        let w = x * x + Scalar.Vector(repeating: 1)
        return Scalar.Vector(repeating: 1) / (Scalar.Vector(repeating: 2) * w * w.squareRoot())
    }
}

/// The bent identity again, with a fused gradient (g/(2w) · x + g, one division fewer): the
/// kernel must use it, and it must agree with g·f′ to rounding.
struct TestFusedBentIdentity<Scalar: TensorScalar>: ElementwiseActivation {
    static var name: String { "test_fused_bent_identity" }
    static var summary: String { "(√(x² + 1) − 1)/2 + x, fused gradient" }
    init(_ arguments: ActivationArguments) {}
    let plain = TestBentIdentity<Scalar>()
    func value(_ x: Scalar.Vector) -> Scalar.Vector { plain.value(x) }
    func derivative(_ x: Scalar.Vector) -> Scalar.Vector { plain.derivative(x) }
    func derivativeOfDerivative(_ x: Scalar.Vector) -> Scalar.Vector { plain.derivativeOfDerivative(x) }
    func gradient(_ g: Scalar.Vector, _ x: Scalar.Vector) -> Scalar.Vector {
        // Marked: a gradient of exactly 1 at x = 0 comes out as 1 + 2⁻²⁰ here, so a test can see
        // that this (and not g·f′) ran; everywhere else it is g·x/(2√(x² + 1)) + g.
        let w = (x * x + Scalar.Vector(repeating: 1)).squareRoot()
        let mark = Scalar.vSelect(Scalar.vEqual(x, Scalar.Vector(repeating: 0)), Scalar.Vector(repeating: 0x1p-20), Scalar.Vector(repeating: 0))
        return g * x / (Scalar.Vector(repeating: 2) * w) + g + g * mark
    }
}

/// A rule whose derivative reads the output: a scaled exponential, y = c·eˣ, f′ = y, df′/dy = 1.
struct TestScaledExp<Scalar: TensorScalar>: ElementwiseActivation {
    static var name: String { "test_scaled_exp" }
    static var summary: String { "scale·eˣ" }
    static var parameters: [ActivationParameter] { [ActivationParameter("scale", default: 2, .positive, "the factor")] }
    static var derivativeInput: ActivationDerivativeInput { .output }
    let scale: Scalar
    init(_ arguments: ActivationArguments) { scale = Scalar(arguments["scale"]) }
    func value(_ x: Scalar.Vector) -> Scalar.Vector { scale * Scalar.vExp(x) }
    func derivative(_ y: Scalar.Vector) -> Scalar.Vector { y }
    func derivativeOfDerivative(_ y: Scalar.Vector) -> Scalar.Vector { Scalar.Vector(repeating: 1) }
}

@Suite("ElementwiseActivation: the generic forms of a rule")
struct ElementwiseActivationTests {
    static let points: [Double] = [-7, -2.5, -1, -0.3, -1e-3, 0, 1e-3, 0.4, 1, 2.5, 9]

    @Test("First and second derivatives by gradcheck and gradgradcheck (Double), for an input rule and an output rule")
    func gradchecks() {
        let x = Tensor<Double>(Self.points.map { $0 / 2 })
        let cases: [(String, @Sendable (Variable<Double>) -> Variable<Double>)] = [
            ("softsign (a built-in rule)", { @Sendable (v: Variable<Double>) in v.softsign() }),
            ("bent identity", { @Sendable (v: Variable<Double>) in v.activation(TestBentIdentity<Double>()) }),
            ("scaled exp (from the output)", { @Sendable (v: Variable<Double>) in v.activation(TestScaledExp<Double>()) }),
        ]
        for (name, f) in cases {
            let first = gradcheck({ f($0[0]) }, at: [x])
            #expect(first.passed, "\(name): \(first)")
            let second = gradgradcheck({ f($0[0]) }, at: [x])
            #expect(second.passed, "\(name): \(second)")
        }
    }

    @Test("A rule's own gradient(g, s) is what backward runs (the default is g·f′(s))")
    func fusedGradientIsUsed() {
        let x = Tensor<Double>([-2, 0, 0.5])
        let a = Variable(x, requiresGradient: true)
        a.activation(TestFusedBentIdentity<Double>()).sum().backward()
        let b = Variable(x, requiresGradient: true)
        b.activation(TestBentIdentity<Double>()).sum().backward()
        #expect(a.gradient!.scalars[1] == 1 + 0x1p-20)  // the fused form's mark at 0
        #expect(b.gradient!.scalars[1] == 1)  // the default g·f′(0) = 1
        for i in [0, 2] { #expect(Swift.abs(a.gradient!.scalars[i] - b.gradient!.scalars[i]) <= 4 * Double.ulpOfOne) }
    }

    @Test("Double backward runs a rule's own curvatureGradient(h, s): hardswish's f″ term is exactly +0 outside (−3, 3) whatever h (PyTorch's where), h/3 inside")
    func fusedCurvatureIsUsed() {
        let x = Variable(Tensor<Double>([-4, -3, 0, 3, 4, .nan]), requiresGradient: true)
        // The incoming gradient of y is w; the second pass weighs the first derivative by v, so
        // h = v·w: negative (h·0 would be −0) and infinite (h·0 would be NaN) outside the band.
        let w = Variable(Tensor<Double>([-1, -2, 1.5, -.infinity, -3, 2]))
        let v = Variable(Tensor<Double>([1, 1, -3, 1, 1, 1]))
        let g = gradients(of: (x.hardswish() * w).sum(), withRespectTo: [x], createGraph: true)[0]!
        let second = gradients(of: (g * v).sum(), withRespectTo: [x])[0]!.value.scalars
        #expect(second.map(\.bitPattern) == [0, 0, (-1.5).bitPattern, 0, 0, 0], "\(second)")
    }

    @Test("In place, a piecewise-linear rule read from its output stays piecewise linear: leaky ReLU's gradient has no x term, as out of place")
    func outputFormKeepsPiecewiseLinearity() {
        for inPlace in [false, true] {
            let x = Variable(Tensor<Double>([-1, 0.5]), requiresGradient: true)
            var h = x * 1
            if inPlace { h.formActivation(LeakyReLURule(negativeSlope: 0.2)) } else { h = h.leakyReLU(negativeSlope: 0.2) }
            let g = gradients(of: h.sum(), withRespectTo: [x], createGraph: true)[0]!
            #expect(g.value.scalars == [0.2, 1])
            let second = gradients(of: g.sum(), withRespectTo: [x], allowUnused: true)[0]
            #expect(second == nil, "in place \(inPlace): \(second.map { "\($0.value.scalars)" } ?? "")")
        }
    }

    @Test("A rule whose derivative reads the output works in place, with the out-of-place gradients")
    func inPlaceFromTheOutput() {
        let x = Tensor<Double>([-1, 0, 0.5, 2])
        let a = Variable(x, requiresGradient: true)
        var h = a * 1  // a computed variable (a leaf that requires a gradient may not be overwritten)
        h.formActivation(TestScaledExp<Double>())
        h.sum().backward()
        let b = Variable(x, requiresGradient: true)
        (b * 1).activation(TestScaledExp<Double>()).sum().backward()
        #expect(h.value.scalars == x.scalars.map { 2 * Foundation.exp($0) })
        #expect(a.gradient!.scalars == b.gradient!.scalars)
    }

    @Test("A rule whose derivative reads the input refuses to run in place, naming the rule")
    func inPlaceFromTheInputStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var h = Variable(Tensor<Float>([1, 2]), requiresGradient: true) * 1
            h.formActivation(SoftsignRule<Float>())
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("softsign in place") && text.contains("needs the input") && text.contains("Fix:"), "\(text)")
    }

    @Test("The module and the catalogue: spec strings build ActivationLayer in Float and Double; alpha's domain is checked")
    func catalogue() throws {
        let spec = try ActivationSpec(parsing: "elu:alpha=0.25")
        let f = spec.makeLayer(Float.self)
        let d = spec.makeLayer(Double.self)
        #expect(f is ActivationLayer<ELURule<Float>> && d is ActivationLayer<ELURule<Double>>)
        #expect((d as! ActivationLayer<ELURule<Double>>).rule.alpha == 0.25)
        #expect((d as! ELU<Double>).alpha == 0.25, "the rule's hyperparameters read through the module")
        let y = d(Variable(Tensor<Double>([-.infinity]))).value.scalars
        #expect(y == [-0.25])
        #expect(throws: ActivationSpecError.outsideDomain(activation: "elu", parameter: "alpha", value: "0", requirement: "> 0")) {
            _ = try ActivationSpec(parsing: "elu:alpha=0")
        }
        #expect(ActivationCatalogue.entry(named: "elu")?.parameters.map(\.name) == ["alpha"])
    }
}

// Registration changes the process-wide catalogue, which other tests enumerate: it runs in a
// child process (an exit test), so this process's catalogue stays the built-in one.
@Suite("ElementwiseActivation: user registration")
struct ActivationRegistrationTests {
    @Test("A registered rule is a catalogue entry: specs, makeLayer and the list see it")
    func registerAUsersRule() async {
        await #expect(processExitsWith: .success) {
            ActivationCatalogue.register(TestBentIdentity<Float>.self, TestBentIdentity<Double>.self)
            guard ActivationCatalogue.names.contains("test_bent_identity"),
                  let layer = try? ActivationCatalogue.makeLayer("test_bent_identity", as: Float.self)
            else { exit(1) }
            let y = layer(Variable(Tensor<Float>([0, 1]))).value.scalars
            guard y[0] == 0, Swift.abs(y[1] - Float((2.0.squareRoot() - 1) / 2 + 1)) <= Float.ulpOfOne * 2 else { exit(2) }
            // It takes no parameters, so one given is refused like any spec error.
            guard (try? ActivationSpec(parsing: "test_bent_identity:alpha=1")) == nil else { exit(3) }
            // Its gradcheck row: the Double function the catalogue keeps for it.
            let row = ActivationCatalogue.registered(named: "test_bent_identity")!.forms(Double.self, ActivationArguments())!
            let report = gradcheck({ row.function($0[0]) }, at: [Tensor<Double>([-2, -0.5, 0.3, 1.5])])
            guard report.passed else { exit(4) }
            exit(0)
        }
    }

    @Test("Registering a name the catalogue has stops, naming it")
    func registeringATakenNameStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            ActivationCatalogue.register(SoftsignRule<Float>.self, SoftsignRule<Double>.self)
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("already in the catalogue") && text.contains("softsign"), "\(text)")
    }
}
