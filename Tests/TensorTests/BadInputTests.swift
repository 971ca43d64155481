import Testing
import TestSupport

@testable import Tensor

/// Programming mistakes stop the process with a message naming the operation, the shapes and
/// the fix. Each case runs in a child process (Swift Testing exit tests).
@Suite struct BadInputTests {

    @Test func shapesThatDoNotBroadcast() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]) + Tensor<Float>.zeros([4])
        }
        expectStop(r, mentions: ["+", "[2, 3]", "[4]", "do not broadcast"])
    }

    @Test func matmulInnerSizeMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.matmul(Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([4, 5]))
        }
        expectStop(r, mentions: ["matmul", "[2, 3]", "[4, 5]", "inner sizes"])
    }

    @Test func reshapeToADifferentElementCount() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]).reshaped(to: [4, 2])
        }
        expectStop(r, mentions: ["reshaped(to:)", "[2, 3]", "[4, 2]", "6 elements"])
    }

    @Test func axisOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]).sum(alongAxes: [2])
        }
        expectStop(r, mentions: ["sum(alongAxes:)", "axis 2", "[2, 3]"])
    }

    @Test func sliceStepOfZero() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([5]).sliced(alongAxis: 0, from: 0, to: 5, by: 0)
        }
        expectStop(r, mentions: ["sliced(alongAxis:)", "step 0", "[5]"])
    }

    @Test func viewThatNeedsACopy() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]).transposed().viewed(as: [6])
        }
        expectStop(r, mentions: ["viewed(as:)", "[3, 2]", "reshaped(to:)"])
    }

    @Test func indexOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]).scalar(at: [1, 3])
        }
        expectStop(r, mentions: ["index 3", "dimension 1", "[2, 3]"])
    }

    @Test func scalarsCountMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        }
        expectStop(r, mentions: ["Tensor(shape:scalars:)", "[2, 2]", "3 scalars"])
    }

    @Test func raggedLiteral() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let _: Tensor<Float> = [[1, 2], [3]]
        }
        expectStop(r, mentions: ["Tensor literal", "row"])
    }
}
