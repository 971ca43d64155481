import Autograd

// im2col ("unfold") and its adjoint col2im ("fold"): the data movement that turns a convolution
// into one matrix product. Both are linear, and each is the other's derivative, so a network
// built on them (Conv2d, AvgPool2d) supports double backward with no extra rule.

/// The geometry of a 2-D sliding window over an [N, C, H, W] input.
///
/// Output size along each axis (PyTorch's formula, floor mode):
/// out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.
struct WindowGeometry: Sendable, Equatable {
    var batch, channels, height, width: Int
    var kernelHeight, kernelWidth: Int
    var strideHeight, strideWidth: Int
    var paddingHeight, paddingWidth: Int
    var dilationHeight, dilationWidth: Int

    var outputHeight: Int { (height + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1 }
    var outputWidth: Int { (width + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1 }
    /// Rows of the column matrix: C·kh·kw.
    var rows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: N·outH·outW.
    var columns: Int { batch * outputHeight * outputWidth }
    var inputShape: [Int] { [batch, channels, height, width] }

    /// Stops unless the window fits: positive kernel, stride and dilation, non-negative padding,
    /// and a dilated kernel no larger than the padded input.
    func check(op: String, inputShape: [Int]) {
        tensorCheck(
            kernelHeight > 0 && kernelWidth > 0 && strideHeight > 0 && strideWidth > 0
                && dilationHeight > 0 && dilationWidth > 0 && paddingHeight >= 0 && paddingWidth >= 0,
            "\(op): kernel (\(kernelHeight), \(kernelWidth)), stride (\(strideHeight), \(strideWidth)), padding (\(paddingHeight), \(paddingWidth)), dilation (\(dilationHeight), \(dilationWidth)). Fix: use kernel, stride and dilation ≥ 1 and padding ≥ 0."
        )
        let spanH = dilationHeight * (kernelHeight - 1) + 1
        let spanW = dilationWidth * (kernelWidth - 1) + 1
        tensorCheck(
            spanH <= height + 2 * paddingHeight && spanW <= width + 2 * paddingWidth,
            "\(op): the kernel spans \(spanH)×\(spanW) (kernel (\(kernelHeight), \(kernelWidth)), dilation (\(dilationHeight), \(dilationWidth))) but the input of shape \(describeShape(inputShape)) padded by (\(paddingHeight), \(paddingWidth)) is only \(height + 2 * paddingHeight)×\(width + 2 * paddingWidth). Fix: use a smaller kernel or dilation, more padding, or a larger input."
        )
    }
}

enum WindowKernels {
    // Both kernels work on a zero-padded copy of the input (the input itself when there is no
    // padding), so the inner loops have no bounds checks: images here are small (8×8, 4×4), and
    // per-row branching and short memmoves cost more than the copying.

    /// cols[(c·kh + i)·kw + j, (n·outH + oy)·outW + ox] = x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]
    /// (0 outside the input). `x` is contiguous NCHW; `cols` has rows × columns elements.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func im2col<S: TensorScalar>(_ x: UnsafePointer<S>, _ cols: UnsafeMutablePointer<S>, _ g: WindowGeometry, scratch: ScratchBuffer? = nil) {
        let (ph, pw) = (g.paddingHeight, g.paddingWidth)
        if ph == 0 && pw == 0 {
            im2colPadded(x, cols, g)
            return
        }
        let hp = g.height + 2 * ph, wp = g.width + 2 * pw
        let planes = g.batch * g.channels
        let padded = scratch.map { $0.ensure(planes * hp * wp * MemoryLayout<S>.stride).assumingMemoryBound(to: S.self) }
            ?? UnsafeMutablePointer<S>.allocate(capacity: planes * hp * wp)
        defer { if scratch == nil { padded.deallocate() } }
        // The border zeroed, the interior copied: every element written once.
        for p in 0..<planes {
            let plane = padded + p * hp * wp
            plane.initialize(repeating: 0, count: ph * wp)
            (plane + (ph + g.height) * wp).initialize(repeating: 0, count: ph * wp)
            for y in 0..<g.height {
                let src = x + (p * g.height + y) * g.width
                let row = plane + (y + ph) * wp
                row.initialize(repeating: 0, count: pw)
                (row + pw).initialize(from: src, count: g.width)
                (row + pw + g.width).initialize(repeating: 0, count: pw)
            }
        }
        im2colPadded(UnsafePointer(padded), cols, g)
    }

    // Rows here are short (an 8×8 image gives 8, 4×4 gives 4): whole-row vector moves for
    // those widths, instead of a loop whose setup (alias checks) costs more than the copy.

    /// d[k] = s[k] for k < count.
    @inline(__always)
    static func copyRow<S: TensorScalar>(_ s: UnsafePointer<S>, _ d: UnsafeMutablePointer<S>, _ count: Int) {
        switch count {
        case 4:
            UnsafeMutableRawPointer(d).storeBytes(of: UnsafeRawPointer(s).loadUnaligned(as: SIMD4<S>.self), as: SIMD4<S>.self)
        case 8:
            UnsafeMutableRawPointer(d).storeBytes(of: UnsafeRawPointer(s).loadUnaligned(as: SIMD8<S>.self), as: SIMD8<S>.self)
        default:
            // Longer rows (14, 28, 32 for MNIST-size images): 8-wide moves, then the rest.
            var k = 0
            while k &+ 8 <= count {
                UnsafeMutableRawPointer(d + k).storeBytes(of: UnsafeRawPointer(s + k).loadUnaligned(as: SIMD8<S>.self), as: SIMD8<S>.self)
                k &+= 8
            }
            while k < count {
                d[k] = s[k]
                k &+= 1
            }
        }
    }

    /// d[k] += s[k] for k < count.
    @inline(__always)
    static func addRow<S: TensorScalar>(_ s: UnsafePointer<S>, _ d: UnsafeMutablePointer<S>, _ count: Int) {
        switch count {
        case 4:
            let sum = UnsafeRawPointer(d).loadUnaligned(as: SIMD4<S>.self) + UnsafeRawPointer(s).loadUnaligned(as: SIMD4<S>.self)
            UnsafeMutableRawPointer(d).storeBytes(of: sum, as: SIMD4<S>.self)
        case 8:
            let sum = UnsafeRawPointer(d).loadUnaligned(as: SIMD8<S>.self) + UnsafeRawPointer(s).loadUnaligned(as: SIMD8<S>.self)
            UnsafeMutableRawPointer(d).storeBytes(of: sum, as: SIMD8<S>.self)
        default:
            var k = 0
            while k &+ 8 <= count {
                let sum = UnsafeRawPointer(d + k).loadUnaligned(as: SIMD8<S>.self) + UnsafeRawPointer(s + k).loadUnaligned(as: SIMD8<S>.self)
                UnsafeMutableRawPointer(d + k).storeBytes(of: sum, as: SIMD8<S>.self)
                k &+= 8
            }
            while k < count {
                d[k] += s[k]
                k &+= 1
            }
        }
    }

    /// im2col of an input already padded to (H + 2·ph) × (W + 2·pw).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func im2colPadded<S: TensorScalar>(_ x: UnsafePointer<S>, _ cols: UnsafeMutablePointer<S>, _ g: WindowGeometry) {
        let oh = g.outputHeight, ow = g.outputWidth
        let hp = g.height + 2 * g.paddingHeight, wp = g.width + 2 * g.paddingWidth
        let plane = hp * wp
        let perImage = oh * ow
        let ncols = g.batch * perImage
        let rowStep = g.strideHeight * wp
        let sw = g.strideWidth
        for c in 0..<g.channels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let row = cols + ((c * g.kernelHeight + i) * g.kernelWidth + j) * ncols
                    let shift = i * g.dilationHeight * wp + j * g.dilationWidth
                    for n in 0..<g.batch {
                        var s = x + (n * g.channels + c) * plane + shift
                        var d = row + n * perImage
                        for _ in 0..<oh {
                            if sw == 1 {
                                copyRow(s, d, ow)
                            } else {
                                for ox in 0..<ow { d[ox] = s[ox &* sw] }
                            }
                            s += rowStep
                            d += ow
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: every column entry is added back to the input position it was
    /// read from (entries read from the padding are dropped). Overwrites all of `x`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func col2im<S: TensorScalar>(_ cols: UnsafePointer<S>, _ x: UnsafeMutablePointer<S>, _ g: WindowGeometry, scratch: ScratchBuffer? = nil) {
        let (ph, pw) = (g.paddingHeight, g.paddingWidth)
        let planes = g.batch * g.channels
        if ph == 0 && pw == 0 {
            x.update(repeating: 0, count: planes * g.height * g.width)
            col2imPadded(cols, x, g)
            return
        }
        let hp = g.height + 2 * ph, wp = g.width + 2 * pw
        let padded = scratch.map { $0.ensure(planes * hp * wp * MemoryLayout<S>.stride).assumingMemoryBound(to: S.self) }
            ?? UnsafeMutablePointer<S>.allocate(capacity: planes * hp * wp)
        defer { if scratch == nil { padded.deallocate() } }
        padded.initialize(repeating: 0, count: planes * hp * wp)
        col2imPadded(cols, padded, g)
        for p in 0..<planes {
            for y in 0..<g.height {
                let src = padded + (p * hp + y + ph) * wp + pw
                let dst = x + (p * g.height + y) * g.width
                for xi in 0..<g.width { dst[xi] = src[xi] }
            }
        }
    }

    /// col2im into a zeroed buffer of the padded size (H + 2·ph) × (W + 2·pw).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func col2imPadded<S: TensorScalar>(_ cols: UnsafePointer<S>, _ x: UnsafeMutablePointer<S>, _ g: WindowGeometry) {
        let oh = g.outputHeight, ow = g.outputWidth
        let hp = g.height + 2 * g.paddingHeight, wp = g.width + 2 * g.paddingWidth
        let plane = hp * wp
        let perImage = oh * ow
        let ncols = g.batch * perImage
        let rowStep = g.strideHeight * wp
        let sw = g.strideWidth
        for c in 0..<g.channels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let row = cols + ((c * g.kernelHeight + i) * g.kernelWidth + j) * ncols
                    let shift = i * g.dilationHeight * wp + j * g.dilationWidth
                    for n in 0..<g.batch {
                        var d = x + (n * g.channels + c) * plane + shift
                        var s = row + n * perImage
                        for _ in 0..<oh {
                            if sw == 1 {
                                addRow(s, d, ow)
                            } else {
                                for ox in 0..<ow { d[ox &* sw] += s[ox] }
                            }
                            d += rowStep
                            s += ow
                        }
                    }
                }
            }
        }
    }
}

/// im2col as a differentiable function: [N, C, H, W] → [C·kh·kw, N·outH·outW].
/// Derivative: col2im of the gradient.
struct Im2Col<Scalar: TensorScalar>: DifferentiableFunction {
    let geometry: WindowGeometry
    var name: String { "im2col" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let g = geometry
        return inputs[0].withUnsafeBufferPointer { x in
            Tensor(uninitializedShape: [g.rows, g.columns]) { cols in
                WindowKernels.im2col(x.baseAddress!, cols.baseAddress!, g)
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [Col2Im<Scalar>(geometry: geometry).apply(gradient)]
    }
}

/// col2im as a differentiable function: [C·kh·kw, N·outH·outW] → [N, C, H, W], summing
/// overlapping windows. Derivative: im2col of the gradient.
struct Col2Im<Scalar: TensorScalar>: DifferentiableFunction {
    let geometry: WindowGeometry
    var name: String { "col2im" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let g = geometry
        return inputs[0].withUnsafeBufferPointer { cols in
            Tensor(uninitializedShape: g.inputShape) { x in
                WindowKernels.col2im(cols.baseAddress!, x.baseAddress!, g)
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [Im2Col<Scalar>(geometry: geometry).apply(gradient)]
    }
}

extension Variable {
    /// Sliding-window patches ("im2col", PyTorch's `F.unfold` up to layout): for x of shape
    /// [N, C, H, W], a matrix of shape [C·kh·kw, N·outH·outW] whose column (n, oy, ox) holds the
    /// window of image n at output position (oy, ox), zero where it covers the padding.
    ///
    /// outH = ⌊(H + 2·ph − dh·(kh − 1) − 1)/sh⌋ + 1 (outW likewise). Its derivative is the
    /// adjoint, col2im (overlapping windows summed), whose derivative is im2col again.
    /// - Complexity: O(C·kh·kw·N·outH·outW).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func unfolded(
        kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)
    ) -> Variable {
        let g = windowGeometry(op: "unfolded", kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
        return Im2Col<Scalar>(geometry: g).apply(self)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func windowGeometry(op: String, kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) -> WindowGeometry {
        tensorCheck(
            rank == 4,
            "\(op): input of shape \(describeShape(shape)) (rank \(rank)). Fix: pass a batch of images [N, C, H, W] (add a batch axis with unsqueezed(axis: 0) for one image)."
        )
        let g = WindowGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
            kernelHeight: kernelSize.0, kernelWidth: kernelSize.1, strideHeight: stride.0, strideWidth: stride.1,
            paddingHeight: padding.0, paddingWidth: padding.1, dilationHeight: dilation.0, dilationWidth: dilation.1)
        g.check(op: op, inputShape: shape)
        return g
    }
}
