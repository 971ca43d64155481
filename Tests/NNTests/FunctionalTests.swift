import Foundation
import Testing
import TestSupport

@testable import Autograd
@testable import NN

/// The functional transforms against torch.func (Scripts/torch_functional_reference.py, float64)
/// and against finite differences.
@Suite("Functional transforms: jvp, vjp, jacobian, hessian")
struct FunctionalTests {
    nonisolated(unsafe) static let cases: [String: [String: Any]] = {
        let url = Bundle.module.url(forResource: "functional_reference", withExtension: "json", subdirectory: "Fixtures")!
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return root["cases"] as! [String: [String: Any]]
    }()

    static func values(_ name: String, _ key: String) -> [Double] { (cases[name]![key] as! [NSNumber]).map(\.doubleValue) }

    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
    }

    /// softmax(A x) with the fixture's A.
    static func softmaxAffine(_ x: Variable<Double>) -> Variable<Double> {
        let a = Variable(Tensor(shape: [4, 5], scalars: values("softmax_affine", "A")))
        return Variable.matmul(a, x.reshaped(to: [5, 1])).reshaped(to: [4]).softmax(alongAxis: 0)
    }

    static func mlp(_ x: Variable<Double>) -> Variable<Double> {
        let c = "mlp"
        let w1 = Variable(Tensor(shape: [4, 3], scalars: values(c, "W1"))), b1 = Variable(Tensor(values(c, "b1")))
        let w2 = Variable(Tensor(shape: [2, 4], scalars: values(c, "W2"))), b2 = Variable(Tensor(values(c, "b2")))
        let h = (Variable.matmul(w1, x.reshaped(to: [3, 1])).reshaped(to: [4]) + b1).tanh()
        return Variable.matmul(w2, h.reshaped(to: [4, 1])).reshaped(to: [2]) + b2
    }

    /// The 2-2-1 tanh net's mean squared error as a function of its 9 parameters.
    static func netLoss(_ theta: Variable<Double>) -> Variable<Double> {
        let c = "tanh_net_loss"
        let x = Variable(Tensor(shape: [4, 2], scalars: values(c, "X"))), y = Variable(Tensor(values(c, "Y")))
        let w1 = theta.sliced(alongAxis: 0, 0..<4).reshaped(to: [2, 2]), b1 = theta.sliced(alongAxis: 0, 4..<6)
        let w2 = theta.sliced(alongAxis: 0, 6..<8).reshaped(to: [1, 2]), b2 = theta.sliced(alongAxis: 0, 8..<9)
        let out = (Variable.matmul((Variable.matmul(x, w1, transposingB: true) + b1).tanh(), w2, transposingB: true) + b2).reshaped(to: [4])
        let d = out - y
        return (d * d).mean()
    }

    @Test("jacobian (reverse and forward), jvp and vjp of softmax(Ax) match torch.func")
    func softmaxAffine() {
        let c = "softmax_affine"
        let x = Tensor(Self.values(c, "x"))
        let reverse = jacobian(of: Self.softmaxAffine, at: x, mode: .reverse)
        let forward = jacobian(of: Self.softmaxAffine, at: x, mode: .forward)
        #expect(reverse.shape == [4, 5] && forward.shape == [4, 5])
        #expect(Self.close(reverse.scalars, Self.values(c, "jacobian")))
        #expect(Self.close(forward.scalars, Self.values(c, "jacobian_forward")))
        let (value, jv) = jvp(of: Self.softmaxAffine, at: x, tangent: Tensor(Self.values(c, "tangent")))
        #expect(Self.close(value.scalars, Self.values(c, "value")) && Self.close(jv.scalars, Self.values(c, "jvp")))
        let (_, vj) = vjp(of: Self.softmaxAffine, at: x, cotangent: Tensor(Self.values(c, "cotangent")))
        #expect(Self.close(vj.scalars, Self.values(c, "vjp")))
    }

    @Test("An MLP's jacobian (automatic mode: reverse for 3 → 2), jvp and vjp match torch.func")
    func mlp() {
        let c = "mlp"
        let x = Tensor(Self.values(c, "x"))
        #expect(Self.close(jacobian(of: Self.mlp, at: x).scalars, Self.values(c, "jacobian")))
        #expect(Self.close(jvp(of: Self.mlp, at: x, tangent: Tensor(Self.values(c, "tangent"))).jvp.scalars, Self.values(c, "jvp")))
        #expect(Self.close(vjp(of: Self.mlp, at: x, cotangent: Tensor(Self.values(c, "cotangent"))).vjp.scalars, Self.values(c, "vjp")))
    }

    @Test("The Hessian of a 2-layer tanh net's loss in its 9 parameters, and H·w, match torch.func")
    func netLossHessian() {
        let c = "tanh_net_loss"
        let theta = Tensor(Self.values(c, "theta"))
        let (value, g) = valueWithGradient(of: Self.netLoss, at: theta)
        #expect(Swift.abs(value.scalars[0] - (Self.cases[c]!["value"] as! NSNumber).doubleValue) < 1e-14)
        #expect(Self.close(g.scalars, Self.values(c, "gradient")))
        let h = hessian(of: Self.netLoss, at: theta)
        #expect(h.shape == [9, 9] && Self.close(h.scalars, Self.values(c, "hessian"), 1e-11))
        // Symmetric, as a Hessian of a C² function must be.
        #expect(Self.close(h.scalars, h.transposed().contiguous().scalars, 1e-12))
        let hv = hessianVectorProduct(of: Self.netLoss, at: theta, vector: Tensor(Self.values(c, "vector")))
        #expect(Self.close(hv.scalars, Self.values(c, "hvp"), 1e-11))
    }

    @Test("Hessians of Σ mish(x) (diagonal) and of cross-entropy in the logits match torch.func")
    func activationHessians() {
        let x = Tensor(Self.values("mish_sum", "x"))
        #expect(Self.close(hessian(of: { $0.mish().sum() }, at: x).scalars, Self.values("mish_sum", "hessian"), 1e-10))
        let z = Tensor(Self.values("cross_entropy_logits", "z"))
        let label = (Self.cases["cross_entropy_logits"]!["label"] as! NSNumber).intValue
        let ce: (Variable<Double>) -> Variable<Double> = { crossEntropy(logits: $0.reshaped(to: [1, 5]), labels: [label]) }
        #expect(Self.close(gradient(of: ce, at: z).scalars, Self.values("cross_entropy_logits", "gradient")))
        #expect(Self.close(hessian(of: ce, at: z).scalars, Self.values("cross_entropy_logits", "hessian")))
    }

    @Test("jvp and the Jacobian agree with central differences on a strided input")
    func finiteDifferences() {
        // x is a transposed (strided) view.
        let x = Tensor<Double>(shape: [3, 2], scalars: [0.3, -1.2, 0.8, 0.1, -0.5, 1.7]).transposed()
        let f: (Variable<Double>) -> Variable<Double> = { ($0 * $0.sigmoid()).sum(alongAxes: [1]) + $0.tanh().sum() }
        let j = jacobian(of: f, at: x)
        #expect(j.shape == [2, 2, 3])
        let h = 1e-6
        for k in 0..<6 {
            var plus = x.contiguous(), minus = x.contiguous()
            plus.withUnsafeMutableBufferPointer { $0[k] += h }
            minus.withUnsafeMutableBufferPointer { $0[k] -= h }
            let column = zip(withoutGradients { f(Variable(plus)).value.scalars }, withoutGradients { f(Variable(minus)).value.scalars }).map { ($0 - $1) / (2 * h) }
            let analytic = (0..<2).map { j.scalars[$0 * 6 + k] }
            #expect(Self.close(analytic, column, 1e-8), "column \(k)")
            #expect(Self.close(jvp(of: f, at: x, tangent: basis(x.shape, k)).jvp.scalars, column, 1e-8))
        }
    }

    @Test("An output that does not depend on x has a zero gradient, Jacobian and Hessian; works inside withoutGradients")
    func constantsAndScope() {
        let x = Tensor<Double>([1, 2])
        #expect(gradient(of: { _ in Variable(Tensor<Double>([3])) }, at: x).scalars == [0, 0])
        #expect(jacobian(of: { _ in Variable(Tensor<Double>([3, 4, 5])) }, at: x).shape == [3, 2])
        #expect(hessian(of: { ($0 * 2).sum() }, at: x).scalars == [0, 0, 0, 0])  // linear: H = 0
        let g = withoutGradients { gradient(of: { ($0 * $0).sum() }, at: x) }
        #expect(g.scalars == [2, 4])
    }

    @Test("A vector output given to gradient or hessian stops with the fix")
    func vectorOutputStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = gradient(of: { $0.tanh() }, at: Tensor<Double>([1, 2]))
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("valueWithGradient") && text.contains("[2]") && text.contains("Fix:"), "\(text)")
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jvp(of: { $0.tanh() }, at: Tensor<Double>([1, 2]), tangent: Tensor([1, 2, 3]))
        }
        let text2 = String(decoding: r2?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text2.contains("tangent") && text2.contains("[3]") && text2.contains("Fix:"), "\(text2)")
    }
}
