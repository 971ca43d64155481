import Foundation
import NN

enum OptimTiming {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func run() {
        var g = TensorRandom(seed: 1)
        let model = Sequential<Float> {
            Linear(64, 128, using: &g)
            Linear(128, 64, using: &g)
            Linear(64, 10, using: &g)
        }
        let params = model.parameters(of: Float.self)
        print("parameters:", params.map(\.shape), params.reduce(0) { $0 + $1.shape.reduce(1, *) })
        let x = Variable(Tensor<Float>.randomNormal([32, 64], using: &g))
        model(x).sum().backward()
        func time(_ name: String, _ opt: some Optimizer<Float>) {
            for _ in 0..<200 { opt.step() }
            var best = Double.infinity
            for _ in 0..<20 {
                let n = 2000
                let t0 = now()
                for _ in 0..<n { opt.step() }
                best = min(best, Double(now() - t0) / Double(n))
            }
            print(name, String(format: "%.2f µs/step (best of 20 × 2000)", best / 1000))
        }
        time("adam", Adam(parameters: params))
        time("adamw", AdamW(parameters: params))
        time("sgd", SGD(parameters: params, learningRate: 0.01))
        time("sgd momentum", SGD(parameters: params, learningRate: 0.01, momentum: 0.9, nesterov: true))
        time("rmsprop", RMSProp(parameters: params))
        time("rmsprop centered momentum", RMSProp(parameters: params, momentum: 0.9, centered: true))
        // Training step: forward, CE loss, backward, Adam.
        let labels = (0..<32).map { $0 % 10 }
        let adam = Adam(parameters: params)
        func trainStep() {
            adam.zeroGradients()
            let loss = crossEntropy(logits: model(x), labels: labels)
            loss.backward()
            adam.step()
        }
        for _ in 0..<200 { trainStep() }
        var best = Double.infinity
        for _ in 0..<10 {
            let t0 = now()
            for _ in 0..<1000 { trainStep() }
            best = min(best, Double(now() - t0) / 1000)
        }
        print(String(format: "train step (fwd+CE+bwd+Adam, relu-free MLP): %.2f µs", best / 1000))
        // CE alone, forward + backward.
        let logits = Variable(Tensor<Float>.randomNormal([32, 10], using: &g), requiresGradient: true)
        best = .infinity
        for _ in 0..<10 {
            let t0 = now()
            for _ in 0..<5000 { crossEntropy(logits: logits, labels: labels).backward(); logits.resetGradient() }
            best = min(best, Double(now() - t0) / 5000)
        }
        print(String(format: "crossEntropy fwd+bwd [32,10]: %.2f µs", best / 1000))
    }
}
