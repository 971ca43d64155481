import Dispatch
import Foundation
import NN

/// Release-build benchmarks. Every figure is a median of repeated runs; elementwise results are
/// also given as a ratio to a plain copy of the same bytes measured in the same run.
enum Bench {
    static var json = false

    static func emit(_ fields: [(String, Any)], text: String) {
        if json {
            var line = JSONLine()
            for (key, value) in fields {
                switch value {
                case let v as String: line.add(key, v)
                case let v as Double: line.add(key, v, format: "%.4f")
                case let v as Int: line.add(key, v)
                case let v as Bool: line.add(key, v)
                default: line.add(key, "\(value)")
                }
            }
            print(line.text)
        } else {
            print(text)
        }
        fflush(stdout)
    }

    /// Median seconds per call of `body`, each sample timing `inner` calls.
    static func median(samples: Int, inner: Int, _ body: () -> Void) -> Double {
        for _ in 0..<Swift.max(1, inner / 4) { body() }
        var times: [Double] = []
        for _ in 0..<samples {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<inner { body() }
            let t1 = DispatchTime.now().uptimeNanoseconds
            times.append(Double(t1 - t0) / 1e9 / Double(inner))
        }
        times.sort()
        return times[times.count / 2]
    }

    static func run(_ options: Options) throws {
        json = options.flag("--json")
        let quick = options.flag("--quick")
        let threadList: [Int]
        if options.values["--threads"] != nil {
            threadList = [try options.int("--threads", default: 1, range: 1...256)]
        } else {
            threadList = [1, 2]
        }
        let suite = options.string("--suite")
        if let suite, !["elementwise", "activation", "matmul", "tape", "memory", "data", "probe", "layers", "scaling"].contains(suite) {
            throw CLIError.badValue(flag: "--suite", value: suite, expected: "elementwise, activation, tape, matmul, memory, data, probe, layers or scaling")
        }
        // Flags that belong to one suite are refused with any other, not silently ignored.
        if options.values["--only"] != nil, suite != "activation" && suite != "scaling" {
            throw CLIError.usage("--only applies to the activation and scaling suites, not --suite \(suite ?? "(all)")")
        }
        if suite == "scaling" {
            let only = options.string("--only")
            if let only, !scalingWorkloads.contains(only) {
                throw CLIError.badValue(flag: "--only", value: only, expected: scalingWorkloads.joined(separator: ", "))
            }
            scaling(threads: threadList, only: only, timed: quick ? 2 : nil, warmup: quick ? 1 : nil)
            return
        }
        if options.values["--steps"] != nil, suite != "memory" {
            throw CLIError.usage("--steps applies to --suite memory")
        }
        let only = options.string("--only")
        if let only, !activationCases.contains(where: { $0.0 == only }) {
            throw CLIError.badValue(flag: "--only", value: only, expected: activationCases.map(\.0).joined(separator: ", "))
        }
        if suite == nil || suite == "elementwise" {
            for n in quick ? [1 << 16] : [1 << 16, 1 << 24] {
                for t in threadList { elementwise(n: n, threads: t) }
            }
        }
        if suite == nil || suite == "activation" {
            for n in quick ? [1 << 16] : [1 << 16, 1 << 24] { activations(n: n, only: only) }
        }
        if suite == nil || suite == "tape" { tape() }
        if suite == nil || suite == "probe" { probe(quick: quick) }
        if suite == "layers" { layers() }
        if suite == "data" { try csvLoad(megabytes: quick ? 10 : 100) }
        if suite == "memory" { try memory(steps: try options.int("--steps", default: 1_000_000, range: 1...100_000_000)) }
        if suite == nil || suite == "matmul" {
            let shapes = quick ? [(64, 784, 128), (256, 256, 256)] : [(32, 64, 128), (64, 784, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024)]
            for t in threadList {
                for (m, k, n) in shapes { matmul(m: m, k: k, n: n, threads: t) }
            }
        }
    }

    /// Seconds for copying `n` floats into an existing buffer (median), split over `threads` as
    /// memory-bound work is: the baseline every elementwise ratio is taken against.
    static func copyTime(n: Int, threads: Int, samples: Int, inner: Int) -> Double {
        let (src, dst) = copyBuffers(n)
        let pieces = Swift.max(1, Swift.min(threads, n / TensorRuntime.memoryBoundGrain))
        nonisolated(unsafe) let s = src
        nonisolated(unsafe) let d = dst
        return median(samples: samples, inner: inner) {
            if pieces == 1 {
                d.update(from: s, count: n)
                return
            }
            let chunk = n / pieces
            DispatchQueue.concurrentPerform(iterations: pieces) { i in
                let start = i * chunk
                (d + start).update(from: s + start, count: i == pieces - 1 ? n - start : chunk)
            }
        }
    }

    /// Source and destination for the copy baseline, allocated and touched once per size.
    nonisolated(unsafe) static var copyBufferCache: [Int: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)] = [:]
    static func copyBuffers(_ n: Int) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        if let b = copyBufferCache[n] { return b }
        let src = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let dst = UnsafeMutablePointer<Float>.allocate(capacity: n)
        src.initialize(repeating: 1, count: n)
        dst.initialize(repeating: 0, count: n)
        copyBufferCache[n] = (src, dst)
        return (src, dst)
    }

    static func elementwise(n: Int, threads: Int) {
        TensorRuntime.threadCount = threads
        let big = n >= 1 << 20
        let samples = big ? 7 : 15
        let inner = big ? 1 : Swift.max(1, (1 << 22) / n)
        let x = Tensor<Float>.randomNormal([n], seed: 1)
        let y = Tensor<Float>.randomNormal([n], seed: 2)
        let positive = x.abs() + 0.5

        // Baseline: copy the same bytes into an existing buffer, on the same threads.
        let copyNs = copyTime(n: n, threads: threads, samples: samples, inner: inner) / Double(n) * 1e9
        emit([("suite", "copy"), ("n", n), ("threads", threads), ("ns_per_elem", copyNs)],
             text: String(format: "copy        n=%-9d threads=%d  %7.3f ns/elem", n, threads, copyNs))

        let ops: [(String, () -> Tensor<Float>)] = [
            ("add", { x + y }),
            ("mul_scalar", { x * 1.5 }),
            ("exp", { x.exp() }),
            ("expm1", { x.expm1() }),
            ("log", { positive.log() }),
            ("log1p", { positive.log1p() }),
            ("tanh", { x.tanh() }),
            ("erf", { x.erf() }),
            ("sigmoid", { x.sigmoid() }),
            ("sqrt", { positive.sqrt() }),
            ("sum", { x.sum() }),
        ]
        for (name, op) in ops {
            let t = median(samples: samples, inner: inner) { _ = op() }
            let ns = t / Double(n) * 1e9
            emit([("suite", "elementwise"), ("name", name), ("n", n), ("threads", threads), ("ns_per_elem", ns), ("ratio_to_copy", ns / copyNs)],
                 text: String(format: "%@ n=%-9d threads=%d  %7.3f ns/elem  %6.2f× copy", name.padding(toLength: 11, withPad: " ", startingAt: 0), n, threads, ns, ns / copyNs))
        }
    }

    /// The activations by the names `anchors/torch_bench.py` uses: forward on a tensor, and
    /// forward + backward with a given output gradient, single-threaded.
    /// One row per element-wise rule of the catalogue (built in or registered by the user) at its
    /// default parameters, in catalogue order: its Tensor form and its Float module.
    static var activationCases: [(String, (Tensor<Float>) -> Tensor<Float>, (Variable<Float>) -> Variable<Float>)] {
        var cases: [(String, (Tensor<Float>) -> Tensor<Float>, (Variable<Float>) -> Variable<Float>)] = []
        for a in ActivationCatalogue.registeredActivations where a.entry.isElementwise {
            if a.isRule {
                guard let spec = try? ActivationSpec(parsing: a.entry.name) else { continue }  // a required parameter
                let layer = spec.makeLayer(Float.self)
                cases.append((a.entry.name, a.forms(Float.self, spec.activationArguments)!.tensor, { v in layer(v) }))
            }
        }
        return cases
    }

    static func activations(n: Int, only: String? = nil) {
        TensorRuntime.threadCount = 1
        let big = n >= 1 << 20
        let samples = big ? 7 : 15
        let inner = big ? 1 : Swift.max(1, (1 << 21) / n)
        let x = Tensor<Float>.randomNormal([n], seed: 1)
        let go = Tensor<Float>.randomNormal([n], seed: 2)
        let xv = Variable(x, requiresGradient: true)
        for (name, forward, differentiable) in activationCases where only == nil || only == name {
            // The copy baseline right before each activation: the machine's speed drifts.
            let copy = copyTime(n: n, threads: 1, samples: samples, inner: inner) / Double(n) * 1e9
            let fwd = median(samples: samples, inner: inner) { _ = forward(x) }
            let both = median(samples: samples, inner: inner) {
                differentiable(xv).backward(seed: go)
                xv.resetGradient()
            }
            let f = fwd / Double(n) * 1e9
            let fb = both / Double(n) * 1e9
            var fields: [(String, Any)] = [
                ("suite", "activation"), ("name", name), ("n", n), ("threads", 1), ("fwd_ns_per_elem", f),
                ("fwdbwd_ns_per_elem", fb), ("copy_ns_per_elem", copy)]
            var text = String(format: "%@ n=%-9d threads=1  fwd %7.3f ns/elem  fwd+bwd %7.3f ns/elem  fwd %5.2f× copy", name.padding(toLength: 11, withPad: " ", startingAt: 0), n, f, fb, f / copy)
            if big {
                // The default configuration (all cores) against a copy on as many threads.
                TensorRuntime.threadCount = 2
                let copy2 = copyTime(n: n, threads: 2, samples: samples, inner: inner) / Double(n) * 1e9
                let f2 = median(samples: samples, inner: inner) { _ = forward(x) } / Double(n) * 1e9
                TensorRuntime.threadCount = 1
                fields += [("fwd2_ns_per_elem", f2), ("copy2_ns_per_elem", copy2)]
                text += String(format: "  | 2 threads fwd %7.3f ns/elem  %5.2f× copy", f2, f2 / copy2)
            }
            emit(fields, text: text)
        }
    }

    /// Autograd overhead on tiny tensors: the anchor's chain of 50 × (tanh, ×1.01) on 8 elements,
    /// a sum and backward — 101 ops, forward and backward.
    static func tape() {
        TensorRuntime.threadCount = 1
        let a = Variable(Tensor<Float>.randomNormal([8], seed: 1), requiresGradient: true)
        let t = median(samples: 15, inner: 200) {
            var y = a
            for _ in 0..<50 { y = y.tanh() * 1.01 }
            y.sum().backward()
            a.resetGradient()
        }
        let x = Tensor<Float>.randomNormal([8], seed: 1)
        let tt = median(samples: 15, inner: 2000) { _ = x * 1.01 }
        if !json { print(String(format: "  (plain Tensor op on 8 elements: %.3f µs)", tt * 1e6)) }
        let us = t / 101 * 1e6
        emit([("suite", "tape"), ("us_per_op", us)], text: String(format: "tape        %.3f µs per op (forward + backward, 8 elements)", us))
    }

    /// Resident memory of this process in bytes (Linux: /proc/self/statm).
    /// The cost of leaving an ActivationProbe on: training steps of the digits MLP
    /// (64-128-64-10, ReLU, Adam, batch 32) with and without it, in 7 alternating pairs; the
    /// median ratio (`tapegrad train --stats` records the same statistics).
    static func probe(quick: Bool) {
        manualSeed(0)
        let model = Sequential<Float> { Linear(64, 128); ReLU(); Linear(128, 64); ReLU(); Linear(64, 10) }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        let x = Variable(Tensor<Float>.randomNormal([32, 64]))
        let labels = (0..<32).map { $0 % 10 }
        let n = quick ? 500 : 4000
        func steps() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n {
                let loss = crossEntropy(logits: model(x), labels: labels)
                optimizer.zeroGradients()
                loss.backward()
                optimizer.step()
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n) / 1000
        }
        _ = steps()
        var ratios: [Double] = []
        var plain: [Double] = []
        for _ in 0..<7 {
            let a = steps()
            let p = ActivationProbe(model, of: Float.self)
            let b = steps()
            p.remove()
            ratios.append(b / a)
            plain.append(a)
        }
        let ratio = ratios.sorted()[3], us = plain.sorted()[3]
        emit([("suite", "probe"), ("us_per_step", us), ("ratio_with_probe", ratio)],
             text: String(format: "probe       %.2f µs per MLP training step; with an ActivationProbe ×%.3f (median of 7 pairs)", us, ratio))
    }

    /// Forward + backward of the sequence and attention layers at small sizes (Float, one
    /// thread), µs per call: Scripts/compare_layers.py runs PyTorch's on the same shapes.
    static func layers() {
        TensorRuntime.threadCount = 1
        manualSeed(0)
        func run(_ name: String, _ shape: String, inner: Int, _ body: () -> Void) {
            let us = median(samples: 11, inner: inner, body) * 1e6
            emit([("suite", "layers"), ("name", name), ("shape", shape), ("us_per_call", us)],
                 text: name.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + shape.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(format: " %9.1f µs forward + backward", us))
        }
        let lstm = Recurrent<Float>(.lstm, inputSize: 32, hiddenSize: 64)
        let sx = Variable(Tensor<Float>.randomNormal([20, 16, 32]), requiresGradient: true)
        run("lstm", "L 20, N 16, 32 → 64", inner: 5) { lstm(sx).sum().backward() }
        let gru = Recurrent<Float>(.gru, inputSize: 32, hiddenSize: 64)
        run("gru", "L 20, N 16, 32 → 64", inner: 5) { gru(sx).sum().backward() }
        let norm = LayerNorm<Float>(256)
        let nx = Variable(Tensor<Float>.randomNormal([64, 256]), requiresGradient: true)
        run("layernorm", "[64, 256]", inner: 50) { norm(nx).sum().backward() }
        let mha = MultiheadAttention<Float>(embedDim: 64, heads: 4, batchFirst: true)
        let ax = Variable(Tensor<Float>.randomNormal([8, 16, 64]), requiresGradient: true)
        run("attention", "N 8, L 16, E 64, 4 heads", inner: 20) { mha(ax).sum().backward() }
        let conv = Conv1d<Float>(16, 32, kernelSize: 5, padding: 2)
        let cx = Variable(Tensor<Float>.randomNormal([8, 16, 128]), requiresGradient: true)
        run("conv1d", "[8, 16, 128], 16 → 32, k 5", inner: 20) { conv(cx).sum().backward() }
        let embed = Embedding<Float>(1000, 64)
        let indices = (0..<640).map { ($0 * 7919) % 1000 }
        run("embedding", "1000 × 64, 32 × 20 lookups", inner: 50) { embed(indices: indices, shape: [32, 20]).sum().backward() }
        sx.resetGradient(); nx.resetGradient(); ax.resetGradient(); cx.resetGradient()
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// The peak resident set size so far (VmHWM), in bytes.
    static func peakResidentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kb * 1024
    }

    /// Loads a digits-like CSV of about `megabytes` MB (label + 64 pixels 0…16 per row, written
    /// in pieces so writing it costs no memory) with `Dataset<Float>(csvAt:)`: throughput in MB/s,
    /// against reading the same bytes with `read(2)` in the same run, and the peak resident
    /// memory the load added, as a multiple of the file size.
    static func csvLoad(megabytes: Int) throws {
        // A fresh file of our own (mkstemp: O_EXCL, never a link someone left), written with
        // write(2) and every error checked.
        var template = Array((FileManager.default.temporaryDirectory.path + "/tapegrad-bench-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw CLIError.file(path: String(cString: template), reason: "cannot create the benchmark file: \(String(cString: strerror(errno)))") }
        let path = String(cString: template)
        defer { unlink(path) }
        func append(_ text: String) throws {
            let bytes = Array(text.utf8)
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, bytes.count - done) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    close(fd)
                    throw CLIError.file(path: path, reason: "cannot write the benchmark file: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        try append("label," + (0..<64).map { "p\($0)" }.joined(separator: ",") + "\n")
        var rows = 0
        var written = 0
        while written < megabytes * 1_000_000 {
            var chunk = ""
            for _ in 0..<1000 {
                chunk += String(rows % 10)
                for c in 0..<64 { chunk += "," + String((rows &* 31 &+ c &* 7) % 17) }
                chunk += "\n"
                rows += 1
            }
            written += chunk.utf8.count
            try append(chunk)
        }
        close(fd)
        let url = URL(fileURLWithPath: path)
        // Baseline: the file read through read(2) into one reused 1 MB buffer.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var readSeconds = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let fd = open(path, O_RDONLY)
            while read(fd, buffer, 1 << 20) > 0 {}
            close(fd)
            readSeconds = Swift.min(readSeconds, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let before = residentBytes()
        var loadSeconds = Double.infinity
        var loaded = 0
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let data = try Dataset<Float>(csvAt: url)
            loadSeconds = Swift.min(loadSeconds, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            loaded = data.count
        }
        let peak = peakResidentBytes() - before
        let mb = Double(written) / 1e6
        emit([("suite", "data"), ("file_mb", mb), ("rows", loaded), ("load_mb_per_s", mb / loadSeconds), ("read_mb_per_s", mb / readSeconds),
              ("load_over_read", loadSeconds / readSeconds), ("peak_rss_over_file", Double(peak) / Double(written))],
             text: String(format: "data        CSV %.1f MB, %d rows: load %.1f MB/s (read(2) alone %.0f MB/s, %.1f× its time); peak memory added %.2f× the file", mb, loaded, mb / loadSeconds, mb / readSeconds, loadSeconds / readSeconds, Double(peak) / Double(written)))
    }

    /// A long loop of small training steps (forward, backward, update) on a tiny MLP, sampling
    /// resident memory: the tape must be freed every step, so memory stays flat after warm-up.
    static func memory(steps: Int) throws {
        TensorRuntime.threadCount = 1
        let x = Variable(Tensor<Float>.randomNormal([4, 8], seed: 1))
        let target = Variable(Tensor<Float>.randomNormal([4, 2], seed: 2))
        var w1 = Variable(Tensor<Float>.randomNormal([8, 16], standardDeviation: 0.3, seed: 3), requiresGradient: true)
        var w2 = Variable(Tensor<Float>.randomNormal([16, 2], standardDeviation: 0.3, seed: 4), requiresGradient: true)
        // At least one warm-up step, so the baseline is always sampled (with fewer than 10 steps
        // a warm-up of steps / 10 = 0 steps never sampled it and reported all memory as growth).
        let warmup = Swift.max(1, Swift.min(steps / 10, 10_000))
        var baseline = 0
        var peak = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var lastLoss: Float = 0
        for step in 1...steps {
            let h = Variable.matmul(x, w1).tanh()
            let d = Variable.matmul(h, w2) - target
            let loss = (d * d).mean()
            loss.backward()
            w1.assign(w1.value - w1.gradient! * 0.01)
            w2.assign(w2.value - w2.gradient! * 0.01)
            w1.resetGradient()
            w2.resetGradient()
            if step == warmup { baseline = residentBytes() }
            if step > warmup && step % 1000 == 0 { peak = Swift.max(peak, residentBytes()) }
            if step == steps { lastLoss = loss.value.scalar }
        }
        let end = residentBytes()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let growth = Double(Swift.max(peak, end) - baseline) / 1e6
        emit([("suite", "memory"), ("steps", steps), ("rss_after_warmup_mb", Double(baseline) / 1e6), ("rss_end_mb", Double(end) / 1e6), ("growth_mb", growth), ("us_per_step", seconds / Double(steps) * 1e6), ("final_loss", Double(lastLoss))],
             text: String(format: "memory      %d steps: RSS %.1f MB after %d warm-up steps, %.1f MB at the end, growth %.2f MB; %.1f µs per step; final loss %.4f", steps, Double(baseline) / 1e6, warmup, Double(end) / 1e6, growth, seconds / Double(steps) * 1e6, Double(lastLoss)))
    }

    static func matmul(m: Int, k: Int, n: Int, threads: Int) {
        TensorRuntime.threadCount = threads
        let a = Tensor<Float>.randomNormal([m, k], seed: 1)
        let b = Tensor<Float>.randomNormal([k, n], seed: 2)
        let flops = 2.0 * Double(m * n * k)
        let inner = Swift.max(1, Int(2e8 / flops))
        let t = median(samples: 7, inner: inner) { _ = Tensor.matmul(a, b) }
        let gflops = flops / t / 1e9
        emit([("suite", "matmul"), ("m", m), ("k", k), ("n", n), ("threads", threads), ("gflops", gflops)],
             text: String(format: "matmul %4d×%4d×%4d threads=%d  %7.1f GFLOP/s", m, k, n, threads, gflops))
    }
}
