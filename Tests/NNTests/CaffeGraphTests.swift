import Foundation
import Testing
import TestSupport

@testable import NN

/// A CaffeNet built into a runnable, trainable module graph.
@Suite("Caffe module graphs")
struct CaffeGraphTests {
    @Test("LeNet-style: shapes through conv, in-place leaky ReLU, pooling, InnerProduct on images, softmax; trainable")
    func lenet() throws {
        manualSeed(0)
        let graph = try CaffeGraph<Float>(CaffeNet(prototxt: CaffeNetTests.lenet))
        #expect(graph.nodes.map(\.type) == ["Convolution", "ReLU", "Pooling", "InnerProduct", "Softmax"])
        let x = Variable(Tensor<Float>.randomNormal([3, 1, 8, 8]))
        let blobs = graph.blobs(x)
        #expect(blobs["pool1"]!.shape == [3, 4, 4, 4] && blobs["prob"]!.shape == [3, 10])
        // Softmax rows sum to 1; the in-place ReLU rewrote "conv1" (leaky: slope 0.1 below 0).
        for r in 0..<3 { #expect(Swift.abs(blobs["prob"]!.value[r].scalars.reduce(0, +) - 1) < 1e-5) }
        let conv = (graph.modules[0] as! Conv2d<Float>)(x).value.scalars
        #expect(zip(blobs["conv1"]!.value.scalars, conv).allSatisfy { y, z in y == (z > 0 ? z : 0.1 * z) || Swift.abs(y - 0.1 * z) < 1e-7 })
        // conv 1·4·3·3 + 4, ip 64·10 + 10.
        #expect(graph.parameterCounts.trainable == 40 + 650)
        #expect(graph.namedParameters(of: Float.self).map(\.name) == ["modules.0.weight", "modules.0.bias", "modules.3.layers.1.weight", "modules.3.layers.1.bias"])
        // Trainable: every parameter gets a gradient.
        let loss = nllLoss(logProbabilities: graph(x).log(), labels: [1, 2, 3])
        loss.backward()
        #expect(graph.parameters().allSatisfy { $0.variable.gradient != nil })
    }

    @Test("Caffe's Power, Exp, Log, AbsVal, ELU, BNLL and PReLU map to the activations with their parameters")
    func activations() throws {
        let text = """
            input: "x" input_shape { dim: 1 dim: 2 dim: 3 }
            layer { name: "p" type: "Power" bottom: "x" top: "p" power_param { power: 2 scale: 3 shift: 1 } }
            layer { name: "e" type: "Exp" bottom: "p" top: "e" exp_param { base: 2 scale: -0.5 } }
            layer { name: "l" type: "Log" bottom: "e" top: "l" log_param { base: 2 shift: 1 } }
            layer { name: "a" type: "AbsVal" bottom: "l" top: "a" }
            layer { name: "elu" type: "ELU" bottom: "x" top: "elu" elu_param { alpha: 0.5 } }
            layer { name: "bnll" type: "BNLL" bottom: "x" top: "bnll" }
            layer { name: "pr" type: "PReLU" bottom: "x" top: "pr" prelu_param { channel_shared: true } }
            """
        let graph = try CaffeGraph<Double>(CaffeNet(prototxt: text))
        let xs: [Double] = [-1, -0.2, 0, 0.3, 1, 2]
        let b = graph.blobs(Variable(Tensor(shape: [1, 2, 3], scalars: xs)))
        for (i, x) in xs.enumerated() {
            let p = (1 + 3 * x) * (1 + 3 * x), e = Foundation.pow(2, -0.5 * p), l = log2(1 + e)
            #expect(Swift.abs(b["p"]!.value.scalars[i] - p) < 1e-12 && Swift.abs(b["e"]!.value.scalars[i] - e) < 1e-12)
            #expect(Swift.abs(b["a"]!.value.scalars[i] - Swift.abs(l)) < 1e-12)
            #expect(Swift.abs(b["elu"]!.value.scalars[i] - (x > 0 ? x : 0.5 * expm1(x))) < 1e-12)
            #expect(Swift.abs(b["bnll"]!.value.scalars[i] - log1p(exp(x))) < 1e-9)
            #expect(b["pr"]!.value.scalars[i] == (x > 0 ? x : 0.25 * x))
        }
        #expect((graph.modules[6] as! PReLU<Double>).alpha.shape == [1])
    }

    @Test("BatchNorm + Scale: no affine in BatchNorm, a per-channel γ and β in Scale, Caffe's moving average as momentum")
    func batchNormScale() throws {
        let text = """
            input: "x" input_shape { dim: 2 dim: 3 dim: 4 dim: 4 }
            layer { name: "bn" type: "BatchNorm" bottom: "x" top: "x" batch_norm_param { moving_average_fraction: 0.9 } }
            layer { name: "sc" type: "Scale" bottom: "x" top: "x" scale_param { bias_term: true } }
            """
        let graph = try CaffeGraph<Float>(CaffeNet(prototxt: text))
        let bn = graph.modules[0] as! BatchNorm2d<Float>
        #expect(bn.weight == nil && Swift.abs(Double(bn.momentum) - 0.1) < 1e-7)
        #expect(graph.namedParameters(of: Float.self).map(\.name) == ["modules.1.weight", "modules.1.bias"])
        let scale = graph.modules[1] as! ChannelAffine<Float>
        scale.weight.assign(Tensor([1, 2, 3]))
        let y = scale(Variable(Tensor<Float>.ones([1, 3, 1, 2]))).value.scalars
        #expect(y == [1, 1, 2, 2, 3, 3])
    }

    @Test("Unsupported mappings throw a CaffeError naming the layer", arguments: [
        ("input: \"x\" input_shape { dim: 1 dim: 1 dim: 7 dim: 7 }\nlayer { name: \"pool\" type: \"Pooling\" bottom: \"x\" top: \"y\" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }", "layer 'pool'", "rounding up"),
        ("input: \"x\" input_shape { dim: 1 dim: 4 }\nlayer { name: \"ip\" type: \"InnerProduct\" bottom: \"x\" top: \"y\" }", "layer 'ip'", "num_output is missing"),
        ("input: \"x\" input_shape { dim: 1 dim: 1 dim: 4 dim: 4 }\nlayer { name: \"c\" type: \"Convolution\" bottom: \"x\" top: \"y\" convolution_param { num_output: 2 } }", "layer 'c'", "kernel_size"),
    ])
    func unsupported(_ text: String, _ location: String, _ reason: String) {
        do {
            _ = try CaffeGraph<Float>(CaffeNet(prototxt: text))
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains(location) && "\(error)".contains(reason), "\(error)")
        }
    }
}
