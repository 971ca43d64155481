// XOR: the smallest problem a linear model cannot solve. A 2-8-1 tanh network learns it with
// Adam and binary cross-entropy on the logits.
//
//     swift run -c release XOR
import NN

manualSeed(0)
let inputs = Variable([[0, 0], [0, 1], [1, 0], [1, 1]] as Tensor<Float>)
let targets = Variable([[0], [1], [1], [0]] as Tensor<Float>)

let model = Sequential<Float> {
    Linear(2, 8)
    Tanh()
    Linear(8, 1)
}
let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 0.05)

for step in 1...300 {
    let loss = binaryCrossEntropy(logits: model(inputs), targets: targets)
    optimizer.zeroGradients()
    loss.backward()
    optimizer.step()
    if step % 50 == 0 { print("step \(step): loss \(loss.value.scalars[0])") }
}

let probabilities = model(inputs).value.sigmoid().scalars
for (row, p) in zip([[0, 0], [0, 1], [1, 0], [1, 1]], probabilities) {
    print("\(row[0]) xor \(row[1]) → \(p > 0.5 ? 1 : 0)  (p = \(p))")
}
