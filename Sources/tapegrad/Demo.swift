import Foundation
import NN

/// The digits data set shipped in `Data/digits.csv`: 1,797 8×8 images, pixels 0…16.
struct Digits {
    var images: Tensor<Float>  // [N, 64], scaled to 0…1
    var labels: [Int]

    /// Finds `Data/digits.csv` in the current directory or beside the package sources.
    static func defaultPath() -> String {
        let local = "Data/digits.csv"
        if FileManager.default.fileExists(atPath: local) { return local }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(local).path
    }

    /// Reads `label,p0,…,p63` rows; a bad row is reported by its line number.
    static func load(_ path: String) throws -> Digits {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.file(path: path, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.file(path: path, reason: "not UTF-8 text")
        }
        var pixels: [Float] = []
        var labels: [Int] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if i == 0 || line.isEmpty { continue }
            let fields = line.split(separator: ",")
            guard fields.count == 65 else {
                throw CLIError.data(path: path, line: i + 1, reason: "\(fields.count) fields, expected 65 (label and 64 pixels)")
            }
            guard let label = Int(fields[0]), (0...9).contains(label) else {
                throw CLIError.data(path: path, line: i + 1, reason: "label '\(fields[0])' is not a digit 0-9")
            }
            labels.append(label)
            for f in fields.dropFirst() {
                guard let v = Float(f), v.isFinite else {
                    throw CLIError.data(path: path, line: i + 1, reason: "pixel '\(f)' is not a number")
                }
                pixels.append(v / 16)
            }
        }
        guard !labels.isEmpty else { throw CLIError.file(path: path, reason: "no data rows") }
        return Digits(images: Tensor(shape: [labels.count, 64], scalars: pixels), labels: labels)
    }
}

/// Softmax regression on the digits, gradients derived by hand — a tour of the Tensor API
/// (matmul with a transposed operand, broadcasting, reductions, stable softmax) until the
/// autograd-based trainer lands.
enum Demo {
    static func run(_ options: Options) throws {
        let path = options.string("--data") ?? Digits.defaultPath()
        let epochs = try options.int("--epochs", default: 30, range: 1...10_000)
        let seed = try options.int("--seed", default: 0, range: 0...Int(Int32.max))
        let data = try Digits.load(path)
        let n = data.labels.count
        let testCount = n >= 720 ? 360 : n / 5
        let trainCount = n - testCount
        let trainX = data.images.sliced(alongAxis: 0, 0..<trainCount)
        let testX = data.images.sliced(alongAxis: 0, trainCount..<n)
        let trainY = Array(data.labels[0..<trainCount])
        let testY = Array(data.labels[trainCount..<n])

        var rng = TensorRandom(seed: UInt64(seed))
        var w = Tensor<Float>.randomNormal([64, 10], standardDeviation: 0.01, using: &rng)
        var b = Tensor<Float>.zeros([10])
        let batch = 32
        let lr: Float = 0.5
        let start = Date()
        print("softmax regression on \(trainCount) training digits, \(testCount) test digits (\(path))")
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
                    grad[r, label] -= 1
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
