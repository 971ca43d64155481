// Dead ReLUs: a unit whose pre-activation is negative for every input gets no gradient and
// never recovers. This counts, over the whole training set, the fraction of hidden units that
// never activate — before training, after training at a sane learning rate, and after a few
// steps at a far too large one — for ReLU and for leaky ReLU (whose units cannot die).
//
//     swift run -c release DeadReLU
import Foundation
import NN

let digits = try Dataset<Float>.digits()
let (train, _) = digits.split(at: 1437)

/// A 64-128-128-10 MLP that also returns each hidden layer's pre-activations.
final class ProbedMLP: Module, Layer {
    let hidden: [Linear<Float>]
    let activation: any Layer<Float>
    let output: Linear<Float>

    init(activation: any Layer<Float>) {
        hidden = [Linear(64, 128), Linear(128, 128)]
        self.activation = activation
        output = Linear(128, 10)
    }

    func preActivations(_ x: Variable<Float>) -> [Tensor<Float>] {
        var y = x
        var result: [Tensor<Float>] = []
        for layer in hidden {
            let z = layer(y)
            result.append(z.value)
            y = activation(z)
        }
        return result
    }

    func forward(_ x: Variable<Float>) -> Variable<Float> {
        var y = x
        for layer in hidden { y = activation(layer(y)) }
        return output(y)
    }
}

/// The fraction of hidden units with a pre-activation ≤ 0 for every training example.
func deadFraction(_ model: ProbedMLP) -> Double {
    let zs = withoutGradients { model.preActivations(Variable(train.features)) }
    var dead = 0, total = 0
    for z in zs {
        let columnMax = z.max(alongAxes: [0]).scalars
        dead += columnMax.filter { $0 <= 0 }.count
        total += columnMax.count
    }
    return Double(dead) / Double(total)
}

func trainedDeadFraction(_ activation: String, learningRate: Double, steps: Int) -> (Double, Double) {
    manualSeed(0)
    let model = ProbedMLP(activation: activation == "relu" ? ReLU() : LeakyReLU(negativeSlope: 0.01))
    let before = deadFraction(model)
    let optimizer = SGD(parameters: model.parameters(of: Float.self), learningRate: learningRate)
    var generator = TensorRandom(seed: 0)
    var step = 0
    while step < steps {
        for (x, y) in train.batches(size: 32, generator: &generator) where step < steps {
            let loss = crossEntropy(logits: model(Variable(x)), labels: y)
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
            step += 1
        }
    }
    return (before, deadFraction(model))
}

print("activation   lr     steps  dead before  dead after")
for activation in ["relu", "leaky_relu"] {
    for (lr, steps) in [(0.05, 1000), (5.0, 50)] {
        let (before, after) = trainedDeadFraction(activation, learningRate: lr, steps: steps)
        print(activation.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "  %5.2f  %5d  %10.1f%%  %9.1f%%", lr, steps, before * 100, after * 100))
    }
}
