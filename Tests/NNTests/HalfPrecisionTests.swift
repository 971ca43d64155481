import Foundation
import Testing
import TestSupport

@testable import NN

/// F16/BF16: loading PyTorch's half-precision safetensors into Float (exact), saving in either
/// with PyTorch's rounding, and the rounding helpers (Scripts/half_precision_fixtures.py).
@Suite("Half-precision checkpoints")
struct HalfPrecisionTests {
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "half_precision", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()
    static func hex(_ key: String) -> [Float] { (fixture[key] as! [String]).map { Float(Double($0)!) } }
    static func bits(_ key: String) -> [UInt16] { (fixture[key] as! [Int]).map { UInt16($0) } }

    @Test("Rounding to binary16 and bfloat16 gives PyTorch's bits: ties to even, subnormals, overflow, ±∞")
    func roundingMatchesPyTorch() {
        let values = Self.hex("values")
        let f16 = Self.bits("f16_bits"), bf16 = Self.bits("bf16_bits")
        for (i, v) in values.enumerated() {
            if let h = HalfPrecision.half(v) {
                #expect(h == f16[i], "\(v): \(h) vs \(f16[i])")
            } else {
                #expect(f16[i] & 0x7FFF == 0x7C00, "\(v) overflows here but not in PyTorch")  // PyTorch gives ±∞
            }
            #expect(HalfPrecision.bfloat16(v) == bf16[i], "\(v)")
            #expect(HalfPrecision.float(fromBFloat16: bf16[i]) == Self.hex("bf16_values")[i])
            #expect(HalfPrecision.float(fromHalf: f16[i]) == Self.hex("f16_values")[i])
        }
        let t = Tensor<Float>(values)
        #expect(t.roundedToFloat16().scalars == Self.hex("f16_values"))
        #expect(t.roundedToBFloat16().scalars == Self.hex("bf16_values"))
    }

    @Test("PyTorch's F16 weight and BF16 bias load into a Float Linear exactly, and into Double")
    func loadsTorchHalf() throws {
        let url = Bundle.module.url(forResource: "torch_half", withExtension: "safetensors", subdirectory: "Fixtures")!
        let model = Sequential<Float> { Linear(3, 2) }
        let metadata = try model.load(from: url)
        #expect(metadata == ["producer": "torch half"])
        #expect(model.parameters()[0].value.scalars == Self.hex("linear_weight"))
        #expect(model.parameters()[1].value.scalars == Self.hex("linear_bias"))
        let double = Sequential<Double> { Linear(3, 2) }
        try double.load(from: url)
        #expect(double.parameters()[0].value.scalars == Self.hex("linear_weight").map(Double.init))
    }

    @Test("Saving as F16 or BF16 writes PyTorch's bits and loads back to the rounded values; F16 overflow is refused")
    func savesHalf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-half-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let values = Array(Self.hex("values").prefix(40))  // finite, within F16's range
        let model = Sequential<Float> { Linear(8, 5, bias: false) }
        model.parameters()[0].assign(Tensor(shape: [5, 8], scalars: values))
        for (storage, dtype, key) in [(CheckpointStorage.float16, SafeTensorsDType.float16, "f16"), (.bfloat16, .bfloat16, "bf16")] {
            let file = try model.checkpoint(storage: storage)
            #expect(file.entries.map(\.dtype) == [dtype])
            let bytes = file.bytes(of: "layers.0.weight")!
            let stored = (0..<40).map { UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8 }
            #expect(stored == Array(Self.bits("\(key)_bits").prefix(40)))
            let url = dir.appendingPathComponent("\(key).safetensors")
            try model.save(to: url, storage: storage)
            let back = Sequential<Float> { Linear(8, 5, bias: false) }
            try back.load(from: url)
            #expect(back.parameters()[0].value.scalars == Array(Self.hex("\(key)_values").prefix(40)))
        }
        model.parameters()[0].assign(Tensor(shape: [5, 8], repeating: 70000))
        #expect(throws: CheckpointError.self) { try model.save(to: dir.appendingPathComponent("over.safetensors"), storage: .float16) }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("over.safetensors").path))
    }
}
