import Foundation
import Testing
import TestSupport

@testable import NN

/// The fixture written by Scripts/torch_activation_reference.py (PyTorch's values, exact).
struct TorchFixture: Decodable {
    struct Series: Decodable {
        let x, w, y, dx: [String]
        let y64, dx64: [String]?
    }
    struct Entry: Decodable {
        let params: [String: Double]
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

/// Tapegrad's side of each fixture entry, for any scalar type.
func apply<S: TensorScalar>(_ name: String, _ params: [String: Double], _ x: Variable<S>) -> Variable<S> {
    switch name {
    case "relu": return x.relu()
    case let n where n.hasPrefix("elu"): return x.elu(alpha: S(params["alpha"]!))
    // --- group A: piecewise activations ---
    case let n where n.hasPrefix("leaky_relu"): return x.leakyReLU(negativeSlope: S(params["negative_slope"]!))
    case "relu6": return x.relu6()
    case let n where n.hasPrefix("bounded_relu"): return x.boundedReLU(n: S(params["n"]!))
    case let n where n.hasPrefix("hardtanh"): return x.hardtanh(min: S(params["min"]!), max: S(params["max"]!))
    case let n where n.hasPrefix("threshold"):
        return x.threshold(threshold: S(params["threshold"]!), value: S(params["value"]!))
    case let n where n.hasPrefix("softshrink"): return x.softshrink(lambda: S(params["lambda"]!))
    case let n where n.hasPrefix("hardshrink"): return x.hardshrink(lambda: S(params["lambda"]!))
    case "hardsigmoid": return x.hardsigmoid()
    case "hardswish": return x.hardswish()
    case "softsign": return x.softsign()
    // --- end group A ---
    // --- group C: parametric and along-an-axis activations ---
    case "prelu": return x.prelu(alpha: Variable(Tensor<S>([S(params["alpha"]!)])))
    case "softmax": return x.softmax(alongAxis: 0)
    case "log_softmax": return x.logSoftmax(alongAxis: 0)
    case "softmin": return x.softmin(alongAxis: 0)
    case "glu": return x.glu(alongAxis: 0)
    // --- end group C ---
    // --- group B: smooth activations ---
    case "selu": return x.selu()
    case let n where n.hasPrefix("celu"): return x.celu(alpha: S(params["alpha"]!))
    case let n where n.hasPrefix("softplus"): return x.softplus(beta: S(params["beta"]!), threshold: S(params["threshold"]!))
    case "silu": return x.silu()
    case "mish": return x.mish()
    case "gelu": return x.gelu()
    case "gelu_tanh": return x.gelu(approximation: .tanh)
    case "logsigmoid": return x.logSigmoid()
    case "tanhshrink": return x.tanhshrink()
    // --- end group B ---
    default: fatalError("no Swift mapping for fixture entry \(name)")
    }
}

/// Forward values and ∂ sum(f(x)·w)/∂x, computed by Tapegrad.
func evaluate<S: TensorScalar>(_ name: String, _ params: [String: Double], x: [Double], w: [Double], as _: S.Type) -> (y: [S], dx: [S]) {
    let xv = Variable(Tensor<S>(x.map { S($0) }), requiresGradient: true)
    let y = apply(name, params, xv)
    (y * Variable(Tensor<S>(w.map { S($0) }))).sum().backward()
    return (y.value.scalars, xv.gradient!.scalars)
}

@Suite struct ActivationConformanceTests {
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

    @Test(arguments: TorchFixture.shared.activations.keys.sorted())
    func doubleMatchesPyTorch(_ name: String) {
        let e = TorchFixture.shared.activations[name]!
        let (y, dx) = evaluate(name, e.params, x: parse(e.double.x), w: parse(e.double.w), as: Double.self)
        let refY = parse(e.double.y)
        let refDx = parse(e.double.dx)
        for i in 0..<y.count {
            #expect(relativeMatch(y[i], refY[i], 1e-10), "\(name) y at x=\(e.double.x[i]): \(y[i]) vs \(refY[i])")
            #expect(relativeMatch(dx[i], refDx[i], 1e-10), "\(name) dx at x=\(e.double.x[i]): \(dx[i]) vs \(refDx[i])")
        }
    }

    @Test(arguments: TorchFixture.shared.activations.keys.sorted())
    func floatIsWithinUlpsOfTheDoubleReference(_ name: String) {
        let e = TorchFixture.shared.activations[name]!
        let (y, dx) = evaluate(name, e.params, x: parse(e.float.x), w: parse(e.float.w), as: Float.self)
        let refY = parse(e.float.y64!)
        let refDx = parse(e.float.dx64!)
        for i in 0..<y.count {
            #expect(ulpError(y[i], refY[i]) <= 4, "\(name) y at x=\(e.float.x[i]): \(y[i]) vs \(refY[i])")
            #expect(ulpError(dx[i], refDx[i]) <= 8, "\(name) dx at x=\(e.float.x[i]): \(dx[i]) vs \(refDx[i])")
        }
    }
}

/// Equal within `tolerance` relative to max(1e-300, |reference|); NaN matches NaN, infinities match exactly.
func relativeMatch(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return Swift.abs(a - b) <= tolerance * Swift.max(Swift.abs(b), 1e-300)
}
