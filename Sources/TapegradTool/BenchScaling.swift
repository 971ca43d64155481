import Dispatch
import Foundation
import NN

// `tapegrad bench --suite scaling`: the five MNIST-size workloads of
// ../shared/anchors/torch_scaling.py with its shapes and hyperparameters (synthetic data with a
// fixed seed, batches built before timing, warm-up epochs or calls, then timed ones), one JSON
// line each. Scripts/compare_bench.py --scaling runs both sides alternately.
extension Bench {
    static let scalingWorkloads = ["mlp128", "mlp32", "cnn", "conv", "linear"]

    static func scaling(threads: [Int], only: String?, timed: Int?, warmup: Int?) {
        for workload in scalingWorkloads where only == nil || only == workload {
            for t in threads {
                TensorRuntime.threadCount = t
                let (times, check) = scalingRun(workload, timed: timed, warmup: warmup)
                let ms = times.map { $0 * 1e3 }.sorted()
                let median = ms[ms.count / 2]
                emit(
                    [("suite", "scaling"), ("workload", workload), ("threads", t), ("min_ms", ms[0]), ("median_ms", median), ("check", check)],
                    text: workload.padding(toLength: 8, withPad: " ", startingAt: 0)
                        + String(format: " %d thread%@  min %9.3f ms  median %9.3f ms  (%@)", t, t == 1 ? " " : "s", ms[0], median,
                                 ["mlp128", "mlp32", "cnn"].contains(workload)
                                    ? "per epoch" : getenv("TAPEGRAD_BENCH_FORWARD_ONLY") != nil ? "per call, forward only" : "per call, forward + backward"))
            }
        }
    }

    /// Seconds per timed epoch (or call) and a value that depends on the result (so nothing is
    /// optimized away).
    static func scalingRun(_ workload: String, timed: Int?, warmup: Int?) -> ([Double], Double) {
        manualSeed(0)
        var generator = TensorRandom(seed: 1)
        func batches(samples: Int, shape: [Int], batch: Int) -> [(Variable<Float>, [Int])] {
            let x = Tensor<Float>.randomNormal([samples] + shape, using: &generator)
            let y = (0..<samples).map { _ in Int.random(in: 0..<10, using: &generator) }
            return stride(from: 0, to: samples, by: batch).map { s in
                let e = Swift.min(s + batch, samples)
                return (Variable(x[s..<e].contiguous()), Array(y[s..<e]))
            }
        }
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        switch workload {
        case "mlp128", "mlp32", "cnn":
            let model: Sequential<Float>
            let data: [(Variable<Float>, [Int])]
            if workload == "cnn" {
                model = Sequential<Float> {
                    Conv2d(1, 32, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(kernelSize: 2)
                    Conv2d(32, 64, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(kernelSize: 2)
                    Flatten(); Linear(3136, 10)
                }
                data = batches(samples: 2048, shape: [1, 28, 28], batch: 64)
            } else {
                model = Sequential<Float> { Linear(784, 256); ReLU(); Linear(256, 128); ReLU(); Linear(128, 10) }
                data = batches(samples: 10_000, shape: [784], batch: workload == "mlp128" ? 128 : 32)
            }
            let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
            var times: [Double] = []
            var last: Float = 0
            let (w, n) = (warmup ?? 1, timed ?? 5)
            for epoch in 0..<(w + n) {
                let t0 = now()
                for (x, y) in data {
                    let loss = crossEntropy(logits: model(x), labels: y)
                    optimizer.zeroGradients()
                    loss.backward()
                    optimizer.step()
                    last = loss.item
                }
                if epoch >= w { times.append(now() - t0) }
            }
            return (times, Double(last))
        default:
            let layer: any Layer<Float>
            let shape: [Int]
            if workload == "conv" {
                layer = Conv2d<Float>(64, 64, kernelSize: 3, padding: 1)
                shape = [32, 64, 32, 32]
            } else {
                layer = Linear<Float>(1024, 1024)
                shape = [256, 1024]
            }
            let x = Variable(Tensor<Float>.randomNormal(shape, using: &generator), requiresGradient: true)
            let seed = Tensor<Float>.randomNormal(shape, using: &generator)
            let (w, n) = (warmup ?? 2, timed ?? (workload == "conv" ? 8 : 30))
            // TAPEGRAD_BENCH_FORWARD_ONLY=1: the forward pass alone, without gradients (where a
            // layer's time goes; the anchor has no such mode).
            let forwardOnly = getenv("TAPEGRAD_BENCH_FORWARD_ONLY") != nil
            var times: [Double] = []
            var check = 0.0
            for i in 0..<(w + n) {
                let t0 = now()
                if forwardOnly {
                    _ = withoutGradients { layer(x) }
                    if i >= w { times.append(now() - t0) }
                    continue
                }
                layer(x).backward(seed: seed)
                let t1 = now()
                check = Double(x.gradient!.scalars[0]) + Double(layer.parameters()[0].variable.gradient!.scalars[0])
                x.resetGradient()
                layer.zeroGradients()
                if i >= w { times.append(t1 - t0) }
            }
            return (times, check)
        }
    }
}
