import Foundation
import NN

/// A command of the tool: its name, its help text, the options it takes and what it runs (nil
/// for `help`, which main.swift answers). The one list the dispatcher, `tapegrad help` and the
/// did-you-mean hints read: a new command is one entry here.
struct CLICommand {
    let name: String
    let help: String
    let allowed: Set<String>
    /// How many plain arguments (not flags) the command takes (`experiment NAME`: 1).
    var positional = 0
    let run: ((Options) throws -> Void)?

    init(name: String, help: String, allowed: Set<String>, positional: Int = 0, run: ((Options) throws -> Void)?) {
        self.name = name
        self.help = help
        self.allowed = allowed
        self.positional = positional
        self.run = run
    }
}

/// The commands, in the order `tapegrad help` lists them.
let commands: [CLICommand] = [
    CLICommand(name: "train", help: """
        train   the main job: train a model on the shipped digits data, report test accuracy
                --model mlp|cnn|maxout (mlp: 64-128-64-10; cnn: two 3×3 conv layers; maxout: maxout units,
                  no separate activation)
                --activation SPEC (see 'tapegrad list'; default relu)  --epochs N (30)  --batch-size N (32)
                --optimizer adam|adamw|sgd|rmsprop|adagrad (adam)  --lr X (the optimizer's default: adam/adamw
                  0.001, sgd 0.1, rmsprop and adagrad 0.01)  --seed N (0)  --threads N (1)
                --compare a,b,c  --json  --save PATH  --plot PATH (default runs/train_<activation>.svg)
                --data PATH  --quiet  --stats (per-epoch activation and gradient statistics)
                --clip-norm X (scale the gradients to total norm ≤ X before each step)
                --resume PATH (continue a --save checkpoint until --epochs in total, bit for bit)
                --validation F (hold out that fraction of the training rows)  --early-stopping N (stop after
                  N epochs without a better validation loss)  --history PATH (one JSON line per epoch)
                --augment-shift K (shift training images by up to K pixels each epoch)
                --task classification|regression (regression: an MLP with MSE on --data, a CSV whose last column
                  is the target, or on a generated data set; reports test RMSE and R²)
        """, allowed: TrainCommand.allowed, run: { try TrainCommand.run($0) }),
    CLICommand(name: "demo", help: """
        demo    softmax regression on the shipped digits data, gradients by hand
                --data PATH  --epochs N (default 30)  --seed N (default 0)
        """, allowed: ["--data", "--epochs", "--seed"], run: { try Demo.run($0) }),
    CLICommand(name: "gradcheck", help: """
        gradcheck  first and second derivatives of every activation vs finite differences (Double)
                --points N (default 2048)  --activation SPEC  --json; exit code 1 if any fails
        """, allowed: ["--json", "--points", "--activation"], run: { try GradcheckCommand.run($0) }),
    CLICommand(name: "plot", help: """
        plot    SVG pictures of f and f′ for every activation
                --output DIR (default runs/plots; 'tapegrad plot --output Docs/plots' regenerates the docs' pictures)
                --activation NAME
        """, allowed: ["--output", "--activation"], run: { try PlotCommand.run($0) }),
    CLICommand(name: "list", help: """
        list    every activation: name, parameters with defaults, description
                --json (one object per line)  --markdown (the table in Docs/Activations.md)
        """, allowed: ["--json", "--markdown"], run: { try ListCommand.run($0) }),
    CLICommand(name: "bench", help: """
        bench   benchmarks: elementwise vs a same-run copy, matmul GFLOP/s
                --json  --quick  --threads N (default: both 1 and 2)  --suite elementwise|activation|tape|matmul|memory|data|probe|layers|scaling
                --steps N (memory suite, default 1000000)  --only NAME (activation suite: that activation only;
                  scaling suite: mlp128, mlp32, cnn, conv or linear, the MNIST-size workloads of torch_scaling.py)
        """, allowed: ["--json", "--quick", "--threads", "--suite", "--steps", "--only"], run: { try Bench.run($0) }),
    CLICommand(name: "longrun", help: """
        longrun leak check: trains a small MLP (Linear/ReLU, Adam, cross-entropy) for many steps,
                sampling RSS, live tensor storages and live graph nodes
                --steps N (default 1000000)  --samples N (default 20)  --json
        """, allowed: LongRunCommand.allowed, run: { try LongRunCommand.run($0) }),
    CLICommand(name: "experiment", help: """
        experiment  the activation lab: measures a claim of the source articles (Docs/Experiments.md)
                NAME (see --list)  --list  --quick  --seeds N  --json (ends with one JSON object)
                --output DIR (SVGs; default runs/experiments)  NAME 'all' runs every experiment
                --markdown (print the results page; 'tapegrad experiment all --markdown
                  --output Docs/plots/experiments > Docs/Experiments.md' regenerates the docs)
        """, allowed: ExperimentCommand.allowed, positional: 1, run: { try ExperimentCommand.run($0) }),
    CLICommand(name: "import-caffe", help: """
        import-caffe  a Caffe net (prototxt) as a Tapegrad module graph, with its .caffemodel weights (Docs/Interop.md)
                NET.prototxt  --weights W.caffemodel  --summary (layers, shapes, parameters)
                --save OUT.safetensors (the weights, for Swift code or export-onnx --caffe)
                --save-caffemodel OUT.caffemodel (the weights written back in Caffe's format)
        """, allowed: ImportCaffeCommand.allowed, positional: 1, run: { try ImportCaffeCommand.run($0) }),
    CLICommand(name: "export-onnx", help: """
        export-onnx  a model as an ONNX file (opset 20, dynamic batch) for ONNX Runtime (Docs/Interop.md)
                --model mlp|cnn|maxout  --activation SPEC  --checkpoint F.safetensors (from 'train --save';
                  the model and activation come from it)  --output F.onnx
                --caffe NET.prototxt (a Caffe net instead; weights from --weights W.caffemodel or --checkpoint)
                --reference F.safetensors (the 360 test digits, or 64 seeded rows for --caffe, with our outputs)
                --catalogue DIR (one model per catalogue activation, each with a reference file)
        """, allowed: ExportONNXCommand.allowed, run: { try ExportONNXCommand.run($0) }),
    CLICommand(name: "help", help: """
        help    this text; 'tapegrad help COMMAND' (or 'tapegrad COMMAND --help') for one command
        """, allowed: [], run: nil),
]

let usage = "usage: tapegrad <command> [options]\n" + commands.map { "  " + $0.help.replacingOccurrences(of: "\n", with: "\n  ") }.joined(separator: "\n")

/// Errors from outside the program (flags, files): reported on one line, exit code 2.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case badValue(flag: String, value: String, expected: String)
    case file(path: String, reason: String)

    /// One line: control characters in flag values and paths are escaped, the length capped.
    var description: String { oneLine(rawDescription) }

    private var rawDescription: String {
        switch self {
        case .usage(let s): return "\(s) (see 'tapegrad help')"
        case .badValue(let f, let v, let e): return "\(f) \(v): expected \(e)"
        case .file(let p, let r): return "\(p): \(r)"
        }
    }
}

/// Parsed `--flag value` / `--flag=value` options and `--switch` flags.
///
/// A value flag needs a value that is not empty (`--save ""`, `--save=` and a trailing
/// `--save` are errors, never "absent"); a switch (`--json`, `--quick`, `--quiet`) takes none
/// (`--json=false` is an error, and a word after it is an unexpected argument).
struct Options {
    /// The flags that take no value, in every command.
    static let switches: Set<String> = ["--json", "--quick", "--quiet", "--markdown", "--list", "--stats", "--summary"]

    var values: [String: String] = [:]
    /// The plain arguments, at most `positional` of them.
    var positional: [String] = []

    init(_ args: [String], allowed: Set<String>, positional maxPositional: Int = 0) throws {
        var i = 0
        while i < args.count {
            let a = args[i]
            guard a.hasPrefix("--") else {
                guard positional.count < maxPositional else { throw CLIError.usage("unexpected argument '\(a)'") }
                positional.append(a)
                i += 1
                continue
            }
            let parts = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0]
            guard allowed.contains(name) else {
                let hint = nearestName(to: name, in: allowed.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
                throw CLIError.usage("unknown option '\(name)'\(hint)")
            }
            if Self.switches.contains(name) {
                guard parts.count == 1 else {
                    throw CLIError.usage("\(name) takes no value (got '\(a)'); give \(name) alone to turn it on, leave it out to keep it off")
                }
                values[name] = ""
                i += 1
                continue
            }
            let value: String
            if parts.count == 2 {
                value = parts[1]
            } else if i + 1 < args.count && !args[i + 1].hasPrefix("--") {
                value = args[i + 1]
                i += 1
            } else {
                throw CLIError.badValue(flag: name, value: "(missing)", expected: "a value after it")
            }
            guard !value.isEmpty else {
                throw CLIError.badValue(flag: name, value: "(empty)", expected: "a value that is not empty (leave the flag out for its default)")
            }
            values[name] = value
            i += 1
        }
    }

    func flag(_ name: String) -> Bool { values[name] != nil }

    func int(_ name: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = values[name] else { return d }
        guard let n = Int(v), range.contains(n) else {
            throw CLIError.badValue(flag: name, value: v, expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    func double(_ name: String, default d: Double, range: ClosedRange<Double>) throws -> Double {
        guard let v = values[name] else { return d }
        guard let x = Double(v), x.isFinite, range.contains(x) else {
            throw CLIError.badValue(flag: name, value: v, expected: "a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return x
    }

    func string(_ name: String) -> String? { values[name] }
}

/// Writes `text` to standard error, ignoring failures: a closed or full standard error
/// (`2>/dev/full`) must not crash a run (Foundation's `FileHandle.write` traps on an error).
func printError(_ text: String) {
    _ = text.withCString { fputs($0, stderr) }
    fflush(stderr)
}
