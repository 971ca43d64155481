import Foundation
import Testing
import TestSupport

@testable import NN

@Suite struct InPlaceActivationTests {
    static let inPlace: [Activation<Double>] = [
        .relu, .leakyReLU(negativeSlope: 0.2), .sigmoid, .tanh, .elu(alpha: 1), .elu(alpha: 0.5), .selu, .relu6,
        .hardtanh(min: -0.5, max: 2),
    ]

    @Test func inPlaceReusesTheBufferAndMatchesTheOutOfPlaceForm() {
        let xs = DT([-3, -1.2, -0.4, 0.3, 0.9, 2.5, 7, -0.01, 0.05, 1.5, -2, 4])
        for a in Self.inPlace {
            let x = DV(xs, requiresGradient: true)
            var h = x * 2  // a computed variable that owns its buffer
            let buffer = h.value.storageIdentifier
            h.applyInPlace(a)
            #expect(h.value.storageIdentifier == buffer, "\(a.name) allocated a new buffer")
            let reference = a(x * 2)
            #expect(h.value.scalars == reference.value.scalars, "\(a.name) forward")
            let g1 = gradients(of: h.sum(), withRespectTo: [x])[0]!.value.scalars
            let g2 = gradients(of: reference.sum(), withRespectTo: [x])[0]!.value.scalars
            #expect(maxRelativeError(g1, g2) < 1e-12, "\(a.name) gradient")
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
        for a in Self.inPlace {
            let f: ([DV]) -> DV = { v in
                var h = v[0] * 1.5
                h.applyInPlace(a)
                return h
            }
            #expect(gradcheck(f, at: [points]).passed, "\(a.name)")
            #expect(gradgradcheck(f, at: [points]).passed, "\(a.name) second order")
        }
    }

    @Test func inPlaceWhereTheDerivativeNeedsTheInputStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var h = Variable(Tensor<Float>([1, 2]), requiresGradient: true) * 2
            h.applyInPlace(.mish)
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("mish in place") && text.contains("needs the input") && text.contains("Fix:"), "\(text)")
    }

    @Test func leakyReLUInPlaceWithANonPositiveSlopeStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var h = Variable(Tensor<Float>([1, 2]), requiresGradient: true) * 2
            h.applyInPlace(.leakyReLU(negativeSlope: -0.1))
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("leakyReLU in place") && text.contains("slope ≤ 0") && text.contains("Fix:"), "\(text)")
    }

    @Test func inPlaceOnALeafThatRequiresAGradientStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Variable(Tensor<Float>([1, 2]), requiresGradient: true)
            x.applyInPlace(.relu)
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("relu in place") && text.contains("leaf") && text.contains("[2]") && text.contains("Fix:"), "\(text)")
    }
}
