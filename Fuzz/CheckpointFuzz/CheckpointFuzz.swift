import Foundation
import NN

// A libFuzzer target for the checkpoint reader and loader.
//
// Built by Scripts/fuzz_checkpoint.sh with `--sanitize=fuzzer --sanitize=address
// -Xswiftc -DTAPEGRAD_FUZZ`: there is no Swift `main` then; libFuzzer's calls
// `LLVMFuzzerTestOneInput` with mutated inputs and reports any crash, failed precondition or
// AddressSanitizer error together with the input that caused it.
//
// In a normal build (`swift build`) the same `check` runs over the files named on the command
// line (`CheckpointFuzz crash-1234 corpus/*`), so a crash found by the fuzzer replays without the
// fuzzer; `CheckpointFuzz --write-corpus DIR` writes the seed corpus.
//
// The property checked for every input: loading either throws a `CheckpointError` and leaves
// every tensor of the model bit-identical, or succeeds and the model then holds exactly the
// bytes the file gives each tensor. Any file that parses also survives a write/read round trip
// unchanged.

/// The model the inputs are loaded into: Float and Double parameters and Float buffers.
final class FuzzModel: Module {
    let first: Linear<Float>
    let norm: BatchNorm1d<Float>
    let head: Linear<Double>

    init(seed: UInt64) {
        var g = TensorRandom(seed: seed)
        first = Linear(3, 2, using: &g)
        norm = BatchNorm1d(2)
        head = Linear(2, 2, using: &g)
        super.init()
    }
}

func snapshot(_ model: Module) -> [(String, [UInt8])] {
    model.namedTensors().map { ($0.name, $0.tensor.littleEndianBytes()) }
}

func same(_ a: [(String, [UInt8])], _ b: [(String, [UInt8])]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

/// One fuzz input; stops the process (a finding) when the property fails.
func check(_ bytes: [UInt8]) {
    let file: SafeTensorsFile
    do {
        file = try SafeTensorsFile(bytes: bytes)
    } catch {
        precondition(!error.description.contains("\n"), "multi-line error: \(error)")
        return
    }
    // Round trip: what was read writes and reads back to the same tensors.
    let again: SafeTensorsFile
    do {
        again = try SafeTensorsFile(bytes: file.serialized())
    } catch {
        preconditionFailure("a file that parsed does not re-read after serialized(): \(error)")
    }
    precondition(again.metadata == file.metadata, "metadata changed in a round trip")
    // Names as bytes: "café" and "cafe\u{301}" are two names, which a Set<String> would merge.
    precondition(Set(again.entries.map { Array($0.name.utf8) }) == Set(file.entries.map { Array($0.name.utf8) }), "names changed in a round trip")
    for e in file.entries {
        let r = again.entry(named: e.name)!
        precondition(r.dtype == e.dtype && r.shape == e.shape, "entry \(e.name) changed in a round trip")
        precondition(again.bytes(of: e.name)! == file.bytes(of: e.name)!, "bytes of \(e.name) changed in a round trip")
        if let t = file.tensor(named: e.name, as: Float.self) { precondition(t.shape == e.shape) }
        if let t = file.tensor(named: e.name, as: Double.self) { precondition(t.shape == e.shape) }
    }

    let model = FuzzModel(seed: 7)
    let before = snapshot(model)
    do {
        try model.load(file)
    } catch {
        precondition(same(snapshot(model), before), "a failed load (\(error)) changed the model")
        precondition(!error.description.contains("\n"), "multi-line error: \(error)")
        return
    }
    for (name, value) in snapshot(model) {
        precondition(value == Array(file.bytes(of: name)!), "\(name) does not hold the file's bytes after a load")
    }
}

/// Valid files to start from: the model's checkpoint (several seeds, with and without
/// metadata), a file with other dtypes, an empty file.
func seedCorpus() throws -> [(String, [UInt8])] {
    var out: [(String, [UInt8])] = []
    for seed: UInt64 in [1, 2] {
        out.append(("model-seed\(seed).safetensors", try FuzzModel(seed: seed).checkpoint().serialized()))
    }
    out.append(("model-metadata.safetensors", try FuzzModel(seed: 3).checkpoint(metadata: ["epoch": "3", "note": "seed"]).serialized()))
    var mixed = SafeTensorsFile(metadata: ["k": "v"])
    try mixed.append("first.weight", Tensor<Double>.zeros([2, 3]))
    try mixed.append("ints", dtype: .int64, shape: [2], bytes: [UInt8](repeating: 1, count: 16))
    try mixed.append("empty", Tensor<Float>.zeros([0, 4]))
    out.append(("mixed.safetensors", mixed.serialized()))
    out.append(("empty.safetensors", SafeTensorsFile().serialized()))
    return out
}

#if TAPEGRAD_FUZZ
/// libFuzzer's entry point; libFuzzer's own `main` (linked by `--sanitize=fuzzer`) calls it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
@main
enum CheckpointFuzz {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-corpus", arguments.count == 2 {
            let dir = URL(fileURLWithPath: arguments[1])
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (name, bytes) in try seedCorpus() { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
            return
        }
        guard !arguments.isEmpty, !arguments.contains(where: { $0.hasPrefix("-") }) else {
            FileHandle.standardError.write(Data("usage: CheckpointFuzz FILE-OR-DIRECTORY… | --write-corpus DIRECTORY\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("CheckpointFuzz: no file at \(path)\n".utf8))
                exit(2)
            }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
                : [path]
            for f in files {
                check([UInt8](try Data(contentsOf: URL(fileURLWithPath: f))))
                count += 1
            }
        }
        print("CheckpointFuzz: \(count) inputs checked, no finding")
    }
}
#endif
