import Testing
import NN
import TestSupport

/// Mean cross-entropy per step of `steps` Adam steps on the first 128 digits, from `seed`.
private func losses(
    seed: UInt64, steps: Int, input: (Tensor<Float>) -> Tensor<Float> = { $0 },
    model build: (inout TensorRandom) -> any Layer<Float>
) throws -> [Float] {
    let digits = try Dataset<Float>.digits().subset(0..<128)
    var generator = TensorRandom(seed: seed)
    let model = build(&generator)
    let optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 1e-2)
    var result: [Float] = []
    while result.count < steps {
        for (x, y) in digits.batches(size: 32, generator: &generator) where result.count < steps {
            let loss = crossEntropy(logits: model(Variable(input(x))), labels: y)
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
            result.append(loss.value.scalars[0])
        }
    }
    return result
}

private func mlp(_ g: inout TensorRandom) -> any Layer<Float> {
    Sequential<Float> {
        Linear(64, 32, using: &g)
        ReLU()
        Linear(32, 10, using: &g)
    }
}

@Suite("Training loops")
struct TrainingLoopTests {
    @Test("Same seed, one thread: identical losses run to run; another seed: different ones")
    func deterministic() throws {
        // Tensors this small stay below every kernel's parallel grain: one thread throughout
        // (the global thread count is left alone, since suites run in parallel).
        let a = try losses(seed: 3, steps: 12, model: mlp)
        let b = try losses(seed: 3, steps: 12, model: mlp)
        let c = try losses(seed: 4, steps: 12, model: mlp)
        #expect(bitIdentical(a, b))
        #expect(!bitIdentical(a, c))
    }

    @Test("A maxout net (k = 3 affine pieces per unit) trains: the loss falls")
    func maxoutTrains() throws {
        let l = try losses(seed: 1, steps: 60) { g in
            Sequential<Float> {
                Maxout(inputs: 64, outputs: 16, pieces: 3, using: &g)
                Linear(16, 10, using: &g)
            }
        }
        let first = l.prefix(4).reduce(0, +) / 4
        let last = l.suffix(4).reduce(0, +) / 4
        #expect(last < 0.5 * first, "loss \(first) → \(last)")
    }

    @Test("A conv net with per-channel PReLU on its feature maps trains, and its slopes move")
    func preluConvNetTrains() throws {
        var slopes: PReLU<Float>?
        let l = try losses(seed: 2, steps: 60, input: { $0.reshaped(to: [$0.shape[0], 1, 8, 8]) }) { g in
            let prelu = PReLU<Float>(channels: 4)
            slopes = prelu
            return Sequential<Float> {
                Conv2d(1, 4, kernelSize: 3, padding: 1, using: &g)
                prelu
                MaxPool2d(kernelSize: 2)
                Flatten()
                Linear(64, 10, using: &g)
            }
        }
        let first = l.prefix(4).reduce(0, +) / 4
        let last = l.suffix(4).reduce(0, +) / 4
        #expect(last < 0.5 * first, "loss \(first) → \(last)")
        let alpha = try #require(slopes).alpha.value.scalars
        #expect(alpha.count == 4 && alpha.allSatisfy { $0 != 0.25 })
    }
}
