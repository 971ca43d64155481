import Foundation
import Testing
import TestSupport

@testable import Autograd

@Suite struct EngineTests {
    @Test func leafGradientsAccumulateAndReset() {
        let x = V(T([1, 2, 3]), requiresGradient: true)
        (x * x).sum().backward()
        #expect(x.gradient?.scalars == [2, 4, 6])
        (x * 3).sum().backward()
        #expect(x.gradient?.scalars == [5, 7, 9])
        x.resetGradient()
        #expect(x.gradient == nil)
        // A variable used twice gets the sum of both paths.
        let y = x * x + x.exp()
        y.sum().backward()
        #expect(maxRelativeError(x.gradient!.scalars, [1, 2, 3].map { 2 * $0 + Foundation.exp($0) }) < 1e-15)
    }

    @Test func gradientsOfDoNotTouchLeafGradients() {
        let x = V(T([1, 2]), requiresGradient: true)
        let w = V(T([3, 4]), requiresGradient: true)
        let y = (x * w).sum()
        let g = gradients(of: y, withRespectTo: [x, w])
        #expect(g[0]?.value.scalars == [3, 4] && g[1]?.value.scalars == [1, 2])
        #expect(x.gradient == nil && w.gradient == nil)
        let unused = V(T([1]), requiresGradient: true)
        let h = gradients(of: (x * 2).sum(), withRespectTo: [x, unused], allowUnused: true)
        #expect(h[1] == nil && h[0]?.value.scalars == [2, 2])
    }

    @Test func secondDerivativesMatchTheAnalyticValues() {
        let xs: [Double] = [-1.5, -0.3, 0.2, 0.9, 2]
        let x = V(T(xs), requiresGradient: true)
        func second(_ f: (V) -> V) -> [Double] {
            let g = gradients(of: f(x).sum(), withRespectTo: [x], createGraph: true)[0]!
            return gradients(of: g.sum(), withRespectTo: [x])[0]!.value.scalars
        }
        #expect(maxRelativeError(second { $0 * $0 * $0 }, xs.map { 6 * $0 }) < 1e-14)
        #expect(maxRelativeError(second { $0.exp() }, xs.map { Foundation.exp($0) }) < 1e-14)
        let d2tanh = xs.map { x -> Double in let t = Foundation.tanh(x); return -2 * t * (1 - t * t) }
        #expect(maxRelativeError(second { $0.tanh() }, d2tanh) < 1e-13)
        // Third derivative of x⁴ is 24x.
        let g1 = gradients(of: x.pow(4).sum(), withRespectTo: [x], createGraph: true)[0]!
        let g2 = gradients(of: g1.sum(), withRespectTo: [x], createGraph: true)[0]!
        let g3 = gradients(of: g2.sum(), withRespectTo: [x])[0]!
        #expect(maxRelativeError(g3.value.scalars, xs.map { 24 * $0 }) < 1e-13)
    }

    @Test func hessianVectorProductOfASmallMLPMatchesFiniteDifferences() {
        // loss(W1, W2) = mean((tanh(X W1) W2 − Y)²); Hv by double backward vs (∇(w+εv) − ∇(w−εv))/2ε.
        let X = T.randomNormal([6, 3], seed: 1)
        let Y = T.randomNormal([6, 2], seed: 2)
        func loss(_ w1: V, _ w2: V) -> V {
            let d = V.matmul(V.matmul(V(X), w1).tanh(), w2) - V(Y)
            return (d * d).mean()
        }
        let w1 = T.randomNormal([3, 4], seed: 3)
        let w2 = T.randomNormal([4, 2], seed: 4)
        let v1 = T.randomNormal([3, 4], seed: 5)
        let v2 = T.randomNormal([4, 2], seed: 6)
        let a = V(w1, requiresGradient: true)
        let b = V(w2, requiresGradient: true)
        let g = gradients(of: loss(a, b), withRespectTo: [a, b], createGraph: true)
        let gv = (g[0]! * V(v1)).sum() + (g[1]! * V(v2)).sum()
        let hv = gradients(of: gv, withRespectTo: [a, b])
        func grad(_ w1: T, _ w2: T) -> [T] {
            let a = V(w1, requiresGradient: true)
            let b = V(w2, requiresGradient: true)
            return gradients(of: loss(a, b), withRespectTo: [a, b]).map { $0!.value }
        }
        let eps = 1e-6
        let plus = grad(w1 + v1 * eps, w2 + v2 * eps)
        let minus = grad(w1 - v1 * eps, w2 - v2 * eps)
        for i in 0..<2 {
            let numeric = ((plus[i] - minus[i]) / (2 * eps)).scalars
            #expect(maxRelativeError(hv[i]!.value.scalars, numeric) < 1e-6)
        }
    }

    @Test func retainGraphAllowsASecondBackward() {
        let x = V(T([1, 2]), requiresGradient: true)
        let y = (x.exp() * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        let once = [1.0, 2].map { Foundation.exp($0) * ($0 + 1) }
        #expect(maxRelativeError(x.gradient!.scalars, once.map { 2 * $0 }) < 1e-15)
    }

    @Test func noGradientScopesAndDetach() {
        let x = V(T([1, 2]), requiresGradient: true)
        let y = withoutGradients { x * 2 }
        #expect(!y.requiresGradient)
        let z = withoutGradients { withGradients { x * 2 } }
        #expect(z.requiresGradient)
        #expect(!x.detached().requiresGradient)
        let w = (x.detached() * x).sum()
        w.backward()
        #expect(x.gradient?.scalars == [1, 2])
    }

    @Test func customFunctionsTakePartLikeBuiltIns() {
        struct Cube: DifferentiableFunction {
            var name: String { "cube" }
            func forward(_ inputs: [T]) -> T { inputs[0] * inputs[0] * inputs[0] }
            func backward(gradient: V, saved: [V]) -> [V?] { [gradient * saved[0] * saved[0] * 3] }
        }
        let x = V(T([1, -2, 0.5]), requiresGradient: true)
        Cube().apply(x).sum().backward()
        #expect(x.gradient?.scalars == [3, 12, 0.75])
        #expect(gradcheck({ Cube().apply($0[0]) }, at: [T([0.3, -1.2])]).passed)
        #expect(gradgradcheck({ Cube().apply($0[0]) }, at: [T([0.3, -1.2])]).passed)
    }

    @Test func inPlaceArithmeticOnNonLeavesIsRecorded() {
        let x = V(T([1, 2]), requiresGradient: true)
        var h = x * 3
        h += x
        h *= h
        h.sum().backward()
        #expect(x.gradient?.scalars == [32, 64])
    }

    @Test func savedTensorsSurviveInPlaceChangesOfTheirSource() {
        // Copy-on-write: changing the variable afterwards never alters what was saved.
        let x = V(T([1, 2]), requiresGradient: true)
        var h = x.exp()
        let y = (h * h).sum()
        h += V(T([100, 100]))
        y.backward()
        #expect(maxRelativeError(x.gradient!.scalars, [1.0, 2].map { 2 * Foundation.exp(2 * $0) }) < 1e-15)
    }

    @Test func graphIsFreedAfterBackward() {
        weak var weakNode: Node<Double>?
        let x = V(T([1, 2]), requiresGradient: true)
        do {
            let y = x.exp().sum()
            weakNode = y.node
            y.backward()
            #expect(weakNode != nil)
        }
        #expect(weakNode == nil)
    }
}
