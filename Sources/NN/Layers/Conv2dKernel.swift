import Autograd

// The convolution (groups = 1) one image at a time: each image's columns (im2col, [K, L] with
// K = C·kh·kw and L = outH·outW) go into a small buffer that stays in cache, and one matrix
// product writes that image's output [O, L] straight into the NCHW result, the bias added in
// the same pass. Nothing the size of the whole batch's column matrix is made, there is no
// output reordering, and the images are split over the threads (each thread with its own
// buffers; the weight gradient summed from per-thread partials). A 1×1 convolution with
// stride 1 and no padding reads the image itself as its columns.
//
// The backward recomputes each image's columns. When it is recorded (double backward), it
// is the composition of differentiable operations instead (im2col, matmul, col2im), so second
// derivatives work as before.

/// y = conv2d(x, W) + b for groups = 1 (see `Variable.conv2d`), image by image.
struct FusedConv2d<Scalar: TensorScalar>: DifferentiableFunction {
    let geometry: WindowGeometry
    let outChannels: Int
    var name: String { "conv2d" }

    /// The multiply-adds per image (O·K·L) from which one product per image beats one product
    /// for the whole batch (measured: the digits' 8×8 convolutions, 9K and 74K, are faster
    /// batched; MNIST's 28×28 ones, 225K and 3.6M, image by image).
    static var minimumImageWork: Int { 1 << 17 }

    var perImage: WindowGeometry {
        var g = geometry
        g.batch = 1
        return g
    }

    /// A 1×1 kernel with stride 1, no padding, no dilation: the image is its own column matrix.
    var isPointwise: Bool {
        let g = geometry
        return g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1
            && g.paddingHeight == 0 && g.paddingWidth == 0
    }

    /// How many threads take images: all of them when the batch is large enough to pay for
    /// waking them (the GEMM inside then runs on its own thread).
    func imageThreads(flops: Int) -> Int {
        let n = geometry.batch
        guard n >= 2, flops >= 1 << 20 else { return 1 }
        return Swift.min(TensorRuntime.threadCount, n)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let g = geometry, single = perImage, o = outChannels
        let k = g.rows, l = g.outputHeight * g.outputWidth
        let x = inputs[0].contiguous(), w = inputs[1].contiguous()
        let bias = inputs.count > 2 ? inputs[2].contiguous() : nil
        let inPlane = g.channels * g.height * g.width
        let threads = imageThreads(flops: g.batch * o * k * l)
        let gemmThreads = threads > 1 ? 1 : TensorRuntime.threadCount
        let pointwise = isPointwise
        return x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                withOptionalBuffer(bias) { bb in
                    Tensor(uninitializedShape: [g.batch, o, g.outputHeight, g.outputWidth]) { yb in
                        let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = yb.baseAddress!
                        let bp = bb?.baseAddress
                        TensorRuntime.parallelChunks(count: g.batch, threads: threads) { _, start, end in ScratchPool.with(2) { scratch in
                            let cols = pointwise ? nil : scratch[0].ensure(k * l * MemoryLayout<Scalar>.stride).assumingMemoryBound(to: Scalar.self)
                            for n in start..<end {
                                let b = columns(of: xp + n * inPlane, into: cols, single, scratch: scratch[1])
                                let out = yp + n * o * l
                                Scalar._gemm(
                                    transA: false, transB: false, m: o, n: l, k: k, alpha: 1, a: wp, lda: k, b: b, ldb: l, beta: 0,
                                    c: out, ldc: l, threads: gemmThreads)
                                if let bp {
                                    for c in 0..<o {
                                        let row = out + c * l, shift = bp[c]
                                        for j in 0..<l { row[j] += shift }
                                    }
                                }
                            }
                        } }
                    }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        if GradientMode.isEnabled { return composedBackward(gradient: gradient, saved: saved) }
        let g = geometry, single = perImage, o = outChannels
        let k = g.rows, l = g.outputHeight * g.outputWidth
        let needX = saved[0].requiresGradient
        let hasBias = saved.count > 2
        let x = saved[0].value.contiguous(), w = saved[1].value.contiguous(), dy = gradient.value.contiguous()
        let inPlane = g.channels * g.height * g.width
        let threads = imageThreads(flops: g.batch * o * k * l)
        let gemmThreads = threads > 1 ? 1 : TensorRuntime.threadCount
        let pointwise = isPointwise
        // Per-thread partial sums of the weight and bias gradients.
        let chunks = Swift.max(threads, 1)
        let dwPartial = UnsafeMutablePointer<Scalar>.allocate(capacity: chunks * o * k)
        let dbPartial = UnsafeMutablePointer<Double>.allocate(capacity: chunks * o)
        dwPartial.initialize(repeating: 0, count: chunks * o * k)
        dbPartial.initialize(repeating: 0, count: chunks * o)
        defer {
            dwPartial.deallocate()
            dbPartial.deallocate()
        }
        var dxTensor: Tensor<Scalar>?
        let run = { (dxp: UnsafeMutablePointer<Scalar>?) in
            x.withUnsafeBufferPointer { xb in
                w.withUnsafeBufferPointer { wb in
                    dy.withUnsafeBufferPointer { gb in
                        let xp = xb.baseAddress!, wp = wb.baseAddress!, gp = gb.baseAddress!
                        TensorRuntime.parallelChunks(count: g.batch, threads: threads) { slot, start, end in ScratchPool.with(3) { scratch in
                            let dw = dwPartial + slot * o * k, db = dbPartial + slot * o
                            let bytes = k * l * MemoryLayout<Scalar>.stride
                            let cols = pointwise ? nil : scratch[0].ensure(bytes).assumingMemoryBound(to: Scalar.self)
                            let colsGrad = (pointwise || dxp == nil) ? nil : scratch[2].ensure(bytes).assumingMemoryBound(to: Scalar.self)
                            for n in start..<end {
                                let gy = gp + n * o * l
                                let b = columns(of: xp + n * inPlane, into: cols, single, scratch: scratch[1])
                                // dWᵀ += cols · dY_nᵀ ([K, O]; transposed once at the end): the large
                                // operand, cols, is read in place as A, only dY_n is packed.
                                Scalar._gemm(
                                    transA: false, transB: true, m: k, n: o, k: l, alpha: 1, a: b, lda: l, b: gy, ldb: l, beta: 1,
                                    c: dw, ldc: o, threads: gemmThreads)
                                if let dxp {
                                    // dcols = Wᵀ · dY_n, folded back into the image (col2im).
                                    let target = colsGrad ?? (dxp + n * inPlane)
                                    Scalar._gemm(
                                        transA: true, transB: false, m: k, n: l, k: o, alpha: 1, a: wp, lda: k, b: gy, ldb: l, beta: 0,
                                        c: target, ldc: l, threads: gemmThreads)
                                    if let colsGrad { WindowKernels.col2im(UnsafePointer(colsGrad), dxp + n * inPlane, single, scratch: scratch[1]) }
                                }
                                if hasBias {
                                    // Per image and channel a vectorized Float sum of L terms, added in Double.
                                    for c in 0..<o { db[c] += Double(Scalar._reduceKernel(.sum, gy + c * l, l)) }
                                }
                            }
                        } }
                    }
                }
            }
        }
        if needX {
            dxTensor = Tensor(uninitializedShape: g.inputShape) { dx in run(dx.baseAddress!) }
        } else {
            run(nil)
        }
        let dw = Tensor<Scalar>(uninitializedShape: saved[1].shape) { out in
            // The partials summed (they hold dWᵀ, [K, O]), then transposed into [O, K].
            for s in 1..<chunks {
                let part = dwPartial + s * o * k
                for i in 0..<(o * k) { dwPartial[i] += part[i] }
            }
            let p = out.baseAddress!
            for r in 0..<k {
                for c in 0..<o { p[c * k + r] = dwPartial[r * o + c] }
            }
        }
        var result: [Variable<Scalar>?] = [dxTensor.map { Variable($0) }, Variable(dw)]
        if hasBias {
            result.append(Variable(Tensor<Scalar>(uninitializedShape: [o]) { out in
                for c in 0..<o {
                    var total = 0.0
                    for s in 0..<chunks { total += dbPartial[s * o + c] }
                    out[c] = Scalar(total)
                }
            }))
        }
        return result
    }

    /// An image's column matrix [K, L]: im2col into `cols`, or, for a pointwise kernel (`cols`
    /// nil), the image itself.
    @inline(__always)
    func columns(of image: UnsafePointer<Scalar>, into cols: UnsafeMutablePointer<Scalar>?, _ single: WindowGeometry, scratch: ScratchBuffer)
        -> UnsafePointer<Scalar>
    {
        guard let cols else { return image }
        WindowKernels.im2col(image, cols, single, scratch: scratch)
        return UnsafePointer(cols)
    }

    /// The backward as differentiable operations (recorded for double backward).
    func composedBackward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        let g = geometry, o = outChannels
        let x = saved[0], w = saved[1]
        let cols = Im2Col<Scalar>(geometry: g).apply(x)  // [K, N·L]
        let rows = ImagesToChannelRows<Scalar>(channels: o, batch: g.batch, outputHeight: g.outputHeight, outputWidth: g.outputWidth)
            .apply(gradient)  // [O, N·L]
        let dw = Variable.matmul(rows, cols, transposingB: true).reshaped(to: w.shape)
        let dx = Col2Im<Scalar>(geometry: g).apply(Variable.matmul(w.reshaped(to: [o, g.rows]), rows, transposingA: true))
        var result: [Variable<Scalar>?] = [dx, dw]
        if saved.count > 2 { result.append(gradient.sum(alongAxes: [0, 2, 3])) }
        return result
    }
}

/// `body` with the buffer of `tensor`, or nil.
@inline(__always)
func withOptionalBuffer<S: TensorScalar, R>(_ tensor: Tensor<S>?, _ body: (UnsafeBufferPointer<S>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0) }
}
