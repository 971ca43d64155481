import Tapegrad

// What a PyTorch user types first (issue 14, item 4).
Tapegrad.manualSeed(0)
let m = Tensor<Float>([[1, 2, 3], [4, 5, 6]])
print("m.shape", m.shape, "m[1, 2].item =", m[1, 2].item, "v[0].item =", Tensor<Float>([7, 8])[0].item, "m[0..<2, 1] =", m[0..<2, 1].scalars, "m[1...] shape", m[1...].shape)
var w = Variable(Tensor<Float>.randomNormal([3, 2]))
w.requiresGradient = true
let loss = (Variable(m).matmul(w)).sum()
loss.backward()
print("loss.item =", loss.item, "dloss/dw shape", w.gradient!.shape)
let model = Sequential<Float> { Linear(3, 4); PReLU(channels: 4); Linear(4, 2) }
print("parameters:", model.parameters().count)
print("model(tensor).shape", model(m).shape)
print(model)
let options = GradcheckOptions(atol: 1e-6, mode: .randomProjections(4))
print(gradcheck({ $0[0].tanh() }, at: [Tensor<Float>([-1, 0.5, 2])], options: options))
let cnn = Sequential<Float> {
    Conv2d(1, 8, kernelSize: 3, padding: 1); BatchNorm2d(8); ReLU(); MaxPool2d(kernelSize: 2)
    Sequential { Flatten(); Linear(128, 10) }
}
cnn.layers[0].parameters().first!.setFrozen(true)
print(cnn.summary(inputShape: [32, 1, 8, 8]))
