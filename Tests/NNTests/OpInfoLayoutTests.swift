import Foundation
import Testing
import TestSupport

@testable import NN

// Layouts and forms: every elementwise op (unary and binary primitives) and every activation
// gives bit-identical values and input gradients on contiguous, transposed, stepped, offset and
// expanded inputs; an activation's function, Tensor method, in-place and module forms agree bit
// for bit.

/// `layouts(of:)` plus an expanded (stride-0) input: the first row broadcast over the rows.
func layoutsWithExpanded<S: TensorScalar>(of t: Tensor<S>) -> [(name: String, tensor: Tensor<S>)] {
    let row = t.sliced(alongAxis: 0, from: 0, to: 1)
    return layouts(of: t) + [("expanded", row.expanded(to: t.shape))]
}

/// The Tensor-level (non-differentiable) method form of an entry, where it has one.
func tensorMethod<S: TensorScalar>(_ info: OpInfo, _ t: Tensor<S>) -> Tensor<S>? {
    let spec = try? ActivationSpec(parsing: info.spec)
    // A rule: the Tensor form the registry derives from it — except where Tensor has a kernel of
    // its own the rule must agree with (tanh, sigmoid, abs, exp), checked below.
    if info.kind == .activation, !["tanh", "sigmoid", "abs", "exp"].contains(info.name), let spec,
        let forms = ActivationCatalogue.registered(named: spec.name)!.forms(S.self, spec.activationArguments) {
        return forms.tensor(t)
    }
    func r(_ n: String) -> S { S(spec!.value(of: n)) }
    switch (info.kind, info.name) {
    case (.primitive, "exp"), (.activation, "exp"): return info.kind == .primitive || r("base") == S(M_E) ? t.exp() : nil
    case (.primitive, "expm1"): return t.expm1()
    case (.primitive, "log"): return t.log()
    case (.primitive, "log1p"): return t.log1p()
    case (_, "tanh"): return t.tanh()
    case (_, "sigmoid"): return t.sigmoid()
    case (.primitive, "sqrt"): return t.sqrt()
    case (.primitive, "erf"): return t.erf()
    case (_, "abs"): return t.abs()
    case (.primitive, "pow"): return t.pow(3)
    case (.primitive, "clamp"): return t.clamped(to: -1...1)
    case (.primitive, "negate"): return -t
    default: return nil
    }
}

/// The entry's in-place form, from the registry, where it has one.
func inPlaceForm<S: TensorScalar>(_ info: OpInfo, _: S.Type) -> (@Sendable (inout Variable<S>) -> Void)? {
    guard info.kind == .activation, let spec = try? ActivationSpec(parsing: info.spec) else { return nil }
    return ActivationCatalogue.registered(named: spec.name)?.forms(S.self, spec.activationArguments)?.inPlace
}

@Suite struct OpInfoLayoutTests {
    /// Elementwise entries: unary and binary primitives and the elementwise activations.
    static let elementwise = OpInfoTable.all.filter {
        switch $0.reference {
        case .unary, .binary: return true
        default: return $0.name == "select"
        }
    }
    static let activations = OpInfoTable.activations

    @Test(arguments: elementwise)
    func layoutsGiveBitIdenticalValuesAndGradients(_ info: OpInfo) {
        check(info, Float.self)
        check(info, Double.self)
    }

    func check<S: TensorScalar>(_ info: OpInfo, _: S.Type) {
        let shape = [6, 21]  // 21 per row: a vector body of 16 and a tail of 5
        let bases = info.shapes.indices.map { i -> Tensor<S> in
            let d = info.domains[min(i, info.domains.count - 1)]
            return Tensor<S>.randomUniform(shape, low: S(d.lowerBound), high: S(d.upperBound), seed: 20 + UInt64(i))
        }
        let seed = Tensor<S>.randomNormal(shape, seed: 99)
        func run(_ inputs: [Tensor<S>]) -> (y: [S], gradients: [[S]]) {
            let vars = inputs.map { Variable($0, requiresGradient: true) }
            let y = opFunction(info, vars)
            y.backward(seed: seed)
            return (y.value.scalars, vars.map { $0.gradient!.scalars })
        }
        let layouts = bases.map { layoutsWithExpanded(of: $0) }
        for k in layouts[0].indices {
            let name = layouts[0][k].name
            let reference = run(layouts.map { $0[k].tensor.contiguous() })
            let got = run(layouts.map { $0[k].tensor })
            #expect(bitIdentical(got.y, reference.y), "\(info.name) \(S.self) \(name): values differ from contiguous")
            for (i, (a, b)) in zip(got.gradients, reference.gradients).enumerated() {
                #expect(bitIdentical(a, b), "\(info.name) \(S.self) \(name): gradient of input \(i) differs from contiguous")
            }
        }
    }

    @Test(arguments: activations)
    func functionMethodInPlaceAndModuleFormsAgree(_ info: OpInfo) {
        forms(info, Float.self)
        forms(info, Double.self)
    }

    func forms<S: TensorScalar>(_ info: OpInfo, _: S.Type) {
        let d = info.domains[0]
        let shape = info.special != nil ? [3, 21] : info.shapes[0]
        let base = Tensor<S>.randomUniform(shape, low: S(d.lowerBound), high: S(d.upperBound), seed: 5)
        for (layout, t) in layoutsWithExpanded(of: base) {
            let x = Variable(t, requiresGradient: true)
            let y = opFunction(info, [x])
            let seed = Tensor<S>.randomNormal(y.shape, seed: 8)
            y.backward(seed: seed)
            let reference = (y.value.scalars, x.gradient!.scalars)

            if let m = tensorMethod(info, t) {
                #expect(bitIdentical(m.scalars, reference.0), "\(info.name) \(S.self) \(layout): Tensor method differs from the function form")
            }

            let xm = Variable(t, requiresGradient: true)
            let module = opModule(info, S.self)
            let ym = module(xm)
            ym.backward(seed: seed)
            #expect(bitIdentical(ym.value.scalars, reference.0), "\(info.name) \(S.self) \(layout): module form's values differ")
            #expect(bitIdentical(xm.gradient!.scalars, reference.1), "\(info.name) \(S.self) \(layout): module form's gradient differs")

            if let inPlace = inPlaceForm(info, S.self) {
                let xi = Variable(t, requiresGradient: true)
                var h = xi * 1  // a non-leaf to overwrite
                inPlace(&h)
                h.backward(seed: seed)
                #expect(bitIdentical(h.value.scalars, reference.0), "\(info.name) \(S.self) \(layout): in-place values differ")
                if ["elu", "selu", "leaky_relu"].contains(info.name) {
                    // `.both` rules: in place the derivative is read from the output (elu: y + α),
                    // out of place from the input (αeˣ); equal up to rounding.
                    #expect(maxRelativeError(xi.gradient!.scalars, reference.1) < (S.self == Float.self ? 1e-5 : 1e-13), "\(info.name) \(S.self) \(layout): in-place gradient differs")
                } else {
                    #expect(bitIdentical(xi.gradient!.scalars, reference.1), "\(info.name) \(S.self) \(layout): in-place gradient differs")
                }
            }
        }
    }
}
