import Foundation
import Testing
import TestSupport

@testable import NN

/// Gives `p` exactly the gradient `g` (∂/∂p of Σ p·g).
func setGradient<S>(_ p: Parameter<S>, _ g: Tensor<S>) {
    p.variable.resetGradient()
    (p.variable * Variable(g)).sum().backward()
}

/// The optimizer a fixture case describes, over `params`.
func makeOptimizer(_ name: String, _ h: [String: Any], _ params: [Parameter<Double>]) -> any Optimizer<Double> {
    func d(_ k: String, _ fallback: Double) -> Double { (h[k] as? Double) ?? (h[k] as? Int).map(Double.init) ?? fallback }
    let lr = d("lr", .nan)
    switch name {
    case "SGD":
        return SGD(parameters: params, learningRate: lr, momentum: d("momentum", 0), dampening: d("dampening", 0),
                   nesterov: (h["nesterov"] as? Bool) ?? false, weightDecay: d("weight_decay", 0))
    case "Adam", "AdamW":
        let betas = (h["betas"] as? [Double]) ?? [0.9, 0.999]
        if name == "Adam" {
            return Adam(parameters: params, learningRate: lr, beta1: betas[0], beta2: betas[1], epsilon: d("eps", 1e-8), weightDecay: d("weight_decay", 0))
        }
        return AdamW(parameters: params, learningRate: lr, beta1: betas[0], beta2: betas[1], epsilon: d("eps", 1e-8), weightDecay: d("weight_decay", 1e-2))
    case "RMSprop":
        return RMSProp(parameters: params, learningRate: lr, alpha: d("alpha", 0.99), epsilon: d("eps", 1e-8),
                       momentum: d("momentum", 0), weightDecay: d("weight_decay", 0), centered: (h["centered"] as? Bool) ?? false)
    case "Adagrad":
        return Adagrad(parameters: params, learningRate: lr, learningRateDecay: d("lr_decay", 0), weightDecay: d("weight_decay", 0),
                       initialAccumulatorValue: d("initial_accumulator_value", 0), epsilon: d("eps", 1e-10))
    default: fatalError("unknown optimizer \(name)")
    }
}

@Suite("Optimizers")
struct OptimizerTests {
    @Test("Every optimizer follows PyTorch's trajectory within 1e-12 (float64, 5 steps, a skipped gradient)",
          arguments: OptimFixture.optimizers.keys.sorted())
    func matchesPyTorch(_ name: String) {
        let case_ = OptimFixture.optimizers[name]!
        let shapes = OptimFixture.shapes
        let params = zip(OptimFixture.initial, shapes).map { Parameter(Tensor(shape: $1, scalars: $0)) }
        let optimizer = makeOptimizer(case_["optimizer"] as! String, case_["hyperparameters"] as! [String: Any], params)
        let trajectory = case_["trajectory"] as! [[Any]]
        for (step, grads) in OptimFixture.gradients.enumerated() {
            optimizer.zeroGradients()
            for (p, g) in zip(params, grads) {
                if let g { setGradient(p, Tensor(shape: p.shape, scalars: g)) }
            }
            optimizer.step()
            for (i, p) in params.enumerated() {
                let expected = OptimFixture.doubles(trajectory[step][i])
                let err = maxRelativeError(p.value.scalars, expected)
                #expect(err <= 1e-12, "\(name) step \(step + 1) parameter \(i): \(p.value.scalars) vs \(expected)")
            }
        }
    }

    @Test("Float parameters follow the Double trajectory closely (Adam)")
    func floatAdam() {
        let pd = Parameter(Tensor<Double>([0.5, -1, 2, 0.25]))
        let pf = Parameter(Tensor<Float>([0.5, -1, 2, 0.25]))
        let ad = Adam(parameters: [pd], learningRate: 0.1)
        let af = Adam(parameters: [pf], learningRate: 0.1)
        for k in 0..<10 {
            let g = [0.3, -0.2, Double(k) * 0.1, 1e-3]
            setGradient(pd, Tensor(g))
            setGradient(pf, Tensor(g.map(Float.init)))
            ad.step()
            af.step()
        }
        #expect(maxRelativeError(pf.value.scalars.map(Double.init), pd.value.scalars) < 1e-5)
    }

    @Test("The driver skips frozen parameters and parameters without a gradient")
    func skips() {
        let a = Parameter(Tensor<Double>([1, 2]))
        let b = Parameter(Tensor<Double>([3, 4]))
        let c = Parameter(Tensor<Double>([5, 6]))
        let sgd = SGD(parameters: [a, b, c], learningRate: 0.5)
        setGradient(a, Tensor([1, 1]))
        setGradient(b, Tensor([1, 1]))
        b.setFrozen(true)  // frozen: no gradient recorded and no update
        sgd.step()
        #expect(a.value.scalars == [0.5, 1.5])
        #expect(b.value.scalars == [3, 4])
        #expect(c.value.scalars == [5, 6])
        #expect(sgd.slots.state(at: 1) == nil && sgd.slots.state(at: 2) == nil)
        sgd.zeroGradients()
        #expect(a.gradient == nil)
    }

    @Test("A step updates in place without changing a copy the caller holds")
    func valueSemantics() {
        let p = Parameter(Tensor<Double>([1, 2, 3]))
        let adam = Adam(parameters: [p], learningRate: 0.1)
        setGradient(p, Tensor([1, 1, 1]))
        adam.step()
        let held = p.value
        let before = held.scalars
        setGradient(p, Tensor([1, 1, 1]))
        adam.step()
        #expect(held.scalars == before)
        #expect(p.value.scalars != before)
        // Storage reuse: with nothing else holding the value, the step writes the same buffer.
        let id = p.value.storageIdentifier
        adam.step()
        #expect(p.value.storageIdentifier == id)
    }

    @Test("Trains a module: the loss of a small regression falls")
    func trainsAModule() {
        var g = TensorRandom(seed: 3)
        let model = Sequential<Double> {
            Linear(3, 8, using: &g)
            Linear(8, 1, using: &g)
        }
        let x = Tensor<Double>.randomNormal([16, 3], using: &g)
        let y = Tensor<Double>.matmul(x, Tensor(shape: [3, 1], scalars: [1, -2, 0.5]))
        let adam = Adam(parameters: model.parameters(of: Double.self), learningRate: 0.05)
        var losses: [Double] = []
        for _ in 0..<60 {
            adam.zeroGradients()
            let loss = mseLoss(model(Variable(x)), y)
            loss.backward()
            adam.step()
            losses.append(loss.value.scalar)
        }
        #expect(losses.last! < 0.01 * losses.first!)
    }

    @Test("learningRate can be changed between steps")
    func learningRateChanges() {
        let p = Parameter(Tensor<Double>([1]))
        let sgd = SGD(parameters: [p], learningRate: 0.1)
        sgd.learningRate = 0.5
        setGradient(p, Tensor([1]))
        sgd.step()
        #expect(p.value.scalars == [0.5])
    }

    // MARK: Bad hyperparameters

    @Test func negativeLearningRateStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD(parameters: [Parameter<Float>(Tensor([1]))], learningRate: -0.1)
        }
        expectStop(r, mentions: ["SGD", "learningRate -0.1"])
    }

    @Test func betaOfOneStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Adam(parameters: [Parameter<Float>(Tensor([1]))], beta1: 1.0)
        }
        expectStop(r, mentions: ["Adam", "beta1 1.0", "[0.0, 1.0)"])
    }

    @Test func zeroEpsilonStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AdamW(parameters: [Parameter<Double>(Tensor([1]))], epsilon: 0)
        }
        expectStop(r, mentions: ["AdamW", "epsilon 0.0"])
    }

    @Test func nanAlphaStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = RMSProp(parameters: [Parameter<Double>(Tensor([1]))], alpha: .nan)
        }
        expectStop(r, mentions: ["RMSProp", "alpha nan"])
    }

    @Test func nanLearningRateAssignedLaterStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let adam = Adam(parameters: [Parameter<Double>(Tensor([1]))])
            adam.learningRate = .nan
        }
        expectStop(r, mentions: ["Adam", "learningRate nan"])
    }

    @Test func nesterovWithoutMomentumStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD(parameters: [Parameter<Double>(Tensor([1]))], learningRate: 0.1, nesterov: true)
        }
        expectStop(r, mentions: ["SGD", "Nesterov", "momentum 0.0"])
    }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test("Step, cosine, exponential, linear warm-up and one-cycle schedules give PyTorch's rates",
          arguments: OptimFixture.schedules.keys.sorted())
    func matchesPyTorch(_ name: String) {
        let s = OptimFixture.schedules[name]!
        let base = s["base"] as! Double
        let expected = OptimFixture.doubles(s["rates"])
        func d(_ k: String, _ fallback: Double) -> Double { (s[k] as? NSNumber)?.doubleValue ?? fallback }
        let schedule: any LearningRateSchedule
        if name.hasPrefix("step") {
            schedule = StepSchedule(stepSize: s["stepSize"] as! Int, gamma: s["gamma"] as! Double)
        } else if name.hasPrefix("exponential") {
            schedule = ExponentialSchedule(gamma: d("gamma", .nan))
        } else if name.hasPrefix("linear") {
            schedule = LinearWarmupSchedule(epochs: s["epochs"] as! Int, startFactor: d("startFactor", .nan), endFactor: d("endFactor", .nan))
        } else if name.hasPrefix("onecycle") {
            schedule = OneCycleSchedule(maxRate: d("maxRate", .nan), totalSteps: s["totalSteps"] as! Int, percentStart: d("percentStart", 0.3),
                                        divFactor: d("divFactor", 25), finalDivFactor: d("finalDivFactor", 1e4))
        } else {
            schedule = CosineSchedule(epochs: s["epochs"] as! Int, minimum: s["minimum"] as! Double)
        }
        let rates = expected.indices.map { schedule.learningRate(epoch: $0, base: base) }
        #expect(maxRelativeError(rates, expected) <= 1e-12, "\(rates) vs \(expected)")
    }

    @Test("ReduceOnPlateau follows PyTorch's ReduceLROnPlateau over a metric sequence", arguments: ["defaults_patience2", "factor_cooldown_min"])
    func plateau(_ name: String) {
        let metrics = (OptimFixture.json["plateau_metrics"] as! [NSNumber]).map(\.doubleValue)
        let c = (OptimFixture.json["plateaus"] as! [String: [String: Any]])[name]!
        let k = c["kwargs"] as! [String: NSNumber]
        let p = ReduceOnPlateau(rate: 0.1, factor: k["factor"]?.doubleValue ?? 0.1, patience: k["patience"]!.intValue,
                                cooldown: k["cooldown"]?.intValue ?? 0, minimumRate: k["min_lr"]?.doubleValue ?? 0)
        let rates = metrics.map { p.step(metric: $0) }
        #expect(maxRelativeError(rates, OptimFixture.doubles(c["rates"])) <= 1e-15, "\(rates)")
    }

    @Test("One-cycle: maxRate/divFactor at step 0, maxRate at the end of the warm-up, the floor at the last step")
    func oneCycleShape() {
        let s = OneCycleSchedule(maxRate: 1, totalSteps: 11, percentStart: 0.5, divFactor: 4, finalDivFactor: 10)
        #expect(s.learningRate(epoch: 0, base: 0) == 0.25)
        #expect(Swift.abs(s.learningRate(epoch: 10, base: 0) - 0.025) < 1e-15)
        // percentStart·total − 1 = 4.5: the peak lies between steps 4 and 5, on the two cosines.
        #expect(Swift.abs(s.learningRate(epoch: 4, base: 0) - (1 - 0.375 * (1 + cos(Double.pi * 4 / 4.5)))) < 1e-15)
        #expect(Swift.abs(s.learningRate(epoch: 5, base: 0) - (0.025 + 0.4875 * (1 + cos(Double.pi * 0.5 / 5.5)))) < 1e-15)
    }

    @Test("Cosine schedule: the base rate at 0, the minimum at the end, the midpoint halfway")
    func cosineShape() {
        let c = CosineSchedule(epochs: 8, minimum: 0.01)
        #expect(c.learningRate(epoch: 0, base: 1) == 1)
        #expect(Swift.abs(c.learningRate(epoch: 8, base: 1) - 0.01) < 1e-15)
        #expect(Swift.abs(c.learningRate(epoch: 4, base: 1) - 0.505) < 1e-15)
    }

    @Test func zeroStepSizeStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = StepSchedule(stepSize: 0)
        }
        expectStop(r, mentions: ["StepSchedule", "stepSize 0"])
    }
}
