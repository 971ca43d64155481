import Foundation
import Testing
import TestSupport

@testable import NN

/// The example of Docs/Training.md: sign SGD with momentum, on the shared driver.
final class SignMomentum<Scalar: TensorScalar>: Optimizer {
    let parameters: [Parameter<Scalar>]
    let slots = OptimizerSlots<Scalar, OptimizerBuffer<Scalar>>()
    var learningRate: Double
    let momentum: Double

    init(parameters: [Parameter<Scalar>], learningRate: Double, momentum: Double = 0.9) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
    }

    func makeState(count: Int) -> OptimizerBuffer<Scalar> { OptimizerBuffer(count: count) }

    func update(_ p: ParameterUpdate<Scalar>, state m: inout OptimizerBuffer<Scalar>) {
        let lr = Scalar(learningRate), mu = Scalar(momentum)
        for i in 0..<p.count {
            let mi = mu * m.base[i] + (1 - mu) * p.gradient[i]
            m.base[i] = mi
            p.value[i] -= lr * (mi > 0 ? 1 : mi < 0 ? -1 : 0)
        }
    }
}

@Suite("Custom optimizers")
struct CustomOptimizerTests {
    @Test("A user-written rule runs on the shared driver, with state per parameter")
    func signMomentum() {
        let a = Parameter(Tensor<Double>([1, -1, 0]))
        let b = Parameter(Tensor<Double>([2]))
        let opt = SignMomentum(parameters: [a, b], learningRate: 0.25, momentum: 0.5)
        setGradient(a, Tensor([2, -4, 0]))
        opt.step()  // b has no gradient: skipped, no state
        #expect(a.value.scalars == [0.75, -0.75, 0])
        #expect(b.value.scalars == [2])
        #expect(opt.slots.state(at: 0)!.tensor(shape: [3]).scalars == [1, -2, 0])
        #expect(opt.slots.state(at: 1) == nil)
        setGradient(a, Tensor([-4, 0, 0]))
        opt.step()  // m = 0.5·[1, −2, 0] + 0.5·[−4, 0, 0] = [−1.5, −1, 0]
        #expect(a.value.scalars == [1, -0.5, 0])
    }
}

@Suite("Optimizer kernels")
struct OptimizerKernelTests {
    /// Adam and AdamW on 37 elements (vector body and tail, Float and Double) against the
    /// formulas evaluated one element at a time in Double.
    func adamAgainstFormula<S: TensorScalar>(_: S.Type, decoupled: Bool, tolerance: Double) {
        let n = 37
        let x0 = (0..<n).map { Double($0 % 7) * 0.3 - 1 }
        let p = Parameter(Tensor<S>(x0.map { S($0) }))
        let lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1
        let opt: any Optimizer<S> = decoupled
            ? AdamW(parameters: [p], learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
            : Adam(parameters: [p], learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        var x = x0, m = [Double](repeating: 0, count: n), v = m
        for t in 1...4 {
            let g = (0..<n).map { Double(($0 * 5 + t) % 11) * 0.1 - 0.5 }
            setGradient(p, Tensor(g.map { S($0) }))
            opt.step()
            for i in 0..<n {
                if decoupled { x[i] *= 1 - lr * wd }
                let gi = g[i] + (decoupled ? 0 : wd * x[i])
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                // PyTorch's form: ε sits outside the bias-corrected √v.
                x[i] -= lr / (1 - Foundation.pow(b1, Double(t))) * m[i] / (v[i].squareRoot() / (1 - Foundation.pow(b2, Double(t))).squareRoot() + eps)
            }
        }
        let got = p.value.scalars.map(Double.init)
        #expect(maxRelativeError(got, x) <= tolerance, "\(S.self) decoupled \(decoupled): \(got) vs \(x)")
    }

    @Test("Adam/AdamW vector body and tail follow the formula (Float and Double)")
    func adamKernels() {
        for decoupled in [false, true] {
            adamAgainstFormula(Double.self, decoupled: decoupled, tolerance: 1e-13)
            adamAgainstFormula(Float.self, decoupled: decoupled, tolerance: 1e-5)
        }
    }
}
