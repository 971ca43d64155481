import Foundation

// Half-precision storage: F16 (IEEE binary16) and BF16 (bfloat16, the upper half of a Float32)
// safetensors entries load into Float and Double parameters (the widening is exact), and a
// checkpoint can be written in either on request (rounded to nearest, ties to even).

/// How `checkpoint(metadata:storage:)` and `save(to:metadata:storage:)` store the tensors.
public enum CheckpointStorage: Sendable {
    /// F32 for Float, F64 for Double (the default; bit for bit).
    case native
    /// IEEE half precision: 11 significant bits, finite up to 65504. A value beyond that is
    /// refused (it would be stored as ∞), not rounded.
    case float16
    /// bfloat16: Float32's range, 8 significant bits.
    case bfloat16
}

enum HalfPrecision {
    /// binary16 bits → Float (exact).
    static func float(fromHalf bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits >> 15) << 31
        let exponent = Int((bits >> 10) & 0x1F), mantissa = UInt32(bits & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }  // ∞, NaN
        if exponent == 0 {
            // Subnormal (or zero): m · 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// bfloat16 bits → Float (exact: the upper half of the bit pattern).
    static func float(fromBFloat16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Float → binary16 bits, rounded to nearest (ties to even); nil when the value overflows.
    static func half(_ x: Float) -> UInt16? {
        if x.isNaN { return 0x7E00 }
        let bits = x.bitPattern
        let sign = UInt16(bits >> 31) << 15
        let magnitude = Swift.abs(x)
        if magnitude == .infinity { return sign | 0x7C00 }
        if magnitude >= 65520 { return nil }  // rounds to ∞ in binary16
        if magnitude < 0x1p-14 {
            // Subnormal range: round m = |x|·2²⁴ to an integer (ties to even).
            let m = UInt16((magnitude * 0x1p24).rounded(.toNearestOrEven))
            return sign | m  // m = 1024 carries into the smallest normal, as it should
        }
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        let mantissa = bits & 0x7F_FFFF
        // Keep 10 mantissa bits, rounding the 13 dropped ones to nearest even.
        var kept = UInt32(exponent) << 10 | (mantissa >> 13)
        let dropped = mantissa & 0x1FFF
        if dropped > 0x1000 || (dropped == 0x1000 && kept & 1 == 1) { kept += 1 }
        return sign | UInt16(kept)
    }

    /// Float → bfloat16 bits, rounded to nearest (ties to even); NaN stays NaN.
    static func bfloat16(_ x: Float) -> UInt16 {
        if x.isNaN { return 0x7FC0 }
        let bits = x.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    /// Little-endian bytes of `count` 16-bit values in `dtype` → the little-endian bytes of the
    /// same values as `target` (F32 or F64).
    static func widened(_ bytes: UnsafeRawBufferPointer, from dtype: SafeTensorsDType, to target: SafeTensorsDType) -> [UInt8] {
        let count = bytes.count / 2
        var out: [UInt8] = []
        out.reserveCapacity(count * target.byteSize)
        for i in 0..<count {
            let bits = UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8
            let value = dtype == .float16 ? float(fromHalf: bits) : float(fromBFloat16: bits)
            if target == .float32 {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out += $0 }
            } else {
                withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { out += $0 }
            }
        }
        return out
    }
}

extension Tensor {
    /// The values rounded to binary16 and back (ties to even; beyond ±65504 they become ±∞, as a
    /// Float16 conversion does): what storing activations in half precision keeps.
    public func roundedToFloat16() -> Tensor {
        Tensor(shape: shape, scalars: scalars.map { x in
            let f = Float(x)
            guard let h = HalfPrecision.half(f) else { return f > 0 ? Scalar.infinity : -Scalar.infinity }
            return Scalar(HalfPrecision.float(fromHalf: h))
        })
    }

    /// The values rounded to bfloat16 and back (ties to even).
    public func roundedToBFloat16() -> Tensor {
        Tensor(shape: shape, scalars: scalars.map { Scalar(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(Float($0)))) })
    }
}
