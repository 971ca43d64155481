import Foundation
import Testing
import TestSupport

@testable import NN

@Suite struct ParametricActivationTests {
    @Test func preluPerChannelOnFeatureMaps() {
        let x = DT.randomNormal([2, 3, 2, 2], seed: 4)
        let alpha = DT([0.1, 0.25, -0.5])
        // Both the input and the slopes are checked against finite differences.
        let r = gradcheck({ $0[0].prelu(alpha: $0[1]) }, at: [x, alpha])
        #expect(r.passed, "\(r)")
        #expect(gradgradcheck({ $0[0].prelu(alpha: $0[1]) * $0[0] }, at: [x, alpha]).passed)
        // ∂/∂a_c = Σ g·x over channel c's elements with x ≤ 0 (g = 1 here).
        let a = DV(alpha, requiresGradient: true)
        DV(x).prelu(alpha: a).sum().backward()
        for c in 0..<3 {
            let xs = naiveScalars(x.selecting(c, alongAxis: 1))
            let expected = xs.filter { $0 <= 0 }.reduce(0, +)
            #expect(Swift.abs(a.gradient!.scalars[c] - expected) < 1e-12)
        }
        // Shared slope on [N, C], and the derivative at 0 is the slope.
        let layer = PReLU<Double>()
        let zt: DT = [[0, -2], [3, 1]]
        let z = DV(zt, requiresGradient: true)
        layer(z).sum().backward()
        #expect(z.gradient!.scalars == [0.25, 0.25, 1, 1])
        #expect(layer.alpha.gradient!.scalars == [-2])
    }

    @Test func softmaxFamilyAlongEveryAxis() {
        let x = DT.randomNormal([3, 4], seed: 5) * 3
        for axis in [0, 1, -1] {
            let s = x.softmax(alongAxis: axis)
            let sums = s.sum(alongAxes: [axis]).scalars
            #expect(sums.allSatisfy { Swift.abs($0 - 1) < 1e-15 })
            #expect(maxRelativeError(x.logSoftmax(alongAxis: axis).scalars, s.log().scalars) < 1e-14)
            #expect(gradcheck({ $0[0].softmax(alongAxis: axis) }, at: [x]).passed)
            #expect(gradgradcheck({ $0[0].softmax(alongAxis: axis) }, at: [x]).passed)
            #expect(gradcheck({ $0[0].logSoftmax(alongAxis: axis) }, at: [x]).passed)
            #expect(gradgradcheck({ $0[0].logSoftmax(alongAxis: axis) }, at: [x]).passed)
            #expect(gradcheck({ $0[0].softmin(alongAxis: axis) }, at: [x]).passed)
        }
        #expect(gradcheck({ $0[0].glu(alongAxis: 1) }, at: [x]).passed)
        #expect(gradgradcheck({ $0[0].glu(alongAxis: 0) }, at: [DT.randomNormal([4, 3], seed: 6)]).passed)
        // Stable for huge logits.
        let big = Tensor<Float>([1e4, 0, -1e4]).softmax()
        #expect(big.scalars == [1, 0, 0])
        #expect(Tensor<Float>([1e4, 0]).logSoftmax().scalars[1] == -1e4)
    }

    @Test func preluWithTheWrongNumberOfSlopesStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Variable(Tensor<Float>.zeros([2, 4, 3, 3]))
            _ = x.prelu(alpha: Variable(Tensor<Float>([0.1, 0.2, 0.3])))
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("prelu") && text.contains("3 slopes") && text.contains("[2, 4, 3, 3]") && text.contains("4 channels") && text.contains("Fix:"), "\(text)")
    }

    @Test func gluOnAnOddAxisStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>.zeros([2, 5])).glu()
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("glu") && text.contains("[2, 5]") && text.contains("Fix:"), "\(text)")
    }

    @Test func eluWithANonPositiveAlphaStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor<Float>.zeros([2])).elu(alpha: .nan)
        }
        let text = r.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("elu") && text.contains("alpha nan") && text.contains("Fix:"), "\(text)")
    }
}
