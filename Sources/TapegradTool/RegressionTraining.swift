import Foundation
import NN

/// `tapegrad train --task regression`: an MLP (features → 64 → 64 → targets, the chosen
/// activation) trained with mean squared error on a CSV whose last column is the target, or on a
/// generated data set (2,000 rows, seeded); reports the test RMSE and R².
enum RegressionTraining {
    /// The train flags that have no meaning for regression.
    static let refused = ["--model", "--compare", "--resume", "--validation", "--early-stopping", "--augment-shift", "--stats", "--history"]

    static func run(_ options: Options, _ c: TrainCommand.Config) throws {
        if let flag = refused.first(where: { options.values[$0] != nil }) {
            throw CLIError.usage("\(flag) with --task regression: the regression task trains one MLP on a CSV (or generated) data set; leave \(flag) out")
        }
        let json = options.flag("--json"), quiet = options.flag("--quiet") || json
        let data: RegressionData<Float>
        var source = "generated (2,000 rows: y = sin(x₁)·cos(x₂) + x₁²/10 + noise, seed \(c.seed))"
        if let path = options.string("--data") {
            do {
                data = try RegressionData<Float>(csvAt: URL(fileURLWithPath: path))
            } catch {
                throw CLIError.file(path: path, reason: "\(error)")
            }
            guard data.count >= 10 else { throw CLIError.file(path: path, reason: "\(data.count) rows; need at least 10 (the last fifth is the test set)") }
            source = path
        } else {
            data = RegressionData<Float>.synthetic(count: 2000, seed: c.seed)
        }
        let (train, test) = data.split(at: data.count - data.count / 5)
        manualSeed(c.seed)
        let activation: any Layer<Float>
        do {
            activation = try ActivationCatalogue.makeLayer(c.activation, as: Float.self)
        } catch {
            throw CLIError.badValue(flag: "--activation", value: c.activation, expected: "an element-wise activation of 'tapegrad list' (\(error))")
        }
        let second = try ActivationCatalogue.makeLayer(c.activation, as: Float.self)
        let model = Sequential<Float> { Linear(data.featureCount, 64); activation; Linear(64, 64); second; Linear(64, data.targetCount) }
        let optimizer = TrainCommand.makeOptimizer(c.optimizer, parameters: model.parameters(), learningRate: c.learningRate)
        var generator = TensorRandom(seed: c.seed)
        if !quiet { printError("regression on \(oneLine(source)): \(train.count) training rows, \(test.count) test rows, \(c.epochs) epochs\n") }
        var losses: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for epoch in 1...c.epochs {
            var total = 0.0
            for (x, y) in train.batches(size: c.batchSize, generator: &generator) {
                let loss = mseLoss(model(Variable(x)), y)
                optimizer.zeroGradients()
                loss.backward()
                if let maxNorm = c.clipNorm { clipGradientNorm(model.parameters(), maxNorm: maxNorm) }
                optimizer.step()
                total += Double(loss.item) * Double(x.shape[0])
            }
            losses.append(total / Double(train.count))
            if !quiet && (epoch == c.epochs || epoch % Swift.max(1, c.epochs / 10) == 0) {
                printError(String(format: "epoch %d/%d  mse %.5f\n", epoch, c.epochs, losses.last!))
            }
        }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(c.epochs)
        model.eval()
        let prediction = withoutGradients { model(Variable(test.features)).value.scalars }
        let target = test.targets.scalars
        let mse = zip(prediction, target).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(target.count)
        let mean = target.reduce(0.0) { $0 + Double($1) } / Double(target.count)
        let variance = target.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(target.count)
        let r2 = 1 - mse / variance
        if json {
            var line = JSONLine()
            line.add("task", "regression")
            line.add("activation", c.activation)
            line.add("optimizer", c.optimizer)
            line.add("epochs", c.epochs)
            line.add("seed", c.seed)
            line.add("final_loss", losses.last ?? .nan, format: "%.6f")
            line.add("test_rmse", mse.squareRoot(), format: "%.5f")
            line.add("test_r2", r2, format: "%.4f")
            line.add("ms_per_epoch", ms, format: "%.3f")
            print(line.text)
        } else {
            print(String(format: "test RMSE %.5f, R² %.4f, %.2f ms per epoch (regression, %@, %@ lr %g, %d epochs)", mse.squareRoot(), r2, ms, c.activation, c.optimizer, c.learningRate, c.epochs))
        }
        if let save = options.string("--save") {
            do {
                try model.save(to: URL(fileURLWithPath: save), metadata: ["task": "regression", "activation": c.activation])
            } catch {
                throw CLIError.file(path: save, reason: "\(error)")
            }
        }
    }
}
