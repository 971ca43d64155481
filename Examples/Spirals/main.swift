// Two interleaved spirals: a classic test of a small network's capacity. 2-64-64-2 MLP with
// tanh, Adam, cross-entropy; prints the training accuracy as it learns.
//
//     swift run -c release Spirals
import Foundation
import NN

/// `count` points per class on two spirals, with Gaussian noise of `noise`.
func spirals(count: Int, noise: Double, seed: UInt64) -> (Tensor<Float>, [Int]) {
    var g = TensorRandom(seed: seed)
    var points: [Float] = []
    var labels: [Int] = []
    for label in 0..<2 {
        for i in 0..<count {
            let t = Double(i) / Double(count) * 3 * Double.pi + 0.3
            let sign: Double = label == 0 ? 1 : -1
            points.append(Float(sign * t * cos(t) / 10 + noise * g.nextNormal()))
            points.append(Float(sign * t * sin(t) / 10 + noise * g.nextNormal()))
            labels.append(label)
        }
    }
    return (Tensor(shape: [2 * count, 2], scalars: points), labels)
}

manualSeed(0)
let (points, labels) = spirals(count: 200, noise: 0.02, seed: 1)
let x = Variable(points)
let model = Sequential<Float> {
    Linear(2, 64)
    Tanh()
    Linear(64, 64)
    Tanh()
    Linear(64, 2)
}
let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 0.01)

func accuracy() -> Double {
    let predicted = model(x).value.argmax(alongAxis: 1)
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
}

for step in 1...1000 {
    let loss = crossEntropy(logits: model(x), labels: labels)
    optimizer.zeroGradients()
    loss.backward()
    optimizer.step()
    if step % 200 == 0 {
        print(String(format: "step %4d  loss %.4f  accuracy %.3f", step, Double(loss.value.scalars[0]), accuracy()))
    }
}
