import Testing
import TestSupport

@testable import NN

/// The multi-threaded paths of the convolution (image by image, Conv2dKernel.swift), of
/// BatchNorm (channel by channel) and of max pooling and its scatter (plane by plane), on inputs
/// large enough to split, against one thread and against an independent formulation. `.ci/run` also runs this suite under ThreadSanitizer.
@Suite(.serialized, .globalState) struct ParallelLayerKernelTests {
    func oneAndTwo<R>(_ body: () -> R) -> (R, R) {
        let saved = TensorRuntime.threadCount
        defer { TensorRuntime.threadCount = saved }
        TensorRuntime.threadCount = 1
        let one = body()
        TensorRuntime.threadCount = 2
        let two = body()
        return (one, two)
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    /// (kernel, padding, channels, size): a 3×3 convolution and a 1×1 one (the image is its own
    /// column matrix), each with N·O·K·L ≥ 2^20 so that the images are split over the threads.
    @Test("conv2d over 2 threads equals 1 thread (values and input gradient bit for bit) and im2col × matmul", arguments: [(3, 1, 8, 16), (1, 0, 16, 32)])
    func convolution(kernel: Int, padding: Int, c: Int, size: Int) {
        var g = TensorRandom(seed: 7)
        let l = size * size
        #expect(4 * 16 * c * kernel * kernel * l >= 1 << 20)
        let x = Tensor<Float>.randomNormal([4, c, size, size], using: &g)
        let w = Tensor<Float>.randomNormal([16, c, kernel, kernel], using: &g)
        let b = Tensor<Float>.randomNormal([16], using: &g)
        let seed = Tensor<Float>.randomNormal([4, 16, size, size], using: &g)
        func run() -> (y: [Float], dx: [Float], dw: [Float], db: [Float]) {
            let (xv, wv, bv) = (Variable(x, requiresGradient: true), Variable(w, requiresGradient: true), Variable(b, requiresGradient: true))
            let y = xv.conv2d(weight: wv, bias: bv, padding: (padding, padding))
            y.backward(seed: seed)
            return (y.value.scalars, xv.gradient!.scalars, wv.gradient!.scalars, bv.gradient!.scalars)
        }
        let (one, two) = oneAndTwo(run)
        #expect(one.y == two.y && one.dx == two.dx)
        #expect(maxDifference(one.dw, two.dw) <= 1e-3 && maxDifference(one.db, two.db) <= 1e-3)
        // The same convolution as one matrix product over the unfolded batch (y = W·cols + b,
        // reordered to NCHW): a different computation of the same mathematics.
        let cols = Variable(x).unfolded(kernelSize: (kernel, kernel), padding: (padding, padding)).value  // [K, N·L]
        let rows = Tensor.matmul(w.reshaped(to: [16, c * kernel * kernel]), cols)  // [O, N·L]
        var reference = [Float](repeating: 0, count: 4 * 16 * l)
        let r = rows.scalars
        for n in 0..<4 { for o in 0..<16 { for j in 0..<l { reference[(n * 16 + o) * l + j] = r[o * 4 * l + n * l + j] + b.scalars[o] } } }
        #expect(maxDifference(one.y, reference) <= 1e-4)
    }

    @Test("BatchNorm2d in training, forward and backward, over 2 threads equals 1 thread bit for bit")
    func batchNorm() {
        var g = TensorRandom(seed: 9)
        // 2^16 elements over 8 channels: the channels are split over the threads.
        let x = Tensor<Float>.randomNormal([8, 8, 32, 32], using: &g)
        let seed = Tensor<Float>.randomNormal([8, 8, 32, 32], using: &g)
        #expect(x.count >= 1 << 16)
        func run() -> [[Float]] {
            let norm = BatchNorm2d<Float>(8)
            norm.weight!.assign(Tensor((0..<8).map { Float($0) * 0.25 + 0.5 }))
            let v = Variable(x, requiresGradient: true)
            let y = norm(v)
            y.backward(seed: seed)
            return [y.value.scalars, v.gradient!.scalars, norm.weight!.variable.gradient!.scalars, norm.runningMean.scalars, norm.runningVar.scalars]
        }
        let (one, two) = oneAndTwo(run)
        #expect(one == two)
        // Each channel's output has mean β = 0 and variance γ² (biased, ε aside).
        let y = one[0]
        for c in 0..<8 {
            var values: [Float] = []
            for n in 0..<8 { values += y[((n * 8 + c) * 1024)..<((n * 8 + c) * 1024 + 1024)] }
            let mean = values.reduce(0, +) / Float(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
            let gamma = Float(c) * 0.25 + 0.5
            #expect(Swift.abs(mean) < 1e-3 && Swift.abs(variance - gamma * gamma) < 1e-2 * gamma * gamma)
        }
    }

    @Test("max pooling and its gradient over 2 threads equal 1 thread and the window maxima")
    func maxPooling() {
        var g = TensorRandom(seed: 8)
        // 4·16·32·32 = 2^16 outputs: the planes are split over the threads.
        let x = Tensor<Float>.randomNormal([4, 16, 64, 64], using: &g)
        let seed = Tensor<Float>.randomNormal([4, 16, 32, 32], using: &g)
        func run() -> ([Float], [Float]) {
            let v = Variable(x, requiresGradient: true)
            let y = v.maxPool2d(kernelSize: (2, 2))
            y.backward(seed: seed)
            return (y.value.scalars, v.gradient!.scalars)
        }
        let (one, two) = oneAndTwo(run)
        #expect(one.0 == two.0 && one.1 == two.1)
        let s = x.scalars
        var expected = [Float](), gradientSum: Float = 0
        for p in 0..<64 { for oy in 0..<32 { for ox in 0..<32 {
            let a = p * 4096 + 2 * oy * 64 + 2 * ox
            expected.append(Swift.max(Swift.max(s[a], s[a + 1]), Swift.max(s[a + 64], s[a + 65])))
        } } }
        for v in seed.scalars { gradientSum += v }
        #expect(one.0 == expected)
        // Each window passes its gradient to exactly one input: the sums agree.
        #expect(Swift.abs(one.1.reduce(0, +) - gradientSum) <= 1e-2)
        #expect(one.1.filter { $0 != 0 }.count == seed.count)
    }
}
