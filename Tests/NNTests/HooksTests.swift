import Foundation
import Testing
import TestSupport

@testable import NN

/// Forward hooks (PyTorch's register_forward_hook) and model.summary(inputShape:) built on them.
@Suite("Forward hooks and model summary", .globalState)
struct HooksTests {
    @Test("A hook sees each call's input and output, in registration order; remove() stops it")
    func hookSeesCalls() {
        let linear = Linear<Double>(weight: Tensor([[1, 2], [3, 4], [5, 6]]), bias: Tensor([0.5, -1, 2]))
        var log: [String] = []
        var seenOutput: [Double] = []
        let first = linear.registerForwardHook { layer, input, output in
            log.append("first \(input.shape)→\(output.shape) \(layer.weight.shape)")
            seenOutput = output.value.scalars
        }
        let second = linear.registerForwardHook { _, _, _ in log.append("second") }
        let y = linear(Variable(Tensor([[1, -1]])))
        // x·Wᵀ + b by hand: [1·1 − 2 + 0.5, 3 − 4 − 1, 5 − 6 + 2].
        #expect(y.value.scalars == [-0.5, -2, 1])
        #expect(seenOutput == [-0.5, -2, 1])
        #expect(log == ["first [1, 2]→[1, 3] [3, 2]", "second"])
        first.remove()
        first.remove()  // twice: nothing
        _ = linear(Variable(Tensor([[0, 0]])))
        #expect(log == ["first [1, 2]→[1, 3] [3, 2]", "second", "second"])
        second.remove()
        _ = linear(Variable(Tensor([[0, 0]])))
        #expect(log.count == 3 && linear.forwardHooks.isEmpty)
    }

    @Test("registerForwardHooks reaches every layer of the tree once, by name, and one handle removes them")
    func treeHooks() {
        let shared = Linear<Float>(4, 4)
        let model = Sequential<Float> { shared; ReLU(); shared; Sequential { Tanh(); Linear(4, 2) } }
        var calls: [String] = []
        let handles = model.registerForwardHooks(of: Float.self) { name, _, _, output in calls.append("\(name)\(output.shape)") }
        _ = model(Tensor<Float>.zeros([3, 4]))
        // Depth first as the calls finish: the shared layer twice, under its first name.
        #expect(calls == ["layers.0[3, 4]", "layers.1[3, 4]", "layers.0[3, 4]", "layers.3.layers.0[3, 4]", "layers.3.layers.1[3, 2]", "layers.3[3, 2]", "[3, 2]"])
        #expect(model.namedModules().map(\.name) == ["", "layers.0", "layers.1", "layers.3", "layers.3.layers.0", "layers.3.layers.1"])
        handles.remove()
        calls.removeAll()
        _ = model(Tensor<Float>.zeros([3, 4]))
        #expect(calls.isEmpty)
    }

    @Test("summary: output shapes and parameter counts from the layer formulas; frozen counted apart; nothing changes")
    func summaryOfACNN() {
        let conv = Conv2d<Float>(1, 8, kernelSize: 3, padding: 1)
        let norm = BatchNorm2d<Float>(8)
        let cnn = Sequential<Float> {
            conv; norm; ReLU(); MaxPool2d(kernelSize: 2); Dropout(p: 0.5)
            Sequential { Flatten(); Linear(128, 10) }
        }
        conv.bias!.setFrozen(true)
        let before = cnn.namedTensors().map { ($0.name, $0.tensor.littleEndianBytes()) }
        let s = cnn.summary(inputShape: [32, 1, 8, 8])
        // out = ⌊(in + 2p − k)/s⌋ + 1: conv 3×3 pad 1 keeps 8×8; pool 2 halves it; 8·4·4 = 128.
        #expect(s.rows.map(\.outputShapes) == [[[32, 10]], [[32, 8, 8, 8]], [[32, 8, 8, 8]], [[32, 8, 8, 8]], [[32, 8, 4, 4]], [[32, 8, 4, 4]], [[32, 10]], [[32, 128]], [[32, 10]]])
        // conv 8·1·3·3 + 8, BatchNorm γ and β 2·8, Linear 128·10 + 10.
        #expect(s.rows.map(\.parameters) == [80 + 16 + 1290, 80, 16, 0, 0, 0, 1290, 0, 1290])
        #expect(s.trainable == 80 + 16 + 1290 - 8 && s.frozen == 8)
        #expect(s.rows.map(\.depth) == [0, 1, 1, 1, 1, 1, 1, 2, 2])
        // Evaluation mode for the pass (BatchNorm's running statistics untouched: zeros in, but
        // training mode would still move the running variance), then each mode restored.
        #expect(cnn.namedModules().allSatisfy { $0.module.isTraining })
        #expect(cnn.namedTensors().map { ($0.name, $0.tensor.littleEndianBytes()) }.elementsEqual(before) { $0 == $1 })
        #expect(cnn.forwardHooks.isEmpty && conv.forwardHooks.isEmpty)
        let text = "\(s)"
        #expect(text.contains("(layers.1): BatchNorm2d<Float>(8, eps: 1e-05, momentum: 0.1, affine: true)"), "\(text)")
        #expect(text.contains("Trainable parameters: 1,378") && text.contains("Frozen parameters: 8") && text.contains("Total: 1,386 (5.4 KiB)"), "\(text)")
    }

    @Test("summary: a module called twice lists both shapes; a module never called says so")
    func summaryOfSharedAndUnused() {
        final class Net: Module, Layer {
            let a = Linear<Double>(3, 3)
            let unused = Linear<Double>(7, 7)
            func forward(_ x: Variable<Double>) -> Variable<Double> { a(a(x).tanh()) }
        }
        let s = Net().summary(inputShape: [2, 3])
        #expect(s.rows.map(\.name) == ["", "a", "unused"])
        #expect(s.rows[1].outputShapes == [[2, 3], [2, 3]])
        #expect(s.rows[2].outputShapes.isEmpty)
        #expect("\(s)".contains("[2, 3] ×2") && "\(s)".contains("(not called)"))
        #expect(s.trainable == 12 + 56 && s.scalarSize == 8)
    }

    @Test("summary with an empty or non-positive shape stops with the fix")
    func summaryBadShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Sequential<Float> { Linear(4, 2) }.summary(inputShape: [0, 4])
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("summary(inputShape:)") && text.contains("[0, 4]") && text.contains("Fix:"), "\(text)")
    }
}
