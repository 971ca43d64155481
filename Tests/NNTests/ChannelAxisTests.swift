import Foundation
import Testing
import TestSupport

@testable import NN

// PReLU and ChannelMaxout with a non-default `channelAxis`: values, input gradients and PReLU's
// slope gradient against explicit loops over multi-indices, and against finite differences.
// The shapes give the default axis 1 the same size as the requested axis, so code that ignored
// `channelAxis` (or resolved a negative one wrongly) would run without a stop and compute
// something else.

/// Row-major flat offset of `index` in `shape`.
func flatOffset(_ index: [Int], _ shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}

@Suite struct ChannelAxisTests {
    /// (shape, channelAxis): the axis resolved is 2 in every case, and shape[1] == shape[2].
    static let preluCases: [([Int], Int)] = [([2, 3, 3], 2), ([2, 3, 3], -1), ([2, 3, 3, 2], 2), ([2, 3, 3, 2], -2)]

    @Test(arguments: 0..<preluCases.count)
    func preluWithAChannelAxisMatchesLoopsAndFiniteDifferences(_ caseIndex: Int) {
        let (shape, channelAxis) = Self.preluCases[caseIndex]
        let axis = channelAxis < 0 ? channelAxis + shape.count : channelAxis
        let channels = shape[axis]
        let slopes: [Double] = [0.1, -0.5, 0.75]
        #expect(channels == slopes.count)
        var xs = DT.randomNormal(shape, seed: 21).scalars
        xs[5] = 0  // x = 0 takes the slope side: derivative a_c, and a contribution x = 0 to ∂/∂a_c
        let x = DT(shape: shape, scalars: xs)
        let u = DT.randomUniform(shape, low: 0.5, high: 2, seed: 22)

        // The loops: y = x > 0 ? x : a_c·x; ∂y/∂x = 1 or a_c; ∂L/∂a_c = Σ u·x over channel c's x ≤ 0.
        var y = [Double](repeating: 0, count: xs.count)
        var gx = [Double](repeating: 0, count: xs.count)
        var ga = [Double](repeating: 0, count: channels)
        for index in allIndices(shape) {
            let i = flatOffset(index, shape)
            let c = index[axis]
            if xs[i] > 0 {
                y[i] = xs[i]
                gx[i] = u.scalars[i]
            } else {
                y[i] = slopes[c] * xs[i]
                gx[i] = u.scalars[i] * slopes[c]
                ga[c] += u.scalars[i] * xs[i]
            }
        }

        // Function form and layer form.
        let layer = PReLU<Double>(channels: channels, channelAxis: channelAxis)
        layer.namedParameters(of: Double.self)[0].parameter.assign(DT(slopes))
        for form in ["function", "layer"] {
            let xv = DV(x, requiresGradient: true)
            let alpha = form == "function" ? DV(DT(slopes), requiresGradient: true) : layer.alpha
            let out = form == "function" ? xv.prelu(alpha: alpha, channelAxis: channelAxis) : layer(xv)
            #expect(out.shape == shape)
            #expect(out.value.scalars == y, "\(form) \(shape) axis \(channelAxis): values")
            out.backward(seed: u)
            #expect(xv.gradient!.scalars == gx, "\(form) \(shape) axis \(channelAxis): input gradient \(xv.gradient!.scalars), expected \(gx)")
            let g = alpha.gradient!.scalars
            #expect(maxRelativeError(g, ga) <= 1e-14, "\(form) \(shape) axis \(channelAxis): slope gradient \(g), expected \(ga)")
        }

        // Finite differences for x and the slopes, away from the kink at 0.
        let smooth = DT(shape: shape, scalars: DT.randomNormal(shape, seed: 23).scalars.map { $0 + ($0 < 0 ? -0.05 : 0.05) })
        let report = gradcheck({ $0[0].prelu(alpha: $0[1], channelAxis: channelAxis) }, at: [smooth, DT(slopes)])
        #expect(report.passed, "\(shape) axis \(channelAxis): \(report)")
    }

    /// (shape, groups k, channelAxis): resolved axis 2 (size 4, or 6) with shape[1] == shape[2].
    static let maxoutCases: [([Int], Int, Int)] = [([2, 4, 4], 2, 2), ([2, 4, 4], 2, -1), ([2, 6, 6, 2], 3, 2), ([2, 6, 6, 2], 3, -2)]

    @Test(arguments: 0..<maxoutCases.count)
    func channelMaxoutWithAChannelAxisMatchesLoopsAndFiniteDifferences(_ caseIndex: Int) {
        let (shape, k, channelAxis) = Self.maxoutCases[caseIndex]
        let axis = channelAxis < 0 ? channelAxis + shape.count : channelAxis
        var outShape = shape
        outShape[axis] /= k
        let x = DT.randomNormal(shape, seed: 31)  // continuous: no ties (TieRuleTests has those)
        let xs = x.scalars
        let u = DT.randomUniform(outShape, low: 0.5, high: 2, seed: 32)

        // The loops: each output is the largest of its k channels; its upstream gradient goes there.
        var y = [Double](repeating: 0, count: u.scalars.count)
        var gx = [Double](repeating: 0, count: xs.count)
        for index in allIndices(outShape) {
            var best = -Double.infinity
            var at = -1
            for i in 0..<k {
                var source = index
                source[axis] = index[axis] * k + i
                let s = flatOffset(source, shape)
                if xs[s] > best { best = xs[s]; at = s }
            }
            let o = flatOffset(index, outShape)
            y[o] = best
            gx[at] += u.scalars[o]
        }

        for form in ["function", "layer"] {
            let xv = DV(x, requiresGradient: true)
            let out = form == "function" ? xv.maxout(groups: k, channelAxis: channelAxis) : ChannelMaxout<Double>(groups: k, channelAxis: channelAxis)(xv)
            guard out.shape == outShape else {
                Issue.record("\(form) \(shape) k \(k) axis \(channelAxis): shape \(out.shape), expected \(outShape)")
                continue
            }
            #expect(out.value.scalars == y, "\(form) \(shape) k \(k) axis \(channelAxis): values")
            out.backward(seed: u)
            #expect(xv.gradient!.scalars == gx, "\(form) \(shape) k \(k) axis \(channelAxis): input gradient")
        }
        let report = gradcheck({ $0[0].maxout(groups: k, channelAxis: channelAxis) }, at: [x])
        #expect(report.passed, "\(shape) k \(k) axis \(channelAxis): \(report)")
    }
}
