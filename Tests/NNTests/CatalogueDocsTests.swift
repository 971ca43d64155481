import Foundation
import Testing
import TestSupport

@testable import NN

/// Docs/Activations.md's catalogue table is derived from the registry: it must be exactly what
/// `ActivationCatalogue.markdownTable()` prints for the built-in activations (regenerate it with
/// `swift run tapegrad list --markdown`).
@Suite struct CatalogueDocsTests {
    @Test func theDocsTableIsTheRegistrys() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Docs/Activations.md").standardized
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- catalogue:begin -->\n"))
        let end = try #require(text.range(of: "\n<!-- catalogue:end -->"))
        let table = String(text[begin.upperBound..<end.lowerBound])
        let expected = ActivationCatalogue.markdownTable(ActivationCatalogue.builtIn)
        let documented = table.split(separator: "\n").map(String.init)
        let derived = expected.split(separator: "\n").map(String.init)
        #expect(documented.count == derived.count, "Docs/Activations.md has \(documented.count) table lines, the registry \(derived.count): regenerate with `swift run tapegrad list --markdown`")
        for (d, r) in zip(documented, derived) where d != r {
            Issue.record("Docs/Activations.md differs from the registry:\n  docs:     \(d)\n  registry: \(r)\nregenerate with `swift run tapegrad list --markdown`")
        }
        // Every built-in name appears once (the table cannot silently drop an activation).
        for e in ActivationCatalogue.builtIn.map(\.entry) {
            #expect(documented.filter { $0.hasPrefix("| `\(e.name)`") }.count == 1, "\(e.name)")
        }
    }
}
