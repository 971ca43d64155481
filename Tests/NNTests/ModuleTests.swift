import Testing
import NN
import TestSupport

// A user-defined model with nested modules, an array of layers, an optional child and a buffer.
private final class Block: Module, Layer {
    let first: Linear<Double>
    let rest: [Linear<Double>]
    let extra: Linear<Double>?
    @Parameter var scale: Variable<Double>
    @Buffer var seen: Tensor<Double>

    override init() {
        first = Linear(3, 4)
        rest = [Linear(4, 4), Linear(4, 2)]
        extra = nil
        _scale = Parameter([2.0])
        _seen = Buffer(wrappedValue: Tensor.zeros([1]))
        super.init()
    }

    func forward(_ x: Variable<Double>) -> Variable<Double> {
        var y = first(x)
        for layer in rest { y = layer(y) }
        return y * scale
    }
}

// The example of Docs/Modules.md, verbatim.
private final class TwoLayer: Module, Layer {
    let hidden = Linear<Float>(64, 32)     // a sub-module: its parameters are "hidden.weight", "hidden.bias"
    let activation = GELU<Float>()
    let output = Linear<Float>(32, 10)
    @Parameter var temperature = Variable(Tensor<Float>.ones([1]))   // "temperature"

    func forward(_ x: Variable<Float>) -> Variable<Float> {
        output(activation(hidden(x))) / temperature
    }
}

@Suite("Modules")
struct ModuleTests {
    @Test("Parameters are discovered with stable property-path names")
    func names() {
        let model = Sequential<Double> {
            Linear(2, 3)
            Block()
        }
        let names = model.namedTensors().map(\.name)
        #expect(names == [
            "layers.0.weight", "layers.0.bias",
            "layers.1.first.weight", "layers.1.first.bias",
            "layers.1.rest.0.weight", "layers.1.rest.0.bias",
            "layers.1.rest.1.weight", "layers.1.rest.1.bias",
            "layers.1.scale", "layers.1.seen",
        ])
        // The buffer is state, not a parameter.
        #expect(model.parameters(of: Double.self).count == 9)
        #expect(model.parameters(of: Float.self).isEmpty)
        // 2·3+3 + 3·4+4 + 4·4+4 + 4·2+2 + 1 trainable scalars.
        #expect(model.trainableScalarCount == 9 + 16 + 20 + 10 + 1)
    }

    @Test("The modules guide's example: names in declaration order, the temperature trains")
    func guideExample() {
        let model = TwoLayer()
        #expect(model.namedTensors().map(\.name) == ["hidden.weight", "hidden.bias", "output.weight", "output.bias", "temperature"])
        model(Variable(Tensor<Float>.ones([2, 64]))).sum().backward()
        #expect(model.$temperature.gradient?.shape == [1])
    }

    @Test("Discovered parameters are the ones the forward pass uses: their gradients arrive")
    func gradientsReachDiscoveredParameters() {
        let model = Block()
        let x = Variable(Tensor<Double>.randomNormal([5, 3], seed: 1))
        model(x).sum().backward()
        for (name, p) in model.namedParameters(of: Double.self) {
            #expect(p.gradient?.shape == p.shape, "\(name)")
        }
        model.zeroGradients()
        for (_, p) in model.namedParameters(of: Double.self) { #expect(p.gradient == nil) }
    }

    @Test("train() and eval() reach every nested module")
    func modes() {
        let block = Block()
        let model = Sequential<Double>([Linear(3, 3), block])
        #expect(model.isTraining && block.first.isTraining)
        model.eval()
        #expect(!model.isTraining && !block.isTraining && !block.rest[1].isTraining)
        model.train()
        #expect(block.rest[0].isTraining)
    }

    @Test("A frozen module records no gradient; unfreezing restores it")
    func freezing() {
        let model = Block()
        model.first.freeze()
        #expect(model.trainableScalarCount == 20 + 10 + 1)  // rest.0, rest.1, scale
        let x = Variable(Tensor<Double>.ones([2, 3]))
        model(x).sum().backward()
        #expect(model.first.weight.gradient == nil)
        #expect(model.rest[0].weight.gradient != nil)
        let before = model.first.weight.value
        model.first.unfreeze()
        #expect(bitIdentical(model.first.weight.value.scalars, before.scalars))
        model(x).sum().backward()
        #expect(model.first.weight.gradient != nil)
    }

    @Test("A bias-less Linear has no bias parameter (an optional parameter is found only when present)")
    func biasless() {
        let layer = Linear<Float>(3, 2, bias: false)
        #expect(layer.namedTensors().map(\.name) == ["weight"])
        #expect(Linear<Float>(3, 2).namedTensors().map(\.name) == ["weight", "bias"])
        let y = layer(Variable(Tensor<Float>.ones([1, 3]))).value.scalars
        let w = layer.weight.value
        #expect(y == [0, 1].map { r in (0..<3).reduce(Float(0)) { $0 + w.scalar(at: [r, $1]) } })
    }

    @Test("Linear computes x Wᵀ + b")
    func linear() {
        let layer = Linear<Double>(weight: [[1, 2], [3, 4], [5, 6]], bias: [0.5, -1, 2])
        let y = layer(Variable([[1.0, -1.0]] as Tensor<Double>)).value
        // [1−2, 3−4, 5−6] + b, by hand.
        #expect(y.scalars == [-0.5, -2, 1])
        #expect(layer(Variable([2.0, 0.0] as Tensor<Double>)).value.scalars == [2.5, 5, 12])
    }

    @Test("Same seed, same initial weights")
    func seeding() {
        // Explicit generators: the default one is shared by tests running in parallel.
        var g1 = TensorRandom(seed: 7)
        var g2 = TensorRandom(seed: 7)
        let a = Linear<Float>(8, 4, using: &g1)
        let b = Linear<Float>(8, 4, using: &g2)
        #expect(bitIdentical(a.weight.value.scalars, b.weight.value.scalars))
        let bound = 1 / Float(8).squareRoot()
        #expect(a.weight.value.scalars.allSatisfy { abs($0) <= bound })
    }

    @Test("Linear refuses an input with the wrong feature count")
    func linearShapeMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = Linear<Float>(4, 2)
            _ = layer(Variable(Tensor<Float>.zeros([3, 5])))
        }
        expectStop(r, mentions: ["Linear", "[3, 5]", "4 inputs"])
    }
}
