// Digits with a small convolutional network: two 3×3 convolutions with batch normalization
// and max pooling, then a linear classifier — NCHW input [batch, 1, 8, 8].
//
//     swift run -c release DigitsCNN
import NN

let digits = try Dataset<Float>.digits()
let (train, test) = digits.split(at: 1437)

manualSeed(0)
let model = Sequential<Float> {
    Conv2d(1, 16, kernelSize: 3, padding: 1)    // [N, 16, 8, 8]
    BatchNorm2d(16)
    ReLU()
    MaxPool2d(kernelSize: 2)                                            // [N, 16, 4, 4]
    Conv2d(16, 32, kernelSize: 3, padding: 1)  // [N, 32, 4, 4]
    BatchNorm2d(32)
    ReLU()
    MaxPool2d(kernelSize: 2)                                            // [N, 32, 2, 2]
    Flatten()                                                           // [N, 128]
    Linear(128, 10)
}
let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 1e-3)
var generator = TensorRandom(seed: 0)

func images(_ x: Tensor<Float>) -> Variable<Float> { Variable(x.reshaped(to: [x.shape[0], 1, 8, 8])) }

for epoch in 1...30 {
    var total: Float = 0
    for (x, y) in train.batches(size: 32, generator: &generator) {
        let loss = crossEntropy(logits: model(images(x)), labels: y)
        optimizer.zeroGradients()
        loss.backward()
        optimizer.step()
        total += loss.value.scalars[0] * Float(y.count)
    }
    if epoch % 5 == 0 { print("epoch \(epoch): mean loss \(total / Float(train.count))") }
}

model.eval()
let predicted = withoutGradients { model(images(test.features)).value.argmax(alongAxis: 1) }
let correct = zip(predicted, test.labels).filter { $0 == $1 }.count
print("test accuracy \(Double(correct) / Double(test.count))")
