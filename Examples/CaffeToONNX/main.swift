// Caffe in, ONNX out: imports a Caffe net definition (digits.prototxt beside this file), trains
// it on the shipped digits with Tapegrad, and saves the result three ways — safetensors (for
// Tapegrad and PyTorch), .caffemodel (for Caffe) and ONNX (for ONNX Runtime). Docs/Interop.md.
//
//     swift run -c release CaffeToONNX [NET.prototxt] [OUTPUT_DIR]
import Foundation
import NN

let arguments = CommandLine.arguments
let prototxt = arguments.count > 1 ? arguments[1] : "Examples/CaffeToONNX/digits.prototxt"
let output = URL(fileURLWithPath: arguments.count > 2 ? arguments[2] : "runs")
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

manualSeed(0)
let net = try CaffeNet(prototxt: String(contentsOfFile: prototxt, encoding: .utf8))  // TEST phase: the loss layer drops out
let model = try CaffeGraph<Float>(net)
print("imported \(net.name): \(model.nodes.map { "\($0.name) (\($0.type))" }.joined(separator: ", "))")

let (train, test) = try Dataset<Float>.digits().split(at: 1437)
func images(_ x: Tensor<Float>) -> Variable<Float> { Variable(x.reshaped(to: [x.shape[0]] + model.inputShape.dropFirst())) }
let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
var generator = TensorRandom(seed: 0)
for epoch in 1...20 {
    var total: Float = 0
    for (x, y) in train.batches(size: 32, generator: &generator) {
        let loss = crossEntropy(logits: model(images(x)), labels: y)
        optimizer.zeroGradients()
        loss.backward()
        optimizer.step()
        total += loss.item * Float(y.count)
    }
    if epoch % 5 == 0 { print("epoch \(epoch): mean loss \(total / Float(train.count))") }
}
model.eval()
let predicted = withoutGradients { model(images(test.features)).value.argmax(alongAxis: 1) }
print("test accuracy \(Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.count))")

let base = output.appendingPathComponent("caffe_digits")
try model.save(to: base.appendingPathExtension("safetensors"))
try AtomicFile.write(model.caffeWeights(name: net.name).caffemodel(), to: base.appendingPathExtension("caffemodel"))
try model.exportONNX(to: base.appendingPathExtension("onnx"), inputShape: model.inputShape)
print("wrote \(base.path).safetensors, .caffemodel and .onnx")
