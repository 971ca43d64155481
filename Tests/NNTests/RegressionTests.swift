import Foundation
import Testing
import TestSupport

@testable import NN

/// Regression data (CSV with real targets, the generated set) and `tapegrad train --task regression`.
@Suite("Regression task")
struct RegressionTests {
    let dir: URL = {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-regression-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }()

    func file(_ name: String, _ text: String) -> URL {
        let url = dir.appendingPathComponent(name)
        try! Data(text.utf8).write(to: url)
        return url
    }

    @Test("A CSV's last column is the target; a header is skipped; CRLF line ends; values as written")
    func csv() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = try RegressionData<Double>(csvAt: file("a.csv", "x1,x2,y\r\n1.5,-2,0.25\r\n3,4e-1,-7\r\n\r\n"))
        #expect(d.count == 2 && d.featureCount == 2 && d.targetCount == 1)
        #expect(d.features.scalars == [1.5, -2, 3, 0.4] && d.targets.scalars == [0.25, -7])
        let two = try RegressionData<Float>(csvAt: file("b.csv", "1,2,3,4\n5,6,7,8\n"), targetCount: 2)
        #expect(two.features.scalars == [1, 2, 5, 6] && two.targets.scalars == [3, 4, 7, 8])
    }

    @Test("Bad CSVs throw a DataError naming the line and column", arguments: ["fields", "number", "overflow", "empty", "missing"])
    func badCSV(_ which: String) {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (url, expected): (URL, String) = switch which {
        case "fields": (file("f.csv", "a,b,y\n1,2,3\n4,5\n"), "line 3: 2 fields, expected 3")
        case "number": (file("n.csv", "1,2,3\n4,x,6\n"), "line 2, column 1: 'x'")
        case "overflow": (file("o.csv", "1,2,3\n4,1e300,6\n"), "outside Float's range")
        case "empty": (file("e.csv", "x,y\n"), "no data rows")
        default: (dir.appendingPathComponent("none.csv"), "no file")
        }
        do {
            _ = try RegressionData<Float>(csvAt: url)
            Issue.record("\(which): no error")
        } catch {
            #expect(error.description.contains(expected), "\(which): \(error)")
        }
    }

    @Test("The generated set is the stated function plus small noise, the same for the same seed")
    func synthetic() {
        let d = RegressionData<Double>.synthetic(count: 500, seed: 3)
        let again = RegressionData<Double>.synthetic(count: 500, seed: 3)
        #expect(d.features.scalars == again.features.scalars && d.targets.scalars == again.targets.scalars)
        let residuals = (0..<500).map { i -> Double in
            let a = d.features.scalars[2 * i], b = d.features.scalars[2 * i + 1]
            return d.targets.scalars[i] - (sin(a) * cos(b) + a * a / 10)
        }
        let sd = (residuals.reduce(0) { $0 + $1 * $1 } / 500).squareRoot()
        #expect(sd > 0.04 && sd < 0.06, "\(sd)")
        #expect(d.features.scalars.allSatisfy { $0 >= -2 && $0 <= 2 })
    }

    @Test("tapegrad train --task regression learns the generated set (R² > 0.5 in 3 epochs) and a CSV; refuses --model cnn")
    func tool() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let executable = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let r = try CLICatalogue.run(executable, ["train", "--task", "regression", "--epochs", "3", "--lr", "0.01", "--json"], in: dir)
        #expect(r.reason == .exit && r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["task"] as? String == "regression" && (object["test_r2"] as? Double ?? 0) > 0.5, "\(r.stdout)")
        // y = 2x₁ − x₂ on a written CSV: a linear target any activation fits.
        let rows = (0..<60).map { i -> String in let a = Double(i % 7) / 3, b = Double(i % 5) / 2; return "\(a),\(b),\(2 * a - b)" }
        _ = file("lin.csv", "a,b,y\n" + rows.joined(separator: "\n") + "\n")
        let csv = try CLICatalogue.run(executable, ["train", "--task", "regression", "--data", "lin.csv", "--epochs", "30", "--lr", "0.01", "--json"], in: dir)
        #expect(csv.status == 0 && csv.stdout.contains("\"test_rmse\""), "\(csv.stderr)")
        let refused = try CLICatalogue.run(executable, ["train", "--task", "regression", "--model", "cnn"], in: dir)
        #expect(refused.status == 2 && refused.stderr.contains("--model with --task regression"), "\(refused.stderr)")
    }
}
