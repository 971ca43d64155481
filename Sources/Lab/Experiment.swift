// The activation lab: experiments that measure the claims of the articles this project grew
// from (../shared/seeds; Docs/Experiments.md), run by `tapegrad experiment NAME`. Each states
// the claim, where it comes from, the literature's figure, ours, and a verdict.
import Foundation
import NN

/// How an experiment runs: full (the documented figures) or quick (a smaller version for tests
/// and a first look), and over how many seeds where training is involved.
public struct ExperimentOptions: Sendable {
    public var quick: Bool
    /// nil: the experiment's own default (full and quick differ).
    public var seeds: Int?

    public init(quick: Bool = false, seeds: Int? = nil) {
        self.quick = quick
        self.seeds = seeds
    }

    /// The seed count: the option, else `full` or `quick`.
    public func seedCount(full: Int, quick q: Int) -> Int { seeds ?? (quick ? q : full) }
}

/// How our figure compares with the claim.
public enum Verdict: String, Sendable {
    case reproduced
    case partly
    case notReproduced = "not reproduced"
    case contradicted
}

/// A JSON value for the experiments' key figures (`--json`).
public indirect enum JSON: Sendable, Equatable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.text == b.text }

    /// Compact JSON; a non-finite number is written as null (JSON has no NaN or ∞).
    public var text: String {
        switch self {
        case .number(let x):
            if !x.isFinite { return "null" }
            if x == x.rounded() && Swift.abs(x) < 1e15 { return String(Int64(x)) }
            return String(format: "%.6g", x)
        case .string(let s): return Self.quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { Self.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (NN's, the one the checkpoint headers use).
    static func quoted(_ s: String) -> String { jsonStringLiteral(s) }

    /// The value at `key` of an object (nil otherwise).
    public subscript(key: String) -> JSON? {
        if case .object(let fields) = self { return fields.first { $0.0 == key }?.1 }
        return nil
    }

    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }
    public var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
}

extension JSON {
    public init(_ x: Double) { self = .number(x) }
    public init(_ xs: [Double]) { self = .array(xs.map(JSON.number)) }
}

/// What an experiment reports: the claim and verdict, a table, key figures and a picture.
public struct ExperimentReport: Sendable {
    public var name: String
    /// The claim, in one sentence.
    public var claim: String
    /// Where the claim comes from: the seed article(s) and the paper behind it.
    public var source: String
    /// The literature's figure.
    public var literature: String
    /// Ours, in one sentence with the numbers.
    public var ours: String
    public var verdict: Verdict
    /// The table: a header row, then rows.
    public var header: [String]
    public var rows: [[String]]
    /// The key figures for `--json` (an object).
    public var figures: [(String, JSON)]
    /// An SVG picture (nil when the table says it all).
    public var svg: String?
    /// Notes on the setup (sizes, seeds, optimizer) printed under the table.
    public var setup: String

    /// The figures as one JSON object, with the name and verdict first.
    public var json: JSON {
        .object([("experiment", .string(name)), ("verdict", .string(verdict.rawValue))] + figures)
    }

    /// The table as aligned text.
    public var tableText: String {
        let all = [header] + rows
        let widths = (0..<header.count).map { c in all.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, s in s + String(repeating: " ", count: Swift.max(0, widths[c] - s.count)) }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
    }

    /// The table as Markdown (Docs/Experiments.md).
    public var markdownTable: String {
        let esc: (String) -> String = { $0.replacingOccurrences(of: "|", with: "\\|") }
        return (["| " + header.map(esc).joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
            + rows.map { "| " + $0.map(esc).joined(separator: " | ") + " |" }).joined(separator: "\n")
    }
}

/// One experiment.
public struct Experiment {
    public let name: String
    /// One line for `--list`.
    public let summary: String
    public let run: (ExperimentOptions) throws -> ExperimentReport
}

/// Every experiment, in the order of Docs/Experiments.md.
public enum Experiments {
    public static let all: [Experiment] = [
        LinearCollapse.experiment,
        VanishingGradient.experiment,
        DeadReLU.experiment,
        SELUFixedPoint.experiment,
        MaxoutConvex.experiment,
        SwishLimits.experiment,
        Saturation.experiment,
        ZeroMean.experiment,
        ReLUVersusTanh.experiment,
        PReLUDepth.experiment,
        RReLUSmallData.experiment,
        BoundedQuantization.experiment,
        DepthSweep.experiment,
        LeakySlope.experiment,
    ]

    public static func named(_ name: String) -> Experiment? { all.first { $0.name == name } }
}

// MARK: - Helpers shared by the experiments

/// Mean and sample standard deviation.
func meanAndSD(_ xs: [Double]) -> (mean: Double, sd: Double) {
    guard !xs.isEmpty else { return (.nan, .nan) }
    let m = xs.reduce(0, +) / Double(xs.count)
    guard xs.count > 1 else { return (m, 0) }
    let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
    return (m, v.squareRoot())
}

/// "0.912 ± 0.008".
func pm(_ xs: [Double], _ digits: Int = 3) -> String {
    let (m, s) = meanAndSD(xs)
    return String(format: "%.\(digits)f ± %.\(digits)f", m, s)
}

func fmt(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
func sci(_ x: Double) -> String { String(format: "%.2e", x) }

/// The shipped digits, split as `tapegrad train` does (1,437 training rows, the last 360 for test).
func digitsSplit() throws -> (train: Dataset<Float>, test: Dataset<Float>) {
    let data = try Dataset<Float>.digits()
    return data.split(at: data.count - 360)
}

/// Accuracy of `model` on `data` (evaluation mode, no gradients; mode restored).
func accuracy(_ model: any Layer<Float>, _ data: Dataset<Float>, reshape: (Tensor<Float>) -> Tensor<Float> = { $0 }) -> Double {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    let predicted = withoutGradients { model(Variable(reshape(data.features))).value.argmax(alongAxis: 1) }
    return Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(data.count)
}

/// One epoch of minibatch training with cross-entropy; returns the mean loss (NaN if it diverged).
@discardableResult
func trainEpoch(
    _ model: any Layer<Float>, _ optimizer: some Optimizer<Float>, _ data: Dataset<Float>, batchSize: Int,
    generator: inout TensorRandom, reshape: (Tensor<Float>) -> Tensor<Float> = { $0 }
) -> Double {
    model.train()
    var total = 0.0
    for (x, labels) in data.batches(size: batchSize, generator: &generator) {
        let loss = crossEntropy(logits: model(Variable(reshape(x))), labels: labels)
        optimizer.zeroGradients()
        loss.backward()
        optimizer.step()
        total += Double(loss.value.scalars[0]) * Double(labels.count)
    }
    return total / Double(data.count)
}

/// An MLP: `widths` from input to output, `activation` between the Linear layers.
func mlp(_ widths: [Int], activation: () -> any Layer<Float>) -> Sequential<Float> {
    var layers: [any Layer<Float>] = []
    for i in 0..<(widths.count - 1) {
        layers.append(Linear(widths[i], widths[i + 1]))
        if i < widths.count - 2 { layers.append(activation()) }
    }
    return Sequential(layers)
}

/// Re-draws every Linear layer's weight from N(0, gain²/fan-in) and zeroes its bias: the usual
/// initialization for an activation (gain √2 for the ReLU family, 5/3 tanh, 1 sigmoid and SELU),
/// where PyTorch's default (uniform in ±1/√fan-in, gain ≈ 0.58) shrinks the signal in deep nets.
func reinitialize(_ model: Module, gain: Double, seed: UInt64) {
    var g = TensorRandom(seed: seed &+ 7919)
    for (_, module) in model.namedModules() {
        guard let linear = module as? Linear<Float> else { continue }
        for (name, p) in linear.namedParameters(of: Float.self) {
            let shape = p.value.shape
            if name == "weight" {
                p.assign(Tensor<Float>.randomNormal(shape, standardDeviation: Float(gain / Double(shape[1]).squareRoot()), using: &g))
            } else {
                p.assign(Tensor<Float>.zeros(shape))
            }
        }
    }
}

/// The activation module for a catalogue spec ("relu", "leaky_relu:negative_slope=0.2").
func activation(_ spec: String) -> any Layer<Float> {
    // The specs are written in this file: a failure is a programming mistake.
    try! ActivationCatalogue.makeLayer(spec, as: Float.self)
}
