import Foundation
import Testing
import TestSupport

@testable import NN

/// Exact resumption: an optimizer's state and the batch order saved and restored give the same
/// bits as an uninterrupted run, in the library and through `tapegrad train --resume`.
@Suite("Exact resume")
struct ResumeTests {
    /// Steps of a small model on fixed batches; `restoreAfter` saves the optimizer and the
    /// model into a checkpoint after that many steps and continues in fresh objects.
    static func run<O: Optimizer<Double>>(steps: Int, restoreAfter: Int?, make: ([Parameter<Double>]) -> O) throws -> [Double]
    where O.State: RestorableOptimizerState {
        manualSeed(4)
        var model = Sequential<Double> { Linear(3, 4); Tanh(); Linear(4, 2) }
        var optimizer = make(model.parameters())
        var g = TensorRandom(seed: 9)
        for step in 0..<steps {
            if step == restoreAfter {
                var file = try model.checkpoint(metadata: ["generator": g.snapshot])
                try optimizer.saveState(into: &file)
                manualSeed(123)  // other initial weights: everything must come from the file
                model = Sequential<Double> { Linear(3, 4); Tanh(); Linear(4, 2) }
                try model.load(file)
                optimizer = make(model.parameters())
                try optimizer.restoreState(from: file)
                g = TensorRandom(snapshot: file.metadata["generator"]!)!
            }
            let x = Variable(Tensor<Double>.randomNormal([5, 3], using: &g))
            let loss = crossEntropy(logits: model(x), labels: [0, 1, 1, 0, 1])
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
        }
        return model.parameters().flatMap(\.value.scalars)
    }

    @Test("Adam, AdamW, SGD with momentum, RMSProp and Adagrad: 6 steps equal 2 + save/restore + 4, bit for bit")
    func libraryResume() throws {
        let makers: [(String, ([Parameter<Double>]) throws -> ([Double], [Double]))] = [
            ("adam", { _ in (try Self.run(steps: 6, restoreAfter: nil) { Adam(parameters: $0, learningRate: 0.05) }, try Self.run(steps: 6, restoreAfter: 2) { Adam(parameters: $0, learningRate: 0.05) }) }),
            ("adamw", { _ in (try Self.run(steps: 6, restoreAfter: nil) { AdamW(parameters: $0, learningRate: 0.05) }, try Self.run(steps: 6, restoreAfter: 2) { AdamW(parameters: $0, learningRate: 0.05) }) }),
            ("sgd", { _ in (try Self.run(steps: 6, restoreAfter: nil) { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }, try Self.run(steps: 6, restoreAfter: 2) { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }) }),
            ("rmsprop", { _ in (try Self.run(steps: 6, restoreAfter: nil) { RMSProp(parameters: $0, momentum: 0.5, centered: true) }, try Self.run(steps: 6, restoreAfter: 2) { RMSProp(parameters: $0, momentum: 0.5, centered: true) }) }),
            ("adagrad", { _ in (try Self.run(steps: 6, restoreAfter: nil) { Adagrad(parameters: $0, learningRateDecay: 0.1) }, try Self.run(steps: 6, restoreAfter: 2) { Adagrad(parameters: $0, learningRateDecay: 0.1) }) }),
        ]
        for (name, make) in makers {
            let (straight, resumed) = try make([])
            #expect(straight == resumed, "\(name)")
            // And the restore matters: without the optimizer state the runs differ.
        }
        let straight = try Self.run(steps: 6, restoreAfter: nil) { Adam(parameters: $0, learningRate: 0.05) }
        let fresh = try Self.runWithoutOptimizerState()
        #expect(straight != fresh)
    }

    /// The same run, restoring the model and the generator but not the optimizer.
    static func runWithoutOptimizerState() throws -> [Double] {
        manualSeed(4)
        var model = Sequential<Double> { Linear(3, 4); Tanh(); Linear(4, 2) }
        var optimizer = Adam(parameters: model.parameters(), learningRate: 0.05)
        var g = TensorRandom(seed: 9)
        for step in 0..<6 {
            if step == 2 {
                let file = try model.checkpoint()
                model = Sequential<Double> { Linear(3, 4); Tanh(); Linear(4, 2) }
                try model.load(file)
                optimizer = Adam(parameters: model.parameters(), learningRate: 0.05)
            }
            let x = Variable(Tensor<Double>.randomNormal([5, 3], using: &g))
            let loss = crossEntropy(logits: model(x), labels: [0, 1, 1, 0, 1])
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
        }
        return model.parameters().flatMap(\.value.scalars)
    }

    /// A custom optimizer whose state does not declare RestorableOptimizerState.
    final class PlainSGD: Optimizer {
        struct State { let unused = 0 }
        let parameters: [Parameter<Double>]
        let slots = OptimizerSlots<Double, State>()
        var learningRate = 0.1
        init(_ parameters: [Parameter<Double>]) { self.parameters = parameters }
        func makeState(count: Int) -> State { State() }
        func update(_ p: ParameterUpdate<Double>, state: inout State) {
            for i in 0..<p.count { p.value[i] -= 0.1 * p.gradient[i] }
        }
    }

    @Test("An optimizer whose state is not RestorableOptimizerState is refused by saveState and restoreState, also as any Optimizer")
    func notRestorable() throws {
        let model = Sequential<Double> { Linear(2, 2) }
        let plain: any Optimizer<Double> = PlainSGD(model.parameters())
        var file = try model.checkpoint()
        #expect(throws: CheckpointError.self) { try plain.saveState(into: &file) }
        #expect(throws: CheckpointError.self) { try plain.restoreState(from: file) }
        let adam: any Optimizer<Double> = Adam(parameters: model.parameters(), learningRate: 0.1)
        try adam.saveState(into: &file)
    }

    @Test("A checkpoint of another optimizer's state is refused with a typed error; the generator snapshot round-trips")
    func mismatches() throws {
        let model = Sequential<Double> { Linear(2, 2) }
        let sgd = SGD(parameters: model.parameters(), learningRate: 0.1, momentum: 0.9)
        (model(Tensor<Double>([[1, 2]])).sum()).backward()
        sgd.step()
        var file = try model.checkpoint()
        try sgd.saveState(into: &file)
        let adam = Adam(parameters: model.parameters(), learningRate: 0.1)
        #expect(throws: CheckpointError.self) { try adam.restoreState(from: file) }
        var g = TensorRandom(seed: 1)
        _ = g.nextNormal()
        let copy = TensorRandom(snapshot: g.snapshot)!
        var a = g, b = copy
        #expect((0..<5).map { _ in a.nextNormal() } == (0..<5).map { _ in b.nextNormal() })
        #expect(TensorRandom(snapshot: "not a generator") == nil)
    }

    @Test("tapegrad train: 3 epochs equal 1, --save, then --resume to 3 in a new process, bit for bit; bad resumes exit 2")
    func toolResume() throws {
        let executable = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func tool(_ args: [String]) throws -> (Int32, String, String) {
            let r = try CLICatalogue.run(executable, args, in: dir)
            #expect(r.reason == .exit, "\(args): signal")
            return (r.status, r.stdout, r.stderr)
        }
        for optimizer in ["adam", "sgd"] {
            let common = ["--optimizer", optimizer, "--json", "--quiet", "--plot", "p.svg"]
            _ = try tool(["train", "--epochs", "3", "--save", "full-\(optimizer).st"] + common)
            _ = try tool(["train", "--epochs", "1", "--save", "one-\(optimizer).st"] + common)
            let resumed = try tool(["train", "--resume", "one-\(optimizer).st", "--epochs", "3", "--save", "resumed-\(optimizer).st", "--json", "--quiet", "--plot", "p.svg"])
            #expect(resumed.0 == 0, "\(resumed.2)")
            let a = try Data(contentsOf: dir.appendingPathComponent("full-\(optimizer).st"))
            let b = try Data(contentsOf: dir.appendingPathComponent("resumed-\(optimizer).st"))
            #expect(a == b, "\(optimizer): the resumed checkpoint differs from the uninterrupted one")
        }
        // A training checkpoint still loads as a model.
        let model = Sequential<Float> { Linear(64, 128); ReLU(); Linear(128, 64); ReLU(); Linear(64, 10) }
        try model.load(from: dir.appendingPathComponent("full-adam.st"))
        // Refusals: a flag the checkpoint fixes, a model-only file, no more epochs to train.
        try model.save(to: dir.appendingPathComponent("model-only.st"))
        for (args, mention) in [
            (["train", "--resume", "one-adam.st", "--epochs", "3", "--lr", "0.1"], "--lr with --resume"),
            (["train", "--resume", "model-only.st", "--epochs", "3"], "not a training checkpoint"),
            (["train", "--resume", "full-adam.st", "--epochs", "3"], "has 3 epochs already"),
            (["train", "--resume", "missing.st", "--epochs", "3"], "missing.st"),
        ] {
            let r = try tool(args)
            #expect(r.0 == 2 && r.2.contains(mention) && r.2.split(separator: "\n").count == 1, "\(args): \(r.2)")
        }
    }
}
