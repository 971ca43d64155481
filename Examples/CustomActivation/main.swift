// Two activations that are not in the catalogue, defined as a user would in their own package:
// each is one generic struct conforming to `ElementwiseActivation` (f as a vector kernel, f′ and
// d f′/dx written out), and the library derives the rest — the Tensor and Variable forms (second
// order), the module, the catalogue entry. The script then
//
//   1. registers both, so spec strings ("bent_identity", "sqnl") build them;
//   2. checks f′ and f″ of each with `gradcheck` / `gradgradcheck` in Double at 2,048 points, and
//      the declared values at the kinks, at ±∞ and at NaN;
//   3. trains the digits MLP (64-128-64-10, Adam 1e-3, batch 32, 30 epochs, seed 0) with each;
//   4. times forward + backward on 65,536 Floats against a built-in of the same arithmetic.
//
// The last line of the output is one JSON object with the results. Exit code 1 if a check fails.
//
//     swift run -c release CustomActivation
//
// (Docs/CustomActivations.md walks through this file.)
import Foundation
import NN

// MARK: - The activations

/// The bent identity: f(x) = (√(x² + 1) − 1)/2 + x.
///
/// f′(x) = x/(2√(x² + 1)) + 1 (in (1/2, 3/2)); f″(x) = 1/(2(x² + 1)^{3/2}). Smooth everywhere.
/// √(x² + 1) − 1 is computed as x²/(√(x² + 1) + 1), which does not cancel near 0; beyond |x| = 2³⁰
/// (where x² + 1 rounds to x², and x² overflows Float from 1.8e19) f is x + (|x| − 1)/2, written
/// so that ±∞ map to ±∞, and f′ is 1 ± 1/2. NaN in gives NaN out.
struct BentIdentity<Scalar: TensorScalar>: ElementwiseActivation {
    typealias V = Scalar.Vector
    static var name: String { "bent_identity" }
    static var summary: String { "(√(x² + 1) − 1)/2 + x" }

    init(_ arguments: ActivationArguments) {}

    @inline(__always)
    func value(_ x: V) -> V {
        let one = V(repeating: 1), half = V(repeating: 0.5)
        let xx = x * x
        let smooth = x + half * (xx / ((xx + one).squareRoot() + one))
        let large = Scalar.vLess(V(repeating: 0x1p30), Scalar.vAbs(x))
        let asymptote = Scalar.vSignSelect(x, V(repeating: 0), x) + half * (x - one)
        return Scalar.vSelect(large, asymptote, smooth)
    }

    @inline(__always)
    func derivative(_ x: V) -> V {
        let one = V(repeating: 1), half = V(repeating: 0.5)
        let slope = half * x / (x * x + one).squareRoot()
        // Where x² overflows, x/√(x² + 1) would be ∞/∞: its limit ±1 instead.
        let large = Scalar.vLess(V(repeating: 0x1p30), Scalar.vAbs(x))
        return one + Scalar.vSelect(large, Scalar.vSignSelect(x, -half, half), slope)
    }

    @inline(__always)
    func derivativeOfDerivative(_ x: V) -> V {
        // 1/(2w^{3/2}) as q√q/2 with q = 1/w: 0 at ±∞ (q = 0), no overflow on the way.
        let q = V(repeating: 1) / (x * x + V(repeating: 1))
        return V(repeating: 0.5) * q * q.squareRoot()
    }
}

/// SQNL, the square non-linearity: f(x) = 1 for x > 2, x − x²/4 on [0, 2], x + x²/4 on [−2, 0),
/// −1 for x < −2.
///
/// With t = x clamped to [−2, 2], f = t(1 − |t|/4) and f′ = 1 − |t|/2: f is C¹ (f′ is continuous,
/// 0 at ±2), so it has no first-order kinks. f″ = −1/2 on [0, 2], +1/2 on [−2, 0) and 0 outside:
/// it jumps at −2, 0 and 2 (`secondOrderKinks`), and takes those values there (+1/2 at −2,
/// −1/2 at 0 and at 2; −0 counts as 0). ±∞ map to ±1 with f′ = 0; NaN in gives NaN out (the
/// clamp's comparisons are false for NaN, so it passes through).
struct SQNL<Scalar: TensorScalar>: ElementwiseActivation {
    typealias V = Scalar.Vector
    static var name: String { "sqnl" }
    static var summary: String { "x − x·|x|/4 on [−2, 2], sign(x) outside" }

    init(_ arguments: ActivationArguments) {}

    var secondOrderKinks: [Double] { [-2, 0, 2] }

    /// x clamped to [−2, 2] by two selects (NaN stays NaN).
    @inline(__always)
    func clamped(_ x: V) -> V {
        let two = V(repeating: 2)
        let below = Scalar.vSelect(Scalar.vLess(two, x), two, x)
        return Scalar.vSelect(Scalar.vLess(below, -two), -two, below)
    }

    @inline(__always)
    func value(_ x: V) -> V {
        let t = clamped(x)
        return t * (V(repeating: 1) - Scalar.vAbs(t) * V(repeating: 0.25))
    }

    @inline(__always)
    func derivative(_ x: V) -> V {
        V(repeating: 1) - Scalar.vAbs(clamped(x)) * V(repeating: 0.5)
    }

    @inline(__always)
    func derivativeOfDerivative(_ x: V) -> V {
        let half = V(repeating: 0.5)
        let inside = Scalar.vSelect(Scalar.vLess(x, V(repeating: 0)), half, -half)
        let f2 = Scalar.vSelect(Scalar.vLess(V(repeating: 2), Scalar.vAbs(x)), V(repeating: 0), inside)
        return Scalar.vSelect(Scalar.vEqual(x, x), f2, x)  // NaN stays NaN
    }
}

// MARK: - 1. Registration: spec strings see them

ActivationCatalogue.register(BentIdentity<Float>.self, BentIdentity<Double>.self)
ActivationCatalogue.register(SQNL<Float>.self, SQNL<Double>.self)

var allChecksPass = true
print("== catalogue")
/// The module from the spec string, the module from the rule and the Variable and Tensor forms
/// all give the same values.
func checkForms<Rule: ElementwiseActivation>(_ rule: Rule) throws -> Bool where Rule.Scalar == Float {
    let x = Tensor<Float>([-3, -1, 0, 0.5, 2.5])
    let fromSpec = try ActivationCatalogue.makeLayer(Rule.name, as: Float.self)  // any Layer<Float>
    let module = ActivationLayer(rule)
    let values = [
        fromSpec(Variable(x)).value.scalars, module(Variable(x)).value.scalars,
        Variable(x).activation(rule).value.scalars, x.activation(rule).scalars,
    ]
    let same = fromSpec is ActivationLayer<Rule> && values.allSatisfy { $0 == values[0] }
    print("makeLayer(\"\(Rule.name)\") → \(type(of: fromSpec)); f at \(x.scalars) = \(values[0]) (\(same ? "same as ActivationLayer(rule), x.activation(rule)" : "MISMATCH"))")
    return same
}
allChecksPass = try checkForms(BentIdentity<Float>()) && allChecksPass
allChecksPass = try checkForms(SQNL<Float>()) && allChecksPass
print("listed: \(ActivationCatalogue.names.suffix(3).joined(separator: ", "))")

// MARK: - 2. Derivative checks (Double)

/// 2,048 points in [−6, 6] (seed 0), plus the kinks themselves for SQNL.
var random = TensorRandom(seed: 0)
let points = (0..<2048).map { _ in random.nextUnitDouble() * 12 - 6 }

struct CheckRow {
    var name: String, order: Int, report: GradcheckReport
}
var checkRows: [CheckRow] = []

func check(_ name: String, _ f: @escaping @Sendable (Variable<Double>) -> Variable<Double>, at x: [Double], secondOrderKinks: [Double]) {
    let input = [Tensor<Double>(x)]
    let first = gradcheck({ f($0[0]) }, at: input)
    // f″ jumps at the second-order kinks: finite differences of f′ straddling one are skipped
    // (inputs within 1e-4), as `tapegrad gradcheck` does.
    var options = GradcheckOptions()
    options.kinks = secondOrderKinks.map { Kink(at: $0) }
    let second = gradgradcheck({ f($0[0]) }, at: input, options: options)
    checkRows.append(CheckRow(name: name, order: 1, report: first))
    checkRows.append(CheckRow(name: name, order: 2, report: second))
}

print("\n== gradcheck (Double, \(points.count) points in [−6, 6], full Jacobians, eps 1e-6, atol 1e-5, rtol 1e-3)")
check("bent_identity", { $0.activation(BentIdentity<Double>()) }, at: points, secondOrderKinks: [])
let sqnlKinks = SQNL<Double>().secondOrderKinks
check("sqnl", { $0.activation(SQNL<Double>()) }, at: points + sqnlKinks, secondOrderKinks: sqnlKinks)
print("activation      order  comparisons  skipped  max abs error  max rel error  pass")
for row in checkRows {
    let r = row.report
    print(String(format: "%@ %5d  %11d  %7d  %13.3e  %13.3e  %@", row.name.padding(toLength: 15, withPad: " ", startingAt: 0),
                 row.order, r.comparisons, r.skippedNearKinks, r.maxAbsoluteError, r.maxRelativeError, r.passed ? "yes" : "NO  \(r)"))
}

/// f, f′ and f″ at the given points, in Double (f″ by double backward).
func derivatives(_ f: (Variable<Double>) -> Variable<Double>, at x: [Double]) -> (f: [Double], d1: [Double], d2: [Double]) {
    let v = Variable(Tensor<Double>(x), requiresGradient: true)
    let y = f(v)
    let d1 = gradients(of: y.sum(), withRespectTo: [v], createGraph: true)[0]!
    let d2 = gradients(of: d1.sum(), withRespectTo: [v], allowUnused: true)[0]?.value.scalars ?? x.map { _ in 0 }
    return (y.value.scalars, d1.value.scalars, d2)
}

/// Exact expectations (NaN matches NaN); prints a line and returns whether all hold.
func expectExactly(_ label: String, _ got: [Double], _ want: [Double]) -> Bool {
    let ok = got.count == want.count && zip(got, want).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    print("\(label.padding(toLength: 40, withPad: " ", startingAt: 0)) \(got)  \(ok ? "ok" : "EXPECTED \(want)")")
    return ok
}

print("\nconventions (Double; the same kernels run in Float):")
let inf = Double.infinity
var conventionsHold = true
do {
    let b = derivatives({ $0.activation(BentIdentity<Double>()) }, at: [-inf, inf, .nan, 0])
    conventionsHold = expectExactly("bent_identity f(−∞, ∞, NaN, 0)", b.f, [-inf, inf, .nan, 0]) && conventionsHold
    conventionsHold = expectExactly("bent_identity f′(−∞, ∞, NaN, 0)", b.d1, [0.5, 1.5, .nan, 1]) && conventionsHold
    conventionsHold = expectExactly("bent_identity f″(−∞, ∞, NaN, 0)", b.d2, [0, 0, .nan, 0.5]) && conventionsHold
    let s = derivatives({ $0.activation(SQNL<Double>()) }, at: [-inf, -2, -0.0, 0, 2, inf, .nan])
    conventionsHold = expectExactly("sqnl f(−∞, −2, −0, 0, 2, ∞, NaN)", s.f, [-1, -1, 0, 0, 1, 1, .nan]) && conventionsHold
    conventionsHold = expectExactly("sqnl f′(−∞, −2, −0, 0, 2, ∞, NaN)", s.d1, [0, 0, 1, 1, 0, 0, .nan]) && conventionsHold
    conventionsHold = expectExactly("sqnl f″(−∞, −2, −0, 0, 2, ∞, NaN)", s.d2, [0, 0.5, -0.5, -0.5, -0.5, 0, .nan]) && conventionsHold
    let sf = Tensor<Float>([-.infinity, -2, 2, .infinity, .nan]).activation(SQNL<Float>()).scalars.map(Double.init)
    conventionsHold = expectExactly("sqnl f in Float (−∞, −2, 2, ∞, NaN)", sf, [-1, -1, 1, 1, .nan]) && conventionsHold
    let bf = Tensor<Float>([-.infinity, -1e20, 1e20, .infinity]).activation(BentIdentity<Float>()).scalars.map(Double.init)
    conventionsHold = expectExactly("bent_identity f in Float (−∞, ∓1e20, ∞)", bf, [-inf, Double(Float(-5e19)), Double(Float(1e20) * 1.5), inf]) && conventionsHold
}
let gradcheckPass = checkRows.allSatisfy(\.report.passed) && conventionsHold

// MARK: - 3. Training: the digits MLP with each

struct TrainRow {
    var name: String, accuracy: Double, finalLoss: Double, msPerEpoch: Double
}

/// 64-128-64-10 with the activation built from `spec` by the catalogue, Adam 1e-3, batch 32, seed 0.
func trainDigits(_ spec: String, epochs: Int) throws -> TrainRow {
    let digits = try Dataset<Float>.digits()
    let (trainSet, testSet) = digits.split(at: digits.count - 360)
    manualSeed(0)
    var generator = TensorRandom(seed: 0)
    let model = try Sequential<Float> {
        Linear(64, 128)
        try ActivationCatalogue.makeLayer(spec, as: Float.self)
        Linear(128, 64)
        try ActivationCatalogue.makeLayer(spec, as: Float.self)
        Linear(64, 10)
    }
    let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 1e-3)
    var loss = 0.0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 1...epochs {
        model.train()
        var total = 0.0
        for (x, y) in trainSet.batches(size: 32, generator: &generator) {
            let l = crossEntropy(logits: model(Variable(x)), labels: y)
            optimizer.zeroGradients()
            l.backward()
            optimizer.step()
            total += Double(l.value.scalars[0]) * Double(y.count)
        }
        loss = total / Double(trainSet.count)
    }
    let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(epochs)
    model.eval()
    let predicted = withoutGradients { model(Variable(testSet.features)).value.argmax(alongAxis: 1) }
    let accuracy = Double(zip(predicted, testSet.labels).filter { $0 == $1 }.count) / Double(testSet.count)
    return TrainRow(name: spec, accuracy: accuracy, finalLoss: loss, msPerEpoch: ms)
}

let epochs = 30
print("\n== digits MLP 64-128-64-10, Adam lr 1e-3, batch 32, \(epochs) epochs, seed 0 (1,437 train / 360 test rows)")
print("activation      test accuracy  final train loss  ms/epoch")
var trainRows: [TrainRow] = []
for spec in ["bent_identity", "sqnl", "relu"] {
    let row = try trainDigits(spec, epochs: epochs)
    trainRows.append(row)
    print(String(format: "%@ %13.4f  %16.4f  %8.1f%@", spec.padding(toLength: 15, withPad: " ", startingAt: 0),
                 row.accuracy, row.finalLoss, row.msPerEpoch, spec == "relu" ? "   (built-in, for reference)" : ""))
}

// MARK: - 4. Speed: forward + backward against built-ins of the same arithmetic

// One thread (as the project's activation bars), 65,536 Floats ~ N(0, 2²) (both sides of every
// kink), the output gradient fixed. The cases are timed in interleaved rounds, so drift on a
// shared machine hits all of them alike; each figure is the median over the rounds.
TensorRuntime.threadCount = 1
let n = 65_536
let benchX = Tensor<Float>.randomNormal([n], standardDeviation: 2, seed: 1)
let benchG = Tensor<Float>.randomNormal([n], seed: 2)
let benchV = Variable(benchX, requiresGradient: true)

struct Case {
    let name: String
    let forward: (Tensor<Float>) -> Tensor<Float>
    let differentiable: (Variable<Float>) -> Variable<Float>
    var fwd: [Double] = []
    var both: [Double] = []
}
// ISRU, the built-in rule of similar arithmetic, by its catalogue name: the forms the registry
// holds for it (made where its type is known, so specialized as a direct call would be).
let isru = ActivationCatalogue.registered(named: "isru")!.forms(Float.self, try ActivationSpec(parsing: "isru").activationArguments)!
var cases: [Case] = [
    Case(name: "bent_identity", forward: { $0.activation(BentIdentity<Float>()) }, differentiable: { $0.activation(BentIdentity<Float>()) }),
    Case(name: "isru", forward: isru.tensor, differentiable: isru.function),
    Case(name: "softsign", forward: { $0.softsign() }, differentiable: { $0.softsign() }),
    Case(name: "sqnl", forward: { $0.activation(SQNL<Float>()) }, differentiable: { $0.activation(SQNL<Float>()) }),
    Case(name: "hardtanh", forward: { $0.hardtanh() }, differentiable: { $0.hardtanh() }),
    Case(name: "hardswish", forward: { $0.hardswish() }, differentiable: { $0.hardswish() }),
]
// The same activations as modules from spec strings, called through `any Layer` as a model
// calls its layers.
for name in cases.map(\.name) {
    let layer = try ActivationCatalogue.makeLayer(name, as: Float.self)
    cases.append(Case(name: name + " (module)", forward: { layer(Variable($0)).value }, differentiable: { layer($0) }))
}

/// Nanoseconds per element of one call of `body`, over `inner` calls.
func nsPerElement(inner: Int, _ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<inner { body() }
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(inner) / Double(n)
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let inner = 32, rounds = 41
for i in cases.indices {  // warm-up: buffers, caches, lazily built metadata
    _ = nsPerElement(inner: inner) { _ = cases[i].forward(benchX) }
    _ = nsPerElement(inner: inner) { cases[i].differentiable(benchV).backward(seed: benchG); benchV.resetGradient() }
}
for _ in 0..<rounds {
    for i in cases.indices {
        let c = cases[i]
        cases[i].fwd.append(nsPerElement(inner: inner) { _ = c.forward(benchX) })
        cases[i].both.append(nsPerElement(inner: inner) { c.differentiable(benchV).backward(seed: benchG); benchV.resetGradient() })
    }
}

func fwdbwd(_ name: String) -> Double { median(cases.first { $0.name == name }!.both) }
func fwd(_ name: String) -> Double { median(cases.first { $0.name == name }!.fwd) }

print("\n== speed: Float, n = 65,536, 1 thread, median of \(rounds) interleaved rounds of \(inner) calls (ns per element)")
print("activation               fwd     fwd+bwd   kind")
for c in cases {
    let base = c.name.split(separator: " ").first.map(String.init) ?? c.name
    let kind = base == "bent_identity" || base == "sqnl" ? "ours (user rule)" : base == "isru" ? "built-in rule" : "built-in kernel"
    print(String(format: "%@ %6.3f  %8.3f   %@", c.name.padding(toLength: 24, withPad: " ", startingAt: 0), median(c.fwd), median(c.both), kind))
}
let pairs: [(String, String, String)] = [
    ("bent_identity", "isru", "one √ and one division per element each way (JSON: modules)"),
    ("bent_identity", "softsign", "division-based, hand-written kernels (reference)"),
    ("sqnl", "hardtanh", "clamp by two selects, mask on backward (JSON: modules)"),
    ("sqnl", "hardswish", "piecewise quadratic with selects, divides by 3 and 6 (reference)"),
]
// The JSON takes the module ratios: there both sides run fully specialized code (the built-in
// modules are specialized for Float in NN; their Variable methods, called from this module, enter
// generic code first, a few µs per call).
print("\nratio ours/built-in     fwd   fwd+bwd  modules: fwd  fwd+bwd   same arithmetic")
for (ours, builtin, why) in pairs {
    let (om, bm) = (ours + " (module)", builtin + " (module)")
    print(String(format: "%@ %5.2f   %6.2f         %5.2f   %6.2f   %@", "\(ours)/\(builtin)".padding(toLength: 22, withPad: " ", startingAt: 0),
                 fwd(ours) / fwd(builtin), fwdbwd(ours) / fwdbwd(builtin), fwd(om) / fwd(bm), fwdbwd(om) / fwdbwd(bm), why))
}

// MARK: - The result

let accuracy = Dictionary(uniqueKeysWithValues: trainRows.map { ($0.name, $0.accuracy) })
let json = String(
    format: "{\"custom_activations\": [\"bent_identity\", \"sqnl\"], \"gradcheck_pass\": %@, \"test_accuracy\": {\"bent_identity\": %.4f, \"sqnl\": %.4f}, \"fwdbwd_ratio_vs_builtin\": {\"bent_identity\": %.3f, \"sqnl\": %.3f}}",
    gradcheckPass ? "true" : "false", accuracy["bent_identity"]!, accuracy["sqnl"]!,
    fwdbwd("bent_identity (module)") / fwdbwd("isru (module)"), fwdbwd("sqnl (module)") / fwdbwd("hardtanh (module)"))
print(json)
if !gradcheckPass || !allChecksPass { exit(1) }
