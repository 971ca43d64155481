import Foundation
import Testing
import TestSupport

@testable import NN

// Conv2d, pooling, Flatten, Dropout and BatchNorm: finite-difference checks in Double (input and
// parameter gradients, second order where the layer is built from differentiable pieces),
// PyTorch's values (Scripts/torch_layer_reference.py), and the messages for bad configurations.

/// The fixture written by Scripts/torch_layer_reference.py (float64, exact hex strings).
struct TorchLayerFixture: Decodable {
    struct Conv: Decodable {
        let name: String
        let x_shape, weight_shape, y_shape, stride, padding, dilation: [Int]
        let groups: Int
        let x, weight, w, y, dx, dweight: [String]
        let bias, dbias: [String]?
    }
    struct Pool: Decodable {
        let name, kind: String
        let x_shape, y_shape, kernel, padding: [Int]
        let stride: [Int]?
        let count_include_pad: Bool
        let x, w, y, dx: [String]
    }
    struct Norm: Decodable {
        let name: String
        let shape: [Int]
        let weight, bias, x, w, y, dx, dweight, dbias, x2, y2, running_mean, running_var, x_eval, y_eval: [String]
    }
    let torch: String
    let conv2d: [Conv]
    let pools: [Pool]
    let batchnorm: [Norm]

    static let shared: TorchLayerFixture = {
        let url = Bundle.module.url(forResource: "torch_layers", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TorchLayerFixture.self, from: Data(contentsOf: url))
    }()
}

private func tensor(_ shape: [Int], _ s: [String]) -> Tensor<Double> { Tensor(shape: shape, scalars: parse(s)) }

private func expectClose(_ ours: Tensor<Double>?, _ reference: [String], _ what: String, tolerance: Double = 1e-12) {
    guard let ours else {
        Issue.record("\(what): no value")
        return
    }
    let ref = parse(reference)
    #expect(ours.count == ref.count, "\(what): \(ours.count) values, reference \(ref.count)")
    var worst = 0.0
    for (a, b) in zip(ours.scalars, ref) {
        if a.isNaN || b.isNaN {
            #expect(a.isNaN && b.isNaN, "\(what): \(a) vs \(b)")
            continue
        }
        worst = Swift.max(worst, Swift.abs(a - b) / Swift.max(1, Swift.abs(b)))
    }
    #expect(worst <= tolerance, "\(what): largest relative difference \(worst)")
}

/// ReLU as a layer (the activation module forms are not Modules on this branch).
private final class ReLUModule: Module, Layer {
    func forward(_ x: Variable<Float>) -> Variable<Float> { x.relu() }
}

private func pair(_ a: [Int]) -> (Int, Int) { (a[0], a[1]) }

private func expectPasses(_ report: GradcheckReport, _ what: String) {
    #expect(report.passed, "\(what): \(report)")
    #expect(report.comparisons > 0, "\(what): nothing compared")
}

@Suite("Layers")
struct LayerTests {
    // MARK: Conv2d

    /// (x shape, out channels, kernel, stride, padding, dilation, groups)
    static let convCases: [([Int], Int, (Int, Int), (Int, Int), (Int, Int), (Int, Int), Int)] = [
        ([2, 2, 4, 4], 3, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        ([1, 2, 5, 4], 2, (2, 3), (2, 1), (1, 2), (1, 1), 1),
        ([1, 1, 6, 6], 2, (3, 2), (1, 2), (1, 0), (2, 2), 1),
        ([2, 4, 3, 4], 2, (2, 2), (1, 1), (1, 1), (1, 1), 2),
        ([1, 3, 5, 5], 3, (3, 3), (2, 2), (1, 1), (1, 2), 3),
    ]

    @Test("Conv2d: input, weight and bias gradients against finite differences", arguments: 0..<5)
    func convGradcheck(_ i: Int) {
        let (xs, out, k, s, p, d, g) = Self.convCases[i]
        let x = Tensor<Double>.randomNormal(xs, seed: 1)
        let w = Tensor<Double>.randomNormal([out, xs[1] / g, k.0, k.1], seed: 2)
        let b = Tensor<Double>.randomNormal([out], seed: 3)
        let r = gradcheck({ v in v[0].conv2d(weight: v[1], bias: v[2], stride: s, padding: p, dilation: d, groups: g) }, at: [x, w, b])
        expectPasses(r, "conv case \(i)")
    }

    @Test("Conv2d: second derivatives (double backward through im2col/col2im)", arguments: [0, 3, 4])
    func convGradgradcheck(_ i: Int) {
        let (xs, out, k, s, p, d, g) = Self.convCases[i]
        let x = Tensor<Double>.randomNormal(xs, seed: 4)
        let w = Tensor<Double>.randomNormal([out, xs[1] / g, k.0, k.1], seed: 5)
        var options = GradcheckOptions()
        options.mode = .randomProjections(6)
        let r = gradgradcheck({ v in v[0].conv2d(weight: v[1], stride: s, padding: p, dilation: d, groups: g) }, at: [x, w], options: options)
        expectPasses(r, "conv case \(i) second order")
    }

    @Test("Conv2d layer matches PyTorch (output, input, weight and bias gradients)", arguments: TorchLayerFixture.shared.conv2d.map(\.name))
    func convMatchesPyTorch(_ name: String) {
        let e = TorchLayerFixture.shared.conv2d.first { $0.name == name }!
        let layer = Conv2d<Double>(
            weight: tensor(e.weight_shape, e.weight), bias: e.bias.map { tensor([e.weight_shape[0]], $0) },
            stride: pair(e.stride), padding: pair(e.padding), dilation: pair(e.dilation), groups: e.groups)
        let x = Variable(tensor(e.x_shape, e.x), requiresGradient: true)
        let y = layer(x)
        #expect(y.shape == e.y_shape)
        (y * Variable(tensor(e.y_shape, e.w))).sum().backward()
        expectClose(y.value, e.y, "\(name) y")
        expectClose(x.gradient, e.dx, "\(name) dx")
        expectClose(layer.weight.gradient, e.dweight, "\(name) dweight")
        if let db = e.dbias { expectClose(layer.bias!.gradient, db, "\(name) dbias") }
    }

    @Test("Conv2d: shapes, parameter names and PyTorch's default initialization bounds")
    func convInit() {
        var gen = TensorRandom(seed: 3)
        let layer = Conv2d<Float>(4, 6, kernelSize: (3, 2), groups: 2, using: &gen)
        #expect(layer.weight.shape == [6, 2, 3, 2])
        #expect(layer.bias!.shape == [6])
        #expect(layer.namedTensors().map(\.name) == ["weight", "bias"])
        let bound = 1 / Float(2 * 3 * 2).squareRoot()
        #expect(layer.weight.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(layer.bias!.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        // The weights spread over the interval (not all near 0).
        #expect(layer.weight.value.scalars.contains { Swift.abs($0) > bound / 2 })
        let square = Conv2d<Float>(1, 16, kernelSize: 3, padding: 1, bias: false)
        #expect(square.bias == nil && square.kernelSize == (3, 3) && square.padding == (1, 1))
        #expect(square(Variable(Tensor<Float>.zeros([2, 1, 8, 8]))).shape == [2, 16, 8, 8])
    }

    @Test("Conv2d in Float agrees with Double")
    func convFloat() {
        let x = Tensor<Double>.randomNormal([2, 3, 6, 5], seed: 7)
        let w = Tensor<Double>.randomNormal([4, 3, 3, 3], seed: 8)
        let yd = Variable(x).conv2d(weight: Variable(w), stride: (2, 1), padding: (1, 1)).value
        let yf = Variable(Tensor<Float>(x)).conv2d(weight: Variable(Tensor<Float>(w)), stride: (2, 1), padding: (1, 1)).value
        #expect(maxRelativeError(yf.scalars.map(Double.init), yd.scalars) < 1e-5)
    }

    // MARK: Pooling

    @Test("MaxPool2d and AvgPool2d: gradients against finite differences")
    func poolGradcheck() {
        // Distinct values, so no window has a tie that finite differences would straddle.
        let x = Tensor<Double>(shape: [2, 2, 5, 6], scalars: (0..<120).map { Double(($0 * 37) % 120) * 0.1 })
        for (k, s, p) in [((2, 2), nil, (0, 0)), ((3, 2), (2, 1), (1, 1)), ((3, 3), (1, 2), (1, 0))] as [((Int, Int), (Int, Int)?, (Int, Int))] {
            expectPasses(gradcheck({ $0[0].maxPool2d(kernelSize: k, stride: s, padding: p) }, at: [x]), "maxPool \(k) \(String(describing: s)) \(p)")
            for include in [true, false] {
                expectPasses(
                    gradcheck({ $0[0].avgPool2d(kernelSize: k, stride: s, padding: p, countIncludePad: include) }, at: [x]),
                    "avgPool \(k) \(String(describing: s)) \(p) \(include)")
            }
        }
        var options = GradcheckOptions()
        options.mode = .randomProjections(4)
        expectPasses(gradgradcheck({ $0[0].maxPool2d(kernelSize: (2, 3), stride: (1, 2), padding: (1, 1)) }, at: [x], options: options), "maxPool second order")
        expectPasses(gradgradcheck({ $0[0].avgPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false) }, at: [x], options: options), "avgPool second order")
    }

    @Test("Pooling layers match PyTorch (ties go to the first maximum, NaN propagates)", arguments: TorchLayerFixture.shared.pools.map(\.name))
    func poolMatchesPyTorch(_ name: String) {
        let e = TorchLayerFixture.shared.pools.first { $0.name == name }!
        let x = Variable(tensor(e.x_shape, e.x), requiresGradient: true)
        let y: Variable<Double>
        if e.kind == "max" {
            y = MaxPool2d<Double>(kernelSize: pair(e.kernel), stride: e.stride.map(pair), padding: pair(e.padding))(x)
        } else {
            y = AvgPool2d<Double>(kernelSize: pair(e.kernel), stride: e.stride.map(pair), padding: pair(e.padding), countIncludePad: e.count_include_pad)(x)
        }
        #expect(y.shape == e.y_shape)
        (y * Variable(tensor(e.y_shape, e.w))).sum().backward()
        expectClose(y.value, e.y, "\(name) y")
        expectClose(x.gradient, e.dx, "\(name) dx")
    }

    @Test("MaxPool2d: a tie sends the whole gradient to the first maximum")
    func maxPoolTie() {
        let x = Variable(Tensor<Double>(shape: [1, 1, 2, 2], scalars: [1, 3, 3, 2]), requiresGradient: true)
        MaxPool2d<Double>(kernelSize: 2)(x).sum().backward()
        #expect(x.gradient!.scalars == [0, 1, 0, 0])
    }

    // MARK: Flatten

    @Test("Flatten: shapes and gradient")
    func flatten() {
        let x = Variable(Tensor<Double>.randomNormal([2, 3, 4, 5], seed: 1), requiresGradient: true)
        #expect(Flatten<Double>()(x).shape == [2, 60])
        #expect(Flatten<Double>(startAxis: 0)(x).shape == [120])
        #expect(Flatten<Double>(startAxis: 1, endAxis: 2)(x).shape == [2, 12, 5])
        #expect(Flatten<Double>(startAxis: -2)(x).shape == [2, 3, 20])
        let y = Flatten<Double>()(x)
        #expect(y.value.scalars == x.value.scalars)
        (y * Variable(Tensor(shape: [2, 60], scalars: (0..<120).map(Double.init)))).sum().backward()
        #expect(x.gradient!.scalars == (0..<120).map(Double.init))
    }

    // MARK: Dropout

    @Test("Dropout: zeros about p of the elements, scales the rest by 1/(1−p), and its gradient is the mask")
    func dropout() {
        let layer = Dropout<Double>(p: 0.25, seed: 11)
        let x = Variable(Tensor<Double>.ones([100, 100]), requiresGradient: true)
        let y = layer(x)
        let values = y.value.scalars
        let zeros = values.filter { $0 == 0 }.count
        #expect(values.allSatisfy { $0 == 0 || $0 == 1 / 0.75 })
        #expect(Swift.abs(Double(zeros) / 10_000 - 0.25) < 0.02, "\(zeros) zeros")
        y.sum().backward()
        #expect(x.gradient!.scalars == values)
        // A fresh mask each call; the same seed gives the same masks.
        #expect(layer(x).value.scalars != values)
        #expect(Dropout<Double>(p: 0.25, seed: 11)(x).value.scalars == values)
        // Evaluation mode: the identity.
        layer.eval()
        #expect(layer(x).value.scalars == x.value.scalars)
        #expect(Dropout<Double>(p: 0)(x).value.scalars == x.value.scalars)
    }

    // MARK: BatchNorm

    @Test("BatchNorm: input, weight and bias gradients against finite differences (training and evaluation)")
    func batchNormGradcheck() {
        for shape in [[4, 3], [3, 2, 4], [2, 3, 2, 3]] {
            let x = Tensor<Double>.randomNormal(shape, seed: 5) * 2 + 1
            let gamma = Tensor<Double>.randomNormal([shape[1]], seed: 6)
            let beta = Tensor<Double>.randomNormal([shape[1]], seed: 7)
            for training in [true, false] {
                let r = gradcheck({ v in
                    let layer: BatchNorm<Double> = shape.count == 4 ? BatchNorm2d(shape[1]) : BatchNorm1d(shape[1])
                    layer.train(training)
                    layer.runningMean = Tensor([0.5, -0.25, 0.1][..<shape[1]].map { $0 })
                    layer.weight!.wrappedValue = v[1]
                    layer.bias!.wrappedValue = v[2]
                    return layer(v[0])
                }, at: [x, gamma, beta])
                expectPasses(r, "BatchNorm \(shape) training \(training)")
            }
        }
        var options = GradcheckOptions()
        options.mode = .randomProjections(6)
        let x = Tensor<Double>.randomNormal([3, 2, 2, 2], seed: 9)
        expectPasses(gradgradcheck({ v in BatchNorm2d<Double>(2)(v[0]) }, at: [x], options: options), "BatchNorm2d second order")
    }

    @Test("BatchNorm matches PyTorch: training forward and gradients, running statistics after two steps, evaluation forward", arguments: TorchLayerFixture.shared.batchnorm.map(\.name))
    func batchNormMatchesPyTorch(_ name: String) {
        let e = TorchLayerFixture.shared.batchnorm.first { $0.name == name }!
        let c = e.shape[1]
        let layer: BatchNorm<Double> = e.shape.count == 4 ? BatchNorm2d(c) : BatchNorm1d(c)
        layer.weight!.wrappedValue = Variable(tensor([c], e.weight), requiresGradient: true)
        layer.bias!.wrappedValue = Variable(tensor([c], e.bias), requiresGradient: true)
        let x = Variable(tensor(e.shape, e.x), requiresGradient: true)
        let y = layer(x)
        (y * Variable(tensor(e.shape, e.w))).sum().backward()
        expectClose(y.value, e.y, "\(name) y", tolerance: 1e-11)
        expectClose(x.gradient, e.dx, "\(name) dx", tolerance: 1e-11)
        expectClose(layer.weight!.gradient, e.dweight, "\(name) dweight", tolerance: 1e-11)
        expectClose(layer.bias!.gradient, e.dbias, "\(name) dbias", tolerance: 1e-11)
        let y2 = layer(Variable(tensor(e.shape, e.x2)))
        expectClose(y2.value, e.y2, "\(name) y2", tolerance: 1e-11)
        expectClose(layer.runningMean, e.running_mean, "\(name) runningMean")
        expectClose(layer.runningVar, e.running_var, "\(name) runningVar")
        layer.eval()
        expectClose(layer(Variable(tensor(e.shape, e.x_eval))).value, e.y_eval, "\(name) eval y")
    }

    @Test("BatchNorm: parameters and buffers are discovered; defaults as PyTorch")
    func batchNormDiscovery() {
        let bn = BatchNorm2d<Float>(4)
        #expect(bn.namedTensors().map(\.name) == ["weight", "bias", "runningMean", "runningVar"])
        #expect(bn.parameters(of: Float.self).count == 2)
        #expect(bn.weight!.value.scalars == [1, 1, 1, 1] && bn.bias!.value.scalars == [0, 0, 0, 0])
        #expect(bn.runningMean.scalars == [0, 0, 0, 0] && bn.runningVar.scalars == [1, 1, 1, 1])
        #expect(bn.eps == 1e-5 && bn.momentum == 0.1)
        // Evaluation does not touch the running statistics.
        bn.eval()
        _ = bn(Variable(Tensor<Float>.randomNormal([2, 4, 3, 3], seed: 1)))
        #expect(bn.runningMean.scalars == [0, 0, 0, 0])
    }

    // MARK: A small CNN end to end

    @Test("The digits CNN runs forward and backward and every parameter gets a gradient")
    func smallCNN() {
        var gen = TensorRandom(seed: 1)
        let model = Sequential<Float> {
            Conv2d(1, 16, kernelSize: (3, 3), padding: (1, 1), using: &gen); ReLUModule()
            MaxPool2d(kernelSize: 2)
            Conv2d(16, 32, kernelSize: (3, 3), padding: (1, 1), using: &gen); ReLUModule()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(128, 10, using: &gen)
        }
        let x = Variable(Tensor<Float>.randomNormal([4, 1, 8, 8], seed: 2))
        let y = model(x)
        #expect(y.shape == [4, 10])
        y.sum().backward()
        for (name, p) in model.namedParameters(of: Float.self) { #expect(p.gradient?.shape == p.shape, "\(name)") }
    }

    // MARK: Bad configurations

    @Test("Conv2d refuses channels not divisible by groups")
    func convGroups() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d<Float>(3, 4, kernelSize: 3, groups: 2)
        }
        expectStop(r, mentions: ["Conv2d", "3 input", "4 output", "groups = 2", "Fix"])
    }

    @Test("Conv2d refuses a kernel larger than the padded input")
    func convKernelTooLarge() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d<Float>(1, 2, kernelSize: 5, padding: 1)(Variable(Tensor<Float>.zeros([1, 1, 2, 2])))
        }
        expectStop(r, mentions: ["conv2d", "5×5", "[1, 1, 2, 2]", "4×4", "Fix"])
    }

    @Test("Conv2d refuses an input with the wrong channel count or rank")
    func convWrongInput() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d<Float>(3, 2, kernelSize: 3)(Variable(Tensor<Float>.zeros([2, 4, 8, 8])))
        }
        expectStop(r, mentions: ["Conv2d", "[2, 4, 8, 8]", "3 input channels", "Fix"])
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d<Float>(3, 2, kernelSize: 3)(Variable(Tensor<Float>.zeros([3, 8, 8])))
        }
        expectStop(r2, mentions: ["Conv2d", "[3, 8, 8]", "[1, 3, H, W]"])
    }

    @Test("Pooling refuses a kernel larger than the input and a wrong rank")
    func poolBadInput() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MaxPool2d<Float>(kernelSize: 3)(Variable(Tensor<Float>.zeros([1, 1, 2, 5])))
        }
        expectStop(r, mentions: ["maxPool2d", "3×3", "[1, 1, 2, 5]", "Fix"])
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AvgPool2d<Float>(kernelSize: 2)(Variable(Tensor<Float>.zeros([4, 4])))
        }
        expectStop(r2, mentions: ["avgPool2d", "[4, 4]", "[N, C, H, W]"])
        let r3 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MaxPool2d<Float>(kernelSize: 2, padding: 2)
        }
        expectStop(r3, mentions: ["MaxPool2d", "padding (2, 2)", "half the kernel"])
    }

    @Test("Dropout refuses p outside [0, 1)")
    func dropoutRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dropout<Float>(p: 1)
        }
        expectStop(r, mentions: ["Dropout", "p = 1.0", "[0, 1)", "Fix"])
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dropout<Float>(p: -0.1)
        }
        expectStop(r2, mentions: ["Dropout", "p = -0.1"])
    }

    @Test("BatchNorm refuses the wrong rank or channel count, and one value per channel in training")
    func batchNormBadInput() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BatchNorm2d<Float>(3)(Variable(Tensor<Float>.zeros([2, 3, 4])))
        }
        expectStop(r, mentions: ["BatchNorm2d", "[2, 3, 4]", "3 features", "[N, C, H, W]"])
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BatchNorm1d<Float>(4)(Variable(Tensor<Float>.zeros([2, 3])))
        }
        expectStop(r2, mentions: ["BatchNorm1d", "[2, 3]", "4 features"])
        let r3 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BatchNorm1d<Float>(3)(Variable(Tensor<Float>.zeros([1, 3])))
        }
        expectStop(r3, mentions: ["BatchNorm1d", "[1, 3]", "1 value per channel", "eval()"])
    }
}
