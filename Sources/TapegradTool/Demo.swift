import Foundation
import NN

/// Softmax regression on the digits, gradients derived by hand — a tour of the Tensor API
/// (matmul with a transposed operand, broadcasting, reductions, stable softmax) without
/// autograd; `tapegrad train` is the autograd-based trainer.
enum Demo {
    static func run(_ options: Options) throws {
        let url = options.string("--data").map { URL(fileURLWithPath: $0) } ?? Dataset<Float>.shippedDigitsURL()
        let path = url.path
        let epochs = try options.int("--epochs", default: 30, range: 1...10_000)
        let seed = try options.int("--seed", default: 0, range: 0...Int(Int32.max))
        let data: Dataset<Float>
        do {
            data = try Dataset<Float>.digits(at: url)
        } catch {
            throw CLIError.file(path: path, reason: "\(error)")
        }
        let n = data.count
        // One row to train on and one to test on, at the least (a test set of 0 rows gave a
        // "test accuracy" of 0/0 = nan).
        guard n >= 2 else {
            throw CLIError.file(path: path, reason: "\(n) row\(n == 1 ? "" : "s"); demo needs at least 2 (one to train on, one to test on)")
        }
        let testCount = n >= 720 ? 360 : Swift.max(1, n / 5)
        let trainCount = n - testCount
        let trainX = data.features.sliced(alongAxis: 0, 0..<trainCount)
        let testX = data.features.sliced(alongAxis: 0, trainCount..<n)
        let trainY = Array(data.labels[0..<trainCount])
        let testY = Array(data.labels[trainCount..<n])
        // Softmax regression takes any number of features: the weights are sized from the file.
        let features = data.featureCount

        var rng = TensorRandom(seed: UInt64(seed))
        var w = Tensor<Float>.randomNormal([features, 10], standardDeviation: 0.01, using: &rng)
        var b = Tensor<Float>.zeros([10])
        let batch = 32
        let lr: Float = 0.5
        let start = Date()
        print("softmax regression on \(trainCount) training digits, \(testCount) test digits (\(oneLine(path)))")
        for epoch in 1...epochs {
            var order = Array(0..<trainCount)
            order.shuffle(using: &rng)
            var totalLoss: Float = 0
            for s in stride(from: 0, to: trainCount, by: batch) {
                let idx = Array(order[s..<Swift.min(s + batch, trainCount)])
                let x = trainX.gathering(idx)
                let y = idx.map { trainY[$0] }
                let p = softmax(Tensor.matmul(x, w) + b)
                // Cross-entropy and its gradient with respect to the logits: (p − onehot)/B.
                var grad = p
                var loss: Float = 0
                for (r, label) in y.enumerated() {
                    loss -= Foundation.log(Swift.max(p.scalar(at: [r, label]), .leastNormalMagnitude))
                    grad[r, label] -= 1  // the rank-0 view of one element
                }
                grad /= Float(y.count)
                totalLoss += loss
                w -= Tensor.matmul(x, grad, transposingA: true) * lr
                b -= grad.sum(alongAxes: [0]) * lr
            }
            if epoch == 1 || epoch % 10 == 0 || epoch == epochs {
                print("epoch \(epoch): mean loss \(totalLoss / Float(trainCount)), test accuracy \(accuracy(testX, testY, w, b))")
            }
        }
        let ms = Date().timeIntervalSince(start) * 1000 / Double(epochs)
        print(String(format: "test accuracy %.4f, %.2f ms per epoch", accuracy(testX, testY, w, b), ms))
    }

    /// Row-wise softmax, max-subtracted so it never overflows.
    static func softmax(_ logits: Tensor<Float>) -> Tensor<Float> {
        let e = (logits - logits.max(alongAxes: [1], keepingDimensions: true)).exp()
        return e / e.sum(alongAxes: [1], keepingDimensions: true)
    }

    static func accuracy(_ x: Tensor<Float>, _ y: [Int], _ w: Tensor<Float>, _ b: Tensor<Float>) -> Double {
        let predicted = (Tensor.matmul(x, w) + b).argmax(alongAxis: 1)
        return Double(zip(predicted, y).filter { $0 == $1 }.count) / Double(y.count)
    }
}
