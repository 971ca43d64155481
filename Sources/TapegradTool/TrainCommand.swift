import Foundation
import NN

/// `tapegrad train`: trains a model on the shipped digits data (first 1,437 rows) and reports the
/// accuracy on the last 360 — the main job. `--compare a,b,c` trains one model per activation
/// and prints a table; every run writes an SVG of its loss curves.
enum TrainCommand {
    static let allowed: Set<String> = [
        "--data", "--model", "--activation", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed",
        "--threads", "--save", "--json", "--compare", "--plot", "--quiet", "--stats", "--clip-norm", "--resume", "--validation", "--early-stopping", "--history", "--augment-shift", "--task",
    ]

    struct Config {
        var model = "mlp"
        var activation = "relu"
        var epochs = 30
        var batchSize = 32
        var learningRate: Double = 1e-3
        var optimizer = "adam"
        var seed: UInt64 = 0
        /// Per-epoch activation and gradient statistics (`--stats`).
        var stats = false
        /// Clip the gradients' total norm to this before each step (`--clip-norm`).
        var clipNorm: Double?
        /// The fraction of the training rows held out for validation (`--validation`).
        var validation: Double?
        /// Stop after this many epochs without a better validation loss (`--early-stopping`).
        var earlyStopping: Int?
        /// Shift each training image by up to this many pixels, every epoch (`--augment-shift`).
        var augmentShift = 0
    }

    struct Outcome {
        var config: Config
        var epochLosses: [Double]
        var testAccuracy: Double
        var msPerEpoch: Double
        var model: any Layer<Float>
        /// With `--stats`: one JSON object per epoch.
        var epochStats: [String] = []
        /// Per epoch: the JSON line of `--history`.
        var history: [String] = []
        /// The epochs actually run (early stopping ends a run before `--epochs`).
        var stoppedEarly = false
        /// What a resumable checkpoint needs besides the model.
        var optimizer: any Optimizer<Float>
        var generator: TensorRandom
    }

    /// A training checkpoint read with `--resume`: the file, and where it left off.
    struct Resume {
        var file: SafeTensorsFile
        var epochsDone: Int
        var losses: [Double]
        var generator: TensorRandom
    }

    /// The flags a resumed run takes from its checkpoint instead.
    static let fixedByCheckpoint = ["--model", "--activation", "--optimizer", "--lr", "--batch-size", "--seed", "--compare"]

    /// Reads `--resume PATH`: the run's settings go into `config`; the rest is returned.
    static func readResume(_ path: String, into config: inout Config, options: Options) throws -> Resume {
        if let flag = fixedByCheckpoint.first(where: { options.values[$0] != nil }) {
            throw CLIError.usage("\(flag) with --resume: a resumed run takes its model, activation, optimizer, learning rate, batch size and seed from the checkpoint; leave \(flag) out")
        }
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.file(path: path, reason: "\(error)")
        }
        let m = file.metadata
        guard let done = m["@train.epochs_done"].flatMap(Int.init), let model = m["model"], let activation = m["activation"],
              let optimizer = m["@train.optimizer"], let batch = m["@train.batch_size"].flatMap(Int.init),
              let seed = m["@train.seed"].flatMap(UInt64.init), let generator = m["@train.generator"].flatMap(TensorRandom.init(snapshot:)),
              let lr = m["@optimizer.learning_rate"].flatMap({ UInt64($0, radix: 16) }).map(Double.init(bitPattern:))
        else {
            throw CLIError.file(path: path, reason: "not a training checkpoint of 'tapegrad train --save' (no epoch count, optimizer state or generator); a model-only file cannot be resumed")
        }
        guard models.contains(model), defaultLearningRates[optimizer] != nil, batch >= 1 else {
            throw CLIError.file(path: path, reason: "the checkpoint names model '\(oneLine(model))', optimizer '\(oneLine(optimizer))', batch size \(batch); this tool trains mlp, cnn or maxout with adam, adamw, sgd, rmsprop or adagrad")
        }
        guard config.epochs > done else {
            throw CLIError.usage("--epochs \(config.epochs) with --resume \(path): the checkpoint has \(done) epoch\(done == 1 ? "" : "s") already; --epochs is the total to reach (more than \(done))")
        }
        config.model = model
        config.activation = activation
        config.optimizer = optimizer
        config.batchSize = batch
        config.seed = seed
        config.learningRate = lr
        let losses = (m["@train.losses"] ?? "").split(separator: ",").compactMap { Double(String($0)) }
        return Resume(file: file, epochsDone: done, losses: losses, generator: generator)
    }

    /// The model's tensors, the optimizer's state and the run's settings, epoch count, losses and
    /// batch-order generator: what `--resume` needs to continue bit for bit.
    static func trainingCheckpoint(_ o: Outcome) throws -> SafeTensorsFile {
        let c = o.config
        var file = try o.model.checkpoint(metadata: [
            "model": c.model, "activation": c.activation, "@train.optimizer": c.optimizer,
            "@train.batch_size": String(c.batchSize), "@train.seed": String(c.seed), "@train.epochs_done": String(o.epochLosses.count),
            "@train.generator": o.generator.snapshot, "@train.losses": o.epochLosses.map { String($0) }.joined(separator: ","),
        ])
        try o.optimizer.saveState(into: &file)
        return file
    }

    /// The models `--model` (and a resumed checkpoint) may name.
    static let models = ["mlp", "cnn", "maxout"]

    /// The learning rate each optimizer gets when `--lr` is not given.
    static let defaultLearningRates: [String: Double] = ["adam": 1e-3, "adamw": 1e-3, "sgd": 0.1, "rmsprop": 1e-2, "adagrad": 1e-2]

    static func run(_ options: Options) throws {
        var config = Config()
        config.model = options.string("--model") ?? "mlp"
        guard models.contains(config.model) else {
            throw CLIError.badValue(flag: "--model", value: config.model, expected: "mlp, cnn or maxout")
        }
        config.activation = options.string("--activation") ?? "relu"
        config.epochs = try options.int("--epochs", default: 30, range: 1...100_000)
        config.batchSize = try options.int("--batch-size", default: 32, range: 1...1_000_000)
        config.optimizer = options.string("--optimizer") ?? "adam"
        guard let defaultRate = defaultLearningRates[config.optimizer] else {
            throw CLIError.badValue(flag: "--optimizer", value: config.optimizer, expected: "adam, adamw, sgd, rmsprop or adagrad")
        }
        // Each optimizer's usual default (PyTorch's examples: SGD 0.1, Adam/AdamW 1e-3, RMSProp 1e-2).
        config.learningRate = try options.double("--lr", default: defaultRate, range: 0...1e3)
        config.seed = UInt64(try options.int("--seed", default: 0, range: 0...Int(Int32.max)))
        config.stats = options.flag("--stats")
        let resume = try options.string("--resume").map { try readResume($0, into: &config, options: options) }
        if options.values["--clip-norm"] != nil { config.clipNorm = try options.double("--clip-norm", default: 1, range: 0...1e12) }
        if options.values["--validation"] != nil {
            config.validation = try options.double("--validation", default: 0.1, range: 0.001...0.9)
        }
        if options.values["--early-stopping"] != nil {
            guard config.validation != nil else {
                throw CLIError.usage("--early-stopping needs a validation loss to watch; add --validation F (e.g. 0.1, the fraction of the training rows held out)")
            }
            config.earlyStopping = try options.int("--early-stopping", default: 5, range: 1...100_000)
        }
        config.augmentShift = try options.int("--augment-shift", default: 0, range: 0...4)
        switch options.string("--task") ?? "classification" {
        case "classification": break
        case "regression": return try RegressionTraining.run(options, config)
        case let other: throw CLIError.badValue(flag: "--task", value: other, expected: "classification or regression")
        }
        if options.values["--threads"] != nil {
            TensorRuntime.threadCount = try options.int("--threads", default: 1, range: 1...256)
        } else {
            TensorRuntime.threadCount = 1  // the anchor's setting; small matrices gain nothing from 2
        }
        let json = options.flag("--json")
        let quiet = options.flag("--quiet") || json
        let url = options.string("--data").map { URL(fileURLWithPath: $0) } ?? Dataset<Float>.shippedDigitsURL()
        let data: Dataset<Float>
        do {
            data = try Dataset<Float>.digits(at: url)
        } catch {
            throw CLIError.file(path: url.path, reason: "\(error)")
        }
        guard data.count > 360 else {
            throw CLIError.file(path: url.path, reason: "\(data.count) rows; need more than 360 (the last 360 are the test set)")
        }
        // Every model takes 8×8 digits: a file with another feature count is refused here, not
        // by a shape check deep inside the first forward pass.
        guard data.featureCount == inputFeatures else {
            throw CLIError.file(
                path: url.path,
                reason: "rows have \(data.featureCount) feature\(data.featureCount == 1 ? "" : "s") after the label; the \(config.model) model takes \(inputFeatures) (8×8 pixels: label,p0,…,p63)")
        }
        if options.values["--compare"] != nil, let single = options.string("--activation") {
            throw CLIError.usage("--activation \(single) with --compare: --compare lists every activation to train; put \(single) in its list")
        }
        let activations: [String]
        if let list = options.string("--compare") {
            activations = list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !activations.isEmpty else { throw CLIError.badValue(flag: "--compare", value: list, expected: "a comma-separated list of activations") }
        } else {
            activations = [config.activation]
        }
        // The maxout model has no activation to choose (its pieces are the nonlinearity).
        if config.model == "maxout", let flag = ["--activation", "--compare"].first(where: { options.values[$0] != nil }) {
            throw CLIError.usage("\(flag) with --model maxout: the maxout model has no activation (its k = 2 affine pieces are the nonlinearity); leave \(flag) out")
        }
        // Validate every spec before training anything, by building each model once (a spec
        // value that does not fit the model, such as prelu:channels=4, is found here).
        for a in activations { _ = try makeModel(config.model, activation: a) }
        if let save = options.string("--save"), activations.count > 1 {
            throw CLIError.usage("--save \(save) with --compare: save one model at a time")
        }
        // Every output is checked before training, so a run never trains and then fails to
        // write (the directory exists, the target is not a directory, a file can be created).
        let historyPath = options.string("--history")
        if let historyPath {
            do {
                try AtomicFile.checkWritable(URL(fileURLWithPath: historyPath))
            } catch {
                throw CLIError.file(path: historyPath, reason: "\(error.reason) (nothing was trained)")
            }
        }
        let save = options.string("--save")
        if let save {
            do {
                try AtomicFile.checkWritable(URL(fileURLWithPath: save))
            } catch {
                throw CLIError.file(path: save, reason: "\(error.reason) (nothing was trained)")
            }
        }
        let plotPath = options.string("--plot") ?? defaultPlotPath(activations.count > 1 ? "compare" : "\(config.model)_\(activations[0])")
        // The default folder is made on demand (it is gitignored), and taken away again when the
        // run is refused below: a refused run changes nothing.
        var madeRunsFolder = false
        if options.string("--plot") == nil, !FileManager.default.fileExists(atPath: "runs") {
            madeRunsFolder = (try? FileManager.default.createDirectory(atPath: "runs", withIntermediateDirectories: true)) != nil
        }
        do {
            do {
                try AtomicFile.checkWritable(URL(fileURLWithPath: plotPath))
            } catch {
                throw CLIError.file(path: plotPath, reason: "cannot write the loss plot: \(error.reason) (nothing was trained)")
            }
            // Two outputs, or an output and the data, must not be one file (the plot would
            // silently replace the checkpoint, or the checkpoint the data).
            if let save, AtomicFile.sameFile(URL(fileURLWithPath: save), URL(fileURLWithPath: plotPath)) {
                throw CLIError.usage("--save \(save) and the loss plot \(plotPath) are the same file; give them different names (nothing was trained)")
            }
            for output in [save, plotPath].compactMap({ $0 }) where AtomicFile.sameFile(URL(fileURLWithPath: output), url) {
                throw CLIError.usage("the output \(output) is the data file \(url.path); writing it would destroy the data (nothing was trained)")
            }
        } catch {
            if madeRunsFolder { try? FileManager.default.removeItem(atPath: "runs") }
            throw error
        }

        var outcomes: [Outcome] = []
        for a in activations {
            var c = config
            c.activation = a
            if !quiet { printError("training \(c.model) with \(oneLine(a)), \(c.epochs) epochs, \(c.optimizer) lr \(c.learningRate)\n") }
            let outcome = try train(c, data: data, progress: !quiet, printStats: c.stats && !json, resume: resume)
            outcomes.append(outcome)
            if let last = outcome.epochLosses.last, !last.isFinite {
                printError("tapegrad: warning: training with \(oneLine(a)) diverged (final loss \(last)); lower --lr\n")
            }
            if json {
                print(jsonLine(outcome))
            } else if activations.count == 1 {
                print(String(format: "test accuracy %.4f, %.2f ms per epoch (%@, %@, %@ lr %g, batch %d, %d epochs, seed %llu)",
                             outcome.testAccuracy, outcome.msPerEpoch, c.model, a, c.optimizer, c.learningRate, c.batchSize, c.epochs, c.seed))
            }
        }
        if activations.count > 1 && !json {
            print("activation        test_acc   ms/epoch   final loss")
            for o in outcomes {
                print(o.config.activation.padding(toLength: max(16, o.config.activation.count), withPad: " ", startingAt: 0)
                      + String(format: "  %8.4f  %9.2f   %10.5f", o.testAccuracy, o.msPerEpoch, o.epochLosses.last ?? .nan))
            }
        }
        // The checkpoint first: if one output still fails now (a disk filled up during
        // training), the others are written and the failure is reported.
        var written: [String] = []
        var failures: [String] = []
        if let save {
            do {
                try trainingCheckpoint(outcomes[0]).write(to: URL(fileURLWithPath: save))
                written.append("the checkpoint \(save)")
                if !quiet { printError("saved \(oneLine(save))\n") }
            } catch {
                failures.append("the checkpoint: \(error)")
            }
        }
        if let historyPath {
            do {
                try AtomicFile.write(Array((outcomes.flatMap(\.history).joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: historyPath))
                written.append("the history \(historyPath)")
            } catch {
                failures.append("the history: \(error)")
            }
        }
        do {
            try writeLossPlot(outcomes, to: plotPath)
            written.append("the loss plot \(plotPath)")
            if !quiet { printError("wrote \(oneLine(plotPath))\n") }
        } catch {
            failures.append("\(error)")
        }
        if !failures.isEmpty {
            let kept = written.isEmpty ? "nothing was written" : "wrote " + written.joined(separator: " and ")
            throw CLIError.usage("training finished, but \(failures.joined(separator: "; ")); \(kept)")
        }
    }

    static func defaultPlotPath(_ name: String) -> String {
        // Into the untracked runs/ folder (gitignored), never into the repository's Docs/plots.
        let dir = "runs/"
        // The name comes from a spec typed by the user: only letters, digits, '.', '-' and '_'
        // reach the file name (no '/', no control characters).
        let safe = String(name.replacingOccurrences(of: "=", with: "").unicodeScalars.map { u -> Character in
            u.isASCII && (u.properties.isAlphabetic || u.properties.numericType != nil || ".-_".unicodeScalars.contains(u)) ? Character(u) : "_"
        })
        return dir + "train_\(safe).svg"
    }

    static func jsonLine(_ o: Outcome) -> String {
        var line = JSONLine()
        line.add("model", o.config.model)
        line.add("activation", o.config.activation)
        line.add("optimizer", o.config.optimizer)
        line.add("epochs", o.config.epochs)
        line.add("batch_size", o.config.batchSize)
        line.add("seed", o.config.seed)
        line.add("final_loss", o.epochLosses.last ?? .nan, format: "%.6f")
        line.add("test_accuracy", o.testAccuracy, format: "%.4f")
        line.add("ms_per_epoch", o.msPerEpoch, format: "%.3f")
        if let clip = o.config.clipNorm { line.add("clip_norm", clip) }
        if o.config.validation != nil { line.add("epochs_run", o.epochLosses.count) }
        if o.config.earlyStopping != nil { line.add("stopped_early", o.stoppedEarly) }
        if o.config.stats { line.add("stats", raw: "[" + o.epochStats.joined(separator: ",") + "]") }
        return line.text
    }

    /// Trains one model; returns the mean training loss per epoch and the test accuracy.
    static func train(_ c: Config, data: Dataset<Float>, progress: Bool, printStats: Bool = false, resume: Resume? = nil) throws -> Outcome {
        let (allTraining, testSet) = data.split(at: data.count - 360)
        // --validation: rows held out of the training set, chosen by the seed (not the test rows).
        let (trainSet, validationSet) = c.validation.map { fraction -> (Dataset<Float>, Dataset<Float>?) in
            let (t, v) = allTraining.split(validationFraction: fraction, seed: c.seed &+ 0x5EED)
            return (t, v)
        } ?? (allTraining, nil)
        let stopper = c.earlyStopping.map { EarlyStopping(patience: $0) }
        var history: [String] = []
        var stoppedEarly = false

        manualSeed(c.seed)  // the layers' initial weights
        var generator = TensorRandom(seed: c.seed)  // the batch order
        let model = try makeModel(c.model, activation: c.activation)
        let parameters = model.parameters(of: Float.self)
        let optimizer = makeOptimizer(c.optimizer, parameters: parameters, learningRate: c.learningRate)
        var losses: [Double] = []
        var firstEpoch = 1
        if let resume {
            // The saved weights, optimizer state and batch order: the run continues where it stopped.
            do {
                try model.load(resume.file)
                try optimizer.restoreState(from: resume.file)
            } catch {
                throw CLIError.file(path: "--resume", reason: "\(error)")
            }
            generator = resume.generator
            losses = resume.losses
            firstEpoch = resume.epochsDone + 1
        }
        var seconds = 0.0
        // With --stats: every leaf layer's outputs during the epoch's training batches, and the
        // gradients of the epoch's last batch.
        let probe = c.stats ? ActivationProbe(model, of: Float.self) : nil
        let named = c.stats ? model.namedParameters(of: Float.self) : []
        var epochStats: [String] = []
        defer { probe?.remove() }
        for epoch in firstEpoch...c.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            probe?.reset()
            model.train()
            var total = 0.0
            // --augment-shift: this epoch's shifted copy, from a generator of its own per epoch
            // (so a resumed run shifts the same way without saving its state).
            var shiftGenerator = TensorRandom(seed: c.seed &+ 0xA0_6000 &+ UInt64(epoch))
            let epochSet = c.augmentShift > 0
                ? trainSet.randomlyShifted(maxShift: c.augmentShift, height: 8, width: 8, generator: &shiftGenerator) : trainSet
            for (features, labels) in epochSet.batches(size: c.batchSize, generator: &generator) {
                let loss = crossEntropy(logits: model(Variable(reshapeInput(features, for: c.model))), labels: labels)
                optimizer.zeroGradients()
                loss.backward()
                if let maxNorm = c.clipNorm { clipGradientNorm(parameters, maxNorm: maxNorm) }
                optimizer.step()
                total += Double(loss.value.scalars[0]) * Double(labels.count)
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            losses.append(total / Double(trainSet.count))
            var line = JSONLine()
            line.add("epoch", epoch)
            line.add("train_loss", losses.last!, format: "%.6f")
            line.add("learning_rate", optimizer.learningRate)
            line.add("seconds", Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, format: "%.4f")
            if let validationSet {
                model.eval()
                let logits = withoutGradients { model(Variable(reshapeInput(validationSet.features, for: c.model))) }
                let loss = Double(crossEntropy(logits: logits, labels: validationSet.labels).value.scalars[0])
                let hits = zip(logits.value.argmax(alongAxis: 1), validationSet.labels).filter { $0 == $1 }.count
                line.add("validation_loss", loss, format: "%.6f")
                line.add("validation_accuracy", Double(hits) / Double(validationSet.count), format: "%.4f")
                if let stopper, stopper.shouldStop(after: loss) { stoppedEarly = true }
            }
            history.append(line.text)
            if let probe {
                let gradients = GradientStatistics.of(named)
                epochStats.append(StatsReport.json(epoch: epoch, probe: probe, gradients: gradients))
                if printStats {
                    if progress && isatty(STDERR_FILENO) != 0 { printError("\n") }
                    print(StatsReport.text(epoch: epoch, probe: probe, gradients: gradients))
                }
            }
            if progress {
                // A live line on a terminal; one line per epoch in a log file or pipe.
                let eta = seconds / Double(epoch) * Double(c.epochs - epoch)
                let line = String(format: "epoch %d/%d  loss %.4f  ETA %.1f s", epoch, c.epochs, losses.last!, eta)
                if isatty(STDERR_FILENO) != 0 {
                    printError("\r" + line + (epoch == c.epochs || stoppedEarly ? "\n" : ""))
                } else {
                    printError(line + "\n")
                }
            }
            if stoppedEarly {
                if progress { printError("early stopping after epoch \(epoch): no better validation loss for \(c.earlyStopping!) epochs (best at epoch \(firstEpoch + (stopper!.bestEpoch ?? 0)))\n") }
                break
            }
        }
        probe?.isRecording = false
        model.eval()
        let predicted = withoutGradients { model(Variable(reshapeInput(testSet.features, for: c.model))).value.argmax(alongAxis: 1) }
        let accuracy = Double(zip(predicted, testSet.labels).filter { $0 == $1 }.count) / Double(testSet.count)
        return Outcome(
            config: c, epochLosses: losses, testAccuracy: accuracy, msPerEpoch: seconds * 1000 / Double(Swift.max(1, losses.count - (firstEpoch - 1))), model: model,
            epochStats: epochStats, history: history, stoppedEarly: stoppedEarly, optimizer: optimizer, generator: generator)
    }

    static func reshapeInput(_ x: Tensor<Float>, for model: String) -> Tensor<Float> {
        model == "cnn" ? x.reshaped(to: [x.shape[0], 1, 8, 8]) : x
    }
}
