import Foundation
import Testing
import TestSupport

@testable import NN

/// The in-place forms, from the registry: every rule whose derivative can read its output runs in
/// place through `formActivation`, and every other one refuses.
@Suite struct InPlaceActivationTests {
    /// Every built-in rule at its defaults (a spec for those with required parameters), and a few
    /// non-default parameters.
    static let specs: [String] = ActivationCatalogue.builtIn.filter(\.isRule).map { a in
        a.entry.parameters.allSatisfy { $0.defaultValue != nil } ? a.entry.name : "threshold:threshold=0.5,value=-1"
    } + ["leaky_relu:negative_slope=0.2", "elu:alpha=0.5", "hardtanh:min_val=-0.5,max_val=2"]

    static func forms(_ text: String) -> ActivationForms<Double> {
        let spec = try! ActivationSpec(parsing: text)
        return ActivationCatalogue.registered(named: spec.name)!.forms(Double.self, spec.activationArguments)!
    }

    /// Caffe's in-place layers (ReLU with its negative slope, Sigmoid, TanH, ELU) and the clamps
    /// have a derivative that reads only the output: the registry must offer them in place.
    @Test func theOutputDerivedActivationsRunInPlace() {
        let inPlace = Set(Self.specs.filter { Self.forms($0).inPlace != nil }.map { try! ActivationSpec(parsing: $0).name })
        for name in ["relu", "leaky_relu", "sigmoid", "tanh", "elu", "selu", "relu6", "hardtanh"] {
            #expect(inPlace.contains(name), "\(name) has no in-place form")
        }
        // And the ones whose derivative needs x do not (|x| from |y| loses the sign, …).
        for name in ["abs", "softplus", "silu", "mish", "gelu", "softsign", "logsigmoid"] {
            #expect(!inPlace.contains(name), "\(name) offers an in-place form")
        }
    }

    @Test func inPlaceReusesTheBufferAndMatchesTheOutOfPlaceForm() {
        let xs = DT([-3, -1.2, -0.4, 0.3, 0.9, 2.5, 7, -0.01, 0.05, 1.5, -2, 4])
        for text in Self.specs {
            let f = Self.forms(text)
            guard let inPlace = f.inPlace else { continue }
            let x = DV(xs, requiresGradient: true)
            var h = x * 2  // a computed variable that owns its buffer
            let buffer = h.value.storageIdentifier
            inPlace(&h)
            #expect(h.value.storageIdentifier == buffer, "\(text) allocated a new buffer")
            let reference = f.function(x * 2)
            #expect(h.value.scalars == reference.value.scalars, "\(text) forward")
            let g1 = gradients(of: h.sum(), withRespectTo: [x])[0]!.value.scalars
            let g2 = gradients(of: reference.sum(), withRespectTo: [x])[0]!.value.scalars
            #expect(maxRelativeError(g1, g2) < 1e-12, "\(text) gradient")
        }
    }

    @Test func tensorFormReLUOverwritesItsOwnBuffer() {
        var t = Tensor<Float>([-1, 0, 2, .nan, -3] + [Float](repeating: -1, count: 20))
        let buffer = t.storageIdentifier
        t.formReLU()
        #expect(t.storageIdentifier == buffer)
        #expect(t.scalars[0] == 0 && t.scalars[2] == 2 && t.scalars[3].isNaN && t.scalars[24] == 0)
        // A shared buffer is left alone (copy-on-write).
        let shared = Tensor<Float>([-1, 1])
        var copy = shared
        copy.formReLU()
        #expect(shared.scalars == [-1, 1] && copy.scalars == [0, 1])
    }

    @Test func inPlaceFormsAreGradientChecked() {
        let points = DT([-3.1, -1.2, -0.4, 0.3, 0.9, 2.5])
        for text in Self.specs {
            guard let inPlace = Self.forms(text).inPlace else { continue }
            let f: ([DV]) -> DV = { v in
                var h = v[0] * 1.5
                inPlace(&h)
                return h
            }
            var options = GradcheckOptions()
            options.kinks = Self.forms(text).kinks.map { Kink(at: $0.location / 1.5) }
            #expect(gradcheck(f, at: [points], options: options).passed, "\(text)")
            #expect(gradgradcheck(f, at: [points]).passed, "\(text) second order")
        }
    }

    @Test func inPlaceWhereTheDerivativeNeedsTheInputStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var h = Variable(Tensor<Float>([1, 2]), requiresGradient: true) * 2
            h.formActivation(MishRule())
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("mish in place") && text.contains("needs the input") && text.contains("Fix:"), "\(text)")
    }

    @Test func leakyReLUInPlaceWithANonPositiveSlopeStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var h = Variable(Tensor<Float>([1, 2]), requiresGradient: true) * 2
            h.formActivation(LeakyReLURule(negativeSlope: -0.1))
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("leaky_relu in place") && text.contains("slope ≤ 0") && text.contains("Fix:"), "\(text)")
    }

    @Test func inPlaceOnALeafThatRequiresAGradientStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Variable(Tensor<Float>([1, 2]), requiresGradient: true)
            x.formActivation(ReLURule())
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("relu in place") && text.contains("leaf") && text.contains("[2]") && text.contains("Fix:"), "\(text)")
    }
}
