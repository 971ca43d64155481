import Foundation
import Testing
import TestSupport

@testable import NN

/// The seeded validation split, random-shift augmentation, early stopping, and the tool's flags.
@Suite("Validation split, augmentation, early stopping")
struct SplitsTests {
    static let data = Dataset<Float>(features: Tensor(shape: [10, 4], scalars: (0..<40).map(Float.init)), labels: Array(0..<10))

    @Test("split(validationFraction:seed:) partitions the rows, the same for the same seed, rounded with one on each side")
    func split() {
        let (t, v) = Self.data.split(validationFraction: 0.3, seed: 5)
        #expect(v.count == 3 && t.count == 7)
        #expect(Set(t.labels).isDisjoint(with: v.labels) && Set(t.labels + v.labels) == Set(0..<10))
        #expect(t.labels == t.labels.sorted() && v.labels == v.labels.sorted())  // order kept within each part
        // Features travel with their labels.
        for (i, label) in v.labels.enumerated() { #expect(v.features[i].scalars == Self.data.features[label].scalars) }
        #expect(Self.data.split(validationFraction: 0.3, seed: 5).validation.labels == v.labels)
        #expect(Self.data.split(validationFraction: 0.3, seed: 6).validation.labels != v.labels)
        #expect(Self.data.split(validationFraction: 0.001, seed: 1).validation.count == 1)
    }

    @Test("randomlyShifted moves each image by whole pixels within ±k, zeros shifted in; same generator, same shifts")
    func shifts() {
        // 3×3 images holding 1…9: a shift is visible as where the values moved.
        let images = Dataset<Float>(features: Tensor(shape: [50, 9], scalars: (0..<450).map { Float($0 % 9 + 1) }), labels: Array(repeating: 0, count: 50))
        var g = TensorRandom(seed: 2)
        let shifted = images.randomlyShifted(maxShift: 1, height: 3, width: 3, generator: &g)
        var moved = 0
        for n in 0..<50 {
            let row = shifted.features[n].scalars
            // Find (dy, dx) with row[y, x] = original[y − dy, x − dx] (or 0 outside).
            let matches = (-1...1).flatMap { dy in (-1...1).map { dx in (dy, dx) } }.filter { dy, dx in
                (0..<3).allSatisfy { y in (0..<3).allSatisfy { x in
                    let sy = y - dy, sx = x - dx
                    return row[y * 3 + x] == ((0..<3).contains(sy) && (0..<3).contains(sx) ? Float(sy * 3 + sx + 1) : 0)
                } }
            }
            #expect(matches.count == 1, "image \(n): \(row)")
            if matches.first! != (0, 0) { moved += 1 }
        }
        #expect(moved > 30)  // 8 of the 9 shifts move the image
        var again = TensorRandom(seed: 2)
        #expect(images.randomlyShifted(maxShift: 1, height: 3, width: 3, generator: &again).features.scalars == shifted.features.scalars)
        var none = TensorRandom(seed: 2)
        #expect(images.randomlyShifted(maxShift: 0, height: 3, width: 3, generator: &none).features.scalars == images.features.scalars)
    }

    @Test("EarlyStopping stops after `patience` epochs without an improvement larger than minDelta; NaN never improves")
    func earlyStopping() {
        let s = EarlyStopping(patience: 2, minDelta: 0.01)
        let losses = [1.0, 0.9, 0.895, 0.95, 0.5, .nan, 0.5]
        let stops = losses.map { s.shouldStop(after: $0) }
        #expect(stops == [false, false, false, true, false, false, true])
        #expect(s.best == 0.5 && s.bestEpoch == 4)
    }

    @Test("tapegrad train --validation --early-stopping --history --augment-shift: the history has one line per epoch run")
    func toolFlags() throws {
        let executable = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLICatalogue.run(executable, ["train", "--epochs", "40", "--validation", "0.2", "--early-stopping", "1", "--lr", "0.2",
                                                  "--augment-shift", "1", "--history", "h.jsonl", "--json", "--quiet", "--plot", "p.svg"], in: dir)
        #expect(r.reason == .exit && r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let run = try #require(object["epochs_run"] as? Int)
        #expect(object["stopped_early"] as? Bool == true && run < 40)
        let lines = try String(contentsOf: dir.appendingPathComponent("h.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == run)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        #expect(last["epoch"] as? Int == run && last["validation_loss"] is Double && last["validation_accuracy"] is Double)
        let refused = try CLICatalogue.run(executable, ["train", "--early-stopping", "3"], in: dir)
        #expect(refused.status == 2 && refused.stderr.contains("--validation"), "\(refused.stderr)")
    }
}
