import Foundation
import Testing
import TestSupport

@testable import NN

/// The fixture written by Scripts/torch_activation_reference.py (PyTorch's values, exact).
struct TorchFixture: Decodable {
    struct Series: Decodable {
        let x, w, y, dx: [String]
        let y64, dx64: [String]?
        /// The slopes torch drew (rrelu_training), replayed with `rrelu(slopes:)`.
        let slopes: [String]?
    }
    struct Entry: Decodable {
        let params: [String: Double]
        /// The Tapegrad catalogue spec of the entry ("elu:alpha=0.5").
        let spec: String
        let float: Series
        let double: Series
    }
    struct PReLUChannels: Decodable {
        let shape: [Int]
        let x, alpha, w, y, dx, dalpha: [String]
    }
    let torch: String
    let activations: [String: Entry]
    let prelu_per_channel: PReLUChannels

    static let shared: TorchFixture = {
        let url = Bundle.module.url(forResource: "torch_activations", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TorchFixture.self, from: Data(contentsOf: url))
    }()
}

func parse(_ s: [String]) -> [Double] { s.map { Double($0)! } }

/// Tapegrad's side of each fixture entry, for any scalar type: the module the entry's catalogue
/// spec builds (the registry's own path from a spec string to an activation), except where the
/// activation has state of its own to set — PReLU's slope and RReLU's slopes — which go through
/// the function forms with the values PyTorch used.
func apply<S: TensorScalar>(_ name: String, _ spec: String, _ params: [String: Double], _ x: Variable<S>, slopes: [Double]? = nil) -> Variable<S> {
    switch name {
    case "prelu": return x.prelu(alpha: Variable(Tensor<S>([S(params["alpha"]!)])))
    // Evaluation mode: the mean slope, computed as torch does (in Double, then rounded).
    case "rrelu": return x.rrelu(slopes: Tensor(S((params["lower"]! + params["upper"]!) / 2)))
    case "rrelu_training": return x.rrelu(slopes: Tensor<S>(slopes!.map { S($0) }))
    default:
        let layer = try! ActivationCatalogue.makeLayer(spec, as: S.self)
        return layer(x)
    }
}

/// Forward values and ∂ sum(f(x)·w)/∂x, computed by Tapegrad.
func evaluate<S: TensorScalar>(_ name: String, _ params: [String: Double], x: [Double], w: [Double], slopes: [Double]? = nil,
                                as _: S.Type) -> (y: [S], dx: [S]) {
    let xv = Variable(Tensor<S>(x.map { S($0) }), requiresGradient: true)
    let y = apply(name, TorchFixture.shared.activations[name]!.spec, params, xv, slopes: slopes)
    (y * Variable(Tensor<S>(w.map { S($0) }))).sum().backward()
    return (y.value.scalars, xv.gradient!.scalars)
}

@Suite struct ActivationConformanceTests {
    /// Every built-in activation of the registry is compared with PyTorch through the spec its
    /// fixture entry names, or is listed above with what checks it instead.
    @Test func everyCatalogueActivationIsCheckedAgainstPyTorch() throws {
        let specs = try TorchFixture.shared.activations.values.map { try ActivationSpec(parsing: $0.spec).name }
        let covered = Set(specs)
        for e in ActivationCatalogue.builtIn.map(\.entry) {
            #expect(covered.contains(e.name) != (OpInfoTable.withoutPyTorchCounterpart[e.name] != nil),
                    "\(e.name): \(covered.contains(e.name) ? "has a fixture and is also listed as without one" : "no PyTorch fixture entry and not listed as without one")")
        }
        #expect(Set(OpInfoTable.withoutPyTorchCounterpart.keys).isSubset(of: Set(ActivationCatalogue.names)))
    }

    @Test func preluPerChannelParameterGradientMatchesPyTorch() {
        let e = TorchFixture.shared.prelu_per_channel
        let x = Variable(Tensor<Double>(shape: e.shape, scalars: parse(e.x)), requiresGradient: true)
        let alpha = Variable(Tensor<Double>(parse(e.alpha)), requiresGradient: true)
        let y = x.prelu(alpha: alpha)
        (y * Variable(Tensor<Double>(shape: e.shape, scalars: parse(e.w)))).sum().backward()
        for (ours, theirs) in [(y.value.scalars, parse(e.y)), (x.gradient!.scalars, parse(e.dx)), (alpha.gradient!.scalars, parse(e.dalpha))] {
            for (a, b) in zip(ours, theirs) { #expect(relativeMatch(a, b, 1e-10), "\(a) vs \(b)") }
        }
    }

    /// Whether the entry's derivative is computed from its output (sigmoid's y(1 − y), tanh's
    /// 1 − y², as PyTorch's): where y is near ±1 that form cancels, so its error is absolute —
    /// a few ulps of 1 times |g| — not relative, in PyTorch as here.
    static func derivativeReadsOutput(_ name: String) -> Bool {
        let spec = TorchFixture.shared.activations[name]!.spec
        return (try? ActivationSpec(parsing: spec)).flatMap { ActivationCatalogue.registered(named: $0.name)?.derivativeInput } == .output
    }

    /// Float forward tolerances (ulps of the float64 reference) above the default 4, with why.
    static let floatValueUlps: [String: Double] = [
        // β·x is rounded to Float before the sigmoid (as PyTorch's float32 does); x·σ′ amplifies it.
        "swish_beta1.5": 8,
    ]

    @Test(arguments: TorchFixture.shared.activations.keys.sorted())
    func doubleMatchesPyTorch(_ name: String) {
        let e = TorchFixture.shared.activations[name]!
        let (y, dx) = evaluate(name, e.params, x: parse(e.double.x), w: parse(e.double.w), slopes: e.double.slopes.map(parse), as: Double.self)
        let refY = parse(e.double.y)
        let refDx = parse(e.double.dx)
        let w = parse(e.double.w)
        let fromOutput = Self.derivativeReadsOutput(name)
        // PyTorch's float64 sigmoid flushes results below the normal range to 0 (x ≲ −708); ours
        // keeps the subnormal value e^x, which is the correctly rounded one.
        func flushed(_ a: Double, _ b: Double) -> Bool { b == 0 && Swift.abs(a) < Double.leastNormalMagnitude }
        for i in 0..<y.count {
            #expect(relativeMatch(y[i], refY[i], 1e-10) || flushed(y[i], refY[i]), "\(name) y at x=\(e.double.x[i]): \(y[i]) vs \(refY[i])")
            let absolute = fromOutput && Swift.abs(dx[i] - refDx[i]) <= 4 * Double.ulpOfOne * Swift.abs(w[i])
            #expect(relativeMatch(dx[i], refDx[i], 1e-10) || flushed(dx[i], refDx[i]) || absolute, "\(name) dx at x=\(e.double.x[i]): \(dx[i]) vs \(refDx[i])")
        }
    }

    @Test(arguments: TorchFixture.shared.activations.keys.sorted())
    func floatIsWithinUlpsOfTheDoubleReference(_ name: String) {
        let e = TorchFixture.shared.activations[name]!
        let (y, dx) = evaluate(name, e.params, x: parse(e.float.x), w: parse(e.float.w), slopes: e.float.slopes.map(parse), as: Float.self)
        let refY = parse(e.float.y64!)
        let refDx = parse(e.float.dx64!)
        let w = parse(e.float.w)
        let fromOutput = Self.derivativeReadsOutput(name)
        let valueUlps = Self.floatValueUlps[name] ?? 4
        for i in 0..<y.count {
            #expect(ulpError(y[i], refY[i]) <= valueUlps, "\(name) y at x=\(e.float.x[i]): \(y[i]) vs \(refY[i])")
            let absolute = fromOutput && Swift.abs(Double(dx[i]) - refDx[i]) <= 4 * Double(Float.ulpOfOne) * Swift.abs(w[i])
            #expect(ulpError(dx[i], refDx[i]) <= 8 || absolute, "\(name) dx at x=\(e.float.x[i]): \(dx[i]) vs \(refDx[i])")
        }
    }

    /// The kinks of the piecewise entries, all among the fixture's edge points (±0 both).
    static let kinks: [String: [Double]] = [
        "hardswish": [-3, 3], "rrelu": [0, -0.0], "abs": [0, -0.0], "rrelu_training": [0, -0.0],
        "hardsigmoid": [-3, 3], "relu": [0, -0.0], "leaky_relu": [0, -0.0], "leaky_relu_slope0.2": [0, -0.0],
        "prelu": [0, -0.0], "relu6": [0, -0.0, 6], "bounded_relu_n3": [0, -0.0, 3], "hardtanh": [-1, 1],
        "threshold": [1], "threshold_-3_0": [-3], "softshrink_lambda3": [-3, 3], "hardshrink_lambda1": [-1, 1],
        "elu": [0, -0.0], "elu_alpha0.5": [0, -0.0], "celu": [0, -0.0], "celu_alpha0.5": [0, -0.0],
    ]

    /// At each kink the value and the derivative are PyTorch's bit for bit, in Double against its
    /// float64 and in Float against its own float32 results (not the float64 reference).
    @Test(arguments: kinks.keys.sorted())
    func kinksArePyTorchsExactly(_ name: String) throws {
        let e = try #require(TorchFixture.shared.activations[name])
        func check<S: TensorScalar>(_ s: TorchFixture.Series, _: S.Type) {
            let xs = parse(s.x)
            let (y, dx) = evaluate(name, e.params, x: xs, w: parse(s.w), slopes: s.slopes.map(parse), as: S.self)
            let refY = parse(s.y), refDx = parse(s.dx)
            for at in Self.kinks[name]! {
                let i = xs.firstIndex { $0 == at && $0.sign == at.sign }
                #expect(i != nil, "\(name): the fixture has no point \(at)")
                guard let i else { continue }
                for (what, ours, theirs) in [("y", y[i], S(refY[i])), ("dx", dx[i], S(refDx[i]))] {
                    #expect(ours == theirs && ours.sign == theirs.sign, "\(name) \(S.self) \(what) at \(at): \(ours) vs PyTorch \(theirs)")
                }
            }
        }
        check(e.double, Double.self)
        check(e.float, Float.self)
    }

    /// The fixture holds the conventions SPEC states (so a torch with other ones would show here):
    /// hardswish′(−3) = 0 and hardswish′(3) = 1; rrelu′(0) = a, the mean slope in evaluation and
    /// the drawn one in training. dx = w·f′ rounded, so f′ is checked as dx == w·f′ in the type.
    @Test func theFixtureHasSPECsKinkConventions() throws {
        func check<S: TensorScalar>(_ pick: (TorchFixture.Entry) -> TorchFixture.Series, _: S.Type) throws {
            func expectDerivative(_ name: String, at: Double, _ derivative: (_ i: Int, _ s: TorchFixture.Series) -> S) throws {
                let s = pick(try #require(TorchFixture.shared.activations[name]))
                let i = try #require(parse(s.x).firstIndex { $0 == at && $0.sign == at.sign }, "\(name) has no point \(at)")
                let want = S(parse(s.w)[i]) * derivative(i, s)
                #expect(S(parse(s.dx)[i]) == want, "\(name) \(S.self) at \(at): PyTorch's dx \(parse(s.dx)[i]), convention \(want)")
            }
            try expectDerivative("hardswish", at: -3) { _, _ in 0 }
            try expectDerivative("hardswish", at: 3) { _, _ in 1 }
            for at in [0.0, -0.0] {
                try expectDerivative("rrelu", at: at) { _, _ in S((0.125 + 1.0 / 3) / 2) }
                try expectDerivative("rrelu_training", at: at) { i, s in
                    let a = S(parse(s.slopes!)[i])
                    #expect(a >= S(0.125) && a <= S(1.0 / 3))
                    return a
                }
            }
        }
        try check({ $0.double }, Double.self)
        try check({ $0.float }, Float.self)
    }
}

/// Equal within `tolerance` relative to max(1e-300, |reference|); NaN matches NaN, infinities match exactly.
func relativeMatch(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return Swift.abs(a - b) <= tolerance * Swift.max(Swift.abs(b), 1e-300)
}
