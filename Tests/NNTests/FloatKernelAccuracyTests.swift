import Foundation
import Testing
import TestSupport

@testable import NN

/// The Float kernels against float64 evaluated by Foundation (an independent implementation) on
/// dense grids, including the regions where a kernel switches method: tanhshrink's polynomial
/// and exponential sides meet at |x| = 1, softplus' linear branch starts at its threshold
/// (skipped in Float from 16 on), GELU's erfc polynomial spans [0, 8.77].
@Suite struct FloatKernelAccuracyTests {
    /// Largest error of `got` in units of the spacing of Float at the float64 reference.
    func worstUlps(_ xs: [Float], _ got: [Float], _ reference: (Double) -> Double) -> (ulps: Double, at: Float) {
        var worst = (ulps: 0.0, at: Float(0))
        for (x, y) in zip(xs, got) {
            let r = reference(Double(x))
            let spacing = Double(Swift.max(Float(r).ulp, Float.leastNonzeroMagnitude))
            let e = y == Float(r) ? 0 : abs(Double(y) - r) / spacing
            if !(e <= worst.ulps) { worst = (e, x) }
        }
        return worst
    }

    func grid(_ lo: Float, _ hi: Float, _ count: Int) -> [Float] {
        (0..<count).map { lo + (hi - lo) * Float($0) / Float(count - 1) }
    }

    @Test func tanhshrinkWithinFourUlps() {
        // Around the switch at |x| = 1 densely, the whole range coarsely, and tiny inputs where
        // float64's x − tanh x cancels (the kernel reproduces its grid).
        var xs = grid(-12, 12, 2401) + grid(0.9, 1.1, 2001) + grid(-1.1, -0.9, 2001)
        xs += (0..<200).map { Float(1e-9) * Foundation.pow(Float(1.1), Float($0) / 4) }
        xs += xs.map { -$0 }
        let y = Tensor<Float>(xs).tanhshrink().scalars
        let small = Float(0x1p-20)
        let w = worstUlps(xs.filter { abs($0) >= small }, zip(xs, y).filter { abs($0.0) >= small }.map(\.1)) { $0 - Foundation.tanh($0) }
        #expect(w.ulps <= 4, "tanhshrink: \(w.ulps) ulp at \(w.at)")
        // Below 2⁻²⁰ the float64 value is a multiple of the float64 spacing at x (x − tanh x
        // cancels there); the kernel rounds to that grid, so it is within one step of it.
        for (x, v) in zip(xs, y) where abs(x) < small {
            let r = Double(x) - Foundation.tanh(Double(x))
            #expect(abs(Double(v) - r) <= Double(x).ulp, "tanhshrink(\(x)) = \(v), float64 \(r)")
        }
    }

    @Test(arguments: [Float(20), 16, 30, 12])
    func softplusWithinFourUlps(threshold: Float) {
        let xs = grid(-100, 40, 14001) + grid(threshold - 0.01, threshold + 0.01, 201)
        let y = Tensor<Float>(xs).softplus(threshold: threshold).scalars
        let t = Double(threshold)
        let w = worstUlps(xs, y) { x in x > t ? x : Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
        #expect(w.ulps <= 4, "softplus(threshold: \(threshold)): \(w.ulps) ulp at \(w.at)")
    }

    @Test func softplusAboveSixteenIsTheIdentityInFloat() {
        let xs: [Float] = [16, 16.5, 19.99, 20, 20.0001, 25, 1e4, 3e38, .infinity]
        for threshold: Float in [16, 20, 1e6] {
            #expect(Tensor<Float>(xs).softplus(threshold: threshold).scalars == xs, "threshold \(threshold)")
        }
    }

    @Test func geluWithinFourUlps() {
        // From −5 on: further out float64's 1 + erf cancels (PyTorch's grid, tested elsewhere).
        let xs = grid(-5, 12, 8001)
        let y = Tensor<Float>(xs).gelu().scalars
        let w = worstUlps(xs, y) { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
        #expect(w.ulps <= 4, "gelu: \(w.ulps) ulp at \(w.at)")
    }

    @Test func geluDerivativeWithinEightUlps() {
        // Including the derivative's zero at x ≈ −0.7518, where it is kept relatively accurate.
        let xs = grid(-5, 12, 8001) + grid(-0.8, -0.7, 2001)
        let x = Variable(Tensor<Float>(xs), requiresGradient: true)
        let dx = gradients(of: x.gelu().sum(), withRespectTo: [x])[0]!.value.scalars
        let w = worstUlps(xs, dx) { x in
            0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) + x * Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot()
        }
        #expect(w.ulps <= 8, "gelu′: \(w.ulps) ulp at \(w.at)")
    }
}
