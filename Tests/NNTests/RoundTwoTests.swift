import Foundation
import Testing
import TestSupport

@testable import NN

// Reliability, round two (issue 12): the cases that are not "a bad input, a typed error"
// rows of the adversarial catalogue — runs of the real tool that must succeed with valid output,
// checkpoints that must load, files that must keep their links and modes, and the CSV reader
// against an independent parser.

private func scratchDirectory() -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-round-two-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// Runs the built `tapegrad` with `arguments` in `directory`; returns (status, stdout, stderr).
private func runTool(_ arguments: [String], in directory: URL) throws -> (Int32, String, String) {
    let tool = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
    let run = try CLICatalogue.run(tool, arguments, in: directory)
    #expect(run.reason == .exit, "\(arguments): killed by signal \(run.status): \(run.stderr)")
    return (run.status, run.stdout, run.stderr)
}

/// Every non-empty line of `text` parsed by Foundation's JSON parser (an independent reader).
private func jsonObjects(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").map { line in
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
        #expect(object is [String: Any], "not a JSON object: \(line)")
        return object as? [String: Any] ?? [:]
    }
}

@Suite("Round two: the tool's successful runs print valid output")
struct RoundTwoToolTests {
    @Test("train --json of a diverging run: final_loss is null, and non_finite says why (item 10)")
    func divergingTrainIsValidJSON() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, stdout, stderr) = try runTool(
            ["train", "--optimizer", "sgd", "--lr", "1000", "--epochs", "2", "--json", "--plot", dir.appendingPathComponent("p.svg").path], in: dir)
        #expect(status == 0, "\(stderr)")
        let objects = jsonObjects(stdout)
        #expect(objects.count == 1)
        let o = try #require(objects.first)
        #expect(o["final_loss"] is NSNull, "final_loss: \(String(describing: o["final_loss"]))")
        let why = try #require(o["non_finite"] as? [String: String])
        #expect(["nan", "inf", "-inf"].contains(why["final_loss"] ?? ""), "\(why)")
        #expect(o["test_accuracy"] is NSNumber)
    }

    @Test("A full standard error (2>/dev/full) does not crash a run: progress lines are dropped, the result printed")
    func fullStandardError() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tool = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let process = Process()
        process.executableURL = tool
        process.arguments = ["train", "--epochs", "1", "--plot", dir.appendingPathComponent("p.svg").path]
        process.currentDirectoryURL = dir
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/full")
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "status \(process.terminationStatus)")
        #expect(stdout.hasPrefix("test accuracy"), "\(stdout)")
    }

    @Test("longrun --json: every line is JSON, the first (no loss yet) has loss null (item 10)")
    func longrunIsValidJSON() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, stdout, stderr) = try runTool(["longrun", "--json", "--steps", "100", "--samples", "2"], in: dir)
        #expect(status == 0, "\(stderr)")
        let objects = jsonObjects(stdout)
        #expect(objects.count >= 3)
        #expect(objects.first?["loss"] is NSNull)
        #expect((objects.first?["non_finite"] as? [String: String])?["loss"] == "nan")
        #expect(objects.last?["final_loss"] is NSNumber)
    }

    @Test("list --json and gradcheck --json: every line is JSON")
    func listAndGradcheckAreValidJSON() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (s1, list, _) = try runTool(["list", "--json"], in: dir)
        #expect(s1 == 0)
        #expect(jsonObjects(list).count == ActivationCatalogue.entries.count)
        let (s2, check, e2) = try runTool(["gradcheck", "--json", "--activation", "elu", "--points", "16"], in: dir)
        #expect(s2 == 0, "\(e2)")
        let objects = jsonObjects(check)
        #expect(objects.count == 2)
        #expect(objects.allSatisfy { $0["pass"] as? Bool == true })
    }

    @Test("demo on a 4-row file reports a real accuracy, not nan (item 16)")
    func demoOnFourRows() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("four.csv")
        try Data("label,a,b\n0,1,0\n1,0,1\n0,1,0\n1,0,1\n".utf8).write(to: csv)
        let (status, stdout, stderr) = try runTool(["demo", "--data", csv.path, "--epochs", "3"], in: dir)
        #expect(status == 0, "\(stderr)")
        #expect(!stdout.lowercased().contains("nan"), "\(stdout)")
        // 4 rows: 3 to train, 1 to test, so the accuracy is 0 or 1.
        let last = try #require(stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("test accuracy 0.0000") || last.hasPrefix("test accuracy 1.0000"), "\(last)")
    }

    @Test("bench --suite memory with fewer than 10 steps samples its baseline (item 17)", arguments: [1, 5])
    func memoryBenchBaseline(steps: Int) throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, stdout, stderr) = try runTool(["bench", "--suite", "memory", "--steps", "\(steps)", "--json"], in: dir)
        #expect(status == 0, "\(stderr)")
        let o = try #require(jsonObjects(stdout).first { $0["suite"] as? String == "memory" })
        let baseline = try #require(o["rss_after_warmup_mb"] as? Double)
        let growth = try #require(o["growth_mb"] as? Double)
        #expect(baseline > 1, "baseline \(baseline) MB: never sampled")
        #expect(growth < 5, "a \(growth) MB 'leak' in \(steps) steps")
    }
}

@Suite("Round two: checkpoints")
struct RoundTwoCheckpointTests {
    /// A safetensors file built byte by byte, as Python's writer lays it out.
    static func file(header: String, data: [UInt8]) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        var n = UInt64(h.count)
        for _ in 0..<8 {
            out.append(UInt8(truncatingIfNeeded: n))
            n >>= 8
        }
        return out + h + data
    }

    @Test("Names that differ only in Unicode normalization are two names (item 11)")
    func namesAreBytes() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // Swift's String == says equal; the bytes differ
        let header = #"{"\#(composed)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\#(decomposed)":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let bytes = Self.file(header: header, data: [0, 0, 128, 63, 0, 0, 0, 64])  // 1.0, 2.0
        let parsed = try SafeTensorsFile(bytes: bytes)
        #expect(parsed.entries.count == 2)
        #expect(parsed.tensor(named: composed, as: Float.self)?.scalars == [1])
        #expect(parsed.tensor(named: decomposed, as: Float.self)?.scalars == [2])
        // Writing them works too, and reads back the same.
        var written = SafeTensorsFile()
        try written.append(composed, Tensor<Float>([3]))
        try written.append(decomposed, Tensor<Float>([4]))
        let again = try SafeTensorsFile(bytes: written.serialized())
        #expect(again.tensor(named: composed, as: Float.self)?.scalars == [3])
        #expect(again.tensor(named: decomposed, as: Float.self)?.scalars == [4])
        // A true duplicate (the same bytes) is still refused.
        #expect(throws: CheckpointError.duplicateName(composed)) { try written.append(composed, Tensor<Float>([5])) }
    }

    /// Resident set size in bytes (Linux /proc).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A sparse file of `size` bytes holding `bytes` at its start (nothing else is stored).
    static func sparseFile(_ url: URL, size: Int, bytes: [UInt8]) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress!, bytes.count) } == bytes.count)
        #expect(ftruncate(fd, off_t(size)) == 0)
        close(fd)
    }

    @Test("64 GiB files are refused after reading their header: a bad length, and a valid header for another model (item 14)")
    func hugeFilesHeaderFirst() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("huge.safetensors")
        let size = 1 << 36  // more than this machine's memory: reading it whole cannot succeed
        let before = Self.residentBytes()
        // A header length of 2^40.
        Self.sparseFile(url, size: size, bytes: [0, 0, 0, 0, 0, 1, 0, 0])
        #expect(throws: CheckpointError.badHeaderLength(1 << 40, fileSize: size)) { try SafeTensorsFile(contentsOf: url) }
        // A valid header: one F32 tensor "w" filling the file. It is not the model's, which
        // is found from the header alone.
        let dataSize = size - 8 - 128
        var header = Array(#"{"w":{"dtype":"F32","shape":[\#(dataSize / 4)],"data_offsets":[0,\#(dataSize)]}}"#.utf8)
        header += [UInt8](repeating: 0x20, count: 128 - header.count)
        var length = [UInt8](repeating: 0, count: 8)
        length[0] = 128
        Self.sparseFile(url, size: size, bytes: length + header)
        var g = TensorRandom(seed: 1)
        let model = Linear<Float>(3, 2, using: &g)
        let weights = model.weight.value.scalars
        do {
            try model.load(from: url)
            Issue.record("a 64 GiB file for another model loaded")
        } catch {
            #expect(error.description.contains("unexpected w") && error.description.contains("missing weight"), "\(error)")
        }
        #expect(model.weight.value.scalars == weights)
        let growth = Self.residentBytes() - before
        #expect(growth < 64 << 20, "resident memory grew by \(growth) bytes")
    }

    @Test("Saving through a symbolic link replaces the target and keeps the link and the mode (item 15)", .globalState)
    func saveThroughLinkKeepsLinkAndMode() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sub = dir.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let target = sub.appendingPathComponent("model.safetensors")
        let link = dir.appendingPathComponent("link.safetensors")
        var g = TensorRandom(seed: 1)
        let model = Linear<Float>(3, 2, using: &g)
        try model.save(to: target)
        #expect(chmod(target.path, 0o600) == 0)
        #expect(symlink("real/model.safetensors", link.path) == 0)  // relative, as `ln -s` makes

        var h = TensorRandom(seed: 2)
        let other = Linear<Float>(3, 2, using: &h)
        try other.save(to: link)

        var info = stat()
        #expect(lstat(link.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link was replaced by a file")
        #expect(stat(target.path, &info) == 0 && info.st_mode & 0o7777 == 0o600, "mode \(String(info.st_mode & 0o7777, radix: 8))")
        let back = Linear<Float>(3, 2, using: &g)
        try back.load(from: target)
        #expect(back.weight.value.scalars == other.weight.value.scalars)
        #expect(try FileManager.default.contentsOfDirectory(atPath: sub.path) == ["model.safetensors"])
        // A new file gets the usual mode (0666 less the umask), not a fixed 0644.
        let fresh = dir.appendingPathComponent("fresh.safetensors")
        let mask = umask(0o027)
        defer { umask(mask) }
        try other.save(to: fresh)
        #expect(stat(fresh.path, &info) == 0 && info.st_mode & 0o777 == 0o640)
    }

    @Test("The temporary name is short: a 255-byte target name saves (item 3)")
    func longestNameSaves() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = TensorRandom(seed: 1)
        let url = dir.appendingPathComponent(String(repeating: "x", count: 255))
        try Linear<Float>(2, 2, using: &g).save(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [url.lastPathComponent])
    }
}

@Suite("Round two: the CSV reader")
struct RoundTwoCSVTests {
    /// A CSV of varied number spellings and line ends, parsed by Swift's own `Double(String)`
    /// (the old reader) as the oracle, with a line longer than one read chunk and rows across
    /// chunk boundaries.
    @Test("Chunked byte parsing matches Double(String) on every field, across chunk boundaries and line ends")
    func matchesIndependentParser() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = TensorRandom(seed: 7)
        func spell(_ v: Double, _ k: Int) -> String {
            switch k {
            case 0: return String(format: "%.6f", v)
            case 1: return String(format: "%.3e", v)
            case 2: return String(format: "%g", v)
            case 3: return String(Int(v))
            case 4: return String(format: "%+.2f", v)
            case 5: return " " + String(format: "%.17g", v) + "\t"
            case 6: return String(format: "%.20f", v)
            case 7: return "0x1.8p3"
            case 8: return ".5"
            case 9: return "5."
            case 10: return "-0"
            default: return "1234567890123456789"
            }
        }
        let ends = ["\n", "\r\n", "\r"]
        let featureCount = 40
        var text = "label," + (0..<featureCount).map { "f\($0)" }.joined(separator: ",") + "\n"
        var expected: [[Double]] = []
        var labels: [Int] = []
        let rowCount = 2_000  // about 1.5 MB: more than one 1 MB chunk
        for r in 0..<rowCount {
            var fields: [String] = []
            var values: [Double] = []
            for c in 0..<featureCount {
                let v = (g.nextUnitDouble() - 0.5) * pow(10, Double(Int(g.nextUnitDouble() * 12)) - 4)
                let s = spell(v, (r + c) % 12)
                fields.append(s)
                values.append(Double(s.trimmingCharacters(in: .whitespaces))!)
            }
            labels.append(r % 10)
            expected.append(values)
            text += "\(r % 10)," + fields.joined(separator: ",") + ends[r % 3]
        }
        // One row longer than a chunk: a field of 1.2 MB of digits after the point.
        let long = "0." + String(repeating: "3", count: 1_200_000)
        text += "7," + ([long] + (1..<featureCount).map { _ in "1" }).joined(separator: ",") + "\n\n  \n"
        labels.append(7)
        expected.append([Double(long)!] + [Double](repeating: 1, count: featureCount - 1))
        let url = dir.appendingPathComponent("varied.csv")
        try Data(text.utf8).write(to: url)

        for scale in [1.0, 1.0 / 16] {
            let f = try Dataset<Float>(csvAt: url, featureScale: scale)
            let d = try Dataset<Double>(csvAt: url, featureScale: scale)
            #expect(f.labels == labels && d.labels == labels)
            #expect(f.features.shape == [rowCount + 1, featureCount])
            let fs = f.features.scalars, ds = d.features.scalars
            var mismatches = 0
            for r in 0..<expected.count {
                for c in 0..<featureCount {
                    let want = expected[r][c] * scale
                    if fs[r * featureCount + c].bitPattern != Float(want).bitPattern || ds[r * featureCount + c].bitPattern != want.bitPattern {
                        mismatches += 1
                    }
                }
            }
            #expect(mismatches == 0, "\(mismatches) fields differ from Double(String) at scale \(scale)")
        }
    }

    @Test("Fields that are not numbers are refused, naming line and column", arguments: [
        ("1,", 2), ("1,.", 2), ("1,-", 2), ("1,1e", 2), ("1,1 2", 2), ("1,nan", 2), ("1,inf", 2), ("1,--1", 2), ("1,0x", 2),
    ])
    func notNumbers(row: String, column: Int) throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.csv")
        try Data("label,a\n\(row)\n".utf8).write(to: url)
        let field = String(row.split(separator: ",", omittingEmptySubsequences: false)[1]).trimmingCharacters(in: .whitespaces)
        #expect(throws: DataError.notANumber(path: url.path, line: 2, column: column, field: field)) { try Dataset<Float>(csvAt: url) }
    }
}

@Suite("Round two: an output that fails after training does not lose the model")
struct RoundTwoLateFailureTests {
    @Test("The plot's directory vanishes during training: the checkpoint is still written, and the failure is named (item 3)")
    func checkpointSurvivesALatePlotFailure() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plots = dir.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        let checkpoint = dir.appendingPathComponent("model.safetensors")
        let tool = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let process = Process()
        process.executableURL = tool
        process.arguments = ["train", "--epochs", "3", "--save", checkpoint.path, "--plot", plots.appendingPathComponent("loss.svg").path]
        process.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // "training mlp with relu, …" is printed once every output has been checked, right
        // before the first epoch: remove the plot's directory then.
        var stderr = Data()
        while !String(decoding: stderr, as: UTF8.self).contains("training ") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stderr += chunk
        }
        try FileManager.default.removeItem(at: plots)
        stderr += err.fileHandleForReading.readDataToEndOfFile()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let text = String(decoding: stderr, as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 2, "\(text)")
        #expect(stdout.contains("test accuracy"))
        let last = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("tapegrad: training finished, but"), "\(last)")
        #expect(last.contains("loss plot") && last.contains("wrote the checkpoint"), "\(last)")
        // The checkpoint is whole: it loads into a fresh model of the same architecture.
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        #expect(file.metadata["model"] == "mlp")
        // Six model tensors, and Adam's two moments for each (the resumable state).
        #expect(file.entries.filter { !$0.name.hasPrefix("@") }.count == 6)
        #expect(file.entries.filter { $0.name.hasPrefix("@optimizer.") }.count == 12)
        let model = Sequential<Float> { Linear(64, 128); ReLU(); Linear(128, 64); ReLU(); Linear(64, 10) }
        try model.load(file)
    }
}

@Suite("Round two: the CSV reader's chunk boundaries and allocation bound")
struct RoundTwoCSVChunkTests {
    @Test("Every chunk size from 1 to 7 bytes reads the same data set as 1 MB chunks (CRLF split across chunks, lone CR at a chunk's end)")
    func chunkSizesAgree() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ends.csv")
        // Mixed line ends, spaces, a longer row, blank lines at the end and no final line end.
        let text = "label, a ,b\r\n1,2.5,-3\r0,  4,5e-1\n2,6,7\r\n3,0.125,-0\r\n\r\n  \n4,1,2"
        try Data(text.utf8).write(to: url)
        func read(_ chunk: Int) throws -> (Tensor<Double>, [Int]) {
            let reader = try CSVReader(path: url.path, chunkSize: chunk)
            defer { reader.close() }
            return try reader.parse(as: Double.self, hasHeader: true, labelColumn: 0, featureScale: 1, classCount: nil)
        }
        // A blank line in the middle is an error at every chunk size alike.
        let (reference, labels) = try {
            let clean = "label, a ,b\r\n1,2.5,-3\r0,  4,5e-1\n2,6,7\r\n3,0.125,-0\r\n4,1,2\n\n \r\n"
            try Data(clean.utf8).write(to: url)
            return try read(1 << 20)
        }()
        #expect(labels == [1, 0, 2, 3, 4])
        #expect(reference.scalars == [2.5, -3, 4, 0.5, 6, 7, 0.125, -0.0, 1, 2])
        for chunk in 1...7 {
            let (t, l) = try read(chunk)
            #expect(l == labels && t.scalars == reference.scalars, "chunk size \(chunk)")
        }
        try Data(text.utf8).write(to: url)
        for chunk in [1, 2, 3, 5, 7, 1 << 20] {
            #expect(throws: DataError.wrongFieldCount(path: url.path, line: 6, found: 0, expected: 3), "chunk size \(chunk)") { _ = try read(chunk) }
        }
    }

    @Test("Rows that disagree with the header are refused before the features are allocated (a 300 KB file asked for 40 GB)")
    func disagreeingRowsAreRefusedBeforeAllocating() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("wide.csv")
        let text = "l" + String(repeating: ",", count: 100_000) + "\n" + String(repeating: "0\n", count: 100_000)
        try Data(text.utf8).write(to: url)
        // The first pass finds the disagreement, before any allocation (the second pass would
        // report the same line, after allocating 10^10 floats).
        let reader = try CSVReader(path: url.path)
        defer { reader.close() }
        let shape = try reader.scanShape(hasHeader: true)
        #expect(shape.expectedFields == 100_001 && shape.lineCount == 100_001)
        #expect(shape.firstMismatch?.line == 2 && shape.firstMismatch?.fields == 1)
        #expect(throws: DataError.wrongFieldCount(path: url.path, line: 2, found: 1, expected: 100_001)) {
            _ = try Dataset<Float>(csvAt: url)
        }
    }

    @Test("Misplaced blame: a blank first row, a label column past the last, a trailing row of commas, a line without end")
    func clearerErrors() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("e.csv")
        try Data("\n0,1,2\n1,2,3\n".utf8).write(to: url)
        #expect(throws: DataError.wrongFieldCount(path: url.path, line: 1, found: 0, expected: 3)) { _ = try Dataset<Float>(csvAt: url, hasHeader: false) }
        try Data("l,a,b\n0,1,2\n".utf8).write(to: url)
        #expect(throws: DataError.noLabelColumn(path: url.path, labelColumn: 5, fieldCount: 3)) { _ = try Dataset<Float>(csvAt: url, labelColumn: 5) }
        try Data("l,a,b\n0,1,2\n,,\n".utf8).write(to: url)
        #expect(throws: DataError.badLabel(path: url.path, line: 3, field: "", reason: "is not an integer")) { _ = try Dataset<Float>(csvAt: url) }
        // 65 MB with no line end: refused after the first 64 MB, not buffered whole.
        let fd = open(url.path, O_WRONLY | O_TRUNC)
        let block = [UInt8](repeating: 0x31, count: 1 << 20)
        for _ in 0..<65 { _ = block.withUnsafeBytes { write(fd, $0.baseAddress!, block.count) } }
        close(fd)
        #expect(throws: DataError.self) { _ = try Dataset<Float>(csvAt: url) }
    }
}

@Suite("Round two: AtomicFile.sameFile through links")
struct RoundTwoSameFileTests {
    @Test("Linked folders, hard links, relative links, '..' and dangling links name the same file exactly when they do")
    func sameFileThroughLinks() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func u(_ p: String) -> URL { dir.appendingPathComponent(p) }
        try FileManager.default.createDirectory(at: u("real"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: u("other/sub"), withIntermediateDirectories: true)
        #expect(symlink("real", u("alias").path) == 0)  // a linked folder
        #expect(symlink(u("other/sub").path, u("deep").path) == 0)
        // Neither exists yet: through the linked folder they are one file.
        #expect(AtomicFile.sameFile(u("real/m"), u("alias/m")))
        #expect(!AtomicFile.sameFile(u("real/m"), u("alias/n")))
        // "deep/.." is "other" as the file system resolves it, not the text "dir".
        #expect(AtomicFile.sameFile(u("deep/../x"), u("other/x")))
        #expect(!AtomicFile.sameFile(u("deep/../x"), u("x")))
        // Existing files: the same inode through a hard link and through a file link.
        try Data([1]).write(to: u("real/f"))
        #expect(link(u("real/f").path, u("hard").path) == 0)
        #expect(symlink("real/f", u("soft").path) == 0)
        #expect(AtomicFile.sameFile(u("hard"), u("alias/f")))
        #expect(AtomicFile.sameFile(u("soft"), u("real/f")))
        // A dangling link is the file it would create.
        #expect(symlink("real/new", u("dangling").path) == 0)
        #expect(AtomicFile.sameFile(u("dangling"), u("alias/new")))
        // A link loop is never "the same" as anything (resolving it fails).
        #expect(symlink("loop2", u("loop1").path) == 0 && symlink("loop1", u("loop2").path) == 0)
        #expect(!AtomicFile.sameFile(u("loop1"), u("loop2")))
        #expect(throws: FileWriteError.self) { try AtomicFile.checkWritable(u("loop1")) }
    }

    @Test("train refuses --save and --plot that are one file through a linked folder")
    func trainRefusesLinkedOutputs() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d2"), withIntermediateDirectories: true)
        #expect(symlink("d2", dir.appendingPathComponent("d1").path) == 0)
        let (status, stdout, stderr) = try runTool(["train", "--save", "d1/m", "--plot", "d2/m"], in: dir)
        #expect(status == 2 && stdout.isEmpty, "\(stderr)")
        #expect(stderr.contains("same file"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("d2").path).isEmpty)
    }
}
