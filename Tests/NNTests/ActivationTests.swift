import Foundation
import Testing
import TestSupport

@testable import NN

typealias DV = Variable<Double>
typealias DT = Tensor<Double>

/// Inputs for gradient checks, away from kinks, in a range where every activation is interesting.
let checkPoints = DT([-3.1, -1.2, -0.4, -0.01, 0.02, 0.3, 0.9, 2.5])

@Suite struct ActivationTests {
    @Test func reluConventions() {
        let x = Variable(Tensor<Float>([-1, 0, -0.0, 2, .nan] + [Float](repeating: 0, count: 16)), requiresGradient: true)
        let y = x.relu()
        #expect(y.value.scalars[0] == 0 && y.value.scalars[3] == 2 && y.value.scalars[4].isNaN)
        y.sum().backward()
        #expect(x.gradient!.scalars[1] == 0)  // relu'(0) = 0
        #expect(x.gradient!.scalars[0] == 0 && x.gradient!.scalars[3] == 1)
        var options = GradcheckOptions()
        options.kinks = [Kink(at: 0, derivative: 0)]
        #expect(gradcheck({ $0[0].relu() }, at: [DT([-1, 0, 0.5, 2])], options: options).passed)
        #expect(gradgradcheck({ $0[0].relu() * $0[0] }, at: [checkPoints]).passed)
    }

    @Test func eluConventionsAndDerivatives() {
        for alpha in [1.0, 0.5, 2.0] {
            let x = DV(DT([0, -1, 1]), requiresGradient: true)
            x.elu(alpha: alpha).sum().backward()
            #expect(x.gradient!.scalars[0] == alpha)  // derivative at 0 is α
            #expect(Swift.abs(x.gradient!.scalars[1] - alpha * Foundation.exp(-1)) < 1e-15)
            #expect(x.gradient!.scalars[2] == 1)
            #expect(gradcheck({ $0[0].elu(alpha: alpha) }, at: [checkPoints]).passed)
            #expect(gradgradcheck({ $0[0].elu(alpha: alpha) }, at: [checkPoints]).passed)
        }
        #expect(Tensor<Float>([.nan, -.infinity, .infinity]).elu().scalars[0].isNaN)
        #expect(Tensor<Float>([.nan, -.infinity, .infinity]).elu().scalars[1] == -1)
    }

    @Test func activationsKeepNaNOnVectorBodyAndTail() {
        // NaN in every third element of 128 × 128: both vector bodies and tails see NaN.
        let n = 128 * 128 + 5
        var xs = Tensor<Float>.randomNormal([n], seed: 3).scalars
        for i in stride(from: 0, to: n, by: 3) { xs[i] = .nan }
        let t = Tensor<Float>(xs)
        for (name, y) in [("relu", t.relu()), ("elu", t.elu())] {
            let ys = y.scalars
            for i in stride(from: 0, to: n, by: 3) { #expect(ys[i].isNaN, "\(name) at \(i)") }
        }
    }
}
