import Foundation
import Testing
import TestSupport

@testable import NN

// MARK: - Helpers

/// A fresh empty directory, removed by the caller.
private func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-ckpt-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every tensor of a model as bytes, to compare before and after a load bit for bit.
private func snapshot(_ model: Module) -> [String: [UInt8]] {
    Dictionary(uniqueKeysWithValues: model.namedTensors().map { ($0.name, $0.tensor.littleEndianBytes()) })
}

private func twoLayers<S: TensorScalar>(_: S.Type, seed: UInt64) -> Sequential<S> {
    var g = TensorRandom(seed: seed)
    return Sequential<S>([Linear<S>(4, 3, using: &g), Linear<S>(3, 2, using: &g)])
}

/// The model of the committed tapegrad_saved.safetensors: Float layers and a Double head, with
/// values from a formula Scripts/safetensors_fixtures.py recomputes.
private final class MixedModel: Module {
    let layers: [Linear<Float>]
    let head: Linear<Double>

    override init() {
        var g = TensorRandom(seed: 1)
        layers = [Linear(4, 3, using: &g), Linear(3, 2, using: &g)]
        head = Linear(2, 2, using: &g)
        super.init()
    }

    /// Element k of tensor t, in Double: (k+1)·0.1·(t+1) − 0.35, with -0, the smallest
    /// subnormal and the largest finite value in the first places.
    static func value(_ t: Int, _ k: Int) -> Double { Double(k + 1) * 0.1 * Double(t + 1) - 0.35 }

    static func special<S: TensorScalar>(_ t: Int, _ k: Int, _: S.Type) -> S? {
        switch (t, k) {
        case (0, 0): return -0.0
        case (0, 1): return S.leastNonzeroMagnitude
        case (1, 0): return S.greatestFiniteMagnitude
        default: return nil
        }
    }

    static func values<S: TensorScalar>(_ t: Int, count: Int, _: S.Type) -> [S] {
        (0..<count).map { k in special(t, k, S.self) ?? S(value(t, k)) }
    }

    /// The model with the formula's values.
    static func filled() -> MixedModel {
        let m = MixedModel()
        for (t, (_, slot)) in m.namedTensors().enumerated() {
            let count = slot.shape.reduce(1, *)
            if let p = slot as? Parameter<Float> {
                p.assign(Tensor(shape: p.shape, scalars: values(t, count: count, Float.self)))
            } else if let p = slot as? Parameter<Double> {
                p.assign(Tensor(shape: p.shape, scalars: values(t, count: count, Double.self)))
            }
        }
        return m
    }

    static let metadata = ["producer": "tapegrad", "note": "interop fixture"]
}

private func fixtureURL(_ name: String) -> URL {
    Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures")!
}

/// A safetensors file from a header text (padded as given) and a data buffer.
private func craft(header: String, data: [UInt8] = [], lengthField: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    var n = lengthField ?? UInt64(h.count)
    var out: [UInt8] = []
    for _ in 0..<8 {
        out.append(UInt8(truncatingIfNeeded: n))
        n >>= 8
    }
    return out + h + data
}

private struct TorchExpected: Decodable {
    struct Tensor: Decodable {
        let shape: [Int]
        let values: [String]
    }
    let models: [String: [String: Tensor]]

    static let shared: TorchExpected = {
        let url = Bundle.module.url(forResource: "torch_saved_expected", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TorchExpected.self, from: Data(contentsOf: url))
    }()
}

// MARK: - Tests

@Suite("Checkpoints")
struct CheckpointTests {
    func roundTrip<S: TensorScalar>(_: S.Type) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let saved = twoLayers(S.self, seed: 3)
        try saved.save(to: url, metadata: ["epoch": "7"])
        let loaded = twoLayers(S.self, seed: 4)
        #expect(snapshot(loaded) != snapshot(saved))
        let metadata = try loaded.load(from: url)
        #expect(metadata == ["epoch": "7"])
        #expect(snapshot(loaded) == snapshot(saved))
        for ((_, a), (_, b)) in zip(saved.namedParameters(of: S.self), loaded.namedParameters(of: S.self)) {
            #expect(bitIdentical(a.value.scalars, b.value.scalars))
            #expect(a.shape == b.shape)
        }
        // The file names the dtype of the model's scalars.
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.entries.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
        #expect(file.entries.allSatisfy { $0.dtype == .of(S.self) })
    }

    @Test("Save then load restores every Float tensor bit for bit")
    func roundTripFloat() throws { try roundTrip(Float.self) }

    @Test("Save then load restores every Double tensor bit for bit")
    func roundTripDouble() throws { try roundTrip(Double.self) }

    @Test("Buffers are saved and loaded with the parameters")
    func buffers() throws {
        final class WithBuffer: Module {
            @Buffer var running: Tensor<Double>
            init(_ v: Double) {
                _running = Buffer(wrappedValue: Tensor(shape: [2], repeating: v))
                super.init()
            }
        }
        let file = try WithBuffer(1.5).checkpoint()
        let target = WithBuffer(0)
        try target.load(file)
        #expect(target.running.scalars == [1.5, 1.5])
    }

    @Test("A file saved by PyTorch (safetensors.torch.save_file) loads with the exact values", arguments: ["f32", "f64"])
    func loadsTorchFile(tag: String) throws {
        let expected = TorchExpected.shared.models[tag]!
        let url = fixtureURL("torch_saved_\(tag)")
        func check<S: TensorScalar>(_ model: Sequential<S>) throws {
            let metadata = try model.load(from: url)
            #expect(metadata == ["producer": "pytorch", "dtype": tag])
            let params = model.namedParameters(of: S.self)
            #expect(Set(params.map(\.name)) == Set(expected.keys))
            for (name, p) in params {
                let e = expected[name]!
                #expect(p.shape == e.shape, "\(name)")
                let want = e.values.map { S(Double($0)!) }
                #expect(bitIdentical(p.value.scalars, want), "\(name)")
            }
        }
        if tag == "f32" { try check(twoLayers(Float.self, seed: 0)) } else { try check(twoLayers(Double.self, seed: 0)) }
    }

    @Test("A PyTorch float64 file is refused by a Float model, every tensor named, nothing loaded")
    func dtypeMismatchIsAnError() {
        let model = twoLayers(Float.self, seed: 0)
        let before = snapshot(model)
        #expect(throws: CheckpointError.mismatch(
            missing: [], unexpected: [], wrongShape: [],
            wrongDType: ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"].map {
                .init(name: $0, expected: .float32, found: .float64)
            })) {
            try model.load(from: fixtureURL("torch_saved_f64"))
        }
        #expect(snapshot(model) == before)
    }

    @Test("Our save of the fixture model is byte-identical to the committed file PyTorch verifies")
    func committedFileIsReproduced() throws {
        let bytes = try MixedModel.filled().checkpoint(metadata: MixedModel.metadata).serialized()
        if ProcessInfo.processInfo.environment["TAPEGRAD_REGENERATE_FIXTURES"] == "1" {
            // Writes the source tree's copy; rebuild so the test bundle picks it up.
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/tapegrad_saved.safetensors")
            try MixedModel.filled().save(to: source, metadata: MixedModel.metadata)
            return
        }
        let committed = try [UInt8](Data(contentsOf: fixtureURL("tapegrad_saved")))
        #expect(bytes == committed, "rerun with TAPEGRAD_REGENERATE_FIXTURES=1, then Scripts/safetensors_fixtures.py verify")
        // The header is padded to 8 bytes and the F64 tensors come first (aligned data).
        let file = try SafeTensorsFile(bytes: committed)
        let n = committed[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(n % 8 == 0)
        #expect(file.entry(named: "head.weight")!.dataOffsets.lowerBound == 0)
        // And it loads back into the model.
        let fresh = MixedModel()
        try fresh.load(file)
        #expect(snapshot(fresh) == snapshot(MixedModel.filled()))
        #expect(fresh.layers[0].weight.value.scalars[0].sign == .minus)
    }

    // MARK: Atomic saves

    @Test("Saving into a directory that does not exist throws and creates nothing")
    func saveIntoMissingDirectory() {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("absent/model.safetensors")
        let error = #expect(throws: CheckpointError.self) {
            try twoLayers(Float.self, seed: 0).save(to: url)
        }
        if case .unwritable(let path, _)? = error {
            #expect(path == url.path)
        } else {
            Issue.record("expected .unwritable, got \(String(describing: error))")
        }
        #expect(error?.description.contains("\n") == false)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("absent").path))
    }

    @Test("A save that fails before the rename leaves the previous file intact and no temporary file")
    func failedSaveKeepsOldFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try twoLayers(Float.self, seed: 1).save(to: url)
        let before = try Data(contentsOf: url)

        struct Crash: Error {}
        let newer = try twoLayers(Float.self, seed: 2).checkpoint().serialized()
        #expect(throws: CheckpointError.self) {
            try atomicWrite(newer, to: url, beforeRename: {
                // The complete temporary file is beside the target at this point.
                let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
                #expect(names.count == 2)
                throw Crash()
            })
        }
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])

        // Saving over a directory fails at the rename: the directory stays, no temporary file.
        let sub = dir.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        try Data([1, 2, 3]).write(to: sub.appendingPathComponent("inside"))
        #expect(throws: CheckpointError.self) { try twoLayers(Float.self, seed: 0).save(to: sub) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["model.safetensors", "taken"])
        #expect(try Data(contentsOf: sub.appendingPathComponent("inside")) == Data([1, 2, 3]))

        // A successful save replaces the file.
        try twoLayers(Float.self, seed: 2).save(to: url)
        #expect(try [UInt8](Data(contentsOf: url)) == newer)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["model.safetensors", "taken"])
    }

    // MARK: Load errors

    /// Writes `bytes`, loads them into a fresh model and checks the error and that the model is
    /// bit-identical afterwards.
    func expectLoadFailure(_ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation, _ matches: (CheckpointError) -> Bool) {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.safetensors")
        try! Data(bytes).write(to: url)
        let model = twoLayers(Float.self, seed: 9)
        let before = snapshot(model)
        do {
            try model.load(from: url)
            Issue.record("\(label): loaded", sourceLocation: sourceLocation)
        } catch {
            #expect(matches(error), "\(label): \(error)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        }
        #expect(snapshot(model) == before, "\(label): model changed", sourceLocation: sourceLocation)
    }

    @Test("Truncated files are refused at every cut, the model untouched")
    func truncated() throws {
        let good = try twoLayers(Float.self, seed: 5).checkpoint(metadata: ["a": "b"]).serialized()
        let n = good[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        for cut in [0, 1, 7] {
            expectLoadFailure(Array(good[..<cut]), "cut at \(cut)") { if case .tooShort(cut) = $0 { true } else { false } }
        }
        for cut in [8, 9, 8 + n / 2, 8 + n - 1] {
            expectLoadFailure(Array(good[..<cut]), "cut at \(cut)") { if case .badHeaderLength(UInt64(n), cut) = $0 { true } else { false } }
        }
        for cut in [8 + n, 8 + n + 1, 8 + n + 20, good.count - 1] {
            expectLoadFailure(Array(good[..<cut]), "cut at \(cut)") {
                if case .badTensor(_, let reason) = $0 { reason.contains("outside") } else if case .badLayout = $0 { true } else { false }
            }
        }
        // Extra bytes after the last tensor are refused too.
        expectLoadFailure(good + [0], "one extra byte") { if case .badLayout(let s) = $0 { s.contains("data buffer has") } else { false } }
    }

    @Test("Impossible header lengths: 0, 1, 7 (cut JSON), larger than the file, above 100 MB, UInt64.max")
    func headerLengths() throws {
        let good = try twoLayers(Float.self, seed: 5).checkpoint().serialized()
        func withLength(_ n: UInt64) -> [UInt8] {
            var b = good
            var v = n
            for i in 0..<8 {
                b[i] = UInt8(truncatingIfNeeded: v)
                v >>= 8
            }
            return b
        }
        for n: UInt64 in [0, 1, UInt64(good.count), 100_000_001, UInt64.max, UInt64(Int.max) + 1] {
            expectLoadFailure(withLength(n), "length \(n)") { if case .badHeaderLength(n, good.count) = $0 { true } else { false } }
        }
        expectLoadFailure(withLength(7), "length 7") { if case .badHeader = $0 { true } else { false } }
        #expect(CheckpointError.badHeaderLength(UInt64.max, fileSize: 10).description.contains("limit"))
        #expect(CheckpointError.badHeaderLength(50, fileSize: 10).description.contains("exceeds the 2 bytes"))
    }

    @Test("Malformed headers name the problem", arguments: [
        // (header, data byte count, what the message must say)
        (#"{"a":"#, 0, "end of the JSON"),
        (#"not json"#, 0, "start with '{'"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#, 4, "after the JSON"),
        (#"[1,2]"#, 0, "start with '{'"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4, "duplicate key"),
        (#"{"__metadata__":{"k":1}}"#, 0, "expected a string"),
        (#"{"__metadata__":[]}"#, 0, "expected an object"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},}"#, 4, "expected a key"),
        ("{\"a\u{1}\":1}", 0, "control character"),
        (String(repeating: "[", count: 40), 0, "start with '{'"),
        ("{\"a\":" + String(repeating: "[", count: 40), 0, "nesting"),
    ] as [(String, Int, String)])
    func malformedHeaders(header: String, dataCount: Int, mention: String) {
        expectLoadFailure(craft(header: header, data: Array(repeating: 0, count: dataCount)), header) {
            if case .badHeader(let s) = $0 { s.contains(mention) } else { false }
        }
    }

    @Test("Invalid UTF-8 in the header is refused")
    func invalidUTF8() {
        var bytes = craft(header: #"{"__metadata__":{"k":"xx"}}"#)
        bytes[8 + 23] = 0xFF
        expectLoadFailure(bytes, "utf8") { if case .badHeader(let s) = $0 { s.contains("UTF-8") } else { false } }
    }

    @Test("Invalid tensor entries: dtype, shape, offsets", arguments: [
        (#"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, 4, "unknown dtype"),
        (#"{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, 4, "expected a string"),
        (#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,2],"data_offsets":[0,4]}}"#, 4, "more elements than Int"),
        (#"{"w":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,4]}}"#, 4, "more bytes than Int"),
        (#"{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, 4, "non-negative integer"),
        (#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, 4, "non-negative integer"),
        (#"{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, 4, "non-negative integer"),
        (#"{"w":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, 4, "non-negative integer"),
        (#"{"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#, 4, "expected an array"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, 4, "outside"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, 4, "outside"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, 8, "[begin, end]"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, 4, "non-negative integers"),
        (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, 4, "needs 8"),
        (#"{"w":{"dtype":"F32","shape":[1]}}"#, 4, "missing field data_offsets"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}"#, 4, "unknown field"),
        (#"{"w":[]}"#, 0, "expected an object"),
    ] as [(String, Int, String)])
    func badTensors(header: String, dataCount: Int, mention: String) {
        expectLoadFailure(craft(header: header, data: Array(repeating: 0, count: dataCount)), header) {
            if case .badTensor("w", let s) = $0 { s.contains(mention) } else { false }
        }
    }

    @Test("Tensors must tile the data buffer: overlaps, holes and trailing bytes are refused", arguments: [
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "overlaps"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4, "overlaps"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12, "belong to no tensor"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "belong to no tensor"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 6, "data buffer has 6"),
        (#"{}"#, 1, "data buffer has 1"),
    ] as [(String, Int, String)])
    func badLayouts(header: String, dataCount: Int, mention: String) {
        expectLoadFailure(craft(header: header, data: Array(repeating: 0, count: dataCount)), header) {
            if case .badLayout(let s) = $0 { s.contains(mention) } else { false }
        }
    }

    @Test("Missing, unexpected, wrong-shape and wrong-dtype names are all reported in one error")
    func mismatchAllAtOnce() throws {
        var file = SafeTensorsFile()
        try file.append("layers.0.weight", Tensor<Float>.zeros([3, 4]))       // fits
        try file.append("layers.0.bias", Tensor<Double>.zeros([3]))           // wrong dtype
        try file.append("layers.1.weight", Tensor<Float>.zeros([3, 2]))       // wrong shape
        try file.append("layers.1.extra", Tensor<Float>.zeros([1]))           // unexpected
        try file.append("junk", dtype: .int64, shape: [2], bytes: [UInt8](repeating: 0, count: 16))  // unexpected
        // layers.1.bias: missing
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try file.write(to: url)

        let model = twoLayers(Float.self, seed: 8)
        let before = snapshot(model)
        let expected = CheckpointError.mismatch(
            missing: ["layers.1.bias"],
            unexpected: ["junk", "layers.1.extra"],
            wrongShape: [.init(name: "layers.1.weight", expected: [2, 3], found: [3, 2])],
            wrongDType: [.init(name: "layers.0.bias", expected: .float32, found: .float64)])
        #expect(throws: expected) { try model.load(from: url) }
        #expect(snapshot(model) == before)
        #expect(expected.description == "checkpoint does not match the model (nothing was loaded): missing layers.1.bias; unexpected junk, layers.1.extra; wrong shape layers.1.weight (model [2, 3], file [3, 2]); wrong dtype layers.0.bias (model F32, file F64)")

        // A model with more layers than the file: the extra layer's tensors are missing.
        let bigger = Sequential<Float>([Linear(4, 3), Linear(3, 2), Linear(2, 1)])
        try twoLayers(Float.self, seed: 1).save(to: url)
        #expect(throws: CheckpointError.mismatch(missing: ["layers.2.weight", "layers.2.bias"], unexpected: [], wrongShape: [], wrongDType: [])) {
            try bigger.load(from: url)
        }
    }

    @Test("A missing file is a typed error")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent-tapegrad/model.safetensors")
        #expect(throws: CheckpointError.fileNotFound(path: url.path)) { try twoLayers(Float.self, seed: 0).load(from: url) }
    }

    @Test("Writer: names are JSON-escaped and read back, duplicates and wrong byte counts refused, empty tensors allowed")
    func writer() throws {
        var file = SafeTensorsFile(metadata: ["quote\"d": "line\nbreak\u{1}", "ünï": "cödé"])
        try file.append("we\"ird\\name\t✓", Tensor<Float>([1, 2]))
        try file.append("empty", Tensor<Double>.zeros([0, 3]))
        try file.append("scalar", Tensor<Double>(shape: [], scalars: [4]))
        #expect(throws: CheckpointError.duplicateName("empty")) { try file.append("empty", Tensor<Float>([1])) }
        #expect(throws: CheckpointError.self) { try file.append("short", dtype: .float32, shape: [2], bytes: [0, 0, 0, 0]) }
        #expect(throws: CheckpointError.self) { try file.append("__metadata__", Tensor<Float>([1])) }
        let back = try SafeTensorsFile(bytes: file.serialized())
        #expect(back.metadata == file.metadata)
        #expect(back.tensor(named: "we\"ird\\name\t✓", as: Float.self)?.scalars == [1, 2])
        #expect(back.tensor(named: "we\"ird\\name\t✓", as: Double.self) == nil)
        #expect(back.entry(named: "empty")?.shape == [0, 3])
        #expect(back.tensor(named: "scalar", as: Double.self)?.scalars == [4])
        #expect(Set(back.entries.map(\.name)) == ["we\"ird\\name\t✓", "empty", "scalar"])

        // A file that was read can be extended and written again.
        var extended = back
        try extended.append("more", Tensor<Float>([5, 6, 7]))
        let again = try SafeTensorsFile(bytes: extended.serialized())
        #expect(again.tensor(named: "more", as: Float.self)?.scalars == [5, 6, 7])
        #expect(again.tensor(named: "we\"ird\\name\t✓", as: Float.self)?.scalars == [1, 2])
        #expect(again.tensor(named: "scalar", as: Double.self)?.scalars == [4])
    }

    @Test("Reader accepts escapes, surrogate pairs, space padding and an empty file body")
    func readerAccepts() throws {
        let header = #"{"\u00e9\ud83d\ude00":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"__metadata__":{}}   "#
        let file = try SafeTensorsFile(bytes: craft(header: header, data: [7, 9]))
        #expect(file.entries.map(\.name) == ["é😀"])
        #expect(file.bytes(of: "é😀").map(Array.init) == [7, 9])
        #expect(try SafeTensorsFile(bytes: craft(header: "{}")).entries.isEmpty)
    }
}
