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
        /// Kinks whose derivative differs from element to element (no single convention value
        /// to check): points near them are only skipped.
        var unconventionalKinks: [Double] = []
        /// Where f and its derivatives are finite: the points are drawn inside it.
        var domain: ClosedRange<Double> = -Double.infinity...Double.infinity
    }

    /// One row per rule-based activation of the catalogue (built in or registered by the user)
    /// at its default parameters and at the non-default specs below, with its declared kinks;
    /// then the hand-written rows of activations that are not rules yet.
    static var entries: [Entry] {
        let rules = ActivationCatalogue.registeredActivations.filter(\.isRule)
        let names = Set(rules.map(\.entry.name))
        var rows: [Entry] = []
        for a in rules {
            guard let spec = try? ActivationSpec(parsing: a.entry.name) else { continue }  // a required parameter: see ruleSpecs
            rows.append(entry(a.entry.name, spec))
        }
        for text in ruleSpecs {
            guard let spec = try? ActivationSpec(parsing: text), names.contains(spec.name) else { continue }
            rows.append(entry(text, spec))
        }
        return rows + builtIn.filter { !names.contains($0.name) }
    }

    /// The row of a rule-based activation at `spec`.
    static func entry(_ name: String, _ spec: ActivationSpec) -> Entry {
        let c = ActivationCatalogue.registered(named: spec.name)!.forms(Double.self, spec.activationArguments)!
        return Entry(name: name, f: c.function, kinks: c.kinks.map { ($0.location, $0.derivative) }, secondOrderKinks: c.secondOrderKinks, domain: c.domain)
    }

    /// Rule rows at non-default parameters (and for rules with a required parameter).
    static let ruleSpecs = [
        "swish:beta=1.5", "power:power=3,scale=0.5,shift=0.25", "exp:base=2,scale=0.1", "threshold:threshold=0.5,value=-1",
    ]

    /// Rows of element-wise activations that are modules with state of their own rather than
    /// rules (the rule rows come from the registry above).
    static let builtIn: [Entry] = [
        Entry(name: "prelu", f: { $0.prelu(alpha: Variable(Tensor<Double>([0.25]))) }, kinks: [(0, 0.25)]),
        // RReLU in training with its slopes frozen (as backward sees them): one slope per element,
        // drawn once from U(1/8, 1/3) with a fixed seed.
        Entry(name: "rrelu_frozen_slopes", f: { x in
            var g = TensorRandom(seed: 11)
            return x.rrelu(slopes: Tensor<Double>.randomUniform(x.shape, low: 1.0 / 8, high: 1.0 / 3, using: &g))
        }, unconventionalKinks: [0]),
    ]

    static let edges: [Double] = [0, -0.0, 1e-8, -1e-8, 1e-3, -1e-3, 1, -1, 3, -3, 6, -6, 20, -20, 88, -88, 89, -89, 710, -710, 1e4, -1e4]

    struct Result {
        var points = 0
        var maxAbs = 0.0
        var maxRel = 0.0
        var failures = 0
        var worst = ""
    }

    /// A check of a whole module built from a spec string: its input and every parameter are
    /// the inputs of `gradcheck` and `gradgradcheck` (random projections), so Jacobians that are
    /// not diagonal (softmax, GLU, maxout) and parameter gradients (PReLU's α, trainable swish's
    /// β, maxout's pieces) are checked too.
    struct ModuleRow {
        let spec: String
        /// The input's shape (2,048 elements; [N, C] with C = 8 unless the activation needs another).
        var shape: [Int] = [256, 8]
        /// Evaluation mode (RReLU's mean slope).
        var eval = false
    }

    /// Module rows: every catalogue entry without a diagonal row above, the parametric and
    /// non-element-wise forms, and Caffe's operations with non-default parameters.
    static let moduleRows: [ModuleRow] = [
        ModuleRow(spec: "prelu:channels=1"),
        ModuleRow(spec: "prelu:channels=8,init=0.1"),
        ModuleRow(spec: "trainable_swish"),
        ModuleRow(spec: "trainable_swish:channels=8,init=1.5"),
        ModuleRow(spec: "rrelu", eval: true),
        ModuleRow(spec: "leaky_relu:negative_slope=0.2"),
        ModuleRow(spec: "elu:alpha=0.5"),
        ModuleRow(spec: "celu:alpha=2"),
        ModuleRow(spec: "bounded_relu:n=2"),
        ModuleRow(spec: "maxout:inputs=16,outputs=8,pieces=3", shape: [128, 16]),
        ModuleRow(spec: "channel_maxout:groups=2", shape: [64, 4, 8]),
        ModuleRow(spec: "softmax", shape: [64, 32]),
        ModuleRow(spec: "log_softmax", shape: [64, 32]),
        ModuleRow(spec: "softmin:axis=0", shape: [64, 32]),
        ModuleRow(spec: "glu", shape: [64, 32]),
        ModuleRow(spec: "power:power=2,scale=0.5,shift=-1"),
        ModuleRow(spec: "exp:base=2,scale=0.5,shift=1"),
        ModuleRow(spec: "log:base=10,scale=0.5,shift=10"),
    ]

    /// The result of one module row at one order.
    static func check(_ row: ModuleRow, order: Int) throws -> Result {
        let spec: ActivationSpec
        do {
            spec = try ActivationSpec(parsing: row.spec)
        } catch {
            throw CLIError.usage("--activation \(row.spec): \(error)")
        }
        manualSeed(0)
        let layer = spec.makeLayer(Double.self)
        if row.eval { layer.eval() }
        let parameters = layer.parameters(of: Double.self)
        var g = TensorRandom(seed: 1)
        let x = Tensor<Double>.randomUniform(row.shape, low: -4, high: 4, using: &g)
        let inputs = [x] + parameters.map(\.value)
        // The gradcheck's own leaves stand in for the module's parameters.
        let f: ([Variable<Double>]) -> Variable<Double> = { vars in
            for (p, v) in zip(parameters, vars.dropFirst()) { p.wrappedValue = v }
            return layer(vars[0])
        }
        var options = GradcheckOptions()
        options.mode = .randomProjections(16)
        let report = order == 1 ? gradcheck(f, at: inputs, options: options) : gradgradcheck(f, at: inputs, options: options)
        var r = Result()
        r.points = x.count
        r.maxAbs = report.maxAbsoluteError
        r.maxRel = report.maxRelativeError
        r.failures = report.passed ? 0 : 1
        if !report.passed { r.worst = report.description }
        return r
    }

    static func run(_ options: Options) throws {
        let json = options.flag("--json")
        let count = try options.int("--points", default: 2048, range: 1...1_000_000)
        let only = options.string("--activation")
        let diagonal = entries
        var modules = moduleRows
        if let only, !diagonal.contains(where: { $0.name == only }), !modules.contains(where: { $0.spec == only }) {
            // Any spec `tapegrad train` accepts: checked as a module row.
            do {
                let spec = try ActivationSpec(parsing: only)
                modules = [spec.entry.name == "channel_maxout" ? ModuleRow(spec: only, shape: [64, 4, 8]) : ModuleRow(spec: only)]
            } catch {
                throw CLIError.badValue(flag: "--activation", value: only, expected: "a row (one of \((diagonal.map(\.name) + moduleRows.map(\.spec)).joined(separator: ", "))) or an activation spec: \(error)")
            }
        }
        // Completeness by construction: every catalogue entry has a row.
        let covered = Set(diagonal.map(\.name) + (ruleSpecs + moduleRows.map(\.spec)).compactMap { try? ActivationSpec(parsing: $0).entry.name })
        let missing = ActivationCatalogue.names.filter { !covered.contains($0) }
        var allPass = missing.isEmpty
        if !json {
            print("activation                           order  points  max abs error  max rel error  pass")
        }
        func report(_ name: String, _ order: Int, _ r: Result) {
            let pass = r.failures == 0
            allPass = allPass && pass
            if json {
                var line = JSONLine()
                line.add("activation", name)
                line.add("order", order)
                line.add("points", r.points)
                line.add("max_abs_error", r.maxAbs, format: "%.17g")
                line.add("max_rel_error", r.maxRel, format: "%.17g")
                line.add("pass", pass)
                print(line.text)
            } else {
                let padded = name.padding(toLength: Swift.max(36, name.count), withPad: " ", startingAt: 0)
                print(String(format: "%@ %5d  %6d  %13.3e  %13.3e  %@", padded, order, r.points, r.maxAbs, r.maxRel, pass ? "yes" : "NO  \(r.worst)"))
            }
        }
        for e in diagonal where only == nil || e.name == only {
            let points = points(count, inside: e.domain)
            for order in 1...2 { report(e.name, order, check(e, order: order, at: points)) }
        }
        for row in modules where only == nil || row.spec == only {
            for order in 1...2 { report(row.spec, order, try check(row, order: order)) }
        }
        if !missing.isEmpty {
            printError("tapegrad: gradcheck has no row for \(missing.joined(separator: ", ")) (add one)\n")
        }
        if !allPass { exit(1) }
    }

    /// `count` points: the edge set and uniform draws on [−8, 8] (seed 0), all kept at least
    /// 1e-3 inside `domain`; where the domain leaves little of [−8, 8], the draws cover 16 units
    /// of it from its finite end.
    static func points(_ count: Int, inside domain: ClosedRange<Double>) -> [Double] {
        let margin = 1e-3
        let lo = domain.lowerBound + margin, hi = domain.upperBound - margin
        let inside = edges.filter { $0 >= lo && $0 <= hi }
        var a = Swift.max(-8, lo), b = Swift.min(8, hi)
        if b - a < 1 { (a, b) = lo.isFinite ? (lo, lo + 16) : (hi - 16, hi) }
        var g = TensorRandom(seed: 0)
        return inside + (0..<Swift.max(0, count - inside.count)).map { _ in a + g.nextUnitDouble() * (b - a) }
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
        let kinks = e.kinks.map(\.0) + e.unconventionalKinks + (order == 2 ? e.secondOrderKinks : [])
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
