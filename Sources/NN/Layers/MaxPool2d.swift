import Autograd

// Max pooling: the forward pass finds, for every window, the flat input index of its maximum
// (the first on ties; a NaN wins over numbers, so NaN propagates), and the output is a gather
// at those indices. Gather and scatter-add at fixed indices are each other's derivative, so
// the gradient goes to the arg-max positions and double backward works.

/// y[k] = x[indices[k]] over the flattened input; derivative: scatter-add of g at the indices.
struct GatherAtIndices<Scalar: TensorScalar>: DifferentiableFunction {
    let indices: [Int]
    let inputShape: [Int]
    let outputShape: [Int]
    /// The gathered values when the caller already has them (max pooling finds them with the
    /// indices); forward then returns them instead of gathering again.
    var output: Tensor<Scalar>? = nil
    /// When set, the input and the output are this many equal planes and every index of
    /// output plane p points into input plane p (max pooling): the scatter of the backward then
    /// splits over the threads by planes.
    var planes: Int? = nil
    var name: String { "gatherAtIndices" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        if let output { return output }
        return inputs[0].withUnsafeBufferPointer { x in
            indices.withUnsafeBufferPointer { idx in
                Tensor(uninitializedShape: outputShape) { y in
                    for k in 0..<idx.count { y[k] = x[idx[k]] }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [ScatterAddAtIndices<Scalar>(indices: indices, inputShape: outputShape, outputShape: inputShape, planes: planes).apply(gradient)]
    }
}

/// z = zeros(outputShape); z[indices[k]] += g[k]; derivative: gather at the indices.
struct ScatterAddAtIndices<Scalar: TensorScalar>: DifferentiableFunction {
    let indices: [Int]
    let inputShape: [Int]
    let outputShape: [Int]
    /// See `GatherAtIndices.planes`: with it, planes are scattered in parallel.
    var planes: Int? = nil
    var name: String { "scatterAddAtIndices" }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar> {
        let count = outputShape.reduce(1, *)
        let threads = (planes ?? 1) > 1 && indices.count >= 1 << 16 ? Swift.min(TensorRuntime.threadCount, planes!) : 1
        return inputs[0].withUnsafeBufferPointer { g in
            indices.withUnsafeBufferPointer { idx in
                Tensor(uninitializedShape: outputShape) { z in
                    let gp = g.baseAddress!, ip = idx.baseAddress!, zp = z.baseAddress!
                    let planeCount = planes ?? 1
                    let inPer = idx.count / planeCount, outPer = count / planeCount
                    TensorRuntime.parallelChunks(count: planeCount, threads: threads) { _, start, end in
                        (zp + start &* outPer).initialize(repeating: 0, count: (end &- start) &* outPer)
                        for k in (start &* inPer)..<(end &* inPer) { zp[ip[k]] += gp[k] }
                    }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(gradient: Variable<Scalar>, saved: [Variable<Scalar>]) -> [Variable<Scalar>?] {
        [GatherAtIndices<Scalar>(indices: indices, inputShape: outputShape, outputShape: inputShape, planes: planes).apply(gradient)]
    }
}

extension WindowKernels {
    /// For each output position of each (n, c) plane, the flat index into `x` (contiguous
    /// NCHW) of the window's maximum: the first maximum in row-major window order; a NaN beats
    /// every number (the first NaN), so the output is NaN when the window holds one. Padded
    /// positions are never chosen (they act as −∞).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func maxIndices<S: TensorScalar>(_ x: UnsafePointer<S>, _ g: WindowGeometry) -> [Int] {
        let oh = g.outputHeight, ow = g.outputWidth
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        let (h, w) = (g.height, g.width)
        let plane = h * w
        let count = g.batch * g.channels * oh * ow
        return [Int](unsafeUninitializedCapacity: count) { out, initialized in
            var k = 0
            for p in 0..<(g.batch * g.channels) {
                let base = p * plane
                for oy in 0..<oh {
                    let y0 = oy * g.strideHeight - g.paddingHeight
                    // The window's rows inside the input (padding never wins).
                    let yLo = Swift.max(y0, 0), yHi = Swift.min(y0 + kh, h)
                    for ox in 0..<ow {
                        let x0 = ox * g.strideWidth - g.paddingWidth
                        let xLo = Swift.max(x0, 0), xHi = Swift.min(x0 + kw, w)
                        var best = base + yLo * w + xLo
                        var bestValue = x[best]
                        // Wrapping arithmetic: indices are in range by construction, and the
                        // overflow checks would double the instructions of this hot loop.
                        var rowStart = base &+ yLo &* w
                        for _ in yLo..<yHi {
                            var at = rowStart &+ xLo
                            for _ in xLo..<xHi {
                                let v = x[at]
                                // Strictly greater keeps the first maximum; a NaN replaces a number
                                // once and then stays. Written with masks, not branches: which
                                // element wins is data-dependent and mispredicts.
                                let greater = unsafeBitCast(v > bestValue, to: UInt8.self)
                                let newNaN = unsafeBitCast(v != v, to: UInt8.self) & unsafeBitCast(bestValue == bestValue, to: UInt8.self)
                                let mask = 0 &- Int(greater | newNaN)  // all ones when v wins
                                best = (at & mask) | (best & ~mask)
                                bestValue = x[best]  // a load, not a (branching) float select
                                at &+= 1
                            }
                            rowStart &+= w
                        }
                        out[k] = best
                        k += 1
                    }
                }
            }
            initialized = count
        }
    }
}

extension WindowKernels {
    /// Max pooling of non-overlapping windows (stride = kernel, no padding): for each window,
    /// the flat index of its first maximum in row-major window order (a NaN beats every
    /// number; the first NaN wins) into `indices`, and the value into `values` — one pass, the
    /// same choice as `maxIndices`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func maxPoolTiled<S: TensorScalar>(
        _ x: UnsafePointer<S>, _ g: WindowGeometry, _ values: UnsafeMutablePointer<S>, _ indices: UnsafeMutablePointer<Int>
    ) {
        let plane = g.height &* g.width
        // The planes are independent: split over the threads when there is enough work.
        let planes = g.batch &* g.channels
        let perPlane = g.outputHeight &* g.outputWidth
        let threads = planes &* perPlane >= 1 << 16 ? Swift.min(TensorRuntime.threadCount, planes) : 1
        if threads > 1 {
            TensorRuntime.parallelChunks(count: planes, threads: threads) { _, start, end in
                var part = g
                part.batch = 1
                part.channels = end &- start
                maxPoolTiledSerial(x + start &* plane, part, values + start &* perPlane, indices + start &* perPlane, offset: start &* plane)
            }
            return
        }
        maxPoolTiledSerial(x, g, values, indices, offset: 0)
    }

    /// `maxPoolTiled` on one thread; `offset` is added to every index (the planes' place in
    /// the whole input).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func maxPoolTiledSerial<S: TensorScalar>(
        _ x: UnsafePointer<S>, _ g: WindowGeometry, _ values: UnsafeMutablePointer<S>, _ indices: UnsafeMutablePointer<Int>, offset: Int
    ) {
        let oh = g.outputHeight, ow = g.outputWidth
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        let w = g.width
        let plane = g.height &* w
        var k = 0
        // v wins over the best so far when it is greater, or a NaN replacing a number:
        // !(v <= best) is true for v > best and whenever either is NaN; best == best keeps a NaN.
        // Masks, not branches: which element wins is data-dependent and mispredicts.
        @inline(__always) func challenge(_ at: Int, _ best: inout Int, _ bestValue: inout S) {
            let v = x[at]
            let wins = unsafeBitCast(!(v <= bestValue), to: UInt8.self) & unsafeBitCast(bestValue == bestValue, to: UInt8.self)
            let mask = 0 &- Int(wins)
            best = (at & mask) | (best & ~mask)
            bestValue = x[best]
        }
        // The same test on values already loaded, selects instead of a reload (no chain of
        // dependent loads from one window element to the next).
        @inline(__always) func pick(_ v: S, _ at: Int, _ best: inout Int, _ bestValue: inout S) {
            let wins = !(v <= bestValue) && bestValue == bestValue
            best = wins ? at : best
            bestValue = wins ? v : bestValue
        }
        for p in 0..<(g.batch &* g.channels) {
            let base = p &* plane
            for oy in 0..<oh {
                let rowStart = base &+ oy &* kh &* w
                if kh == 2 && kw == 2 {
                    for ox in 0..<ow {
                        let a = rowStart &+ 2 &* ox
                        let v0 = x[a], v1 = x[a &+ 1], v2 = x[a &+ w], v3 = x[a &+ w &+ 1]
                        var best = a
                        var bestValue = v0
                        pick(v1, a &+ 1, &best, &bestValue)
                        pick(v2, a &+ w, &best, &bestValue)
                        pick(v3, a &+ w &+ 1, &best, &bestValue)
                        values[k] = bestValue
                        indices[k] = best &+ offset
                        k &+= 1
                    }
                } else {
                    for ox in 0..<ow {
                        let a = rowStart &+ ox &* kw
                        var best = a
                        var bestValue = x[a]
                        var row = a
                        for i in 0..<kh {
                            for j in (i == 0 ? 1 : 0)..<kw { challenge(row &+ j, &best, &bestValue) }
                            row &+= w
                        }
                        values[k] = bestValue
                        indices[k] = best &+ offset
                        k &+= 1
                    }
                }
            }
        }
    }
}

extension Variable {
    /// 2-D max pooling of x [N, C, H, W]: y[n, c, oy, ox] = max over the window
    /// x[n, c, oy·sh − ph + i, ox·sw − pw + j], 0 ≤ i < kh, 0 ≤ j < kw (padding never wins).
    ///
    /// Derivative: the gradient goes to the window's first maximum (NaN propagates: a window
    /// holding NaN outputs NaN and passes its gradient to the first NaN). `stride` defaults to
    /// the kernel size; padding must be at most half the kernel (as PyTorch).
    /// - Complexity: O(N·C·outH·outW·kh·kw).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func maxPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Variable {
        let s = stride ?? kernelSize
        tensorCheck(
            padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernelSize.0 / 2 && padding.1 <= kernelSize.1 / 2,
            "maxPool2d: padding (\(padding.0), \(padding.1)) for kernel (\(kernelSize.0), \(kernelSize.1)); every window must hold an input element. Fix: use padding between 0 and half the kernel size."
        )
        let g = windowGeometry(op: "maxPool2d", kernelSize: kernelSize, stride: s, padding: padding, dilation: (1, 1))
        let outShape = [g.batch, g.channels, g.outputHeight, g.outputWidth]
        if s == kernelSize && padding == (0, 0) && value.count > 0 {
            // Non-overlapping windows: values and indices in one pass.
            let count = outShape.reduce(1, *)
            var indices = [Int]()
            let values = value.withUnsafeBufferPointer { x in
                Tensor<Scalar>(uninitializedShape: outShape) { v in
                    indices = [Int](unsafeUninitializedCapacity: count) { idx, initialized in
                        WindowKernels.maxPoolTiled(x.baseAddress!, g, v.baseAddress!, idx.baseAddress!)
                        initialized = count
                    }
                }
            }
            return GatherAtIndices<Scalar>(indices: indices, inputShape: shape, outputShape: outShape, output: values, planes: g.batch * g.channels).apply(self)
        }
        let indices = value.withUnsafeBufferPointer { WindowKernels.maxIndices($0.baseAddress!, g) }
        return GatherAtIndices<Scalar>(indices: indices, inputShape: shape, outputShape: outShape, planes: g.batch * g.channels).apply(self)
    }
}

/// 2-D max pooling over NCHW batches (PyTorch's `nn.MaxPool2d`, floor mode, no dilation).
/// See `Variable.maxPool2d(kernelSize:stride:padding:)`.
public final class MaxPool2d<Scalar: TensorScalar>: Module, Layer {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)

    /// Pooling with a kh×kw window; `stride` defaults to the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        let s = stride ?? kernelSize
        tensorCheck(
            kernelSize.0 > 0 && kernelSize.1 > 0 && s.0 > 0 && s.1 > 0,
            "MaxPool2d: kernel (\(kernelSize.0), \(kernelSize.1)), stride (\(s.0), \(s.1)). Fix: use kernel and stride ≥ 1.")
        tensorCheck(
            padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernelSize.0 / 2 && padding.1 <= kernelSize.1 / 2,
            "MaxPool2d: padding (\(padding.0), \(padding.1)) for kernel (\(kernelSize.0), \(kernelSize.1)). Fix: use padding between 0 and half the kernel size.")
        self.kernelSize = kernelSize
        self.stride = s
        self.padding = padding
        super.init()
    }

    /// Pooling with a square window, the same stride (default: the kernel) and padding on both axes.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    /// x [N, C, H, W] → [N, C, outH, outW].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        x.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    }
}
