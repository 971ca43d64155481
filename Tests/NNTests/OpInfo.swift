import Foundation
import Testing
import TestSupport

@testable import NN

// The OpInfo table: one entry per differentiable primitive (every case of `Primitive`, plus the
// composite Variable operations), per rule backward operation with a public form (tanh's and
// sigmoid's `ActivationGradient`) and per catalogued activation. Each entry says what the op is
// checked against (a scalar reference formula in Float80, a naive tensor reference, or "composite
// of …"), where its inputs are sampled, its kinks and the derivative promised exactly at each
// kink, and its error inputs with the message they must stop with. The suites in
// OpInfoTests.swift, OpInfoSpecialValueTests.swift and OpInfoLayoutTests.swift run over it;
// OpInfoTests' completeness tests fail when an op or activation has no entry here.

/// Reference arithmetic: Float80 (64-bit significand) on x86, so a Double result rounded from it
/// is the correctly rounded value except in rare near-tie cases.
typealias R = Float80

/// A point where the op is not differentiable and the derivative the implementation promises
/// exactly there. For a binary op every input is placed at `at` (a tie) and `derivative` is the
/// gradient of the first input.
struct KinkInfo: Sendable {
    let at: Double
    let derivative: Double
    let note: String
    init(_ at: Double, _ derivative: Double, _ note: String = "") {
        self.at = at
        self.derivative = derivative
        self.note = note
    }
}

/// A bad call: what it is, the fragments its stop message must contain, and the call itself.
struct ErrorInput: Sendable {
    let id: String
    let what: String
    let mentions: [String]
    let trigger: @Sendable () -> Void
}

/// What an op is checked against.
enum Reference: Sendable {
    /// An elementwise function and its derivative, in Float80.
    case unary(@Sendable (R) -> R, derivative: @Sendable (R) -> R)
    /// An elementwise function of two inputs (same shape) and its partial derivatives.
    case binary(@Sendable (R, R) -> R, da: @Sendable (R, R) -> R, db: @Sendable (R, R) -> R)
    /// A naive implementation on the flat inputs (indexed loops, no Tensor kernels).
    case tensor(@Sendable ([Tensor<Double>]) -> [Double])
    /// Not an op that computes values (structural tape cases).
    case structural(String)
}

/// Special-value facts of an elementwise activation: the limits at ±∞ (value, derivative) and
/// the derivative at NaN (nil: NaN).
struct SpecialFacts: Sendable {
    let atPlusInfinity: (value: Double, derivative: Double)
    let atMinusInfinity: (value: Double, derivative: Double)
    let nanDerivative: Double?
}

struct OpInfo: Sendable, CustomStringConvertible {
    /// `ruleGradient`: an activation rule's backward operation g·f′(s) (`ActivationGradient`),
    /// differentiable once (its own derivative takes d f′/ds as a constant).
    enum Kind: Sendable { case primitive, composite, ruleGradient, activation }
    let name: String
    let kind: Kind
    /// The reference as prose ("σ(x) = 1/(1+e^−x)", "composite of multiply and sum").
    let referenceText: String
    let reference: Reference
    /// Input shapes and per-input sampling ranges.
    let shapes: [[Int]]
    let domains: [ClosedRange<Double>]
    let kinks: [KinkInfo]
    let errors: [ErrorInput]
    /// Variable API names that record this primitive (completeness against Operations.swift).
    let api: [String]
    /// For activations: the catalogue spec the entry uses.
    let spec: String
    let special: SpecialFacts?
    /// Second derivative checked with gradgradcheck (smooth enough on the domain).
    let secondOrder: Bool

    var description: String { name }
    var isElementwiseUnary: Bool { if case .unary = reference { return true } else { return false } }
    var isStructural: Bool { if case .structural = reference { return true } else { return false } }

    init(
        _ name: String, _ kind: Kind, _ referenceText: String, _ reference: Reference,
        shapes: [[Int]] = [[2, 5]], domains: [ClosedRange<Double>] = [-3...3], kinks: [KinkInfo] = [],
        errors: [ErrorInput] = [], api: [String] = [], spec: String? = nil, special: SpecialFacts? = nil,
        secondOrder: Bool = true
    ) {
        self.name = name
        self.kind = kind
        self.referenceText = referenceText
        self.reference = reference
        self.shapes = shapes
        self.domains = domains
        self.kinks = kinks
        self.errors = errors
        self.api = api
        self.spec = spec ?? name
        self.special = special
        self.secondOrder = secondOrder
    }
}

// MARK: Reference helpers (Float80)

@inline(__always) func sigma(_ x: R) -> R { 1 / (1 + exp(-x)) }
@inline(__always) func sech2(_ x: R) -> R { let c = cosh(x); return 1 / (c * c) }
let seluL: R = 1.0507009873554804934193349852946
let seluA: R = 1.6732632423543772848170429916717
let sqrt2: R = 1.41421356237309504880168872420969808
let sqrt2OverPi: R = 0.797884560802865355879892119868763737
let invSqrt2Pi: R = 0.398942280401432677939946059934381868
let rreluSlope: R = (1.0 / 8 + 1.0 / 3) / 2
func phi(_ x: R) -> R { 0.5 * erfc(-x / sqrt2) }
/// x − tanh x without cancellation near 0.
func tanhshrinkRef(_ x: R) -> R {
    if abs(x) < 1e-3 {
        let x2 = x * x
        return x * x2 * (1.0 / 3 - x2 * (2.0 / 15 - x2 * 17.0 / 315))
    }
    return x - tanh(x)
}
func geluTanhU(_ x: R) -> R { sqrt2OverPi * (x + 0.044715 * x * x * x) }

func unary(_ f: @escaping @Sendable (R) -> R, _ d: @escaping @Sendable (R) -> R) -> Reference { .unary(f, derivative: d) }

func facts(_ plus: (Double, Double), _ minus: (Double, Double), nan: Double? = nil) -> SpecialFacts {
    SpecialFacts(atPlusInfinity: plus, atMinusInfinity: minus, nanDerivative: nan)
}

let inf = Double.infinity

// MARK: The table

enum OpInfoTable {
    /// Faithful rounding where not correctly rounded: at finite special points the result is
    /// within this many ulps (Float, Double) of the correctly rounded value
    /// (OpInfoSpecialValueTests).
    static let specialValueRounding: [String: (float: Double, double: Double)] = [
        "sigmoid": (1, 1), "selu": (1, 1), "elu": (1, 1), "hardsigmoid": (0, 1), "hardswish": (1, 1), "logsigmoid": (1, 1),
        "mish": (1, 1), "rrelu": (1, 1), "silu": (1, 2), "swish": (1, 2), "softsign": (0, 1), "tanhshrink": (0, 1), "isru": (1, 1),
        "trainable_swish": (1, 8),
    ]

    /// Catalogue activations PyTorch has no function for, and what checks them instead.
    /// (ActivationConformanceTests; the rest have a PyTorch fixture entry.)
    static let withoutPyTorchCounterpart: [String: String] = [
        "isru": "no PyTorch function: OpInfo's Float80 reference, gradcheck to order 2",
        "power": "Caffe's Power layer: OpInfo's Float80 reference, gradcheck",
        "exp": "Caffe's Exp layer: OpInfo's Float80 reference, gradcheck",
        "log": "Caffe's Log layer: OpInfo's Float80 reference, gradcheck",
        "trainable_swish": "x·σ(βx) with β a parameter: TrainableSwishTests (finite differences in x and β), the swish fixture for the forward",
        "maxout": "Maxout (Goodfellow et al.) is not in PyTorch: LayerActivationTests (naive reference, gradcheck)",
        "channel_maxout": "not in PyTorch: LayerActivationTests (naive reference, gradcheck)",
    ]

    static let all: [OpInfo] = primitives + composites + ruleGradients + activations

    static func entry(_ name: String) -> OpInfo { all.first { $0.name == name }! }
    static var allErrors: [ErrorInput] { all.flatMap(\.errors) }
    static func error(_ id: String) -> ErrorInput? { allErrors.first { $0.id == id } }

    /// Small helpers for error triggers (Float, so they differ from the Double-based tests).
    static func fv(_ shape: [Int]) -> Variable<Float> { Variable(Tensor<Float>(shape: shape, repeating: 1), requiresGradient: true) }

    static let primitives: [OpInfo] = [
        OpInfo("leaf", .primitive, "a variable created by the user; no operation", .structural("leaf")),
        OpInfo("released", .primitive, "a node whose saved tensors a backward pass freed", .structural("released"), errors: [
            ErrorInput(id: "released.backwardTwice", what: "backward twice through the same graph without retainGraph",
                       mentions: ["already freed", "retainGraph"]) {
                let x = fv([3])
                let y = (x * x).sum()
                y.backward()
                y.backward()
            },
        ]),
        OpInfo("add", .primitive, "a + b", .binary({ $0 + $1 }, da: { _, _ in 1 }, db: { _, _ in 1 }),
               shapes: [[2, 5], [2, 5]], domains: [-3...3, -3...3], errors: [
                ErrorInput(id: "add.broadcast", what: "[2, 3] + [4]", mentions: ["+", "[2, 3]", "[4]", "do not broadcast"]) {
                    _ = fv([2, 3]) + fv([4])
                },
               ], api: ["+", "+="]),
        OpInfo("subtract", .primitive, "a − b", .binary({ $0 - $1 }, da: { _, _ in 1 }, db: { _, _ in -1 }),
               shapes: [[2, 5], [2, 5]], domains: [-3...3, -3...3], errors: [
                ErrorInput(id: "subtract.broadcast", what: "[3] − [2]", mentions: ["-", "[3]", "[2]", "do not broadcast"]) {
                    _ = fv([3]) - fv([2])
                },
               ], api: ["-", "-="]),
        OpInfo("negate", .primitive, "−x", unary({ -$0 }, { _ in -1 }), api: ["-"]),
        OpInfo("affine", .primitive, "2.5·x − 1 (scalar arithmetic)", unary({ 2.5 * $0 - 1 }, { _ in 2.5 }), api: ["affine"]),
        OpInfo("multiply", .primitive, "a·b", .binary({ $0 * $1 }, da: { _, b in b }, db: { a, _ in a }),
               shapes: [[2, 5], [2, 5]], domains: [-3...3, -3...3], errors: [
                ErrorInput(id: "multiply.broadcast", what: "[2, 3] · [2]", mentions: ["*", "[2, 3]", "[2]", "do not broadcast"]) {
                    _ = fv([2, 3]) * fv([2])
                },
               ], api: ["*", "*=", "squared"]),
        OpInfo("divide", .primitive, "a / b", .binary({ $0 / $1 }, da: { _, b in 1 / b }, db: { a, b in -a / (b * b) }),
               shapes: [[2, 5], [2, 5]], domains: [-3...3, 0.5...3], errors: [
                ErrorInput(id: "divide.broadcast", what: "[4] / [3]", mentions: ["/", "[4]", "[3]", "do not broadcast"]) {
                    _ = fv([4]) / fv([3])
                },
               ], api: ["/", "/="]),
        OpInfo("exp", .primitive, "eˣ", unary({ exp($0) }, { exp($0) }), api: ["exp"]),
        OpInfo("expm1", .primitive, "eˣ − 1", unary({ expm1($0) }, { exp($0) }), api: ["expm1"]),
        OpInfo("log", .primitive, "ln x on (0, ∞)", unary({ log($0) }, { 1 / $0 }), domains: [0.05...5], api: ["log"]),
        OpInfo("log1p", .primitive, "ln(1 + x) on (−1, ∞)", unary({ log1p($0) }, { 1 / (1 + $0) }), domains: [-0.9...5], api: ["log1p"]),
        OpInfo("sqrt", .primitive, "√x on (0, ∞)", unary({ $0.squareRoot() }, { 1 / (2 * $0.squareRoot()) }), domains: [0.05...5], api: ["sqrt"]),
        OpInfo("erf", .primitive, "erf x", unary({ erf($0) }, { 2 / R.pi.squareRoot() * exp(-$0 * $0) }), api: ["erf"]),
        OpInfo("pow", .primitive, "x³ (pow with a constant exponent)", unary({ $0 * $0 * $0 }, { 3 * $0 * $0 }), api: ["pow"]),
        OpInfo("clamp", .primitive, "clamp(x, −1, 1); derivative 1 on the closed [−1, 1] (PyTorch's clamp)",
               unary({ min(max($0, -1), 1) }, { ($0 >= -1 && $0 <= 1) ? 1 : 0 }),
               kinks: [KinkInfo(-1, 1, "closed interval"), KinkInfo(1, 1, "closed interval")],
               // No error input: a NaN bound cannot reach clamped(to:) (ClosedRange itself traps on it).
               api: ["clamped"], secondOrder: false),
        OpInfo("maximum", .primitive, "max(a, b); a tie splits the gradient evenly",
               .binary({ max($0, $1) }, da: { a, b in a > b ? 1 : (a == b ? 0.5 : 0) }, db: { a, b in b > a ? 1 : (a == b ? 0.5 : 0) }),
               shapes: [[2, 5], [2, 5]], domains: [-3...3, -3...3], kinks: [KinkInfo(0.75, 0.5, "tie: half to each")], api: ["maximum"], secondOrder: false),
        OpInfo("minimum", .primitive, "min(a, b); a tie splits the gradient evenly",
               .binary({ min($0, $1) }, da: { a, b in a < b ? 1 : (a == b ? 0.5 : 0) }, db: { a, b in b < a ? 1 : (a == b ? 0.5 : 0) }),
               shapes: [[2, 5], [2, 5]], domains: [-3...3, -3...3], kinks: [KinkInfo(-0.25, 0.5, "tie: half to each")], api: ["minimum"], secondOrder: false),
        OpInfo("sum", .primitive, "Σ along axis 1 (naive loop)", .tensor({ t in
            let s = t[0].scalars, n = t[0].shape[1]
            return (0..<t[0].shape[0]).map { r in (0..<n).reduce(0.0) { $0 + s[r * n + $1] } }
        }), shapes: [[3, 4]], errors: [
            ErrorInput(id: "sum.axis", what: "sum along axis 5 of a rank-2 tensor", mentions: ["axis 5", "out of range", "[2, 3]"]) {
                _ = fv([2, 3]).sum(alongAxes: [5])
            },
        ], api: ["sum", "mean"]),
        OpInfo("matmul", .primitive, "Σₖ aᵢₖbₖⱼ (naive triple loop)", .tensor({ t in
            let a = t[0].scalars, b = t[1].scalars
            let (m, k, n) = (t[0].shape[0], t[0].shape[1], t[1].shape[1])
            var out = [Double](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k { out[i * n + j] += a[i * k + p] * b[p * n + j] } } }
            return out
        }), shapes: [[3, 4], [4, 2]], domains: [-2...2, -2...2], errors: [
            ErrorInput(id: "matmul.inner", what: "[2, 3] × [4, 2]", mentions: ["matmul", "inner sizes differ", "[2, 3]", "[4, 2]"]) {
                _ = Variable.matmul(fv([2, 3]), fv([4, 2]))
            },
        ], api: ["matmul"]),
        OpInfo("reshape", .primitive, "the same elements in shape [4, 3]", .tensor({ $0[0].scalars }), shapes: [[3, 4]], errors: [
            ErrorInput(id: "reshape.count", what: "[2, 3] to [4]", mentions: ["cannot reshape [2, 3]", "[4]"]) {
                _ = fv([2, 3]).reshaped(to: [4])
            },
        ], api: ["reshaped", "flattened", "squeezed", "unsqueezed"]),
        OpInfo("permute", .primitive, "transpose: out[j][i] = x[i][j]", .tensor({ t in
            let s = t[0].scalars, (m, n) = (t[0].shape[0], t[0].shape[1])
            return (0..<n).flatMap { j in (0..<m).map { i in s[i * n + j] } }
        }), shapes: [[3, 4]], errors: [
            ErrorInput(id: "permute.axes", what: "permuted([0, 0])", mentions: ["permuted(_:)", "[0, 0]", "not a permutation"]) {
                _ = fv([2, 3]).permuted([0, 0])
            },
        ], api: ["permuted", "transposed"]),
        OpInfo("slice", .primitive, "x[:, 1::2] (every other column from 1)", .tensor({ t in
            let s = t[0].scalars, (m, n) = (t[0].shape[0], t[0].shape[1])
            return (0..<m).flatMap { i in stride(from: 1, to: n, by: 2).map { j in s[i * n + j] } }
        }), shapes: [[3, 5]], errors: [
            ErrorInput(id: "slice.step", what: "step 0", mentions: ["sliced(alongAxis:)", "step 0"]) {
                _ = fv([2, 3]).sliced(alongAxis: 1, by: 0)
            },
        ], api: ["sliced", "selecting"]),
        OpInfo("scatterSlice", .primitive, "zeros [3, 5] with x placed at columns 1, 3", .tensor({ t in
            let s = t[0].scalars
            var out = [Double](repeating: 0, count: 15)
            for i in 0..<3 { for (c, j) in [1, 3].enumerated() { out[i * 5 + j] = s[i * 2 + c] } }
            return out
        }), shapes: [[3, 2]], errors: [
            ErrorInput(id: "scatterSlice.fit", what: "a [3, 4] slice into [3, 5] by 2", mentions: ["scatteringSlice", "[3, 4]", "[3, 5]"]) {
                _ = Variable.scatteringSlice(fv([3, 4]), into: [3, 5], alongAxis: 1, from: 0, by: 2)
            },
        ], api: ["scatteringSlice"]),
        OpInfo("expand", .primitive, "a [1, 4] row repeated to [3, 4]", .tensor({ t in (0..<3).flatMap { _ in t[0].scalars } }),
               shapes: [[1, 4]], errors: [
                ErrorInput(id: "expand.size", what: "[2, 3] to [4, 3]", mentions: ["expanded(to:)", "[2, 3]", "[4, 3]"]) {
                    _ = fv([2, 3]).expanded(to: [4, 3])
                },
               ], api: ["expanded"]),
        OpInfo("concatenate", .primitive, "[a; b] along axis 0", .tensor({ $0[0].scalars + $0[1].scalars }),
               shapes: [[2, 3], [1, 3]], domains: [-3...3, -3...3], errors: [
                ErrorInput(id: "concatenate.shapes", what: "[2, 3] with [2, 4] along axis 0", mentions: ["concatenate", "[2, 4]", "[2, 3]"]) {
                    _ = Variable.concatenate([fv([2, 3]), fv([2, 4])])
                },
               ], api: ["concatenate", "stack"]),
        OpInfo("select", .primitive, "condition ? a : b (condition constant: 1, 0, 1, …)", .tensor({ t in
            zip(t[0].scalars, t[1].scalars).enumerated().map { i, ab in i % 2 == 0 ? ab.0 : ab.1 }
        }), shapes: [[2, 5], [2, 5]], domains: [-3...3, -3...3], errors: [
                ErrorInput(id: "select.shapes", what: "condition [3] with operands [2]", mentions: ["[3]", "[2]", "do not broadcast"]) {
                    _ = Variable.select(Tensor<Float>([1, 0, 1]), fv([2]), fv([2]))
                },
               ], api: ["select"], secondOrder: false),
        OpInfo("custom", .primitive, "a user DifferentiableFunction (the hand-written activation modules below use some)", .structural("custom")),
        OpInfo("activation", .primitive, "an ElementwiseActivation rule; every rule in the catalogue is its own entry below", .structural("activation")),
    ]

    /// Variable operations built from primitives rather than recorded as one.
    static let composites: [OpInfo] = [
        OpInfo("maxAlongAxis", .composite, "composite of multiply (one-hot arg-max mask) and sum; max of each row (naive loop)", .tensor({ t in
            let s = t[0].scalars, n = t[0].shape[1]
            return (0..<t[0].shape[0]).map { r in (0..<n).map { s[r * n + $0] }.max()! }
        }), shapes: [[3, 4]], api: ["max"], secondOrder: false),
    ]

    /// The backward operations of the tanh and sigmoid rules (g the incoming gradient, y the
    /// saved output); not differentiated twice (that would be the activation's third derivative).
    static let ruleGradients: [OpInfo] = [
        OpInfo("tanhBackward", .ruleGradient, "g·(1 − y²)", .binary({ g, y in g * (1 - y * y) }, da: { _, y in 1 - y * y }, db: { g, y in -2 * g * y }),
               shapes: [[2, 5], [2, 5]], domains: [-2...2, -1...1], secondOrder: false),
        OpInfo("sigmoidBackward", .ruleGradient, "g·y(1 − y)", .binary({ g, y in g * y * (1 - y) }, da: { _, y in y * (1 - y) }, db: { g, y in g * (1 - 2 * y) }),
               shapes: [[2, 5], [2, 5]], domains: [-2...2, 0...1], secondOrder: false),
    ]

    static let activations: [OpInfo] = [
        OpInfo("relu", .activation, "max(0, x)", unary({ $0 < 0 ? 0 : $0 }, { $0 > 0 ? 1 : 0 }),
               kinks: [KinkInfo(0, 0, "relu'(0) = 0")], errors: [
                ErrorInput(id: "relu.inPlaceLeaf", what: "formActivation(ReLURule()) on a leaf that requires a gradient", mentions: ["relu in place", "leaf"]) {
                    var x = fv([2])
                    x.formActivation(ReLURule())
                },
               ], special: facts((inf, 1), (0, 0), nan: 0), secondOrder: false),
        OpInfo("leaky_relu", .activation, "x > 0 ? x : 0.2x", unary({ $0 > 0 ? $0 : 0.2 * $0 }, { $0 > 0 ? 1 : 0.2 }),
               kinks: [KinkInfo(0, 0.2, "the slope a at 0")], errors: [
                ErrorInput(id: "leaky_relu.nanSlope", what: "negativeSlope NaN", mentions: ["leakyReLU", "negativeSlope nan"]) {
                    _ = fv([2]).leakyReLU(negativeSlope: .nan)
                },
               ], spec: "leaky_relu:negative_slope=0.2", special: facts((inf, 1), (-inf, 0.2), nan: 0.2), secondOrder: false),
        OpInfo("prelu", .activation, "x > 0 ? x : a·x with a shared a = 0.25", unary({ $0 > 0 ? $0 : 0.25 * $0 }, { $0 > 0 ? 1 : 0.25 }),
               kinks: [KinkInfo(0, 0.25, "the slope a at 0")], errors: [
                ErrorInput(id: "prelu.count", what: "3 slopes for 4 channels", mentions: ["prelu", "3 slopes", "[2, 4]", "4 channels"]) {
                    _ = fv([2, 4]).prelu(alpha: Variable(Tensor<Float>([0.25, 0.25, 0.25])))
                },
               ], spec: "prelu", special: facts((inf, 1), (-inf, 0.25), nan: 0.25), secondOrder: false),
        OpInfo("rrelu", .activation, "evaluation mode: x > 0 ? x : a·x, a = (1/8 + 1/3)/2", unary({ $0 > 0 ? $0 : rreluSlope * $0 }, { $0 > 0 ? 1 : rreluSlope }),
               kinks: [KinkInfo(0, Double(rreluSlope), "the slope a at 0 (PyTorch 2.x)")], errors: [
                ErrorInput(id: "rrelu.bounds", what: "lower > upper", mentions: ["RReLU", "lower 0.5, upper 0.25"]) {
                    _ = RReLU<Float>(lower: 0.5, upper: 0.25)
                },
               ], spec: "rrelu", special: facts((inf, 1), (-inf, Double(rreluSlope)), nan: Double(rreluSlope)), secondOrder: false),
        OpInfo("elu", .activation, "x > 0 ? x : α(eˣ − 1), α = 0.5", unary({ $0 > 0 ? $0 : 0.5 * expm1($0) }, { $0 > 0 ? 1 : 0.5 * exp($0) }),
               kinks: [KinkInfo(0, 0.5, "α at 0")], errors: [
                ErrorInput(id: "elu.alpha", what: "alpha 0", mentions: ["elu", "alpha 0.0", "alpha > 0"]) {
                    _ = fv([2]).elu(alpha: 0)
                },
               ], spec: "elu:alpha=0.5", special: facts((inf, 1), (-0.5, 0), nan: nil), secondOrder: false),
        OpInfo("selu", .activation, "λ·(x > 0 ? x : α(eˣ − 1))", unary({ $0 > 0 ? seluL * $0 : seluL * seluA * expm1($0) }, { $0 > 0 ? seluL : seluL * seluA * exp($0) }),
               kinks: [KinkInfo(0, seluScale * seluAlpha, "λα at 0")],
               special: facts((inf, seluScale), (-seluScale * seluAlpha, 0), nan: nil), secondOrder: false),
        OpInfo("celu", .activation, "x > 0 ? x : α(e^{x/α} − 1), α = 0.5", unary({ $0 > 0 ? $0 : 0.5 * expm1($0 / 0.5) }, { $0 > 0 ? 1 : exp($0 / 0.5) }),
               kinks: [KinkInfo(0, 1, "1 at 0")], errors: [
                ErrorInput(id: "celu.alpha", what: "alpha 0", mentions: ["celu", "alpha 0.0", "nonzero"]) {
                    _ = fv([2]).celu(alpha: 0)
                },
               ], spec: "celu:alpha=0.5", special: facts((inf, 1), (-0.5, 0), nan: nil), secondOrder: false),
        OpInfo("relu6", .activation, "min(max(0, x), 6)", unary({ $0 < 0 ? 0 : min($0, 6) }, { ($0 > 0 && $0 < 6) ? 1 : 0 }),
               domains: [-2...8], kinks: [KinkInfo(0, 0, "0 at both bounds"), KinkInfo(6, 0, "0 at both bounds")],
               special: facts((6, 0), (0, 0), nan: 0), secondOrder: false),
        OpInfo("bounded_relu", .activation, "min(max(0, x), n), n = 2", unary({ $0 < 0 ? 0 : min($0, 2) }, { ($0 > 0 && $0 < 2) ? 1 : 0 }),
               kinks: [KinkInfo(0, 0, "0 at both bounds"), KinkInfo(2, 0, "0 at both bounds")], errors: [
                ErrorInput(id: "bounded_relu.n", what: "n 0", mentions: ["boundedReLU", "n 0.0", "n > 0"]) {
                    _ = fv([2]).boundedReLU(n: 0)
                },
               ], spec: "bounded_relu:n=2", special: facts((2, 0), (0, 0), nan: 0), secondOrder: false),
        OpInfo("hardtanh", .activation, "clamp(x, −1, 1); derivative 1 on the open (−1, 1)", unary({ min(max($0, -1), 1) }, { ($0 > -1 && $0 < 1) ? 1 : 0 }),
               kinks: [KinkInfo(-1, 0, "0 at both bounds"), KinkInfo(1, 0, "0 at both bounds")], errors: [
                ErrorInput(id: "hardtanh.order", what: "min 1, max −1", mentions: ["hardtanh", "min 1.0 with max -1.0", "min < max"]) {
                    _ = fv([2]).hardtanh(min: 1, max: -1)
                },
               ], spec: "hardtanh", special: facts((1, 0), (-1, 0), nan: 0), secondOrder: false),
        OpInfo("softsign", .activation, "x / (1 + |x|)", unary({ $0 / (1 + abs($0)) }, { 1 / ((1 + abs($0)) * (1 + abs($0))) }),
               special: facts((1, 0), (-1, 0), nan: nil), secondOrder: false),
        OpInfo("softplus", .activation, "(1/β)·ln(1 + e^{βx}), x where βx > threshold; β = 2, threshold 4",
               unary({ 2 * $0 > 4 ? $0 : log1p(exp(2 * $0)) / 2 }, { 2 * $0 > 4 ? 1 : sigma(2 * $0) }),
               kinks: [KinkInfo(2, 1 / (1 + Foundation.exp(-4.0)), "at βx = threshold the smooth branch: σ(4)")], errors: [
                ErrorInput(id: "softplus.beta", what: "beta 0", mentions: ["softplus", "beta 0.0", "nonzero beta"]) {
                    _ = fv([2]).softplus(beta: 0)
                },
               ], spec: "softplus:beta=2,threshold=4", special: facts((inf, 1), (0, 0), nan: nil)),
        OpInfo("swish", .activation, "x·σ(βx), β = 1.5", unary({ $0 * sigma(1.5 * $0) }, { sigma(1.5 * $0) + 1.5 * $0 * sigma(1.5 * $0) * sigma(-1.5 * $0) }),
               errors: [
                ErrorInput(id: "swish.beta", what: "beta ∞", mentions: ["swish", "beta inf", "finite beta"]) {
                    _ = fv([2]).swish(beta: .infinity)
                },
               ], spec: "swish:beta=1.5", special: facts((inf, 1), (-0.0, 0), nan: nil)),
        OpInfo("trainable_swish", .activation, "x·σ(βx) with a trainable shared β = 1 (composite of sigmoid and multiply)",
               unary({ $0 * sigma($0) }, { sigma($0) + $0 * sigma($0) * sigma(-$0) }), errors: [
                ErrorInput(id: "trainable_swish.count", what: "3 β values for 4 channels", mentions: ["swish", "3 β values", "[2, 4]"]) {
                    _ = fv([2, 4]).swish(beta: Variable(Tensor<Float>([1, 1, 1])))
                },
               ], spec: "trainable_swish", special: facts((inf, 1), (-0.0, 0), nan: nil)),
        OpInfo("silu", .activation, "x·σ(x)", unary({ $0 * sigma($0) }, { sigma($0) + $0 * sigma($0) * sigma(-$0) }),
               special: facts((inf, 1), (-0.0, 0), nan: nil)),
        OpInfo("mish", .activation, "x·tanh(ln(1 + eˣ))", unary({ $0 * tanh(log1p(exp($0))) }, { x in
            let sp = log1p(exp(x))
            return tanh(sp) + x * sigma(x) * sech2(sp)
        }), special: facts((inf, 1), (-0.0, 0), nan: nil)),
        OpInfo("gelu", .activation, "x·Φ(x), Φ(x) = erfc(−x/√2)/2", unary({ $0 * phi($0) }, { phi($0) + $0 * invSqrt2Pi * exp(-$0 * $0 / 2) }),
               special: facts((inf, 1), (-0.0, 0), nan: nil)),
        OpInfo("gelu_tanh", .activation, "x·σ(2u) = 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³)", unary({ $0 * sigma(2 * geluTanhU($0)) }, { x in
            let u = geluTanhU(x)
            let du = sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
            return sigma(2 * u) + x * 2 * sigma(2 * u) * sigma(-2 * u) * du
        }), spec: "gelu_tanh", special: facts((inf, 1), (-0.0, 0), nan: nil)),
        OpInfo("hardsigmoid", .activation, "min(max(x + 3, 0), 6)/6; derivative 1/6 on the open (−3, 3)",
               unary({ min(max($0 + 3, 0), 6) / 6 }, { ($0 > -3 && $0 < 3) ? 1.0 / 6 : 0 }),
               domains: [-5...5], kinks: [KinkInfo(-3, 0, "0 at ±3"), KinkInfo(3, 0, "0 at ±3")],
               special: facts((1, 0), (0, 0), nan: 0), secondOrder: false),
        OpInfo("hardswish", .activation, "x·min(max(x + 3, 0), 6)/6; derivative x/3 + 1/2 on the open (−3, 3)",
               unary({ $0 * min(max($0 + 3, 0), 6) / 6 }, { $0 <= -3 ? 0 : ($0 < 3 ? $0 / 3 + 0.5 : 1) }),
               domains: [-5...5], kinks: [KinkInfo(-3, 0, "PyTorch 2.x: hardswish'(−3) = 0"), KinkInfo(3, 1, "PyTorch 2.x: hardswish'(3) = 1")],
               special: facts((inf, 1), (-0.0, 0), nan: 1), secondOrder: false),
        OpInfo("logsigmoid", .activation, "ln σ(x) = −ln(1 + e^−x)", unary({ -log1p(exp(-$0)) }, { sigma(-$0) }),
               special: facts((0, 0), (-inf, 1), nan: nil)),
        OpInfo("softshrink", .activation, "x ∓ λ outside [−λ, λ], 0 inside; λ = 0.5",
               unary({ $0 > 0.5 ? $0 - 0.5 : ($0 < -0.5 ? $0 + 0.5 : 0) }, { abs($0) > 0.5 ? 1 : 0 }),
               kinks: [KinkInfo(-0.5, 0, "0 at ±λ"), KinkInfo(0.5, 0, "0 at ±λ")], errors: [
                ErrorInput(id: "softshrink.lambda", what: "lambda −1", mentions: ["softshrink", "lambda -1.0", "lambda >= 0"]) {
                    _ = fv([2]).softshrink(lambda: -1)
                },
               ], spec: "softshrink", special: facts((inf, 1), (-inf, 1), nan: 1), secondOrder: false),
        OpInfo("hardshrink", .activation, "x outside [−λ, λ], 0 inside (0 at ±λ); λ = 0.5",
               unary({ abs($0) > 0.5 ? $0 : 0 }, { abs($0) > 0.5 ? 1 : 0 }),
               kinks: [KinkInfo(-0.5, 0, "0 at ±λ (a jump)"), KinkInfo(0.5, 0, "0 at ±λ (a jump)")], errors: [
                ErrorInput(id: "hardshrink.lambda", what: "lambda NaN", mentions: ["hardshrink", "lambda nan"]) {
                    _ = fv([2]).hardshrink(lambda: .nan)
                },
               ], spec: "hardshrink", special: facts((inf, 1), (-inf, 1), nan: 1), secondOrder: false),
        OpInfo("tanhshrink", .activation, "x − tanh x", unary({ tanhshrinkRef($0) }, { tanh($0) * tanh($0) }),
               special: facts((inf, 1), (-inf, 1), nan: nil)),
        OpInfo("threshold", .activation, "x > t ? x : v; t = 0.5, v = −1", unary({ $0 > 0.5 ? $0 : -1 }, { $0 > 0.5 ? 1 : 0 }),
               kinks: [KinkInfo(0.5, 0, "0 at t (a jump)")], errors: [
                ErrorInput(id: "threshold.nan", what: "threshold NaN", mentions: ["threshold", "threshold nan", "not NaN"]) {
                    _ = fv([2]).threshold(threshold: .nan, value: 0)
                },
               ], spec: "threshold:threshold=0.5,value=-1", special: facts((inf, 1), (-1, 0), nan: 1), secondOrder: false),
        OpInfo("sigmoid", .activation, "σ(x) = 1/(1 + e^−x)", unary({ sigma($0) }, { sigma($0) * sigma(-$0) }),
               special: facts((1, 0), (0, 0), nan: nil)),
        OpInfo("tanh", .activation, "tanh x", unary({ tanh($0) }, { sech2($0) }), special: facts((1, 0), (-1, 0), nan: nil)),
        OpInfo("isru", .activation, "x/√(1 + αx²), α = 0.25 (bounds ±2)", unary({ $0 / (1 + 0.25 * $0 * $0).squareRoot() }, { 1 / ((1 + 0.25 * $0 * $0) * (1 + 0.25 * $0 * $0).squareRoot()) }),
               errors: [
                ErrorInput(id: "isru.alpha", what: "alpha 0", mentions: ["isru: alpha 0.0", "Fix:"]) {
                    _ = fv([2]).isru(alpha: 0)
                },
               ], spec: "isru:alpha=0.25", special: facts((2, 0), (-2, 0), nan: nil)),
        OpInfo("abs", .activation, "|x| (Caffe AbsVal)", unary({ abs($0) }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }),
               kinks: [KinkInfo(0, 0, "abs'(0) = 0")], errors: [
                ErrorInput(id: "abs.inPlace", what: "formActivation(AbsRule())", mentions: ["abs in place", "needs the input"]) {
                    var h = fv([2]) * 2
                    h.formActivation(AbsRule())
                },
               ], special: facts((inf, 1), (inf, -1), nan: nil), secondOrder: false),
        OpInfo("power", .activation, "(shift + scale·x)^p, p = 2 (PowerRule)", unary({ $0 * $0 }, { 2 * $0 }), errors: [
            ErrorInput(id: "power.infinite", what: "power ∞", mentions: ["power", "power inf", "finite"]) {
                _ = fv([2]).power(.infinity)
            },
        ], spec: "power:power=2", special: facts((inf, inf), (inf, -inf), nan: nil)),
        OpInfo("exp", .activation, "base^(shift + scale·x) = eˣ by default (CaffeExpRule)", unary({ exp($0) }, { exp($0) }), errors: [
            ErrorInput(id: "exp.base", what: "base 0", mentions: ["exp", "base 0.0", "base > 0"]) {
                _ = fv([2]).caffeExp(base: 0)
            },
        ], spec: "exp", special: facts((inf, inf), (0, 0), nan: nil)),
        OpInfo("log", .activation, "log_base(shift + scale·x) = ln x by default on (0, ∞) (CaffeLogRule)",
               unary({ log($0) }, { 1 / $0 }), domains: [0.05...5], errors: [
                ErrorInput(id: "log.base", what: "base 1", mentions: ["log", "base 1.0", "other than 1"]) {
                    _ = fv([2]).caffeLog(base: 1)
                },
               ], spec: "log", special: facts((inf, 0), (.nan, -0.0), nan: nil)),
        OpInfo("maxout", .activation, "maxᵢ (x Wᵢᵀ + bᵢ), k = 3 pieces, 3 → 2 (naive loops)", .tensor({ t in
            let x = t[0].scalars
            var out: [Double] = []
            for r in 0..<2 { for j in 0..<2 { out.append((0..<3).map { i in maxoutBias[i * 2 + j] + (0..<3).reduce(0.0) { $0 + x[r * 3 + $1] * maxoutWeight[(i * 2 + j) * 3 + $1] } }.max()!) } }
            return out
        }), shapes: [[2, 3]], errors: [
            ErrorInput(id: "maxout.input", what: "[2, 4] into a 3-input Maxout", mentions: ["Maxout", "[2, 4]", "3 inputs"]) {
                _ = Maxout<Float>(inputs: 3, outputs: 2, pieces: 2)(fv([2, 4]))
            },
        ], spec: "maxout:inputs=3,outputs=2,pieces=3", secondOrder: false),
        OpInfo("channel_maxout", .activation, "max over groups of 2 consecutive channels (naive loop)", .tensor({ t in
            let x = t[0].scalars  // [2, 4, 3] → [2, 2, 3]
            var out: [Double] = []
            for n in 0..<2 { for c in 0..<2 { for h in 0..<3 { out.append(max(x[(n * 4 + 2 * c) * 3 + h], x[(n * 4 + 2 * c + 1) * 3 + h])) } } }
            return out
        }), shapes: [[2, 4, 3]], errors: [
            ErrorInput(id: "channel_maxout.divisible", what: "3 channels in groups of 2", mentions: ["maxout", "3 features", "not divisible by k = 2"]) {
                _ = fv([2, 3]).maxout(groups: 2)
            },
        ], spec: "channel_maxout:groups=2", secondOrder: false),
        OpInfo("softmax", .activation, "e^{xᵢ} / Σⱼ e^{xⱼ} along the last axis (naive loop)", .tensor({ softmaxRows($0[0], log: false, sign: 1) }),
               shapes: [[3, 4]], errors: [
                ErrorInput(id: "softmax.axis", what: "axis 5 of a rank-2 tensor", mentions: ["softmax", "axis 5", "[2, 3]"]) {
                    _ = fv([2, 3]).softmax(alongAxis: 5)
                },
               ], spec: "softmax"),
        OpInfo("log_softmax", .activation, "xᵢ − ln Σⱼ e^{xⱼ} along the last axis (naive loop)", .tensor({ softmaxRows($0[0], log: true, sign: 1) }),
               shapes: [[3, 4]], spec: "log_softmax"),
        OpInfo("softmin", .activation, "softmax(−x) along the last axis (naive loop)", .tensor({ softmaxRows($0[0], log: false, sign: -1) }),
               shapes: [[3, 4]], spec: "softmin"),
        OpInfo("glu", .activation, "a·σ(b), [a, b] the halves of the last axis (naive loop)", .tensor({ t in
            let x = t[0].scalars, (m, n) = (t[0].shape[0], t[0].shape[1] / 2)
            return (0..<m).flatMap { r in (0..<n).map { j in x[r * 2 * n + j] / (1 + Foundation.exp(-x[r * 2 * n + n + j])) } }
        }), shapes: [[3, 4]], errors: [
            ErrorInput(id: "glu.odd", what: "an axis of odd size", mentions: ["glu", "axis -1", "[2, 3]", "even"]) {
                _ = fv([2, 3]).glu()
            },
        ], spec: "glu"),
    ]
}

/// Maxout's fixed pieces for the table: W [3, 2, 3] and b [3, 2].
let maxoutWeight: [Double] = (0..<18).map { Double(($0 * 7) % 11) / 5 - 1 }
let maxoutBias: [Double] = (0..<6).map { Double(($0 * 5) % 7) / 10 - 0.3 }

func softmaxRows(_ t: Tensor<Double>, log: Bool, sign: Double) -> [Double] {
    let x = t.scalars, (m, n) = (t.shape[0], t.shape[1])
    var out: [Double] = []
    for r in 0..<m {
        let row = (0..<n).map { R(sign * x[r * n + $0]) }
        let total = row.reduce(R(0)) { $0 + Foundation.exp($1) }
        out += row.map { log ? Double($0 - Foundation.log(total)) : Double(Foundation.exp($0) / total) }
    }
    return out
}

// MARK: Forms

/// The op of `info` in its function form (methods on Variable), in any scalar type.
func opFunction<S: TensorScalar>(_ info: OpInfo, _ xs: [Variable<S>]) -> Variable<S> {
    let x = xs[0]
    switch info.kind {
    case .primitive, .composite:
        switch info.name {
        case "add": return xs[0] + xs[1]
        case "subtract": return xs[0] - xs[1]
        case "negate": return -x
        case "affine": return x.affine(scale: 2.5, shift: -1)
        case "multiply": return xs[0] * xs[1]
        case "divide": return xs[0] / xs[1]
        case "exp": return x.exp()
        case "expm1": return x.expm1()
        case "log": return x.log()
        case "log1p": return x.log1p()
        case "sqrt": return x.sqrt()
        case "erf": return x.erf()
        case "pow": return x.pow(3)
        case "clamp": return x.clamped(to: -1...1)
        case "maximum": return Variable.maximum(xs[0], xs[1])
        case "minimum": return Variable.minimum(xs[0], xs[1])
        case "sum": return x.sum(alongAxes: [1])
        case "matmul": return Variable.matmul(xs[0], xs[1])
        case "reshape": return x.reshaped(to: [4, 3])
        case "permute": return x.permuted([1, 0])
        case "slice": return x.sliced(alongAxis: 1, from: 1, by: 2)
        case "scatterSlice": return Variable.scatteringSlice(x, into: [3, 5], alongAxis: 1, from: 1, by: 2)
        case "expand": return x.expanded(to: [3, 4])
        case "concatenate": return Variable.concatenate([xs[0], xs[1]])
        case "select": return Variable.select(selectCondition(xs[0].shape), xs[0], xs[1])
        case "maxAlongAxis": return x.max(alongAxis: 1).values
        default: fatalError("no function form for primitive \(info.name)")
        }
    case .ruleGradient:
        switch info.name {
        case "tanhBackward": return ActivationGradient(TanhRule<S>()).apply(xs[0], xs[1])
        case "sigmoidBackward": return ActivationGradient(SigmoidRule<S>()).apply(xs[0], xs[1])
        default: fatalError("no function form for rule gradient \(info.name)")
        }
    case .activation:
        let spec = try! ActivationSpec(parsing: info.spec)
        // A rule: the function form the registry derives from it (`x.activation(rule)`).
        if let forms = ActivationCatalogue.registered(named: spec.name)!.forms(S.self, spec.activationArguments) {
            return forms.function(x)
        }
        func r(_ n: String) -> S { S(spec.value(of: n)) }
        switch spec.name {
        case "prelu": return x.prelu(alpha: Variable(Tensor([r("init")])))
        case "rrelu": return x.rrelu(slopes: Tensor((r("lower") + r("upper")) / 2))
        case "trainable_swish": return x.swish(beta: Variable(Tensor([r("init")])))
        case "maxout":
            return x.maxout(weight: Variable(Tensor(shape: [3, 2, 3], scalars: maxoutWeight.map { S($0) })),
                            bias: Variable(Tensor(shape: [3, 2], scalars: maxoutBias.map { S($0) })))
        case "channel_maxout": return x.maxout(groups: 2)
        case "softmax": return x.softmax()
        case "log_softmax": return x.logSoftmax()
        case "softmin": return x.softmin()
        case "glu": return x.glu()
        default: fatalError("no function form for activation \(spec.name)")
        }
    }
}

/// The op's module form (activations only): the catalogue's layer for the entry's spec,
/// configured to compute the same function as `opFunction` (evaluation mode; maxout's pieces).
func opModule<S: TensorScalar>(_ info: OpInfo, _: S.Type) -> any Layer<S> {
    if info.name == "maxout" {
        return Maxout<S>(weight: Tensor(shape: [3, 2, 3], scalars: maxoutWeight.map { S($0) }),
                         bias: Tensor(shape: [3, 2], scalars: maxoutBias.map { S($0) }))
    }
    let layer: any Layer<S> = try! ActivationCatalogue.makeLayer(info.spec, as: S.self)
    layer.eval()
    return layer
}

/// 1, 0, 1, 0, … in `shape`.
func selectCondition<S: TensorScalar>(_ shape: [Int]) -> Tensor<S> {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { S(($0 + 1) % 2) })
}
