import Foundation
import Testing
import TestSupport

@testable import NN

/// `tapegrad train --stats` and `tapegrad experiment` through the built tool (debug build: the
/// cheapest invocations only; the experiments' numbers are LabTests' and CI's quick run). The
/// helpers `toolScratchDirectory()` and `tool(_:in:)` are CLIHelpTests'.
@Suite("The tool's probes and lab")
struct LabCLITests {
    @Test("train --stats prints each leaf layer and parameter per epoch; with --json they are in the line")
    func trainStats() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try tool(["train", "--epochs", "2", "--stats", "--quiet", "--plot", "p.svg"], in: dir)
        #expect(text.status == 0, "\(text.stderr)")
        for epoch in 1...2 {
            #expect(text.stdout.contains("epoch \(epoch) activations") && text.stdout.contains("epoch \(epoch) gradients"))
        }
        #expect(text.stdout.contains("layers.1 ReLU") && text.stdout.contains("layers.4.bias"))
        let json = try tool(["train", "--epochs", "2", "--stats", "--json", "--activation", "tanh", "--plot", "p.svg"], in: dir)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let stats = try #require(object["stats"] as? [[String: Any]])
        #expect(stats.count == 2)
        let layers = try #require(stats[0]["activations"] as? [[String: Any]])
        #expect(layers.map { $0["name"] as? String } == ["layers.0", "layers.1", "layers.2", "layers.3", "layers.4"])
        // tanh is bounded: its saturation is a number; Linear's is null.
        #expect(layers[1]["fraction_saturated"] is Double && layers[0]["fraction_saturated"] is NSNull)
        let gradients = try #require(stats[1]["gradients"] as? [[String: Any]])
        #expect(gradients.count == 6 && gradients.allSatisfy { ($0["norm"] as? Double ?? -1) > 0 })
    }

    @Test("experiment --list names at least 14; an unknown name gets a did-you-mean, no name a usage line; exit 2")
    func experimentCommand() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = try tool(["experiment", "--list"], in: dir)
        #expect(list.status == 0)
        let names = list.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        #expect(names.count >= 14)
        for required in ["linear-collapse", "vanishing-gradient", "dead-relu", "selu-fixed-point", "relu-vs-tanh", "prelu-depth", "maxout-convex",
                         "rrelu-small-data", "swish-limits", "saturation", "zero-mean", "bounded-quantization", "depth-sweep", "leaky-slope"] {
            #expect(names.contains(required), "\(required)")
        }
        let typo = try tool(["experiment", "dead-rel"], in: dir)
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'dead-relu'") && typo.stderr.split(separator: "\n").count == 1, "\(typo.stderr)")
        let none = try tool(["experiment"], in: dir)
        #expect(none.status == 2 && none.stderr.contains("NAME"), "\(none.stderr)")
        let two = try tool(["experiment", "saturation", "zero-mean"], in: dir)
        #expect(two.status == 2 && two.stderr.contains("unexpected argument 'zero-mean'"), "\(two.stderr)")
        // The cheapest experiment end to end: the table, the picture and the JSON figures.
        let run = try tool(["experiment", "saturation", "--json", "--output", "pictures"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["experiment"] as? String == "saturation" && object["verdict"] as? String == "reproduced")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pictures/saturation.svg").path))
    }

    @Test("train --clip-norm X trains and reports it; a negative bound is refused with exit 2")
    func clipNorm() throws {
        let dir = toolScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = try tool(["train", "--epochs", "1", "--clip-norm", "0.5", "--json", "--plot", "p.svg"], in: dir)
        #expect(ok.status == 0 && ok.stdout.contains("\"clip_norm\":0.5"), "\(ok.stdout) \(ok.stderr)")
        let bad = try tool(["train", "--clip-norm", "-1"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("--clip-norm -1"), "\(bad.stderr)")
    }
}
