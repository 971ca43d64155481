import Testing
import TestSupport

@testable import Tensor

/// A 3×4 tensor whose value at [i, j] is 10·i + j, so every position is recognizable.
func grid(_ rows: Int = 3, _ cols: Int = 4) -> Tensor<Double> {
    Tensor(shape: [rows, cols], scalars: (0..<rows).flatMap { i in (0..<cols).map { j in Double(10 * i + j) } })
}

@Suite struct ViewTests {
    @Test func viewsShareStorageAndReadTheRightElements() {
        let t = grid()
        let id = t.storageIdentifier
        let tr = t.transposed()
        #expect(tr.storageIdentifier == id)
        #expect(tr.shape == [4, 3])
        #expect(tr.scalar(at: [2, 1]) == 12)
        #expect(!tr.isContiguous)

        let s = t.sliced(alongAxis: 1, from: 1, to: 4, by: 2)
        #expect(s.storageIdentifier == id)
        #expect(s.shape == [3, 2])
        #expect(naiveScalars(s) == [1, 3, 11, 13, 21, 23])

        let neg = t.sliced(alongAxis: 0, from: -2)
        #expect(neg.shape == [2, 4])
        #expect(neg.scalar(at: [0, 0]) == 10)

        let r = t.reshaped(to: [2, -1])
        #expect(r.storageIdentifier == id)
        #expect(r.shape == [2, 6])
        #expect(r.scalar(at: [1, 0]) == 12)

        let e = t.sliced(alongAxis: 0, from: 1, to: 2).expanded(to: [5, 3, 4])
        #expect(e.storageIdentifier == id)
        #expect(e.strides[0] == 0 && e.strides[1] == 0)
        #expect(e.scalar(at: [4, 2, 3]) == 13)

        let u = t.unsqueezed(axis: 1)
        #expect(u.shape == [3, 1, 4] && u.storageIdentifier == id)
        #expect(u.squeezed(axis: 1).shape == [3, 4])
        #expect(Tensor<Double>.zeros([1, 3, 1]).squeezed().shape == [3])

        let p = Tensor<Double>.arange(0, 24).reshaped(to: [2, 3, 4]).permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p.scalar(at: [3, 1, 2]) == Double(1 * 12 + 2 * 4 + 3))

        let row = t[1]
        #expect(row.shape == [4] && naiveScalars(row) == [10, 11, 12, 13])
        #expect(t.selecting(2, alongAxis: 1).scalars == [2, 12, 22])
    }

    @Test func reshapeOfNonContiguousViewsCopiesOnlyWhenItMust() {
        let t = Tensor<Double>.arange(0, 24).reshaped(to: [2, 3, 4])
        // Merging the two leading axes of a sliced view is still a view.
        let s = t.sliced(alongAxis: 2, from: 0, to: 2)
        let merged = s.reshaped(to: [6, 2])
        #expect(merged.storageIdentifier == t.storageIdentifier)
        #expect(merged.scalars == naiveScalars(s))
        // Flattening a transpose cannot be a view: reshaped(to:) copies, values in order.
        let tr = t.transposed()
        let flat = tr.reshaped(to: [24])
        #expect(flat.storageIdentifier != t.storageIdentifier)
        #expect(flat.scalars == naiveScalars(tr))
        // Splitting an axis of a transposed tensor is a view.
        let m = grid().transposed()  // [4, 3], strides [1, 4]
        let split = m.reshaped(to: [2, 2, 3])
        #expect(split.storageIdentifier == m.storageIdentifier)
        #expect(naiveScalars(split) == naiveScalars(m))
    }

    @Test func copyOnWriteSeparatesCopiesAndViews() {
        let original = grid()
        var copy = original
        copy[0, 0] = [99]
        #expect(original.scalar(at: [0, 0]) == 0)
        #expect(copy.scalar(at: [0, 0]) == 99)
        #expect(copy.storageIdentifier != original.storageIdentifier)

        var view = original.transposed()
        view[1, 2] = [-1]
        #expect(original.scalar(at: [2, 1]) == 21)
        #expect(view.scalar(at: [1, 2]) == -1)

        var slice = original.sliced(alongAxis: 1, from: 0, to: 4, by: 2)
        slice += 1000
        #expect(original.scalars == grid().scalars)
        #expect(slice.scalars == [1000, 1002, 1010, 1012, 1020, 1022])
    }

    @Test func uniqueTensorsMutateInPlace() {
        var t = grid()
        let id = t.storageIdentifier
        let version = t.storageVersion
        t += 1
        t[0, 0] = [5]
        t *= grid() + 1
        #expect(t.storageIdentifier == id)
        #expect(t.storageVersion > version)
        #expect(t.scalar(at: [0, 0]) == 5)
        #expect(t.scalar(at: [2, 3]) == 24 * 24)
    }

    @Test func contiguousMakesARowMajorCopyOfStridedViews() {
        let t = grid()
        for (name, v) in [("transposed", t.transposed()), ("stepped", t.sliced(alongAxis: 1, by: 3)),
                          ("expanded", t.sliced(alongAxis: 0, from: 1, to: 2).expanded(to: [2, 4]))] {
            let c = v.contiguous()
            #expect(c.isContiguous, "\(name)")
            #expect(c.scalars == naiveScalars(v), "\(name)")
        }
        #expect(t.contiguous().storageIdentifier == t.storageIdentifier)
    }
}
