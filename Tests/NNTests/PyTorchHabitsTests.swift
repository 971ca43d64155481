import Foundation
import Testing
import TestSupport

@testable import NN

/// What a PyTorch user types first compiles and does what they expect (issue 14, item 4).
@Suite("PyTorch habits", .globalState)
struct PyTorchHabitsTests {
    @Test("Nested arrays make tensors of rank 2 to 4, row-major, like torch.tensor")
    func nestedArrays() {
        let m = Tensor<Float>([[1, 2, 3], [4, 5, 6]])
        #expect(m.shape == [2, 3] && m.scalars == [1, 2, 3, 4, 5, 6])
        #expect(m.scalar(at: [1, 0]) == 4)
        let c = Tensor<Double>([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]])
        #expect(c.shape == [3, 2, 2] && c.scalar(at: [2, 1, 0]) == 11)
        let b = Tensor<Float>([[[[1], [2]]]])
        #expect(b.shape == [1, 1, 2, 1] && b.scalars == [1, 2])
    }

    @Test("Ragged rows stop, naming the row")
    func raggedRowsStop() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>([[1, 2, 3], [4, 5]])
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("a row of 2") && text.contains("Fix:"), "\(text)")
    }

    @Test("item gives the one element of a tensor or variable; more than one stops")
    func item() async {
        let x = Variable(Tensor<Float>([[1, 2], [3, 4]]), requiresGradient: true)
        let loss = (x * x).sum()
        #expect(loss.item == 30)
        #expect(Tensor<Double>([[1, 2], [3, 4]]).transposed().sliced(alongAxis: 0, from: 1, to: 2).sliced(alongAxis: 1, from: 0, to: 1).item == 2)
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>([1, 2]).item
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("item") && text.contains("[2]") && text.contains("Fix:"), "\(text)")
    }

    @Test("requiresGradient is settable on a leaf; the gradient is 2x for x·x")
    func settableRequiresGradient() async {
        var w = Variable(Tensor<Double>([1, -2, 3]))
        #expect(!w.requiresGradient)
        w.requiresGradient = true
        (w * w).sum().backward()
        #expect(w.gradient?.scalars == [2, -4, 6])
        w.requiresGradient = false
        #expect(!w.requiresGradient && w.gradient == nil)
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Variable(Tensor<Float>([1, 2]), requiresGradient: true)
            var b = a * 2
            b.requiresGradient = false
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("requiresGradient") && text.contains("leaf") && text.contains("Fix:"), "\(text)")
    }

    @Test("model.parameters() infers the scalar type; a layer takes a Tensor")
    func parametersAndTensorInput() {
        manualSeed(3)
        let model = Sequential<Float> { Linear(4, 3); ReLU(); Linear(3, 2) }
        #expect(model.parameters().count == 4)
        #expect(model.parameters().map(\.value.shape) == model.parameters(of: Float.self).map(\.value.shape))
        let x = Tensor<Float>([[1, 2, 3, 4], [-1, 0, 1, 2]])
        #expect(model(x).value.scalars == model(Variable(x)).value.scalars)
        #expect(model(x).shape == [2, 2])
    }

    @Test("manualSeed makes the default generator's randomNormal and randomUniform reproducible")
    func seededGlobalRandom() {
        manualSeed(0)
        let a = Tensor<Float>.randomNormal([3, 4])
        let u = Tensor<Double>.randomUniform([5], low: -1, high: 1)
        manualSeed(0)
        let b = Tensor<Float>.randomNormal([3, 4])
        let v = Tensor<Double>.randomUniform([5], low: -1, high: 1)
        #expect(a.scalars == b.scalars && u.scalars == v.scalars)
        #expect(Tensor<Float>.randomNormal([3, 4]).scalars != a.scalars, "the generator moves on")
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 1 })
    }

    @Test("GradcheckOptions takes every option as an argument")
    func gradcheckOptions() {
        let o = GradcheckOptions(eps: 1e-7, atol: 1e-6, rtol: 1e-4, mode: .randomProjections(8), kinks: [Kink(at: 0)], kinkDistance: 1e-3, seed: 5)
        #expect(o.eps == 1e-7 && o.atol == 1e-6 && o.rtol == 1e-4 && o.mode == .randomProjections(8))
        #expect(o.kinks.count == 1 && o.kinkDistance == 1e-3 && o.seed == 5)
        #expect(GradcheckOptions().atol == 1e-5 && GradcheckOptions().mode == .full)
    }

    @Test("print(model) shows the module tree with each layer's configuration and parameter count")
    func printModel() {
        manualSeed(1)
        let model = Sequential<Float> { Linear(64, 128); ELU(alpha: 0.5); Linear(128, 10) }
        let lines = "\(model)".split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(lines)")
        // 64·128 + 128 and 128·10 + 10 parameters, counted independently of the code.
        #expect(lines[0] == "Sequential<Float>(   9,610 parameters", "\(lines[0])")
        #expect(lines[1] == "  (layers.0): Linear<Float>(64 → 128, bias: true)   8,320 parameters", "\(lines[1])")
        #expect(lines[2] == "  (layers.1): ELU<Float>(alpha: 0.5)", "\(lines[2])")
        #expect(lines[3] == "  (layers.2): Linear<Float>(128 → 10, bias: true)   1,290 parameters", "\(lines[3])")
        #expect(lines[4] == ")")
    }

    @Test("Range subscripts on the leading axes are views, as m[0:2], m[1:], m[0:2, 1] in PyTorch")
    func rangeSubscripts() async {
        let m = Tensor<Float>([[0, 1, 2], [10, 11, 12], [20, 21, 22], [30, 31, 32]])
        #expect(m[0..<2].shape == [2, 3] && m[0..<2].scalars == [0, 1, 2, 10, 11, 12])
        #expect(m[2...].scalars == [20, 21, 22, 30, 31, 32])
        #expect(m[..<1].shape == [1, 3])
        #expect(m[1..<3, 1].shape == [2] && m[1..<3, 1].scalars == [11, 21])
        #expect(m[3, 1...].scalars == [31, 32])
        #expect(m[1...2, 0..<2].shape == [2, 2] && m[1...2, 0..<2].scalars == [10, 11, 20, 21])
        // An integer index drops its axis; a range keeps it.
        #expect(m[1].shape == [3] && m[1..<2].shape == [1, 3])
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>([[1, 2], [3, 4]])[1..<5]
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("1..<5") && text.contains("size 2") && text.contains("Fix:"), "\(text)")
    }

    @Test("An integer index drops its axis on every rank: m[1, 2] and v[0] are rank-0 views, .item reads them")
    func integerIndicesDropAxes() async {
        let m = Tensor<Float>([[0, 1, 2], [10, 11, 12]])
        let v = Tensor<Float>([7, 8, 9])
        let c = Tensor<Double>([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
        #expect(m[1, 2].shape == [] && m[1, 2].item == 12 && m[-1, -3].item == 10)
        #expect(v[0].shape == [] && v[0].item == 7 && v[-1].item == 9)
        #expect(c[1].shape == [2, 2] && c[1, 0].shape == [2] && c[1, 0].scalars == [5, 6] && c[1, 0, 1].item == 6)
        // The views share storage: nothing is copied by reading.
        #expect(m[1, 2].storageIdentifier == m.storageIdentifier)
    }

    @Test("Assigning through integer indices writes the elements, broadcasting as PyTorch, copy-on-write")
    func integerIndexAssignment() async {
        let original = Tensor<Float>([[0, 1, 2], [10, 11, 12]])
        var m = original
        m[1] = [7, 8, 9]
        #expect(m.scalars == [0, 1, 2, 7, 8, 9] && original.scalars == [0, 1, 2, 10, 11, 12])
        m[0, 2] = [5]
        m[0] = [[-1, -2, -3]]  // a leading axis of size 1 is dropped, as PyTorch's m[0] = t[None]
        m[1] = [4]  // broadcast along the row
        #expect(m.scalars == [-1, -2, -3, 4, 4, 4])
        var t = original.transposed()  // a strided view: the write goes to its own copy
        t[2, 0] = [99]
        #expect(t.scalar(at: [2, 0]) == 99 && original.scalar(at: [0, 2]) == 2)
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Tensor<Float>([[1, 2], [3, 4]])
            x[0] = [1, 2, 3]
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[3]") && text.contains("[2]") && text.contains("Fix:"), "\(text)")
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>([[1, 2], [3, 4]])[0, 1, 0]
        }
        let text2 = String(decoding: r2?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text2.contains("3 indices") && text2.contains("rank 2") && text2.contains("Fix:"), "\(text2)")
    }
}
