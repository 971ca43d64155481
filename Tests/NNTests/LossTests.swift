import Foundation
import Testing
import TestSupport

@testable import NN

private func reduction(_ name: String) -> LossReduction {
    if name.hasSuffix("_batchmean") { return .batchMean }
    return name.hasSuffix("_sum") ? .sum : name.hasSuffix("_none") || name.hasSuffix("float32") ? .none : .mean
}

/// Tapegrad's loss for a fixture case, over the case's inputs as variables.
private func loss<S>(_ name: String, _ v: [Variable<S>], labels: [Int], _ c: [String: Any] = [:]) -> Variable<S> {
    let r = reduction(name)
    let number = { (key: String) in (c[key] as! NSNumber).doubleValue }
    if name.hasPrefix("huber") { return huberLoss(v[0], v[1], delta: number("delta"), reduction: r) }
    if name.hasPrefix("smooth_l1") { return smoothL1Loss(v[0], v[1], beta: number("beta"), reduction: r) }
    if name.hasPrefix("kl_div") {
        let t = OptimFixture.doubles(c["target"]).map { S($0) }
        return klDivergence(logProbabilities: v[0], target: Tensor(shape: v[0].shape, scalars: t), logTarget: c["log_target"] as? Bool ?? false, reduction: r)
    }
    if name.hasPrefix("cross_entropy_weighted_smoothed") {
        return crossEntropy(logits: v[0], labels: labels, weights: OptimFixture.doubles(c["weights"]), labelSmoothing: number("label_smoothing"), reduction: r)
    }
    if name.hasPrefix("cross_entropy_smoothed") { return crossEntropy(logits: v[0], labels: labels, labelSmoothing: number("label_smoothing"), reduction: r) }
    if name.hasPrefix("cross_entropy") { return crossEntropy(logits: v[0], labels: labels, reduction: r) }
    if name.hasPrefix("nll") { return nllLoss(logProbabilities: v[0], labels: labels, reduction: r) }
    if name.hasPrefix("mse") { return mseLoss(v[0], v[1], reduction: r) }
    return binaryCrossEntropy(logits: v[0], targets: v[1], reduction: r)
}

private func check<S: TensorScalar>(_ name: String, _: S.Type, tolerance: Double) {
    let c = OptimFixture.losses[name]!
    let shapes = c["shapes"] as! [[Int]]
    let inputs = zip(c["inputs"] as! [Any], shapes).map { Tensor<S>(shape: $1, scalars: OptimFixture.doubles($0).map { S($0) }) }
    let vars = inputs.map { Variable($0, requiresGradient: true) }
    let y = loss(name, vars, labels: (c["labels"] as? [Int]) ?? [], c)
    #expect(y.shape == c["loss_shape"] as! [Int], "\(name)")
    let expected = OptimFixture.doubles(c["loss"])
    #expect(maxRelativeError(y.value.scalars.map(Double.init), expected) <= tolerance, "\(name): \(y.value.scalars) vs \(expected)")
    let w = Tensor<S>(shape: y.shape, scalars: OptimFixture.doubles(c["w"]).map { S($0) })
    (y * Variable(w)).sum().backward()
    for (i, g) in (c["grads"] as! [Any]).enumerated() {
        let expectedGrad = OptimFixture.doubles(g)
        let got = vars[i].gradient!.scalars.map(Double.init)
        #expect(maxRelativeError(got, expectedGrad) <= tolerance, "\(name) gradient \(i): \(got) vs \(expectedGrad)")
    }
}

@Suite("Losses")
struct LossTests {
    @Test("Losses and their gradients match PyTorch (float64, 1e-12), ±1e4 logits included",
          arguments: OptimFixture.losses.keys.sorted().filter { !$0.hasSuffix("float32") })
    func matchesPyTorch(_ name: String) { check(name, Double.self, tolerance: 1e-12) }

    @Test("Float32 cross-entropy and BCE stay finite and match PyTorch at ±1e4",
          arguments: ["cross_entropy_extreme_float32", "bce_float32"])
    func matchesPyTorchInFloat(_ name: String) { check(name, Float.self, tolerance: 1e-6) }

    private static let logits = Tensor<Double>.randomNormal([3, 4], standardDeviation: 2, seed: 7)
    private static let labels = [2, 0, 3]

    @Test("gradcheck and gradgradcheck of every loss and reduction (Double)",
          arguments: [LossReduction.mean, .sum, .none])
    func gradchecks(_ r: LossReduction) {
        let x = Self.logits, labels = Self.labels
        let t = Tensor<Double>.randomUniform([3, 4], seed: 8)
        let fs: [(String, ([Variable<Double>]) -> Variable<Double>, [Tensor<Double>])] = [
            ("crossEntropy", { crossEntropy(logits: $0[0], labels: labels, reduction: r) }, [x]),
            ("nllLoss", { nllLoss(logProbabilities: $0[0], labels: labels, reduction: r) }, [x.logSoftmax(alongAxis: 1)]),
            ("nllLoss∘logSoftmax", { nllLoss(logProbabilities: $0[0].logSoftmax(alongAxis: 1), labels: labels, reduction: r) }, [x]),
            ("mseLoss", { mseLoss($0[0], $0[1], reduction: r) }, [x, t]),
            ("binaryCrossEntropy", { binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: r) }, [x, t]),
            // Away from the joints |d| = δ (where f″ jumps), which random points miss.
            ("huberLoss", { huberLoss($0[0], $0[1], delta: 0.7, reduction: r) }, [x, t]),
            ("smoothL1Loss", { smoothL1Loss($0[0], $0[1], beta: 0.7, reduction: r) }, [x, t]),
            ("klDivergence", { klDivergence(logProbabilities: $0[0], target: t.softmax(alongAxis: 1), reduction: r) }, [x.logSoftmax(alongAxis: 1)]),
            ("crossEntropy weighted, smoothed", {
                crossEntropy(logits: $0[0], labels: labels, weights: [0.5, 2, 1, 0.25], labelSmoothing: 0.1, reduction: r)
            }, [x]),
        ]
        for (name, f, inputs) in fs {
            let first = gradcheck(f, at: inputs)
            #expect(first.passed, "\(name) \(r): \(first)")
            let second = gradgradcheck(f, at: inputs)
            #expect(second.passed, "\(name) \(r) second order: \(second)")
        }
    }

    @Test("crossEntropy equals nllLoss of logSoftmax, and its gradient is (softmax − onehot)/N")
    func crossEntropyIdentities() {
        let x = Variable(Self.logits, requiresGradient: true)
        let fused = crossEntropy(logits: x, labels: Self.labels)
        let composed = nllLoss(logProbabilities: x.logSoftmax(alongAxis: 1), labels: Self.labels)
        #expect(Swift.abs(fused.value.scalar - composed.value.scalar) < 1e-14)
        fused.backward()
        var onehot = Tensor<Double>.zeros([3, 4])
        for (r, l) in Self.labels.enumerated() { onehot[r, l] = [1] }
        let expected = (Self.logits.softmax(alongAxis: 1) - onehot) * (1.0 / 3)
        #expect(maxRelativeError(x.gradient!.scalars, expected.scalars) < 1e-15)
    }

    @Test("BCE's derivative at logit 0 is σ(0) − t = 0.5 − t (not the max/abs kink)")
    func bceAtZero() {
        let x = Variable(Tensor<Double>([0, 0]), requiresGradient: true)
        binaryCrossEntropy(logits: x, targets: Tensor([0.0, 1.0]), reduction: .sum).backward()
        #expect(x.gradient!.scalars == [0.5, -0.5])
    }

    @Test("NaN in gives NaN out")
    func nanPropagates() {
        let x = Variable(Tensor<Double>(shape: [2, 3], scalars: [0, .nan, 1, 0, 1, 2]))
        let l = crossEntropy(logits: x, labels: [0, 1], reduction: .none).value.scalars
        #expect(l[0].isNaN && !l[1].isNaN)
        #expect(binaryCrossEntropy(logits: Variable(Tensor([Double.nan])), targets: Tensor([1.0])).value.scalar.isNaN)
    }

    // MARK: Bad input

    @Test func labelOutOfRangeStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Variable(Tensor<Float>.zeros([4, 10])), labels: [1, 2, 12, 3])
        }
        expectStop(r, mentions: ["crossEntropy", "label 12", "position 2", "C = 10", "0..<10"])
    }

    @Test func negativeLabelStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = nllLoss(logProbabilities: Variable(Tensor<Double>.zeros([2, 3])), labels: [0, -1])
        }
        expectStop(r, mentions: ["nllLoss", "label -1", "position 1", "C = 3"])
    }

    @Test func wrongLabelCountStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Variable(Tensor<Float>.zeros([4, 10])), labels: [1, 2])
        }
        expectStop(r, mentions: ["crossEntropy", "2 labels", "[4, 10]"])
    }

    @Test func mseShapeMismatchStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = mseLoss(Variable(Tensor<Float>.zeros([4, 1])), Tensor<Float>.zeros([4]))
        }
        expectStop(r, mentions: ["mseLoss", "[4, 1]", "[4]"])
    }
}
