import Foundation
import Testing
import TestSupport

@testable import NN

/// The module's name without its generic argument: "LeakyReLU<Float>" → "LeakyReLU"; a rule's
/// module (`ActivationLayer<ELURule<Float>>`) by the name it prints ("ELU<Float>(alpha: 1.0)").
private func typeName(_ module: Module) -> String {
    String(module.summaryLine.prefix { $0 != "<" })
}

/// Every activation module next to its function form, on an input it accepts.
private struct Case<S: TensorScalar> {
    let layer: any Layer<S>
    let function: (Variable<S>) -> Variable<S>
    var input: Tensor<S> = Case.standardInput
    /// Pre-runs needed before the function form can be evaluated (RReLU's draw).
    var layerFirst = false

    static var standardInput: Tensor<S> {
        Tensor<S>(shape: [2, 6], scalars: [-4, -3, -1.5, -0.5, 0, 0.25, 0.5, 1, 2, 3, 5, 7].map { S($0) })
    }
}

private func moduleCases<S: TensorScalar>(_: S.Type) -> [Case<S>] {
    var g = TensorRandom(seed: 3)
    let prelu = PReLU<S>(channels: 6)
    let sharedPReLU = PReLU<S>()
    let tswish = TrainableSwish<S>(channels: 6, initialValue: 1.5)
    let maxout = Maxout<S>(inputs: 6, outputs: 2, pieces: 3, using: &g)
    let rreluTrain = RReLU<S>(seed: 5)
    let rreluEval = RReLU<S>(lower: 0.1, upper: 0.3, seed: 5)
    rreluEval.eval()
    let mean = (S(0.1) + S(0.3)) / 2
    return [
        Case(layer: ReLU<S>(), function: { $0.relu() }),
        Case(layer: LeakyReLU<S>(negativeSlope: 0.2), function: { $0.leakyReLU(negativeSlope: 0.2) }),
        Case(layer: prelu, function: { $0.prelu(alpha: prelu.alpha) }),
        Case(layer: sharedPReLU, function: { $0.prelu(alpha: sharedPReLU.alpha) }),
        Case(layer: rreluTrain, function: { $0.rrelu(slopes: rreluTrain.lastSlopes!) }, layerFirst: true),
        Case(layer: rreluEval, function: { $0.rrelu(slopes: Tensor(mean)) }),
        Case(layer: ELU<S>(alpha: 0.5), function: { $0.elu(alpha: 0.5) }),
        Case(layer: SELU<S>(), function: { $0.selu() }),
        Case(layer: CELU<S>(alpha: 1.5), function: { $0.celu(alpha: 1.5) }),
        Case(layer: ReLU6<S>(), function: { $0.relu6() }),
        Case(layer: BoundedReLU<S>(n: 2), function: { $0.boundedReLU(n: 2) }),
        Case(layer: Hardtanh<S>(min: -2, max: 3), function: { $0.hardtanh(min: -2, max: 3) }),
        Case(layer: Softsign<S>(), function: { $0.softsign() }),
        Case(layer: Softplus<S>(beta: 2, threshold: 5), function: { $0.softplus(beta: 2, threshold: 5) }),
        Case(layer: Swish<S>(beta: 1.5), function: { $0.swish(beta: 1.5) }),
        Case(layer: TrainableSwish<S>(), function: { $0.swish(beta: Variable(Tensor<S>([1]))) }),
        Case(layer: tswish, function: { $0.swish(beta: tswish.beta) }),
        Case(layer: SiLU<S>(), function: { $0.silu() }),
        Case(layer: Mish<S>(), function: { $0.mish() }),
        Case(layer: GELU<S>(), function: { $0.gelu() }),
        Case(layer: GELU<S>(approximation: .tanh), function: { $0.gelu(approximation: .tanh) }),
        Case(layer: Hardsigmoid<S>(), function: { $0.hardsigmoid() }),
        Case(layer: Hardswish<S>(), function: { $0.hardswish() }),
        Case(layer: LogSigmoid<S>(), function: { $0.logSigmoid() }),
        Case(layer: Softshrink<S>(lambda: 1), function: { $0.softshrink(lambda: 1) }),
        Case(layer: Hardshrink<S>(lambda: 1), function: { $0.hardshrink(lambda: 1) }),
        Case(layer: Tanhshrink<S>(), function: { $0.tanhshrink() }),
        Case(layer: Threshold<S>(threshold: 0.5, value: -1), function: { $0.threshold(threshold: 0.5, value: -1) }),
        Case(layer: Sigmoid<S>(), function: { $0.sigmoid() }),
        Case(layer: Tanh<S>(), function: { $0.tanh() }),
        Case(layer: Abs<S>(), function: { $0.abs() }),
        Case(layer: Power<S>(2.5, scale: 0.5, shift: 5), function: { $0.power(2.5, scale: 0.5, shift: 5) }),
        Case(layer: CaffeExp<S>(base: 2, scale: 0.5, shift: 1), function: { $0.caffeExp(base: 2, scale: 0.5, shift: 1) }),
        Case(layer: CaffeLog<S>(base: 10, scale: 0.5, shift: 5), function: { $0.caffeLog(base: 10, scale: 0.5, shift: 5) }),
        Case(layer: maxout, function: { $0.maxout(weight: maxout.weight, bias: maxout.bias) }),
        Case(layer: ChannelMaxout<S>(groups: 3), function: { $0.maxout(groups: 3) }),
        Case(layer: ChannelMaxout<S>(groups: 2, channelAxis: 0), function: { $0.maxout(groups: 2, channelAxis: 0) }),
        Case(layer: Softmax<S>(), function: { $0.softmax() }),
        Case(layer: Softmax<S>(alongAxis: 0), function: { $0.softmax(alongAxis: 0) }),
        Case(layer: LogSoftmax<S>(), function: { $0.logSoftmax() }),
        Case(layer: Softmin<S>(alongAxis: 0), function: { $0.softmin(alongAxis: 0) }),
        Case(layer: GLU<S>(), function: { $0.glu() }),
    ]
}

/// Output and input gradient (of Σ w·f(x), w fixed) of the module and of the function form.
private func compare<S: TensorScalar>(_ c: Case<S>) -> (values: Bool, gradients: Bool) {
    func run(_ f: (Variable<S>) -> Variable<S>) -> ([S], [S]) {
        let x = Variable(c.input, requiresGradient: true)
        let y = f(x)
        let w = Tensor<S>(shape: y.shape, scalars: (0..<y.value.count).map { S(Double($0 % 5) - 1.75) })
        y.backward(seed: w)
        return (y.value.scalars, x.gradient!.scalars)
    }
    let (ym, gm) = run { c.layer($0) }
    let (yf, gf) = run(c.function)
    return (bitIdentical(ym, yf), bitIdentical(gm, gf))
}

@Suite struct ActivationModuleTests {
    @Test(arguments: [false, true])
    func everyModuleIsBitIdenticalToItsFunction(double: Bool) {
        func check<S: TensorScalar>(_ type: S.Type) {
            for c in moduleCases(type) {
                let r = compare(c)
                #expect(r.values, "\(typeName(c.layer)) \(S.self): output differs from the function form")
                #expect(r.gradients, "\(typeName(c.layer)) \(S.self): input gradient differs from the function form")
            }
        }
        if double { check(Double.self) } else { check(Float.self) }
    }

    /// Every catalogue activation that is a hand-written module (not a rule, whose module is
    /// `ActivationLayer` by construction) has a case above.
    @Test func theCasesCoverEveryHandWrittenModule() throws {
        let handWritten = Set(ActivationCatalogue.registeredActivations.filter { !$0.isRule }.map(\.entry.moduleName))
        let tested = Set(moduleCases(Float.self).map { typeName($0.layer) })
        #expect(handWritten.isSubset(of: tested), "not tested: \(handWritten.subtracting(tested))")
    }

    @Test func parametersAreDiscoveredByName() {
        #expect(PReLU<Float>(channels: 4).namedParameters(of: Float.self).map(\.name) == ["alpha"])
        #expect(PReLU<Float>(channels: 4).alpha.value.scalars == [0.25, 0.25, 0.25, 0.25])
        #expect(TrainableSwish<Double>(channels: 2).namedParameters(of: Double.self).map(\.name) == ["beta"])
        let maxout = Maxout<Float>(inputs: 3, outputs: 2, pieces: 4)
        #expect(maxout.namedParameters(of: Float.self).map(\.name) == ["weight", "bias"])
        #expect(maxout.weight.shape == [4, 2, 3] && maxout.bias.shape == [4, 2])
        #expect(maxout.trainableScalarCount == 4 * 2 * 3 + 4 * 2)
        // Parameter-free modules have none (RReLU's slopes are drawn, not trained).
        for c in moduleCases(Float.self) where ![PReLU<Float>.self, TrainableSwish<Float>.self, Maxout<Float>.self].contains(where: { $0 == type(of: c.layer) }) {
            #expect(c.layer.namedTensors().isEmpty, "\(typeName(c.layer))")
        }
        // Inside a model, by path; the builder infers the scalar type.
        let model = Sequential<Float> {
            Linear(4, 4)
            PReLU(channels: 4)
            Linear(4, 6)
            Maxout(inputs: 6, outputs: 2, pieces: 2)
            ReLU()
        }
        #expect(model.namedParameters(of: Float.self).map(\.name) == [
            "layers.0.weight", "layers.0.bias", "layers.1.alpha", "layers.2.weight", "layers.2.bias",
            "layers.3.weight", "layers.3.bias",
        ])
        #expect(model(Variable(Tensor<Float>.zeros([3, 4]))).shape == [3, 2])
    }

    @Test func preluPerChannelOnFeatureMapsTrains() {
        let x = DT.randomNormal([2, 3, 2, 2], seed: 11)
        let layer = PReLU<Double>(channels: 3)
        let alpha = layer.namedParameters(of: Double.self)[0].parameter
        alpha.assign(DT([0.1, 0.25, -0.5]))
        let w = DT.randomNormal([2, 3, 2, 2], seed: 12)
        // The module's α gradient against central differences of its own loss.
        layer(DV(x)).backward(seed: w)
        let analytic = layer.alpha.gradient!.scalars
        for c in 0..<3 {
            func loss(_ delta: Double) -> Double {
                var a = DT([0.1, 0.25, -0.5]).scalars
                a[c] += delta
                alpha.assign(DT(a))
                defer { alpha.assign(DT([0.1, 0.25, -0.5])) }
                return (layer(DV(x)).value * w).sum().scalars[0]
            }
            let numeric = (loss(1e-6) - loss(-1e-6)) / 2e-6
            #expect(Swift.abs(analytic[c] - numeric) < 1e-8, "channel \(c): \(analytic[c]) vs \(numeric)")
        }
        #expect(gradcheck({ $0[0].prelu(alpha: $0[1]) }, at: [x, layer.alpha.value]).passed)
        // Gradient descent recovers the slopes of a target PReLU.
        let target = DV(x).prelu(alpha: DV(DT([0.05, 0.3, -0.2]))).value
        layer.zeroGradients()
        for _ in 0..<200 {
            let d = layer(DV(x)) - DV(target)
            (d * d).sum().backward()
            alpha.assign(alpha.value - alpha.gradient! * 0.1)
            layer.zeroGradients()
        }
        #expect(maxRelativeError(alpha.value.scalars, [0.05, 0.3, -0.2]) < 1e-6, "\(alpha.value.scalars)")
        // [N, C] works too.
        let flat = PReLU<Double>(channels: 3)
        let nc: DT = [[-1, 2, -4], [1, -2, 0]]
        #expect(flat(DV(nc)).value.scalars == [-0.25, 2, -1, 1, -0.5, 0])
    }

    @Test func rreluFollowsTrainAndEval() {
        let layer = RReLU<Double>(seed: 9)
        let model = Sequential<Double> { layer }
        let x = DV(DT([-1, -2, -3, -4, 5, 0]))
        #expect(layer.isTraining)
        let a = layer(x).value.scalars
        let slopesA = layer.lastSlopes!.scalars
        let b = layer(x).value.scalars
        #expect(a != b, "training draws new slopes on every call")
        for (i, s) in slopesA.enumerated() where i < 4 {
            #expect(s >= 1.0 / 8 && s < 1.0 / 3)
            #expect(a[i] == s * x.value.scalars[i])
        }
        model.eval()  // reaches the child
        #expect(!layer.isTraining)
        let mean = (1.0 / 8 + 1.0 / 3) / 2
        #expect(layer(x).value.scalars == [-1, -2, -3, -4].map { $0 * mean } + [5, 0])
        #expect(layer(x).value.scalars == layer(x).value.scalars)
        model.train()
        #expect(layer.isTraining)
        #expect(layer(x).value.scalars != layer(x).value.scalars)
        // Same seed, same draws.
        #expect(RReLU<Double>(seed: 4)(x).value.scalars == RReLU<Double>(seed: 4)(x).value.scalars)
    }

    @Test func preluWithTheWrongChannelCountStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = PReLU<Float>(channels: 3)(Variable(Tensor<Float>.zeros([2, 4, 3, 3])))
        }
        expectStop(r, mentions: ["prelu", "3 slopes", "[2, 4, 3, 3]", "Fix:"])
    }

    @Test func hardtanhModuleWithMinAboveMaxStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Hardtanh<Float>(min: 1, max: -1)
        }
        expectStop(r, mentions: ["hardtanh", "min 1.0 with max -1.0", "Fix:"])
    }
}

@Suite struct ActivationCatalogueTests {
    /// A spec naming every parameter: defaults where there are, 2 where there are none.
    private func fullSpec(_ e: ActivationEntry) -> String {
        let args = e.parameters.map { "\($0.name)=\($0.defaultValue.map(ActivationSpec.format) ?? "2")" }
        return args.isEmpty ? e.name : e.name + ":" + args.joined(separator: ",")
    }

    @Test func everyEntryBuildsInFloatAndDouble() throws {
        for e in ActivationCatalogue.entries {
            let spec = try ActivationSpec(parsing: fullSpec(e))
            let f: any Layer<Float> = spec.makeLayer()
            let d = spec.makeLayer(Double.self)
            #expect(typeName(f) == e.moduleName && typeName(d) == e.moduleName, "\(e.name): built \(typeName(f))")
            if e.isElementwise {
                let x = Tensor<Double>(shape: [2, 4], scalars: [-3, -1, -0.5, 0, 0.5, 1, 2, 4])
                let y = d(Variable(x))
                #expect(y.shape == [2, 4], "\(e.name)")
                if e.parameters.allSatisfy({ $0.defaultValue != nil }) {
                    let byName = try ActivationCatalogue.makeLayer(e.name, as: Float.self)
                    #expect(byName(Variable(Tensor<Float>(x))).shape == [2, 4], "\(e.name)")
                }
            }
        }
        #expect(Set(ActivationCatalogue.names).count == ActivationCatalogue.entries.count, "names are unique")
    }

    @Test func specsRoundTrip() throws {
        for e in ActivationCatalogue.entries {
            let spec = try ActivationSpec(parsing: fullSpec(e))
            #expect(try ActivationSpec(parsing: spec.description) == spec, "\(spec)")
            #expect(spec.arguments.count == e.parameters.count)
            if e.parameters.allSatisfy({ $0.defaultValue != nil }) {
                #expect(try ActivationSpec(parsing: e.name).description == e.name)
            }
        }
        #expect(try ActivationSpec(parsing: "leaky_relu:negative_slope=0.2").description == "leaky_relu:negative_slope=0.2")
        #expect(try ActivationSpec(parsing: " elu : alpha = 0.50 ").description == "elu:alpha=0.5")
        #expect(try ActivationSpec(parsing: "hardtanh:max_val=2,min_val=-2.0").description == "hardtanh:min_val=-2,max_val=2")
        #expect(try ActivationSpec(name: "softplus", arguments: ["beta": 2]) == ActivationSpec(parsing: "softplus:beta=2"))
        let s = try ActivationSpec(parsing: "softplus:beta=2")
        #expect(s.value(of: "beta") == 2 && s.value(of: "threshold") == 20)
        // Values reach the module.
        let leaky = try ActivationCatalogue.makeLayer("leaky_relu:negative_slope=0.2", as: Float.self)
        #expect((leaky as? LeakyReLU<Float>)?.negativeSlope == 0.2)
        let elu = try ActivationCatalogue.makeLayer("elu:alpha=0.5", as: Double.self)
        #expect((elu as? ELU<Double>)?.alpha == 0.5)
        let prelu = try ActivationCatalogue.makeLayer("prelu:channels=128", as: Float.self)
        #expect((prelu as? PReLU<Float>)?.alpha.shape == [128])
        #expect(try ActivationCatalogue.makeLayer("gelu_tanh", as: Float.self) is ActivationLayer<GELUTanhRule<Float>>)
        let rrelu = try ActivationCatalogue.makeLayer("rrelu:lower=0.2,upper=0.2", as: Double.self) as? RReLU<Double>
        #expect(rrelu?.lower == 0.2 && rrelu?.upper == 0.2)
    }

    @Test func badSpecsThrowTheRightError() {
        func error(_ spec: String) -> ActivationSpecError? {
            do {
                _ = try ActivationSpec(parsing: spec)
                return nil
            } catch { return error }
        }
        let names = ActivationCatalogue.names
        for bad in ["", "  ", ":alpha=1", "leaky_relu:", "leaky_relu:0.2", "elu:alpha", "elu:=1", "elu:alpha=1,"] {
            guard case .malformed? = error(bad) else {
                Issue.record("'\(bad)': \(String(describing: error(bad)))")
                continue
            }
        }
        #expect(error("leakyrelu") == .unknownActivation(name: "leakyrelu", known: names, suggestion: "leaky_relu"))
        #expect(error("LeakyReLU") == .unknownActivation(name: "LeakyReLU", known: names, suggestion: "leaky_relu"))
        #expect(error("relux") == .unknownActivation(name: "relux", known: names, suggestion: "relu"))
        #expect(error("sigmod:x=1") == .unknownActivation(name: "sigmod", known: names, suggestion: "sigmoid"))
        #expect(error("zzzzzzzzzz") == .unknownActivation(name: "zzzzzzzzzz", known: names, suggestion: nil))
        #expect(error("elu:beta=1") == .unknownParameter(activation: "elu", parameter: "beta", known: ["alpha"]))
        #expect(error("relu:alpha=1") == .unknownParameter(activation: "relu", parameter: "alpha", known: []))
        #expect(error("elu:alpha=1,alpha=2") == .duplicateParameter(activation: "elu", parameter: "alpha"))
        #expect(error("threshold") == .missingParameter(activation: "threshold", parameter: "threshold"))
        #expect(error("threshold:threshold=1") == .missingParameter(activation: "threshold", parameter: "value"))
        #expect(error("maxout:inputs=4,outputs=2") == .missingParameter(activation: "maxout", parameter: "pieces"))
        #expect(error("elu:alpha=abc") == .badValue(activation: "elu", parameter: "alpha", value: "abc", expected: "a number"))
        #expect(error("prelu:channels=2.5") == .badValue(activation: "prelu", parameter: "channels", value: "2.5", expected: "an integer"))
        func outside(_ spec: String, _ parameter: String) {
            guard case .outsideDomain(_, let p, _, _)? = error(spec), p == parameter else {
                Issue.record("'\(spec)': \(String(describing: error(spec)))")
                return
            }
        }
        for spec in ["elu:alpha=0", "elu:alpha=-1", "elu:alpha=1e-50", "elu:alpha=inf", "elu:alpha=nan", "elu:alpha=1e39"] {
            outside(spec, "alpha")
        }
        outside("celu:alpha=0", "alpha")
        outside("softplus:beta=0", "beta")
        outside("log:base=1", "base")
        outside("exp:base=-2", "base")
        outside("softshrink:lambda=-1", "lambda")
        outside("bounded_relu:n=0", "n")
        outside("prelu:channels=0", "channels")
        outside("maxout:inputs=4,outputs=2,pieces=100", "pieces")
        outside("hardtanh:min_val=2", "min_val")
        outside("hardtanh:max_val=-1", "max_val")
        outside("hardtanh:min_val=1,max_val=1.00000001", "max_val")  // equal in Float
        outside("rrelu:lower=0.5", "lower")
        // The messages say what to do.
        let unknown = error("leakyrelu")!.description
        #expect(unknown.contains("did you mean 'leaky_relu'") && unknown.contains("relu, leaky_relu, prelu"), "\(unknown)")
        let domain = error("elu:alpha=0")!.description
        #expect(domain.contains("alpha=0") && domain.contains("> 0"), "\(domain)")
        let order = error("hardtanh:max_val=-1")!.description
        #expect(order.contains("max_val=-1") && order.contains("> min_val (-1)"), "\(order)")
        // The factory throws the same errors.
        #expect(throws: ActivationSpecError.self) { try ActivationCatalogue.makeLayer("nope", as: Float.self) }
    }
}
