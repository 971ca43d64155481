/// Readable printing: the shape, the element type, and the values as nested rows, elided with
/// `…` when a dimension is long.
extension Tensor: CustomStringConvertible {
    /// Dimensions longer than this print their first and last `edgeItems` only (as NumPy).
    static var summarizeThreshold: Int { 1000 }
    static var edgeItems: Int { 3 }

    public var description: String {
        let c = contiguous()
        let values = UnsafeBufferPointer(start: c.storage.base + c.offset, count: c.count)
        let summarize = count > Tensor.summarizeThreshold
        var body = ""
        let strides = Tensor.contiguousStrides(for: shape)
        func format(_ v: Scalar) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return v < 0 ? "-inf" : "inf" }
            return "\(v)"
        }
        func render(_ depth: Int, _ base: Int, _ indent: String) -> String {
            if depth == rank { return format(values[base]) }
            let n = shape[depth]
            var indices = Array(0..<n)
            var elided = false
            if summarize && n > 2 * Tensor.edgeItems {
                indices = Array(0..<Tensor.edgeItems) + Array((n - Tensor.edgeItems)..<n)
                elided = true
            }
            var parts: [String] = []
            for (j, i) in indices.enumerated() {
                if elided && j == Tensor.edgeItems { parts.append("…") }
                parts.append(render(depth + 1, base + i * strides[depth], indent + " "))
            }
            if depth == rank - 1 { return "[" + parts.joined(separator: ", ") + "]" }
            return "[" + parts.joined(separator: ",\n" + indent + " ") + "]"
        }
        body = count == 0 ? "[]" : render(0, 0, "")
        return "Tensor<\(Scalar.dtypeName)>(shape: \(describeShape(shape)),\n" + body + ")"
    }
}
