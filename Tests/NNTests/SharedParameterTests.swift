import Foundation
import Testing
import TestSupport

@testable import NN

/// A module that stores one parameter under two properties (weight tying).
final class TiedPair: Module {
    let first: Parameter<Double>?
    let second: Parameter<Double>?
    init(_ p: Parameter<Double>) {
        first = p
        second = p
        super.init()
    }
}

/// A layer used twice is one set of weights: listed once for optimizers, updated once per
/// step; checkpoints keep every name (as PyTorch's state_dict).
@Suite struct SharedParameterTests {

    /// y = l(l(x)) for a 1 → 1 layer with w = 2, b = 0.5 at x = 3:
    /// h = w·x + b = 6.5, y = w·h + b = 13.5,
    /// ∂y/∂w = h + w·x = 6.5 + 6 = 12.5, ∂y/∂b = 1 + w = 3.
    static func sharedTwice() -> (Linear<Double>, Sequential<Double>) {
        let l = Linear<Double>(weight: Tensor(shape: [1, 1], scalars: [2]), bias: Tensor([0.5]))
        return (l, Sequential<Double>([l, l]))
    }

    @Test func aLayerUsedTwiceIsListedOnce() {
        let (l, model) = Self.sharedTwice()
        let named = model.namedParameters(of: Double.self)
        #expect(named.map(\.name) == ["layers.0.weight", "layers.0.bias"])
        #expect(named[0].parameter === l.$weight)
        #expect(named[1].parameter === l.bias)
        #expect(model.parameters(of: Double.self).count == 2)
        // Checkpoint names: both paths.
        #expect(model.namedTensors().map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
    }

    @Test func trainableScalarCountCountsASharedLayerOnce() {
        var g = TensorRandom(seed: 3)
        let l = Linear<Float>(3, 2, using: &g)
        let other = Linear<Float>(2, 2, using: &g)
        #expect(Sequential<Float>([l, l]).trainableScalarCount == 3 * 2 + 2)
        #expect(Sequential<Float>([l, other, l]).trainableScalarCount == (3 * 2 + 2) + (2 * 2 + 2))
        other.freeze()
        #expect(Sequential<Float>([other, l, other]).trainableScalarCount == 3 * 2 + 2)
    }

    /// The gradients of both uses add up in the one leaf, and SGD (rate 1/8, exact in binary)
    /// moves the weights by exactly one step: w = 2 − 12.5/8 = 0.4375, b = 0.5 − 3/8 = 0.125.
    @Test func sgdUpdatesASharedLayerOncePerStep() {
        let (l, model) = Self.sharedTwice()
        let sgd = SGD(parameters: model.parameters(of: Double.self), learningRate: 0.125)
        model(Variable(Tensor(shape: [1, 1], scalars: [3]))).sum().backward()
        #expect(l.$weight.gradient?.scalars == [12.5])
        #expect(l.bias?.gradient?.scalars == [3])
        sgd.step()
        #expect(l.weight.value.scalars == [0.4375])
        #expect(l.bias?.value.scalars == [0.125])
    }

    /// A parameter stored in two properties of one module (tied weights) is listed once too.
    @Test func tiedParameterIsListedOnce() {
        let p = Parameter(Tensor<Double>([1, 2, 3]))
        let m = TiedPair(p)
        #expect(m.namedParameters(of: Double.self).map(\.name) == ["first"])
        #expect(m.trainableScalarCount == 3)
        #expect(m.namedTensors().map(\.name) == ["first", "second"])
    }

    /// A checkpoint of a model with a shared layer round-trips, into the same model and into one
    /// of the same structure without sharing.
    @Test func checkpointRoundTripWithASharedLayer() throws {
        let (l, model) = Self.sharedTwice()
        let file = try model.checkpoint()
        #expect(file.entries.map(\.name).sorted() == ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"])
        l.$weight.assign(Tensor(shape: [1, 1], scalars: [-7]))
        l.bias!.assign(Tensor([9]))
        try model.load(file)
        #expect(l.weight.value.scalars == [2])
        #expect(l.bias?.value.scalars == [0.5])

        let a = Linear<Double>(weight: Tensor(shape: [1, 1], scalars: [0]), bias: Tensor([0]))
        let b = Linear<Double>(weight: Tensor(shape: [1, 1], scalars: [0]), bias: Tensor([0]))
        try Sequential<Double>([a, b]).load(file)
        #expect(a.weight.value.scalars == [2] && b.weight.value.scalars == [2])
        #expect(a.bias?.value.scalars == [0.5] && b.bias?.value.scalars == [0.5])
    }

    @Test func sgdGivenTheSameParametersTwiceStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Linear<Float>(weight: Tensor(shape: [2, 3], repeating: 1), bias: Tensor([0, 0]))
            _ = SGD(parameters: a.parameters(of: Float.self) + a.parameters(of: Float.self), learningRate: 0.1)
        }
        expectStop(r, mentions: ["SGD<Float>", "parameter 2", "[2, 3]", "same Parameter as parameter 0", "update it twice"])
    }

    @Test func adamGivenTheSameParameterTwiceStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let p = Parameter(Tensor<Double>([1, 2]))
            let q = Parameter(Tensor<Double>([3]))
            _ = Adam(parameters: [p, q, p])
        }
        expectStop(r, mentions: ["Adam<Double>", "parameter 2", "[2]", "same Parameter as parameter 0"])
    }

    /// A user-written optimizer does not call the constructor check; the driver's first step
    /// makes it.
    @Test func customOptimizerGivenTheSameParameterTwiceStopsAtItsFirstStep() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let p = Parameter(Tensor<Double>([1, 2]))
            let opt = MutableListSGD(parameters: [p, p])
            setGradient(p, Tensor([1, 1]))
            opt.step()
        }
        expectStop(r, mentions: ["MutableListSGD<Double>", "parameter 1", "same Parameter as parameter 0"])
    }
}
