// Gradients through depth and dying units: vanishing-gradient, dead-relu, zero-mean.
import Foundation
import NN

// MARK: - vanishing-gradient

enum VanishingGradient {
    static let experiment = Experiment(
        name: "vanishing-gradient",
        summary: "20-layer × 64 nets: first/last layer gradient-norm ratio per activation, the 0.25²⁰ bound; accuracy vs depth (SGD)",
        run: run)

    /// The gain each activation's weights are drawn with (σ = gain/√fan-in): the usual
    /// initialization for each (Glorot for sigmoid and softsign, 5/3 for tanh, He for the ReLU
    /// family, LeCun for SELU).
    static func gain(_ spec: String) -> Double {
        switch spec {
        case "tanh": return 5.0 / 3
        case "relu", "elu", "leaky_relu": return 2.0.squareRoot()
        default: return 1
        }
    }

    struct Profile {
        /// ‖∂L/∂Wₗ‖ per layer, first to last.
        var gradientNorms: [Double]
        /// mean f′(zₗ) per layer.
        var meanDerivatives: [Double]
        var ratio: Double { gradientNorms.first! / gradientNorms.last! }
        var derivativeProduct: Double { meanDerivatives.reduce(1, *) }
    }

    /// A `layers`-deep stack of Linear(width, width) + activation (after every layer, the last
    /// too, so the gradient passes `layers` derivatives) in Double, on N(0, 1) inputs,
    /// with loss ½‖y − t‖²/batch against N(0, 1) targets: the gradient norm of each layer's weight.
    static func gradientProfile(_ spec: String, layers: Int, width: Int, batch: Int, seed: UInt64) -> Profile {
        var g = TensorRandom(seed: seed)
        let f = try! ActivationCatalogue.makeLayer(spec, as: Double.self)
        let std = gain(spec) / Double(width).squareRoot()
        let weights = (0..<layers).map { _ in
            Variable(Tensor<Double>.randomNormal([width, width], standardDeviation: std, using: &g), requiresGradient: true)
        }
        let x = Variable(Tensor<Double>.randomNormal([batch, width], using: &g))
        let t = Variable(Tensor<Double>.randomNormal([batch, width], using: &g))
        var y = x
        var derivatives: [Double] = []
        for w in weights {
            let z = Variable.matmul(y, w, transposingB: true)
            // mean f′(z) over the batch and units, by the engine (d/dz of Σf(z)).
            let probe = Variable(z.value, requiresGradient: true)
            f(probe).sum().backward()
            derivatives.append(probe.gradient!.mean().scalars[0])
            y = f(z)
        }
        let d = y - t
        ((d * d).sum() * 0.5 / Double(batch)).backward()
        let norms = weights.map { w in (w.gradient!.scalars.reduce(0) { $0 + $1 * $1 }).squareRoot() }
        return Profile(gradientNorms: norms, meanDerivatives: derivatives)
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentReport {
        let specs = ["sigmoid", "tanh", "softsign", "relu", "elu", "selu"]
        let layers = 20, width = 64, batch = options.quick ? 64 : 256
        let profiles = specs.map { gradientProfile($0, layers: layers, width: width, batch: batch, seed: 0) }
        let bound = Foundation.pow(0.25, 20.0)
        var rows = zip(specs, profiles).map { s, p in
            [s, sci(p.ratio), sci(p.derivativeProduct), s == "sigmoid" ? sci(bound) : "—"]
        }
        var plot = LinePlot(title: "Gradient norm per layer, 20 layers × 64", xLabel: "layer", yLabel: "‖∂L/∂W‖", logY: true)
        for (s, p) in zip(specs, profiles) { plot.add(s, p.gradientNorms.enumerated().map { (Double($0.offset + 1), $0.element) }) }

        // Accuracy vs depth, sigmoid and relu, SGD on digits.
        let (train, test) = try digitsSplit()
        let depths = options.quick ? [1, 5, 10] : Array(1...10)
        let seeds = options.seedCount(full: 3, quick: 1)
        let epochs = options.quick ? 3 : 15
        var depthFigures: [(String, JSON)] = []
        for spec in ["sigmoid", "relu"] {
            var means: [Double] = []
            for depth in depths {
                let accs = (0..<seeds).map { seed -> Double in
                    manualSeed(UInt64(seed))
                    let model = mlp([64] + Array(repeating: 32, count: depth) + [10]) { activation(spec) }
                    reinitialize(model, gain: gain(spec), seed: UInt64(seed))
                    let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
                    var g = TensorRandom(seed: UInt64(seed))
                    for _ in 0..<epochs { trainEpoch(model, optimizer, train, batchSize: 32, generator: &g) }
                    return accuracy(model, test)
                }
                means.append(meanAndSD(accs).mean)
            }
            depthFigures.append(("accuracy_by_depth_\(spec)", JSON(means)))
            rows.append(["\(spec) test accuracy, depth " + depths.map(String.init).joined(separator: "/"), means.map { fmt($0, 2) }.joined(separator: " "), "", ""])
        }
        let sigmoidRatio = profiles[0].ratio, reluRatio = profiles[3].ratio
        let vanishes = sigmoidRatio < 1e-9 && reluRatio > 0.1 && reluRatio < 10
        return ExperimentReport(
            name: experiment.name,
            claim: "Sigmoid's derivative is at most 1/4, so the gradient shrinks geometrically with depth (≤ 0.25ⁿ through n layers); ReLU's derivative is 1 where active and keeps it.",
            source: "seed 004 (σ′ ≤ 0.25 per layer, so a 20-layer product vanishes), seed 002 (why ReLU: vanishing gradients)",
            literature: "0.25²⁰ ≈ 9.1e-13 bound on σ′ through 20 layers; ReLU nets train at depths where sigmoid nets do not",
            ours: "first/last gradient-norm ratio: sigmoid \(sci(sigmoidRatio)), relu \(sci(reluRatio)); product of mean σ′ over the 20 layers \(sci(profiles[0].derivativeProduct)) (bound \(sci(bound)))",
            verdict: vanishes ? .reproduced : .notReproduced,
            header: ["activation", "first/last ratio", "∏ mean f′", "0.25²⁰"],
            rows: rows,
            figures: [("activations", .array(specs.map(JSON.string))), ("ratio", JSON(profiles.map(\.ratio))),
                      ("derivative_product", JSON(profiles.map(\.derivativeProduct))), ("bound", JSON(bound)),
                      ("depths", JSON(depths.map(Double.init)))] + depthFigures,
            svg: plot.svg,
            setup: "gradients: 20 layers × 64, no bias, weights N(0, gain²/64) (gain 1 sigmoid/softsign/selu, 5/3 tanh, √2 relu/elu), batch \(batch), Double, seed 0; depth: MLP 64-32×depth-10 with the same initialization (biases 0), SGD lr 0.1, batch 32, \(epochs) epochs, \(seeds) seed(s)")
    }
}

// MARK: - dead-relu

enum DeadReLU {
    static let experiment = Experiment(
        name: "dead-relu",
        summary: "fraction of never-active ReLU units at init and after training at lr 0.05 and 5; leaky ReLU beside; divergence reported",
        run: run)

    struct Outcome {
        var deadBefore: Double
        var deadAfter: Double
        var accuracy: Double
        var finite: Bool
    }

    /// The fraction of hidden units whose pre-activation is ≤ 0 on every training example,
    /// measured with forward hooks on the hidden Linear layers. NaN when a pre-activation is
    /// NaN (a diverged network is not "0% dead").
    static func deadFraction(_ model: Sequential<Float>, _ data: Dataset<Float>) -> Double {
        var dead = 0, total = 0, nan = false
        let hidden = model.layers.enumerated().filter { $0.offset < model.layers.count - 1 && $0.element is Linear<Float> }.map(\.element)
        var handles: [HookHandle] = []
        for layer in hidden {
            handles.append((layer as! Linear<Float>).registerForwardHook { _, _, z in
                var s = ValueStatistics()
                s.add(z.value)
                if s.nanCount > 0 { nan = true }
                let columnMax = z.value.max(alongAxes: [0]).scalars
                dead += columnMax.filter { $0 <= 0 }.count
                total += columnMax.count
            })
        }
        _ = withoutGradients { model(Variable(data.features)) }
        handles.forEach { $0.remove() }
        return nan ? .nan : Double(dead) / Double(total)
    }

    static func trial(
        _ spec: String, learningRate: Double, steps: Int, seed: UInt64, train: Dataset<Float>, test: Dataset<Float>,
        curve: UnsafeMutablePointer<[(Double, Double)]>? = nil
    ) -> Outcome {
        manualSeed(seed)
        let model = mlp([64, 128, 128, 10]) { activation(spec) }
        let before = deadFraction(model, train)
        let optimizer = SGD(parameters: model.parameters(), learningRate: learningRate)
        var g = TensorRandom(seed: seed)
        var step = 0
        curve?.pointee.append((0, before))
        while step < steps {
            for (x, y) in train.batches(size: 32, generator: &g) where step < steps {
                let loss = crossEntropy(logits: model(Variable(x)), labels: y)
                optimizer.zeroGradients()
                loss.backward()
                optimizer.step()
                step += 1
                if let curve, step % Swift.max(1, steps / 25) == 0 { curve.pointee.append((Double(step), deadFraction(model, train))) }
            }
        }
        var weights = ValueStatistics()
        for p in model.parameters() { weights.add(p.value) }
        return Outcome(deadBefore: before, deadAfter: deadFraction(model, train), accuracy: accuracy(model, test), finite: weights.allFinite)
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentReport {
        let (train, test) = try digitsSplit()
        let seeds = options.seedCount(full: 5, quick: 2)
        let settings: [(Double, Int)] = [(0.05, options.quick ? 200 : 1000), (5.0, 50)]
        var rows: [[String]] = []
        var figures: [(String, JSON)] = []
        var reluHigh: [Double] = []
        for spec in ["relu", "leaky_relu"] {
            for (lr, steps) in settings {
                let outcomes = (0..<seeds).map { trial(spec, learningRate: lr, steps: steps, seed: UInt64($0), train: train, test: test) }
                let finite = outcomes.filter(\.finite)
                let diverged = outcomes.count - finite.count
                let after = finite.map(\.deadAfter)
                if spec == "relu" && lr == 5 { reluHigh = after }
                rows.append([
                    spec, "\(lr)", "\(steps)", pm(outcomes.map(\.deadBefore)),
                    after.isEmpty ? "—" : pm(after), finite.isEmpty ? "—" : pm(finite.map(\.accuracy)), "\(diverged) of \(seeds)",
                ])
                figures.append(("\(spec)_lr\(lr)", .object([
                    ("steps", JSON(Double(steps))), ("dead_before", JSON(outcomes.map(\.deadBefore))),
                    ("dead_after", .array(outcomes.map { $0.finite ? JSON($0.deadAfter) : .string("diverged") })),
                    ("accuracy", JSON(outcomes.map(\.accuracy))), ("all_finite", .array(outcomes.map { JSON.bool($0.finite) })),
                ])))
            }
        }
        // The picture: the dead fraction during training, seed 0 (NaN points, diverged, are left out).
        var plot = LinePlot(title: "Dead hidden units during training (seed 0)", xLabel: "SGD step (fraction of the run)", yLabel: "fraction dead")
        for spec in ["relu", "leaky_relu"] {
            for (lr, steps) in settings {
                var curve: [(Double, Double)] = []
                _ = trial(spec, learningRate: lr, steps: steps, seed: 0, train: train, test: test, curve: &curve)
                plot.add("\(spec) lr \(lr)", curve.map { ($0.0 / Double(steps), $0.1) })
            }
        }
        let reluDead = meanAndSD(reluHigh).mean
        let leakyDiverged = rows[3][6]
        return ExperimentReport(
            name: experiment.name,
            claim: "A large learning rate can push ReLU units to a pre-activation that is negative for every input; they get no gradient and stay dead. Leaky ReLU's units always get a gradient.",
            source: "seed 002 (the Dead ReLU problem), seed 001 (\"neuron death\"), seed 003 (the \"dead zone\", leaky ReLU as the fix)",
            literature: "as much as 40% of a network dead with a too large learning rate (Karpathy's CS231n notes; the articles describe the effect without a figure)",
            ours: "after 50 SGD steps at lr 5: relu \(reluHigh.isEmpty ? "diverged in every seed" : pm(reluHigh) + " of hidden units dead") (weights finite, test accuracy \(rows[1][5])); leaky ReLU at lr 5 diverged in \(leakyDiverged) (its units keep a gradient, so the weights keep moving, here to NaN); at lr 0.05 the two are alike (\(rows[0][4]) vs \(rows[2][4]) dead)",
            verdict: reluDead >= 0.4 ? .reproduced : (reluDead > 0.1 ? .partly : .notReproduced),
            header: ["activation", "lr", "steps", "dead at init", "dead after", "test accuracy", "diverged"],
            rows: rows, figures: figures + [("relu_lr5_dead_mean", JSON(reluDead))], svg: plot.svg,
            setup: "MLP 64-128-128-10, SGD batch 32, \(seeds) seeds; dead = pre-activation ≤ 0 on all 1,437 training rows; a run whose weights hold a NaN or ∞ is reported as diverged, not counted as dead")
    }
}

// MARK: - zero-mean

enum ZeroMean {
    static let experiment = Experiment(
        name: "zero-mean",
        summary: "mean hidden activation per epoch, sigmoid vs tanh vs ELU, with the loss curve",
        run: run)

    static func run(_ options: ExperimentOptions) throws -> ExperimentReport {
        let (train, test) = try digitsSplit()
        let epochs = options.quick ? 3 : 20
        let seeds = options.seedCount(full: 3, quick: 1)
        let specs = ["sigmoid", "tanh", "relu", "elu"]
        var rows: [[String]] = []
        var figures: [(String, JSON)] = []
        var plot = LinePlot(title: "Training loss per epoch (SGD lr 0.05)", xLabel: "epoch", yLabel: "loss", logY: true)
        var finalLoss: [String: Double] = [:]
        var lastMean: [String: Double] = [:]
        for spec in specs {
            var means = [[Double]](repeating: [], count: epochs)
            var losses = [[Double]](repeating: [], count: epochs)
            var accs: [Double] = []
            for seed in 0..<seeds {
                manualSeed(UInt64(seed))
                let model = mlp([64, 128, 128, 10]) { activation(spec) }
                let probe = ActivationProbe(model, of: Float.self)
                let optimizer = SGD(parameters: model.parameters(), learningRate: 0.05)
                var g = TensorRandom(seed: UInt64(seed))
                for e in 0..<epochs {
                    probe.reset()
                    losses[e].append(trainEpoch(model, optimizer, train, batchSize: 32, generator: &g))
                    // The mean over the two activation layers' outputs during the epoch.
                    let acts = probe.layers.filter { !$0.module.hasPrefix("Linear") }
                    means[e].append(acts.map(\.statistics.mean).reduce(0, +) / Double(acts.count))
                }
                probe.remove()
                accs.append(accuracy(model, test))
            }
            let meanCurve = means.map { meanAndSD($0).mean }, lossCurve = losses.map { meanAndSD($0).mean }
            finalLoss[spec] = lossCurve.last!
            lastMean[spec] = meanCurve.last!
            plot.add(spec, lossCurve.enumerated().map { (Double($0.offset + 1), $0.element) })
            rows.append([spec, fmt(meanCurve.first!), fmt(meanCurve.last!), fmt(lossCurve.first!), fmt(lossCurve.last!), pm(accs)])
            figures.append((spec, .object([("mean_activation", JSON(meanCurve)), ("loss", JSON(lossCurve)), ("test_accuracy", JSON(accs))])))
        }
        let sigmoidSlowest = finalLoss["sigmoid"]! > finalLoss["tanh"]! && finalLoss["sigmoid"]! > finalLoss["elu"]!
        let eluCloser = Swift.abs(lastMean["elu"]!) < Swift.abs(lastMean["relu"]!)
        return ExperimentReport(
            name: experiment.name,
            claim: "Sigmoid's outputs are all positive (mean ≈ 0.5), which slows gradient descent; tanh is zero-centred and converges faster; ELU pushes the mean activation towards zero.",
            source: "seed 001 (sigmoid's outputs are all positive: the \"shift\"), seed 002 (ReLU is not zero-centred), seed 003 (sigmoid's mean is not 0; ELU); LeCun et al. 1998, Clevert et al. 2016",
            literature: "qualitative: tanh converges faster than sigmoid; ELU's mean activations closer to zero than ReLU's",
            ours: "mean activation in the last epoch: " + rows.map { "\($0[0]) \($0[2])" }.joined(separator: ", ") + "; final loss " + rows.map { "\($0[0]) \($0[4])" }.joined(separator: ", "),
            verdict: sigmoidSlowest && eluCloser ? .reproduced : (sigmoidSlowest || eluCloser ? .partly : .notReproduced),
            header: ["activation", "mean act., epoch 1", "mean act., last", "loss, epoch 1", "loss, last", "test accuracy"],
            rows: rows, figures: figures, svg: plot.svg,
            setup: "MLP 64-128-128-10, SGD lr 0.05, batch 32, \(epochs) epochs, \(seeds) seed(s); mean activation from an ActivationProbe over each epoch's training batches")
    }
}
