import Foundation
import NN

/// `tapegrad gradcheck`: first and second derivatives of every elementwise activation against
/// central differences, in Double, over random points and the edge set.
///
/// For an elementwise f the Jacobian is diagonal, so the whole check is two backward passes
/// (f′ and f″ by double backward) and a few forward passes, however many points. Points within
/// `kinkDistance` of a kink are not compared by finite differences; points exactly on a kink
/// have their derivative checked against the documented convention instead.
enum GradcheckCommand {
    struct Entry {
        let name: String
        let f: (Variable<Double>) -> Variable<Double>
        /// Kinks of f itself: (location, f′ there by convention).
        var kinks: [(Double, Double)] = []
        /// Where f′ is not differentiable (f is C¹ but not C² there).
        var secondOrderKinks: [Double] = []
    }

    static let selu0 = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717

    /// The built-in rows below, then one per rule-based activation of the catalogue (ISRU and
    /// any registered by the user) at its default parameters, with its declared kinks.
    static var entries: [Entry] {
        builtIn + ActivationCatalogue.registeredActivations.map { a in
            let defaults = ActivationArguments(Dictionary(uniqueKeysWithValues: a.entry.parameters.compactMap { p in p.defaultValue.map { (p.name, $0) } }))
            let c = a.checked(defaults)
            return Entry(name: a.entry.name, f: c.function, kinks: c.kinks.map { ($0.location, $0.derivative) }, secondOrderKinks: c.secondOrderKinks)
        }
    }

    static let builtIn: [Entry] = [
        Entry(name: "relu", f: { $0.relu() }, kinks: [(0, 0)]),
        Entry(name: "leaky_relu", f: { $0.leakyReLU() }, kinks: [(0, 0.01)]),
        Entry(name: "relu6", f: { $0.relu6() }, kinks: [(0, 0), (6, 0)]),
        Entry(name: "hardtanh", f: { $0.hardtanh() }, kinks: [(-1, 0), (1, 0)]),
        Entry(name: "elu", f: { $0.elu() }, kinks: [(0, 1)], secondOrderKinks: [0]),
        Entry(name: "selu", f: { $0.selu() }, kinks: [(0, selu0)]),
        Entry(name: "celu", f: { $0.celu() }, kinks: [(0, 1)], secondOrderKinks: [0]),
        Entry(name: "sigmoid", f: { $0.sigmoid() }),
        Entry(name: "tanh", f: { $0.tanh() }),
        Entry(name: "softsign", f: { $0.softsign() }, secondOrderKinks: [0]),
        // Linear above βx = 20 (strictly): at 20 itself the derivative is still σ(20).
        Entry(name: "softplus", f: { $0.softplus() }, kinks: [(20, 1 / (1 + Foundation.exp(-20.0)))]),
        Entry(name: "silu", f: { $0.silu() }),
        Entry(name: "swish_beta1.5", f: { $0.swish(beta: 1.5) }),
        Entry(name: "mish", f: { $0.mish() }),
        Entry(name: "gelu", f: { $0.gelu() }),
        Entry(name: "gelu_tanh", f: { $0.gelu(approximation: .tanh) }),
        Entry(name: "hardsigmoid", f: { $0.hardsigmoid() }, kinks: [(-3, 0), (3, 0)]),
        Entry(name: "hardswish", f: { $0.hardswish() }, kinks: [(-3, 0), (3, 1)]),
        Entry(name: "logsigmoid", f: { $0.logSigmoid() }),
        Entry(name: "softshrink", f: { $0.softshrink() }, kinks: [(-0.5, 0), (0.5, 0)]),
        Entry(name: "hardshrink", f: { $0.hardshrink() }, kinks: [(-0.5, 0), (0.5, 0)]),
        Entry(name: "tanhshrink", f: { $0.tanhshrink() }),
        Entry(name: "threshold", f: { $0.threshold(threshold: 0.5, value: -1) }, kinks: [(0.5, 0)]),
        Entry(name: "abs", f: { $0.abs() }, kinks: [(0, 0)]),
        Entry(name: "prelu", f: { $0.prelu(alpha: Variable(Tensor<Double>([0.25]))) }, kinks: [(0, 0.25)]),
        Entry(name: "power", f: { $0.power(3, scale: 0.5, shift: 0.25) }),
        Entry(name: "exp_base2", f: { $0.caffeExp(base: 2, scale: 0.1) }),
    ]

    static let edges: [Double] = [0, -0.0, 1e-8, -1e-8, 1e-3, -1e-3, 1, -1, 3, -3, 6, -6, 20, -20, 88, -88, 89, -89, 710, -710, 1e4, -1e4]

    struct Result {
        var points = 0
        var maxAbs = 0.0
        var maxRel = 0.0
        var failures = 0
        var worst = ""
    }

    static func run(_ options: Options) throws {
        let json = options.flag("--json")
        let count = try options.int("--points", default: 2048, range: 1...1_000_000)
        let only = options.string("--activation")
        if let only, !entries.contains(where: { $0.name == only }) {
            throw CLIError.badValue(flag: "--activation", value: only, expected: "one of " + entries.map(\.name).joined(separator: ", "))
        }
        var g = TensorRandom(seed: 0)
        let random = (0..<Swift.max(0, count - edges.count)).map { _ in g.nextUnitDouble() * 16 - 8 }
        let points = edges + random
        var allPass = true
        if !json {
            print("activation       order  points  max abs error  max rel error  pass")
        }
        for e in entries where only == nil || e.name == only {
            for order in 1...2 {
                let r = check(e, order: order, at: points)
                let pass = r.failures == 0
                allPass = allPass && pass
                if json {
                    var line = JSONLine()
                    line.add("activation", e.name)
                    line.add("order", order)
                    line.add("points", r.points)
                    line.add("max_abs_error", r.maxAbs, format: "%.17g")
                    line.add("max_rel_error", r.maxRel, format: "%.17g")
                    line.add("pass", pass)
                    print(line.text)
                } else {
                    let name = e.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    print(String(format: "%@ %5d  %6d  %13.3e  %13.3e  %@", name, order, r.points, r.maxAbs, r.maxRel, pass ? "yes" : "NO  \(r.worst)"))
                }
            }
        }
        if !allPass { exit(1) }
    }

    /// Derivative of order `order` by autograd at `x`, as an array.
    static func analytic(_ f: (Variable<Double>) -> Variable<Double>, order: Int, at x: Tensor<Double>) -> [Double] {
        let v = Variable(x, requiresGradient: true)
        let d1 = gradients(of: f(v).sum(), withRespectTo: [v], createGraph: order > 1)[0]!
        if order == 1 { return d1.value.scalars }
        // A first derivative built from constants only (piecewise-linear f) has f″ = 0.
        guard d1.requiresGradient else { return [Double](repeating: 0, count: x.count) }
        return (gradients(of: d1.sum(), withRespectTo: [v], allowUnused: true)[0]?.value.scalars) ?? [Double](repeating: 0, count: x.count)
    }

    static func check(_ e: Entry, order: Int, at points: [Double]) -> Result {
        let eps = 1e-6
        let atol = 1e-5
        let rtol = 1e-3
        let x = Tensor<Double>(points)
        let a = analytic(e.f, order: order, at: x)
        // Central differences of the derivative one order down.
        let lower: (Tensor<Double>) -> [Double] = { t in
            order == 1 ? withoutGradients { e.f(Variable(t)).value.scalars } : analytic(e.f, order: 1, at: t)
        }
        let plus = lower(x + eps)
        let minus = lower(x - eps)
        var r = Result()
        let kinks = e.kinks.map(\.0) + (order == 2 ? e.secondOrderKinks : [])
        for (i, p) in points.enumerated() {
            r.points += 1
            if let k = kinks.first(where: { Swift.abs(p - $0) <= 1e-4 }) {
                // On the kink: the documented convention (first order); near it: skipped.
                if order == 1, p == k, let c = e.kinks.first(where: { $0.0 == k })?.1, a[i] != c {
                    r.failures += 1
                    r.worst = "at x = \(p): f′ = \(a[i]), convention \(c)"
                }
                continue
            }
            guard a[i].isFinite else {
                r.failures += 1
                r.worst = "at x = \(p): derivative \(a[i])"
                continue
            }
            let numeric = (plus[i] - minus[i]) / (2 * eps)
            // Where f or f′ overflows in the difference (|x| ≥ 710 for exp-based forms), the
            // finite difference is meaningless; the analytic value is only required finite.
            guard numeric.isFinite else { continue }
            let err = Swift.abs(a[i] - numeric)
            r.maxAbs = Swift.max(r.maxAbs, err)
            if numeric != 0 { r.maxRel = Swift.max(r.maxRel, err / Swift.abs(numeric)) }
            if err > atol + rtol * Swift.abs(numeric) {
                r.failures += 1
                r.worst = "at x = \(p): analytic \(a[i]), numeric \(numeric)"
            }
        }
        return r
    }
}
