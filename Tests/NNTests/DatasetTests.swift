import Foundation
import Testing
import TestSupport

@testable import NN

/// Writes `text` to a fresh temporary file.
private func csvFile(_ text: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-data-\(UUID().uuidString).csv")
    try! Data(text.utf8).write(to: url)
    return url
}

private let digitsURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Data/digits.csv")

private func tiny(count: Int, features: Int = 2) -> Dataset<Double> {
    let values = (0..<(count * features)).map(Double.init)
    return Dataset(features: Tensor(shape: [count, features], scalars: values), labels: Array(0..<count))
}

@Suite("Datasets")
struct DatasetTests {
    @Test("The shipped digits file loads: 1797 rows of 64 pixels scaled to 0…1, labels 0…9, split 1437/360")
    func digits() throws {
        let d = try Dataset<Float>.digits(at: digitsURL)
        #expect(d.count == 1797)
        #expect(d.featureCount == 64)
        #expect(d.features.shape == [1797, 64])
        #expect(Set(d.labels) == Set(0..<10))
        let pixels = d.features.scalars
        #expect(pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(pixels.max() == 1)
        // First row of the file: "0,0,0,5,13,9,1,0,0,…"
        #expect(d.labels[0] == 0)
        let firstPixels: [Float] = [0, 0, 5, 13, 9, 1].map { $0 / 16 }
        #expect(Array(pixels[0..<6]) == firstPixels)
        let (train, test) = d.split(at: 1437)
        #expect(train.count == 1437 && test.count == 360)
        #expect(test.labels == Array(d.labels[1437...]))
        #expect(test.features.scalars == Array(pixels[(1437 * 64)...]))
    }

    @Test("Any label column, no header, CRLF, spaces and trailing blank lines")
    func csvVariants() throws {
        let url = csvFile("1.5, 2 ,3\r\n-4,5e-1,1\r\n\r\n\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let d = try Dataset<Double>(csvAt: url, hasHeader: false, labelColumn: 2, featureScale: 2)
        #expect(d.labels == [3, 1])
        #expect(d.features.shape == [2, 2])
        #expect(d.features.scalars == [3, 4, -8, 1])
    }

    @Test("Bad rows are reported with their line number and what is wrong", arguments: [
        ("label,a,b\n1,2,3\n4,5\n", DataError.wrongFieldCount(path: "", line: 3, found: 2, expected: 3)),
        ("label,a,b\n1,2,3\n4,5,6,7\n", .wrongFieldCount(path: "", line: 3, found: 4, expected: 3)),
        ("label,a,b\n1,2,3\n\n4,5,6\n", .wrongFieldCount(path: "", line: 3, found: 0, expected: 3)),
        ("label,a,b\n1,2,3\n2,x,3\n", .notANumber(path: "", line: 3, column: 2, field: "x")),
        ("label,a,b\n1,2,\n", .notANumber(path: "", line: 2, column: 3, field: "")),
        ("label,a,b\n1,2,3\n1,2,3\n1,nan,3\n", .notANumber(path: "", line: 4, column: 2, field: "nan")),
        ("label,a,b\n1,2,inf\n", .notANumber(path: "", line: 2, column: 3, field: "inf")),
        ("label,a,b\n1.5,2,3\n", .badLabel(path: "", line: 2, field: "1.5", reason: "is not an integer")),
        ("label,a,b\n1,2,3\nseven,2,3\n", .badLabel(path: "", line: 3, field: "seven", reason: "is not an integer")),
        ("label,a,b\n1,2,3\n10,2,3\n", .badLabel(path: "", line: 3, field: "10", reason: "is outside 0..<10")),
        ("label,a,b\n-1,2,3\n", .badLabel(path: "", line: 2, field: "-1", reason: "is outside 0..<10")),
        ("", .empty(path: "")),
        ("label,a,b\n", .empty(path: "")),
        ("label,a,b\n\n\n", .empty(path: "")),
    ] as [(String, DataError)])
    func badRows(text: String, expected: DataError) {
        let url = csvFile(text)
        defer { try? FileManager.default.removeItem(at: url) }
        let withPath: DataError = switch expected {
        case let .wrongFieldCount(_, line, found, exp): .wrongFieldCount(path: url.path, line: line, found: found, expected: exp)
        case let .notANumber(_, line, column, field): .notANumber(path: url.path, line: line, column: column, field: field)
        case let .badLabel(_, line, field, reason): .badLabel(path: url.path, line: line, field: field, reason: reason)
        case .empty: .empty(path: url.path)
        default: expected
        }
        let error = #expect(throws: DataError.self) {
            _ = try Dataset<Float>(csvAt: url, featureScale: 1, classCount: 10)
        }
        #expect(error == withPath)
        #expect(error?.description.contains("\n") == false)
        if case .wrongFieldCount(_, let line, _, _)? = error { #expect(error!.description.contains("line \(line)")) }
    }

    @Test("A missing file and a non-UTF-8 file are typed errors")
    func fileErrors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-tapegrad/digits.csv")
        #expect(throws: DataError.fileNotFound(path: missing.path)) { try Dataset<Float>.digits(at: missing) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-data-\(UUID().uuidString).csv")
        try Data([0x6C, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // Bytes that are not UTF-8 where a number belongs: the field is named, with its line.
        #expect(throws: DataError.badLabel(path: url.path, line: 2, field: "\u{FFFD}\u{FFFD}", reason: "is not an integer")) {
            try Dataset<Float>.digits(at: url)
        }
        // A header is never parsed, so a Latin-1 header name ("é" as 0xE9) is fine.
        try Data([0x6C, 0x2C, 0xE9, 0x0A, 0x33, 0x2C, 0x31, 0x0A]).write(to: url)
        let latin = try Dataset<Float>(csvAt: url)
        #expect(latin.labels == [3] && latin.features.scalars == [1])
    }

    @Test("Every row is seen exactly once per epoch; the last partial batch is kept")
    func epochCoversEveryRow() {
        let d = tiny(count: 23, features: 3)
        var g = TensorRandom(seed: 11)
        for _ in 0..<3 {
            let batches = Array(d.batches(size: 5, generator: &g))
            #expect(batches.map(\.labels.count) == [5, 5, 5, 5, 3])
            #expect(batches.flatMap(\.labels).sorted() == Array(0..<23))
            for (x, labels) in batches {
                #expect(x.shape == [labels.count, 3])
                // Each feature row is the row of its label: [3l, 3l+1, 3l+2].
                let want: [Double] = labels.flatMap { (l: Int) -> [Double] in
                    let base = Double(3 * l)
                    return [base, base + 1, base + 2]
                }
                #expect(x.scalars == want)
            }
        }
        // Unshuffled: file order.
        #expect(Array(d.batches(size: 10, shuffle: false, seed: 0)).flatMap(\.labels) == Array(0..<23))
        #expect(BatchIndices(count: 0, batchSize: 4, seed: 1).map { $0 }.isEmpty)
        #expect(BatchIndices(count: 8, batchSize: 4, seed: 1).batchCount == 2)
    }

    @Test("Same seed, same order; different seeds or a second epoch, a different order")
    func seededOrder() {
        let d = tiny(count: 50)
        let a = Array(d.batches(size: 8, seed: 42)).flatMap(\.labels)
        let b = Array(d.batches(size: 8, seed: 42)).flatMap(\.labels)
        let c = Array(d.batches(size: 8, seed: 43)).flatMap(\.labels)
        #expect(a == b)
        #expect(a != c)
        #expect(a != Array(0..<50))
        var g = TensorRandom(seed: 42)
        let first = BatchIndices(count: 50, batchSize: 8, generator: &g).permutation
        let second = BatchIndices(count: 50, batchSize: 8, generator: &g).permutation
        #expect(first == a)
        #expect(first != second)
    }

    @Test("Fisher–Yates draws every permutation of 3 elements about equally often")
    func permutationIsUniform() {
        var g = TensorRandom(seed: 5)
        var counts: [[Int]: Int] = [:]
        let trials = 6000
        for _ in 0..<trials { counts[g.permutation(3), default: 0] += 1 }
        #expect(counts.count == 6)
        // Each of the 6 has probability 1/6: expected 1000, standard deviation ≈ 29; allow 5σ.
        for (_, n) in counts { #expect(abs(n - 1000) < 150) }
        #expect(g.permutation(0).isEmpty && g.permutation(1) == [0])
        for _ in 0..<200 { #expect((0..<7).contains(g.nextIndex(below: 7))) }
    }

    @Test("subset and split keep rows and labels together")
    func subsets() {
        let d = tiny(count: 6)
        let s = d.subset([4, 1, 4])
        #expect(s.labels == [4, 1, 4])
        #expect(s.features.scalars == [8, 9, 2, 3, 8, 9])
        let (head, tail) = d.split(at: 0)
        #expect(head.count == 0 && tail.count == 6)
        #expect(head.features.shape == [0, 2])
    }
}
