import Foundation
import Testing
import TestSupport

@testable import NN

/// The IDX reader on files the tests write: values, every header and size error, the pair check.
@Suite("IDX files (MNIST's format)")
struct IDXTests {
    let dir: URL = {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-idx-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }()

    /// An IDX file: magic, type, dimensions, then `payload`.
    func write(_ name: String, type: UInt8, dims: [Int], payload: [UInt8]) -> URL {
        var bytes: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        let url = dir.appendingPathComponent(name)
        try! Data(bytes + payload).write(to: url)
        return url
    }

    func bigEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }

    @Test("Images and labels (unsigned bytes) make a data set: pixels ÷ 255, one row per image")
    func mnistPair() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = write("images", type: 0x08, dims: [3, 2, 2], payload: [0, 255, 51, 102, 1, 2, 3, 4, 250, 0, 0, 5])
        let labels = write("labels", type: 0x08, dims: [3], payload: [7, 0, 9])
        let data = try Dataset<Float>(idxImages: images, labels: labels)
        #expect(data.features.shape == [3, 4] && data.labels == [7, 0, 9])
        #expect(data.features.scalars[0..<4] == [0, 1, 0.2, 0.4])
        #expect(data.features.scalars[8] == Float(250.0 / 255))
    }

    @Test("Every value type reads back big-endian: signed bytes, Int16, Int32, Float32, Float64")
    func valueTypes() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(UInt8, [UInt8], [Double])] = [
            (0x09, [0xFF, 0x80, 0x7F], [-1, -128, 127]),
            (0x0B, bigEndian(Int16(-300)) + bigEndian(Int16(2)) + bigEndian(Int16(32767)), [-300, 2, 32767]),
            (0x0C, bigEndian(Int32(-70000)) + bigEndian(Int32(0)) + bigEndian(Int32(123456)), [-70000, 0, 123456]),
            (0x0D, bigEndian(Float(1.5).bitPattern) + bigEndian(Float(-0.25).bitPattern) + bigEndian(Float(3e10).bitPattern), [1.5, -0.25, Double(Float(3e10))]),
            (0x0E, bigEndian(Double(0.1).bitPattern) + bigEndian(Double(-2).bitPattern) + bigEndian(Double(1e300).bitPattern), [0.1, -2, 1e300]),
        ]
        for (code, payload, expected) in cases {
            let r = try IDX.read(write("v\(code)", type: code, dims: [3], payload: payload))
            #expect(r.shape == [3] && r.values == expected, "type \(code)")
            #expect(r.isInteger == (code <= 0x0C))
        }
    }

    @Test("Bad files throw a typed error naming the problem; nothing is returned",
          arguments: ["missing", "directory", "short", "magic", "type", "truncated", "trailing", "nan", "count", "label range", "float labels"])
    func badFiles(_ which: String) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = write("good", type: 0x08, dims: [2, 2], payload: [1, 2, 3, 4])
        var images = good, labels = write("labels", type: 0x08, dims: [2], payload: [1, 2])
        var expected = ""
        switch which {
        case "missing": images = dir.appendingPathComponent("nothing"); expected = "no file"
        case "directory": images = dir; expected = "not a regular file"
        case "short":
            images = dir.appendingPathComponent("short")
            try Data([0, 0]).write(to: images)
            expected = "shorter than the 4-byte header"
        case "magic":
            images = dir.appendingPathComponent("magic")
            try Data([0x1F, 0x8B, 8, 1, 0, 0, 0, 1, 0]).write(to: images)  // a gzip file, not gunzipped
            expected = "0x1F 0x8B"
        case "type": images = write("type", type: 0x0A, dims: [1], payload: [0]); expected = "type code 0x0A"
        case "truncated": images = write("trunc", type: 0x08, dims: [2, 3], payload: [1, 2, 3]); expected = "truncated"
        case "trailing": images = write("trail", type: 0x08, dims: [2, 1], payload: [1, 2, 3]); expected = "trailing bytes"
        case "nan": images = write("nan", type: 0x0D, dims: [2, 1], payload: bigEndian(Float.nan.bitPattern) + bigEndian(UInt32(0))); expected = "not a finite number"
        case "count": labels = write("three", type: 0x08, dims: [3], payload: [1, 2, 3]); expected = "3 labels for 2 images"
        case "label range": labels = write("range", type: 0x08, dims: [2], payload: [1, 10]); expected = "label 10 at position 1"
        default: labels = write("floats", type: 0x0D, dims: [2], payload: bigEndian(Float(1).bitPattern) + bigEndian(Float(2).bitPattern)); expected = "integer"
        }
        do {
            _ = try Dataset<Float>(idxImages: images, labels: labels)
            Issue.record("\(which): no error")
        } catch {
            #expect(error.description.contains(expected) && !error.description.contains("\n"), "\(which): \(error)")
        }
    }
}
