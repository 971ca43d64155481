import Foundation
import Testing
import TestSupport

@testable import NN

func toolScratchDirectory() -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-help-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// Runs the built tool in `directory`; a signal is a failure.
func tool(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
    let executable = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
    let run = try CLICatalogue.run(executable, arguments, in: directory)
    #expect(run.reason == .exit, "\(arguments): killed by signal \(run.status): \(run.stderr)")
    return (run.status, run.stdout, run.stderr)
}

@Suite("The tool explains itself: help, hints, defaults a newcomer expects")
struct CLIHelpTests {
    static let commands = ["train", "demo", "gradcheck", "plot", "list", "bench", "longrun", "experiment"]

    @Test("tapegrad, --help, -h and help print every command and exit 0; nothing else runs")
    func generalHelp() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for args in [[], ["--help"], ["-h"], ["help"]] {
            let r = try tool(args, in: dir)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(r.stdout.hasPrefix("usage: tapegrad"), "\(args)")
            for c in Self.commands { #expect(r.stdout.contains("\n  \(c) "), "\(args): \(c) missing from the help") }
        }
        // Nothing was trained or written.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("help COMMAND and COMMAND --help / -h print that command's options and exit 0")
    func commandHelp() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in Self.commands {
            for args in [["help", c], [c, "--help"], [c, "-h"]] {
                let r = try tool(args, in: dir)
                #expect(r.status == 0 && r.stdout.hasPrefix("usage: tapegrad \(c) [options]"), "\(args): \(r.stdout) \(r.stderr)")
            }
        }
        #expect(try tool(["train", "--help"], in: dir).stdout.contains("--optimizer"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("An unknown command or option names the nearest known one; exit 2, one line")
    func didYouMean() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["trian"], "did you mean 'train'?"),
            (["gradchek"], "did you mean 'gradcheck'?"),
            (["train", "--epoch", "3"], "did you mean '--epochs'?"),
            (["train", "--optimiser", "sgd"], "did you mean '--optimizer'?"),
            (["list", "--jsn"], "did you mean '--json'?"),
            (["help", "bnch"], "did you mean 'bench'?"),
        ]
        for (args, hint) in cases {
            let r = try tool(args, in: dir)
            #expect(r.status == 2 && r.stderr.contains(hint), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): more than one line")
        }
        // Far from everything: no hint rather than a wrong one.
        let far = try tool(["train", "--zzzzzzzz", "1"], in: dir)
        #expect(far.status == 2 && !far.stderr.contains("did you mean"), "\(far.stderr)")
    }

    @Test("Each optimizer gets its usual learning rate, printed; progress is one line per epoch in a log")
    func learningRatesAndProgress() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = ["adam": "0.001", "adamw": "0.001", "sgd": "0.1", "rmsprop": "0.01"]
        for (optimizer, rate) in expected {
            let r = try tool(["train", "--optimizer", optimizer, "--epochs", "2", "--plot", dir.appendingPathComponent("\(optimizer).svg").path], in: dir)
            #expect(r.status == 0, "\(optimizer): \(r.stderr)")
            #expect(r.stderr.contains("\(optimizer) lr \(rate)"), "\(optimizer): \(r.stderr)")
            // Standard error is a pipe here: no carriage returns, one line per epoch.
            #expect(!r.stderr.contains("\r"), "\(optimizer): a live line in a log")
            for e in 1...2 { #expect(r.stderr.contains("epoch \(e)/2  loss"), "\(optimizer): epoch \(e) missing") }
        }
        // SGD at its default rate learns (at Adam's 1e-3 it reached 0.25 after 5 epochs).
        let sgd = try tool(["train", "--optimizer", "sgd", "--epochs", "5", "--json", "--plot", dir.appendingPathComponent("s.svg").path], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(sgd.stdout.split(separator: "\n").last!.utf8)) as? [String: Any]
        #expect((object?["test_accuracy"] as? Double ?? 0) > 0.8, "\(sgd.stdout)")
    }

    @Test("The default loss plot goes into an untracked runs/ folder, made on demand")
    func defaultPlotLocation() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try tool(["train", "--epochs", "1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/train_mlp_relu.svg").path), "\(r.stderr)")
    }

    @Test("Every spec 'tapegrad list' prints: train --epochs 1 and gradcheck exit 0, or 2 with one line; never a signal")
    func everyListedSpecThroughTheTool() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = try tool(["list", "--json"], in: dir)
        #expect(list.status == 0)
        let names = list.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
        }
        #expect(names.count == ActivationCatalogue.builtIn.count, "list printed \(names.count) entries")
        for name in names {
            let train = try tool(["train", "--epochs", "1", "--activation", name, "--plot", dir.appendingPathComponent("\(name).svg").path], in: dir)
            #expect(train.status == 0 || train.status == 2, "train \(name): exit \(train.status): \(train.stderr)")
            if train.status == 2 {
                #expect(train.stderr.split(separator: "\n").count == 1 && train.stderr.hasPrefix("tapegrad: "), "train \(name): \(train.stderr)")
            }
            let check = try tool(["gradcheck", "--activation", name, "--points", "64"], in: dir)
            #expect(check.status == 0 || check.status == 2, "gradcheck \(name): exit \(check.status): \(check.stdout) \(check.stderr)")
            if check.status == 2 {
                #expect(check.stderr.split(separator: "\n").count == 1, "gradcheck \(name): \(check.stderr)")
            }
        }
    }

    @Test("prelu:per_channel=1 gives one slope per unit of each MLP hidden layer and per CNN channel; trainable_swish too")
    func perChannelFromTheCommandLine() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(args: [String], shapes: [String: [Int]])] = [
            (["--activation", "prelu:per_channel=1"], ["layers.1.alpha": [128], "layers.3.alpha": [64]]),
            (["--activation", "prelu"], ["layers.1.alpha": [1], "layers.3.alpha": [1]]),
            (["--activation", "trainable_swish:per_channel=1,init=1.5"], ["layers.1.beta": [128], "layers.3.beta": [64]]),
            (["--model", "cnn", "--activation", "prelu:per_channel=0"], ["layers.2.alpha": [1], "layers.6.alpha": [1]]),
            (["--model", "cnn", "--activation", "prelu"], ["layers.2.alpha": [16], "layers.6.alpha": [32]]),
        ]
        for (i, c) in cases.enumerated() {
            let save = dir.appendingPathComponent("m\(i).safetensors")
            let r = try tool(["train", "--epochs", "1", "--save", save.path, "--plot", dir.appendingPathComponent("p\(i).svg").path] + c.args, in: dir)
            #expect(r.status == 0, "\(c.args): \(r.stderr)")
            let file = try SafeTensorsFile(contentsOf: save)
            let shapes = Dictionary(uniqueKeysWithValues: file.entries.map { ($0.name, $0.shape) })
            for (name, shape) in c.shapes { #expect(shapes[name] == shape, "\(c.args): \(name) is \(shapes[name] ?? []), expected \(shape)") }
        }
    }
}
