import Foundation
import Tensor

/// Every multi-index of `shape` in row-major order.
public func allIndices(_ shape: [Int]) -> [[Int]] {
    if shape.contains(0) { return [] }
    var result: [[Int]] = [[]]
    for n in shape {
        result = result.flatMap { prefix in (0..<n).map { prefix + [$0] } }
    }
    return result
}

/// The elements of `t` read one by one through `scalar(at:)` (an oracle independent of the
/// row-walking code the kernels use).
public func naiveScalars<S: TensorScalar>(_ t: Tensor<S>) -> [S] {
    allIndices(t.shape).map { t.scalar(at: $0) }
}

/// The same logical tensor in several memory layouts: contiguous, transposed, stepped (every
/// other element of a wider buffer) and offset (inside a larger buffer).
public func layouts<S: TensorScalar>(of t: Tensor<S>) -> [(name: String, tensor: Tensor<S>)] {
    var result: [(String, Tensor<S>)] = [("contiguous", t.contiguous())]
    if t.rank >= 2 {
        result.append(("transposed", t.transposed().contiguous().transposed()))
    }
    if t.rank >= 1 {
        let garbage = Tensor<S>(shape: t.shape, repeating: S(-777))
        var wide = t.shape
        wide[wide.count - 1] *= 2
        let stepped = Tensor.stack([t, garbage], alongAxis: -1).reshaped(to: wide)
            .sliced(alongAxis: -1, by: 2)
        result.append(("stepped", stepped))
        var padShape = t.shape
        padShape[0] = 3
        let padded = Tensor.concatenate([Tensor<S>(shape: padShape, repeating: S(-555)), t], alongAxis: 0)
        result.append(("offset", padded.sliced(alongAxis: 0, from: 3)))
    }
    return result
}

/// Distance in units in the last place of `Float` between `x` and the exact value `reference`.
/// Near zero the spacing of the smallest normal is used, so subnormal results are not judged
/// by an ever-smaller ulp.
public func ulpError(_ x: Float, _ reference: Double) -> Double {
    if x.isNaN && reference.isNaN { return 0 }
    if x.isInfinite || reference.isInfinite {
        return Double(x) == Float(reference).doubleValue ? 0 : .infinity
    }
    let r = Float(reference)
    if r.isInfinite { return x == r ? 0 : .infinity }
    let ulp = Double(max(r.magnitude, Float.leastNormalMagnitude).ulp)
    return abs(Double(x) - reference) / ulp
}

/// Distance in units in the last place of `Double` between `x` and `reference`.
public func ulpError(_ x: Double, _ reference: Double) -> Double {
    if x.isNaN && reference.isNaN { return 0 }
    if x == reference { return 0 }
    if x.isInfinite || reference.isInfinite { return .infinity }
    let ulp = max(reference.magnitude, Double.leastNormalMagnitude).ulp
    return abs(x - reference) / ulp
}

extension Float {
    var doubleValue: Double { Double(self) }
}

/// Whether two arrays are equal element by element, NaN matching NaN and the signs of zeros
/// compared too (bit-identical results).
public func bitIdentical<S: TensorScalar>(_ a: [S], _ b: [S]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || (x == y && x.sign == y.sign) }
}

/// Largest |a − b| / max(1, |b|) over two arrays.
public func maxRelativeError<S: TensorScalar>(_ a: [S], _ b: [S]) -> Double {
    precondition(a.count == b.count)
    var worst = 0.0
    for (x, y) in zip(a, b) {
        if x.isNaN && y.isNaN { continue }
        if x == y { continue }
        worst = max(worst, abs(Double(x) - Double(y)) / max(1, abs(Double(y))))
    }
    return worst
}
