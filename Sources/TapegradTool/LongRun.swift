import Dispatch
import Foundation
import NN

/// `tapegrad longrun`: a long training loop with the NN modules (Sequential, Linear, ReLU,
/// Adam, crossEntropy), sampling resident memory, the number of live tensor storages and the
/// number of live autograd graph nodes. Everything a step allocates must be freed by the end of
/// the step, so after warm-up all three stay flat; growth means a leak (a retained tape, a
/// cycle, a cache that never gives memory back).
///
/// Counting is switched on (`TensorRuntime.countsLiveObjects`) before the model is built.
/// Not a unit test: 10⁶ steps take a few minutes in a release build.
enum LongRunCommand {
    static let allowed: Set<String> = ["--steps", "--samples", "--json"]

    /// One sample of the process state between two steps.
    struct Sample {
        var step: Int
        var residentBytes: Int
        var liveStorages: Int
        var liveNodes: Int
        var loss: Float
    }

    static func run(_ options: Options) throws {
        let steps = try options.int("--steps", default: 1_000_000, range: 100...1_000_000_000)
        let sampleCount = try options.int("--samples", default: 20, range: 2...10_000)
        let json = options.flag("--json")
        TensorRuntime.threadCount = 1
        TensorRuntime.countsLiveObjects = true  // before anything is allocated: everything is counted
        manualSeed(0)

        // A small classifier: 16 rows of 8 features, 4 classes.
        let model = Sequential<Float> {
            Linear(8, 32)
            ReLU()
            Linear(32, 32)
            ReLU()
            Linear(32, 4)
        }
        let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 1e-3)
        let features = Tensor<Float>.randomNormal([16, 8], seed: 1)
        let labels = (0..<16).map { $0 % 4 }

        /// One step; every temporary of the step (graph nodes, activations, gradients' parts) is
        /// out of scope when it returns.
        func step() -> Float {
            optimizer.zeroGradients()
            let loss = crossEntropy(logits: model(Variable(features)), labels: labels)
            loss.backward()
            optimizer.step()
            return loss.value.scalars[0]
        }

        let warmup = Swift.min(steps / 10, 10_000)
        let interval = Swift.max(1, (steps - warmup) / (sampleCount - 1))
        func sample(_ s: Int, _ loss: Float) -> Sample {
            Sample(step: s, residentBytes: Bench.residentBytes(), liveStorages: TensorRuntime.liveStorageCount,
                   liveNodes: GraphStatistics.liveNodeCount, loss: loss)
        }
        var samples = [sample(0, .nan)]
        func report(_ s: Sample) {
            if json {
                var line = JSONLine()
                line.add("suite", "longrun")
                line.add("step", s.step)
                line.add("rss_mb", Double(s.residentBytes) / 1e6, format: "%.3f")
                line.add("live_storages", s.liveStorages)
                line.add("live_nodes", s.liveNodes)
                line.add("loss", Double(s.loss), format: "%.6f")  // null before the first step
                print(line.text)
            } else {
                print(String(format: "step %9d  RSS %8.3f MB  live storages %5d  live graph nodes %5d  loss %.4g",
                             s.step, Double(s.residentBytes) / 1e6, s.liveStorages, s.liveNodes, Double(s.loss)))
            }
            fflush(stdout)
        }
        report(samples[0])
        let start = DispatchTime.now().uptimeNanoseconds
        for s in 1...steps {
            let loss = step()
            if s == warmup || (s > warmup && (s - warmup) % interval == 0) || s == steps {
                samples.append(sample(s, loss))
                report(samples.last!)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let after = samples.first { $0.step == warmup }!
        let late = samples.filter { $0.step >= warmup }
        let end = samples.last!
        let rssGrowth = Double(late.map(\.residentBytes).max()! - after.residentBytes) / 1e6
        let storageRange = (late.map(\.liveStorages).min()!, late.map(\.liveStorages).max()!)
        let nodeRange = (late.map(\.liveNodes).min()!, late.map(\.liveNodes).max()!)
        if json {
            var line = JSONLine()
            line.add("suite", "longrun")
            line.add("steps", steps)
            line.add("warmup", warmup)
            line.add("rss_after_warmup_mb", Double(after.residentBytes) / 1e6, format: "%.3f")
            line.add("rss_end_mb", Double(end.residentBytes) / 1e6, format: "%.3f")
            line.add("rss_growth_mb", rssGrowth, format: "%.3f")
            line.add("live_storages_min", storageRange.0)
            line.add("live_storages_max", storageRange.1)
            line.add("live_nodes_min", nodeRange.0)
            line.add("live_nodes_max", nodeRange.1)
            line.add("us_per_step", seconds / Double(steps) * 1e6, format: "%.3f")
            line.add("final_loss", Double(end.loss), format: "%.6f")
            print(line.text)
        } else {
            print(String(format: "longrun %d steps (%d warm-up): RSS %.3f MB after warm-up, %.3f MB at the end, growth %.3f MB; live storages %d…%d, live graph nodes %d…%d after warm-up; %.2f µs per step; final loss %.4g",
                         steps, warmup, Double(after.residentBytes) / 1e6, Double(end.residentBytes) / 1e6, rssGrowth,
                         storageRange.0, storageRange.1, nodeRange.0, nodeRange.1, seconds / Double(steps) * 1e6, Double(end.loss)))
        }
    }
}
