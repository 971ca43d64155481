import Foundation
import Testing
import TestSupport

@testable import NN

/// Random inputs for an entry: input i uniform in `domains[i]` (the last domain repeats).
func sampleInputs(_ info: OpInfo, seed: UInt64 = 7) -> [Tensor<Double>] {
    info.shapes.enumerated().map { i, shape in
        let d = info.domains[min(i, info.domains.count - 1)]
        return Tensor<Double>.randomUniform(shape, low: d.lowerBound, high: d.upperBound, seed: seed &+ UInt64(i))
    }
}

/// The reference values of an entry at `inputs` (flat, row-major).
func referenceValues(_ info: OpInfo, _ inputs: [Tensor<Double>]) -> [Double] {
    switch info.reference {
    case .unary(let f, _): return inputs[0].scalars.map { Double(f(R($0))) }
    case .binary(let f, _, _): return zip(inputs[0].scalars, inputs[1].scalars).map { Double(f(R($0), R($1))) }
    case .tensor(let f): return f(inputs)
    case .structural: return []
    }
}

@Suite struct OpInfoTests {
    static let computing = OpInfoTable.all.filter { !$0.isStructural }
    static let withKinks = OpInfoTable.all.filter { !$0.kinks.isEmpty }
    static let secondOrder = computing.filter(\.secondOrder)

    // MARK: Completeness: a new op without an entry fails here.

    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The case names of `Primitive`, read from Sources/Autograd/Primitive.swift (an enum with
    /// payloads cannot be CaseIterable).
    static func primitiveCaseNames() throws -> [String] {
        let text = try String(contentsOf: sourceRoot.appendingPathComponent("Sources/Autograd/Primitive.swift"), encoding: .utf8)
        guard let start = text.range(of: "public enum Primitive"), let end = text.range(of: "var name: String", range: start.upperBound..<text.endIndex) else {
            Issue.record("Primitive.swift: enum or its `name` property not found")
            return []
        }
        var names: [String] = []
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("case ") else { continue }
            // Split at top-level commas: `case add, subtract, negate`, `case clamp(Saved, lower: …)`.
            var depth = 0
            var current = ""
            var items: [String] = []
            for c in t.dropFirst(5) {
                if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
                if c == "," && depth == 0 { items.append(current); current = "" } else { current.append(c) }
            }
            items.append(current)
            for item in items {
                let name = item.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if !name.isEmpty { names.append(String(name)) }
            }
        }
        return names
    }

    @Test func everyPrimitiveCaseHasAnEntry() throws {
        let cases = try Self.primitiveCaseNames()
        #expect(cases.count >= 25, "parsed only \(cases.count) cases: \(cases)")
        let table = Set(OpInfoTable.primitives.map(\.name))
        // `pow` is the `power` case's name on the tape.
        let expected = Set(cases.map { $0 == "power" ? "pow" : $0 })
        #expect(expected.subtracting(table).isEmpty, "Primitive cases without an OpInfo entry: \(expected.subtracting(table).sorted())")
        #expect(table.subtracting(expected).isEmpty, "OpInfo entries for no Primitive case: \(table.subtracting(expected).sorted())")
    }

    @Test func everyVariableOperationIsCovered() throws {
        let text = try String(contentsOf: Self.sourceRoot.appendingPathComponent("Sources/Autograd/Operations.swift"), encoding: .utf8)
        var names = Set<String>()
        for line in text.split(separator: "\n") {
            guard let r = line.range(of: "func "), line.contains("public ") else { continue }
            let rest = line[r.upperBound...]
            let name = rest.prefix { $0 != "(" && $0 != "<" && $0 != " " }
            if !name.isEmpty { names.insert(String(name)) }
        }
        #expect(names.count >= 30, "parsed only \(names.count) operations")
        let covered = Set(OpInfoTable.all.flatMap(\.api))
        #expect(names.subtracting(covered).isEmpty, "Variable operations without an OpInfo entry: \(names.subtracting(covered).sorted())")
    }

    @Test func everyCatalogueActivationHasAnEntry() {
        let catalogue = Set(ActivationCatalogue.names)
        let table = Set(OpInfoTable.activations.map(\.name))
        #expect(catalogue.subtracting(table).isEmpty, "activations without an OpInfo entry: \(catalogue.subtracting(table).sorted())")
        #expect(table.subtracting(catalogue).isEmpty, "OpInfo activations not in the catalogue: \(table.subtracting(catalogue).sorted())")
        #expect(OpInfoTable.activations.count == ActivationCatalogue.entries.count, "duplicate activation entries")
        for info in OpInfoTable.activations {
            #expect((try? ActivationSpec(parsing: info.spec)) != nil, "\(info.name): spec \(info.spec) does not parse")
            if let e = ActivationCatalogue.entry(named: info.name), e.isElementwise {
                #expect(info.isElementwiseUnary && info.special != nil, "\(info.name): elementwise without a scalar reference and special-value facts")
            }
        }
    }

    // MARK: Values, gradients, kinks

    @Test(arguments: computing)
    func valuesMatchTheReference(_ info: OpInfo) {
        let inputs = sampleInputs(info)
        let ref = referenceValues(info, inputs)
        let y = opFunction(info, inputs.map { Variable($0) }).value.scalars
        #expect(y.count == ref.count, "\(info.name): \(y.count) values, reference \(ref.count)")
        for (a, b) in zip(y, ref) {
            #expect(Swift.abs(a - b) <= 1e-13 + 1e-12 * Swift.abs(b), "\(info.name) (Double): \(a) vs reference \(b)")
        }
        // Float: within a few Float ulps of the reference (in absolute terms near 0).
        let yf = opFunction(info, inputs.map { Variable(Tensor<Float>(shape: $0.shape, scalars: $0.scalars.map { Float($0) })) }).value.scalars
        let reff = referenceValues(info, inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars.map { Double(Float($0)) }) })
        for (a, b) in zip(yf, reff) {
            #expect(Swift.abs(Double(a) - b) <= 1e-6 * Swift.max(1, Swift.abs(b)), "\(info.name) (Float): \(a) vs reference \(b)")
        }
    }

    @Test(arguments: computing)
    func gradcheckOnTheDomain(_ info: OpInfo) {
        var options = GradcheckOptions()
        options.kinks = info.kinks.map { Kink(at: $0.at) }
        let inputs = sampleInputs(info)
        let report = gradcheck({ opFunction(info, $0) }, at: inputs, options: options)
        #expect(report.passed, "\(info.name): \(report)")
        #expect(report.comparisons > 0, "\(info.name): nothing compared")
    }

    @Test(arguments: secondOrder)
    func gradgradcheckOnTheDomain(_ info: OpInfo) {
        let inputs = sampleInputs(info, seed: 11)
        let report = gradgradcheck({ opFunction(info, $0) }, at: inputs)
        #expect(report.passed, "\(info.name): \(report)")
    }

    /// The analytic derivative of each unary entry agrees with its reference derivative.
    @Test(arguments: computing.filter { $0.isElementwiseUnary })
    func derivativeMatchesTheReferenceDerivative(_ info: OpInfo) {
        guard case .unary(_, let d) = info.reference else { return }
        let x = sampleInputs(info)[0]
        let v = Variable(x, requiresGradient: true)
        opFunction(info, [v]).backward(seed: Tensor(shape: x.shape, repeating: 1))
        for (g, xi) in zip(v.gradient!.scalars, x.scalars) {
            let ref = Double(d(R(xi)))
            #expect(Swift.abs(g - ref) <= 1e-13 + 1e-12 * Swift.abs(ref), "\(info.name)'(\(xi)): \(g) vs reference \(ref)")
        }
    }

    static let binaries = computing.filter { if case .binary = $0.reference { true } else { false } }

    /// The analytic partials of each binary entry agree with its Float80 reference partials
    /// (`da`, `db`) at a tight tolerance: gradcheck's 1e-3 alone would pass a 0.1% error. The
    /// upstream gradient is not 1, so a partial that drops or squares it fails too. Double within
    /// ~4 ulps of the result plus ~4 ulps of the scale of its terms |u|(1 + |a|)(1 + |b|) (where a
    /// partial cancels, e.g. 1 − y² near |y| = 1, only the absolute part is reachable); Float
    /// within 1e-6 (absolute below 1), at the Float-rounded inputs.
    @Test(arguments: binaries)
    func partialsMatchTheReferencePartials(_ info: OpInfo) {
        guard case .binary(_, let da, let db) = info.reference else { return }
        let inputs = sampleInputs(info)
        let upstream = Tensor<Double>.randomUniform(inputs[0].shape, low: 0.5, high: 2, seed: 99)
        func check<S: TensorScalar>(_: S.Type, tolerance: (_ ref: Double, _ scale: Double) -> Double) {
            let xs = inputs.map { Variable(Tensor<S>(shape: $0.shape, scalars: $0.scalars.map { S($0) }), requiresGradient: true) }
            let u = Tensor<S>(shape: upstream.shape, scalars: upstream.scalars.map { S($0) })
            opFunction(info, xs).backward(seed: u)
            let a = xs[0].value.scalars.map { Double($0) }, b = xs[1].value.scalars.map { Double($0) }
            let us = u.scalars.map { Double($0) }
            for (k, (partial, label)) in [(da, "∂/∂a"), (db, "∂/∂b")].enumerated() {
                let g = xs[k].gradient!.scalars.map { Double($0) }
                #expect(g.count == a.count, "\(info.name) \(label): \(g.count) gradients for \(a.count) inputs")
                for i in 0..<Swift.min(g.count, a.count) {
                    let ref = Double(R(us[i]) * partial(R(a[i]), R(b[i])))
                    let scale = Swift.abs(us[i]) * (1 + Swift.abs(a[i])) * (1 + Swift.abs(b[i]))
                    let tol = tolerance(ref, scale)
                    #expect(Swift.abs(g[i] - ref) <= tol,
                            "\(info.name) \(label) (\(S.self)) at a = \(a[i]), b = \(b[i]), upstream \(us[i]): \(g[i]) vs reference \(ref) (error \(Swift.abs(g[i] - ref)) > \(tol))")
                }
            }
        }
        check(Double.self) { ref, scale in 4 * Swift.abs(ref).ulp + 4 * scale.ulp }
        check(Float.self) { ref, _ in 1e-6 * Swift.max(1, Swift.abs(ref)) }
    }

    @Test(arguments: withKinks)
    func derivativeAtEachKinkIsTheConvention(_ info: OpInfo) {
        func check<S: TensorScalar>(_: S.Type) {
            for k in info.kinks {
                let vars = info.shapes.map { _ in Variable(Tensor<S>([S(k.at)]), requiresGradient: true) }
                let g = gradients(of: opFunction(info, vars).sum(), withRespectTo: [vars[0]])[0]!.value.scalars[0]
                #expect(g == S(k.derivative), "\(info.name)'(\(k.at)) in \(S.self): \(g), convention \(S(k.derivative)) (\(k.note))")
                // Also at the kink inside a tensor, through the vector body (16 lanes and a tail).
                let xs = info.shapes.map { _ in Variable(Tensor<S>(shape: [37], repeating: S(k.at)), requiresGradient: true) }
                let gs = gradients(of: opFunction(info, xs).sum(), withRespectTo: [xs[0]])[0]!.value.scalars
                #expect(gs.allSatisfy { $0 == S(k.derivative) }, "\(info.name)'(\(k.at)) in a [37] \(S.self) tensor: \(Set(gs.map { "\($0)" }))")
            }
        }
        check(Float.self)
        check(Double.self)
    }

    // MARK: Error inputs

    @Test func errorInputsAreListed() {
        let errors = OpInfoTable.allErrors
        #expect(Set(errors.map(\.id)).count == errors.count, "duplicate error ids")
        for e in errors { #expect(!e.mentions.isEmpty, "\(e.id): no message fragments") }
        #expect(errors.count >= 25)
    }

    /// Every error input, each in its own process (about 30; cheap enough to run them all).
    @Test(arguments: OpInfoTable.allErrors.map(\.id))
    func errorInputStopsWithItsMessage(_ id: String) async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [id] in
            OpInfoTable.error(id)!.trigger()
        }
        expectStop(r, mentions: OpInfoTable.error(id)!.mentions)
    }
}
