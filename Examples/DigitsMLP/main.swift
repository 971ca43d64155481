// Digits with a multilayer perceptron, written out as a script: load the shipped data set,
// build a 64-128-64-10 ReLU MLP, train with Adam on shuffled mini-batches, evaluate, save a
// checkpoint. (`tapegrad train` does the same with flags.)
//
//     swift run -c release DigitsMLP
import Foundation
import NN

let digits = try Dataset<Float>.digits()          // Data/digits.csv, pixels scaled to 0…1
let (train, test) = digits.split(at: 1437)         // the last 360 rows are the test set

manualSeed(0)
let model = Sequential<Float> {
    Linear(64, 128)
    ReLU()
    Linear(128, 64)
    ReLU()
    Linear(64, 10)
}
let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 1e-3)
var generator = TensorRandom(seed: 0)

for epoch in 1...30 {
    var total: Float = 0
    for (x, y) in train.batches(size: 32, generator: &generator) {
        let loss = crossEntropy(logits: model(Variable(x)), labels: y)
        optimizer.zeroGradients()
        loss.backward()
        optimizer.step()
        total += loss.value.scalars[0] * Float(y.count)
    }
    if epoch % 5 == 0 { print("epoch \(epoch): mean loss \(total / Float(train.count))") }
}

model.eval()
let predicted = withoutGradients { model(Variable(test.features)).value.argmax(alongAxis: 1) }
let correct = zip(predicted, test.labels).filter { $0 == $1 }.count
print("test accuracy \(Double(correct) / Double(test.count))")

let checkpoint = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("digits_mlp.safetensors")
try model.save(to: checkpoint)
print("saved \(checkpoint.path)")
