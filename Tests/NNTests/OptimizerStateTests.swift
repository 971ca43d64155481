import Testing
import TestSupport

@testable import NN

/// An optimizer's per-parameter state fits the parameter's shape at its first update; a
/// parameter whose shape changes later (a new variable assigned through `@Parameter`'s setter)
/// stops `step()` with a message instead of running the rule over buffers of the old size.
/// The check is in the shared driver, so every optimizer (and a user-written one) has it.
@Suite struct OptimizerStateTests {

    /// Trains `linear` one step with the optimizer named `kind`, gives its weight a new
    /// [1000, 2] variable and a gradient, and steps again (which must stop).
    static func stepAfterReshaping(_ kind: String) {
        let linear = Linear<Float>(weight: Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), bias: Tensor([0, 0]))
        let params = linear.parameters(of: Float.self)
        let optimizer: any Optimizer<Float>
        switch kind {
        case "SGD": optimizer = SGD(parameters: params, learningRate: 0.1)
        case "SGD+momentum": optimizer = SGD(parameters: params, learningRate: 0.1, momentum: 0.9)
        case "Adam": optimizer = Adam(parameters: params)
        case "AdamW": optimizer = AdamW(parameters: params)
        case "RMSProp": optimizer = RMSProp(parameters: params)
        default: optimizer = SignMomentum(parameters: params, learningRate: 0.1)
        }
        linear(Variable(Tensor<Float>(shape: [1, 2], scalars: [1, 1]))).sum().backward()
        optimizer.step()
        optimizer.zeroGradients()
        linear.weight = Variable(Tensor<Float>.zeros([1000, 2]), requiresGradient: true)
        linear.weight.sum().backward()
        optimizer.step()
    }

    static let reshapeMentions = ["parameter 0", "[1000, 2] (2000 elements)", "[2, 2] (4 elements)", "new optimizer"]

    @Test func sgdStopsWhenAParameterChangesShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            OptimizerStateTests.stepAfterReshaping("SGD")
        }
        expectStop(r, mentions: ["SGD<Float>.step"] + Self.reshapeMentions)
    }

    @Test func sgdWithMomentumStopsWhenAParameterChangesShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            OptimizerStateTests.stepAfterReshaping("SGD+momentum")
        }
        expectStop(r, mentions: ["SGD<Float>.step"] + Self.reshapeMentions)
    }

    @Test func adamStopsWhenAParameterChangesShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            OptimizerStateTests.stepAfterReshaping("Adam")
        }
        expectStop(r, mentions: ["Adam<Float>.step"] + Self.reshapeMentions)
    }

    @Test func adamWStopsWhenAParameterChangesShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            OptimizerStateTests.stepAfterReshaping("AdamW")
        }
        expectStop(r, mentions: ["AdamW<Float>.step"] + Self.reshapeMentions)
    }

    @Test func rmsPropStopsWhenAParameterChangesShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            OptimizerStateTests.stepAfterReshaping("RMSProp")
        }
        expectStop(r, mentions: ["RMSProp<Float>.step"] + Self.reshapeMentions)
    }

    /// A user-written optimizer whose buffers come from `makeState(count:)` gets the same check.
    @Test func customOptimizerStopsWhenAParameterChangesShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            OptimizerStateTests.stepAfterReshaping("SignMomentum")
        }
        expectStop(r, mentions: ["SignMomentum<Float>.step"] + Self.reshapeMentions)
    }

    /// Same number of elements, other shape ([2, 2] → [4, 1]) also stops: the state was made
    /// for the old shape (PyTorch's Adam fails on it too).
    @Test func sameCountOtherShapeStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let p = Parameter(Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4]))
            let adam = Adam(parameters: [p])
            setGradient(p, Tensor<Double>.ones([2, 2]))
            adam.step()
            p.wrappedValue = Variable(Tensor<Double>.zeros([4, 1]), requiresGradient: true)
            setGradient(p, Tensor<Double>.ones([4, 1]))
            adam.step()
        }
        expectStop(r, mentions: ["Adam<Double>.step", "parameter 0", "[4, 1] (4 elements)", "[2, 2] (4 elements)"])
    }

    /// A new value of the same shape (re-initialization through the setter) keeps training with
    /// the existing state: SGD with momentum μ = 0.5, rate η = 0.5, gradient 1 at both steps:
    /// step 1: b = 1, x = 4 − 0.5 = 3.5 → replaced by 10; step 2: b = 0.5·1 + 1 = 1.5,
    /// x = 10 − 0.75 = 9.25.
    @Test func sameShapeReplacementKeepsTheState() {
        let p = Parameter(Tensor<Double>([4]))
        let sgd = SGD(parameters: [p], learningRate: 0.5, momentum: 0.5)
        setGradient(p, Tensor([1]))
        sgd.step()
        #expect(p.value.scalars == [3.5])
        p.wrappedValue = Variable(Tensor<Double>([10]), requiresGradient: true)
        setGradient(p, Tensor([1]))
        sgd.step()
        #expect(p.value.scalars == [9.25])
        #expect(sgd.slots.state(at: 0)?.buffer?.tensor(shape: [1]).scalars == [1.5])
    }

    /// A user-written optimizer whose parameter list changes between steps (the state at each
    /// position belongs to the first step's parameter there) stops.
    @Test func parameterListChangedBetweenStepsStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Parameter(Tensor<Double>([1, 2]))
            let b = Parameter(Tensor<Double>([1, 2, 3]))
            let opt = MutableListSGD(parameters: [a])
            setGradient(a, Tensor([1, 1]))
            opt.step()
            opt.parameters = [b]
            setGradient(b, Tensor([1, 1, 1]))
            opt.step()
        }
        expectStop(r, mentions: ["MutableListSGD<Double>.step", "parameter 0", "[3]", "not the parameter that was at position 0"])
    }

    @Test func parameterListGrownBetweenStepsStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Parameter(Tensor<Double>([1, 2]))
            let opt = MutableListSGD(parameters: [a])
            setGradient(a, Tensor([1, 1]))
            opt.step()
            opt.parameters.append(Parameter(Tensor<Double>([5])))
            opt.step()
        }
        expectStop(r, mentions: ["MutableListSGD<Double>.step", "1 parameters", "now has 2"])
    }
}

/// A user-written optimizer whose parameter list can be changed (the built-in ones keep theirs
/// in a `let`): plain gradient descent with a step counter as its state.
final class MutableListSGD<Scalar: TensorScalar>: Optimizer {
    var parameters: [Parameter<Scalar>]
    let slots = OptimizerSlots<Scalar, Int>()
    var learningRate = 0.5

    init(parameters: [Parameter<Scalar>]) { self.parameters = parameters }

    func makeState(count: Int) -> Int { 0 }

    func update(_ p: ParameterUpdate<Scalar>, state: inout Int) {
        state += 1
        for i in 0..<p.count { p.value[i] -= Scalar(learningRate) * p.gradient[i] }
    }
}
