import Foundation
import Testing
import TestSupport

@testable import NN

// Systematic and seeded-random damage to a small checkpoint. CheckpointTests checks chosen
// cuts, lengths and malformed headers one by one with their exact messages; here every case of
// a family is tried, and each must end one of two ways:
//
// - the load fails with a `CheckpointError` (the only error `load` can throw; typed throws) and
//   every tensor of the model is bit-identical to before, or
// - the load succeeds and every tensor of the model holds exactly the bytes the file has at
//   that tensor's place.
//
// Case counts (for the record; each test also prints its own): 696 truncations (every length
// 0..<696 of the 696-byte file), 2,000 seeded bit-flip files (1,000 single-bit, 1,000 with
// 2–16 bits), 713 header-length values, 28,561 offset pairs for two tensors, 24 out-of-range
// offsets and 19 overflowing shapes.

// MARK: - The model and the oracle

/// Float layers, a Double layer and Float buffers: both dtypes and both kinds of tensor.
private final class FuzzModel: Module {
    let first: Linear<Float>
    let norm: BatchNorm1d<Float>
    let head: Linear<Double>

    init(seed: UInt64) {
        var g = TensorRandom(seed: seed)
        first = Linear(3, 2, using: &g)
        norm = BatchNorm1d(2)
        head = Linear(2, 2, using: &g)
        super.init()
        // Distinct buffer values, so a load that skipped or swapped them would show.
        norm.runningMean = Tensor(shape: [2], scalars: [Float(seed) + 0.25, -0.5])
        norm.runningVar = Tensor(shape: [2], scalars: [2, Float(seed) + 3])
    }
}

/// Every tensor of a model as its little-endian bytes, in model order.
private func snapshot(_ model: Module) -> [(String, [UInt8])] {
    model.namedTensors().map { ($0.name, $0.tensor.littleEndianBytes()) }
}

private func same(_ a: [(String, [UInt8])], _ b: [(String, [UInt8])]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

/// The file every test damages: FuzzModel(seed: 1) with a little metadata.
private let original: [UInt8] = try! FuzzModel(seed: 1).checkpoint(metadata: ["run": "fuzz", "step": "12"]).serialized()

/// Where each tensor's bytes sit in `original` (absolute positions), read once from the good file.
private let originalLayout: [String: Range<Int>] = {
    let file = try! SafeTensorsFile(bytes: original)
    let dataStart = original.count - file.entries.reduce(0) { $0 + $1.dataOffsets.count }
    return Dictionary(uniqueKeysWithValues: file.entries.map {
        ($0.name, (dataStart + $0.dataOffsets.lowerBound)..<(dataStart + $0.dataOffsets.upperBound))
    })
}()

private let headerLength: Int = original[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }

/// How one damaged file ended.
private enum Outcome: Hashable, CustomStringConvertible {
    case loaded
    case rejected(String)  // the error's case name

    var description: String {
        switch self {
        case .loaded: "loaded"
        case .rejected(let kind): kind
        }
    }
}

/// Counts as "kind: n, …", sorted by kind.
private func describe(_ counts: [Outcome: Int]) -> String {
    counts.map { "\($0.key): \($0.value)" }.sorted().joined(separator: ", ")
}

private func caseName(_ e: CheckpointError) -> String {
    switch e {
    case .fileNotFound: "fileNotFound"
    case .unreadable: "unreadable"
    case .unwritable: "unwritable"
    case .tooShort: "tooShort"
    case .badHeaderLength: "badHeaderLength"
    case .badHeader: "badHeader"
    case .badTensor: "badTensor"
    case .badLayout: "badLayout"
    case .duplicateName: "duplicateName"
    case .mismatch: "mismatch"
    }
}

/// Loads `bytes` into a FuzzModel as `Module.load(from:)` does (parse, then load) and checks the
/// two allowed endings. `expectedOnLoad` gives, per tensor name, the bytes the model must then
/// hold (default: the bytes at the tensor's place in `original`'s layout, read from `bytes`).
private func attempt(
    _ bytes: [UInt8], _ label: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> (Outcome, CheckpointError?) {
    let model = FuzzModel(seed: 7)
    let before = snapshot(model)
    do throws(CheckpointError) {
        let file = try SafeTensorsFile(bytes: bytes)
        try model.load(file)
    } catch {
        #expect(same(snapshot(model), before), "\(label()): rejected (\(error)) but the model changed", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        return (.rejected(caseName(error)), error)
    }
    // Loaded: each tensor holds the file's bytes at that tensor's place. The places are those of
    // the undamaged file's header (a damaged header that still loads must describe the same
    // layout, since every name, shape and dtype had to match the model).
    for (name, value) in snapshot(model) {
        guard let range = originalLayout[name], range.upperBound <= bytes.count else {
            Issue.record("\(label()): loaded, but \(name) has no place in the file", sourceLocation: sourceLocation)
            continue
        }
        #expect(value == Array(bytes[range]), "\(label()): loaded \(name) with other bytes than the file's", sourceLocation: sourceLocation)
    }
    return (.loaded, nil)
}

/// A seeded generator (SplitMix64), so every run damages the same bytes.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A header-and-data file from JSON text (`craft` in CheckpointTests, kept private there).
private func file(header: String, data: [UInt8], lengthField: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    var n = lengthField ?? UInt64(h.count)
    var out: [UInt8] = []
    for _ in 0..<8 {
        out.append(UInt8(truncatingIfNeeded: n))
        n >>= 8
    }
    return out + h + data
}

private func withLengthField(_ n: UInt64, _ bytes: [UInt8]) -> [UInt8] {
    var b = bytes
    var v = n
    for i in 0..<8 {
        b[i] = UInt8(truncatingIfNeeded: v)
        v >>= 8
    }
    return b
}

// MARK: - Tests

@Suite("Checkpoint fuzzing")
struct CheckpointFuzzTests {
    @Test("The undamaged file loads and the oracle agrees (the baseline every case is compared to)")
    func baseline() {
        #expect(original.count == 696, "the case counts in this file's comments assume 696 bytes")
        let (outcome, _) = attempt(original, "undamaged")
        #expect(outcome == .loaded)
        // The oracle can fail: a model loaded from the file differs from a fresh one.
        #expect(!same(snapshot(FuzzModel(seed: 7)), snapshot(FuzzModel(seed: 1))))
        #expect(originalLayout.count == 8)
    }

    @Test("Every truncation (all 696 lengths 0..<696) is refused with the error for where the cut falls, model untouched")
    func everyTruncation() {
        var counts: [Outcome: Int] = [:]
        for cut in 0..<original.count {
            let (outcome, error) = attempt(Array(original[..<cut]), "cut at \(cut)")
            counts[outcome, default: 0] += 1
            switch error {
            case .tooShort(let n)?:
                #expect(cut < 8 && n == cut, "cut at \(cut)")
            case .badHeaderLength(let n, let size)?:
                #expect((8..<8 + headerLength).contains(cut) && n == UInt64(headerLength) && size == cut, "cut at \(cut)")
            case .badTensor(_, let reason)?:
                #expect(cut >= 8 + headerLength && reason.contains("outside"), "cut at \(cut): \(reason)")
            case .badLayout?:
                #expect(cut >= 8 + headerLength, "cut at \(cut)")
            case let other:
                Issue.record("cut at \(cut): \(String(describing: other))")
            }
        }
        print("CheckpointFuzz: \(original.count) truncations: \(describe(counts))")
        #expect(counts[.loaded] == nil)
        #expect(counts.values.reduce(0, +) == 696)
    }

    @Test("2,000 seeded bit-flip files (1,000 single-bit, 1,000 with 2–16 bits): each loads the file's exact bytes or is refused with the model untouched")
    func bitFlips() {
        var g = SplitMix64(state: 2024)
        var counts: [Outcome: Int] = [:]
        var loadedWithChangedData = 0
        let dataStart = original.count - originalLayout.values.reduce(0) { $0 + $1.count }
        for trial in 0..<2000 {
            var bytes = original
            let flips = trial < 1000 ? 1 : 2 + g.below(15)
            var positions: [Int] = []
            for _ in 0..<flips {
                let bit = g.below(bytes.count * 8)
                bytes[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
                positions.append(bit / 8)
            }
            let (outcome, _) = attempt(bytes, "trial \(trial), flipped bytes \(positions)")
            counts[outcome, default: 0] += 1
            if outcome == .loaded, bytes[dataStart...] != original[dataStart...] { loadedWithChangedData += 1 }
            if positions.allSatisfy({ $0 < 8 }), bytes[..<8] != original[..<8] {
                #expect(outcome != .loaded, "trial \(trial): a changed length field loaded")
            }
        }
        print("CheckpointFuzz: 2000 bit-flip files: \(describe(counts)); loaded with changed tensor bytes: \(loadedWithChangedData)")
        #expect(counts.values.reduce(0, +) == 2000)
        // Both endings occur (a flip in the data loads, one in the header structure does not),
        // so neither branch of the check is vacuous.
        #expect(loadedWithChangedData > 0)
        #expect(counts.filter { $0.key != .loaded }.values.reduce(0, +) > 0)
    }

    @Test("Every header length 0...704 (file of 696 bytes) and 8 huge ones: only the true one loads")
    func everyHeaderLength() {
        var values = (0...UInt64(original.count + 8)).map { $0 }
        values += [UInt64(original.count) + 1, 100_000_000, 100_000_001, UInt64(UInt32.max), UInt64(Int.max), UInt64(Int.max) + 1, UInt64.max - 7, UInt64.max]
        var counts: [Outcome: Int] = [:]
        for n in values {
            let (outcome, error) = attempt(withLengthField(n, original), "header length \(n)")
            counts[outcome, default: 0] += 1
            if n == UInt64(headerLength) {
                #expect(outcome == .loaded)
            } else {
                #expect(outcome != .loaded, "header length \(n) loaded")
            }
            if n < 2 || n > UInt64(original.count - 8) {
                if case .badHeaderLength(n, original.count)? = error {} else { Issue.record("header length \(n): \(String(describing: error))") }
            }
        }
        print("CheckpointFuzz: \(values.count) header lengths: \(describe(counts))")
        #expect(values.count == 713)
    }

    @Test("All 28,561 offset pairs 0...12 for two 4-byte tensors in 8 data bytes: only the two tilings load")
    func everyOffsetPair() throws {
        let data: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        var loaded = 0, rejected = 0
        for b0 in 0...12 {
            for e0 in 0...12 {
                for b1 in 0...12 {
                    for e1 in 0...12 {
                        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[\#(b0),\#(e0)]},"b":{"dtype":"F32","shape":[1],"data_offsets":[\#(b1),\#(e1)]}}"#
                        let tiles = (b0, e0, b1, e1) == (0, 4, 4, 8) || (b0, e0, b1, e1) == (4, 8, 0, 4)
                        do throws(CheckpointError) {
                            let f = try SafeTensorsFile(bytes: file(header: header, data: data))
                            loaded += 1
                            #expect(tiles, "offsets \([b0, e0, b1, e1]) loaded")
                            #expect(f.bytes(of: "a").map(Array.init) == Array(data[b0..<e0]))
                            #expect(f.bytes(of: "b").map(Array.init) == Array(data[b1..<e1]))
                        } catch {
                            rejected += 1
                            #expect(!tiles, "offsets \([b0, e0, b1, e1]): \(error)")
                            switch error {
                            case .badTensor, .badLayout: break
                            default: Issue.record("offsets \([b0, e0, b1, e1]): \(error)")
                            }
                        }
                    }
                }
            }
        }
        print("CheckpointFuzz: 28561 offset pairs: \(loaded) loaded, \(rejected) rejected")
        #expect(loaded == 2 && rejected == 28_559)
    }

    @Test("Out-of-range and non-integer offsets (24 kinds) are refused as bad tensors, model untouched", arguments: [
        "[0,9]", "[9,13]", "[8,12]", "[0,18446744073709551615]", "[0,9223372036854775807]", "[0,9223372036854775808]",
        "[9223372036854775807,9223372036854775807]", "[9223372036854775804,9223372036854775808]", "[-1,3]", "[-9223372036854775808,4]",
        "[4,0]", "[8,4]", "[0]", "[]", "[0,4,8]", "[0.0,4]", "[0,4e0]", "[\"0\",4]", "[null,4]", "[true,4]",
        "{\"0\":4}", "4", "[0,1e400]", "[0,-0]",
    ])
    func outOfRangeOffsets(offsets: String) {
        // Tensor "first.bias" of the model ([2] Float, 8 bytes) with the given offsets; the
        // data buffer holds exactly its 8 bytes.
        let header = #"{"first.bias":{"dtype":"F32","shape":[2],"data_offsets":\#(offsets)}}"#
        let (outcome, error) = attempt(file(header: header, data: Array(repeating: 0x3F, count: 8)), offsets)
        #expect(outcome != .loaded)
        if case .badTensor("first.bias", _)? = error {} else { Issue.record("\(offsets): \(String(describing: error))") }
    }

    @Test("Shapes whose element or byte count overflows Int (19 kinds) are refused as bad tensors, model untouched", arguments: [
        "[9223372036854775807,2]", "[2,9223372036854775807]", "[4294967296,4294967296]", "[4294967296,4294967296,0]",
        "[3037000500,3037000500]", "[2305843009213693952]", "[4294967295,4294967297]", "[1152921504606846976,2]",
        "[9223372036854775807,9223372036854775807,9223372036854775807]", "[65536,65536,65536,65536]",
        "[2147483648,2147483648,2]", "[9223372036854775807,1,1,1,1,2]", "[4611686018427387904]",
        "[3,4611686018427387904]", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2305843009213693952]",
        "[18446744073709551616]", "[9223372036854775808]",
        // Empty (a zero dimension) but the other dimensions overflow: the strides of the tensor
        // would (found while writing the fuzz target: SafeTensorsFile.tensor(named:) trapped on these).
        "[0,4611686018427387904,4]", "[4611686018427387904,0,4]",
    ])
    func overflowingShapes(shape: String) {
        // Any shape here but the model's is a mismatch at best; these must not get that far:
        // the byte count product(shape)·4 overflows Int (or a dimension does not fit Int).
        let header = #"{"first.bias":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,8]}}"#
        let (outcome, error) = attempt(file(header: header, data: Array(repeating: 0, count: 8)), shape)
        #expect(outcome != .loaded)
        guard case .badTensor("first.bias", let reason)? = error else {
            Issue.record("\(shape): \(String(describing: error))")
            return
        }
        #expect(reason.contains("than Int can count") || reason.contains("fits Int"), "\(shape): \(reason)")
    }

    @Test("Empty tensors whose other dimensions fit are read, and become tensors")
    func emptyButWide() throws {
        let header = #"{"e":{"dtype":"F32","shape":[0,9223372036854775807],"data_offsets":[0,0]}}"#
        let f = try SafeTensorsFile(bytes: file(header: header, data: []))
        #expect(f.tensor(named: "e", as: Float.self)?.shape == [0, Int.max])
    }

    @Test("A shape whose product is exactly Int-sized but whose bytes don't fit the file is refused by the offsets check")
    func hugeButCountableShape() {
        // 2^61 − 1 F32 elements: the byte count (2^63 − 4) fits Int, so the refusal comes from
        // the span check; nothing is allocated on the way.
        let header = #"{"first.bias":{"dtype":"F32","shape":[2305843009213693951],"data_offsets":[0,8]}}"#
        let (_, error) = attempt(file(header: header, data: Array(repeating: 0, count: 8)), "2^61-1")
        if case .badTensor(_, let reason)? = error { #expect(reason.contains("needs 9223372036854775804")) } else { Issue.record("\(String(describing: error))") }
    }
}
