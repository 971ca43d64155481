import Foundation
import Autograd

extension ActivationCatalogue {
    /// The catalogue as a Markdown table — Docs/Activations.md holds it between the
    /// `<!-- catalogue -->` markers, and a test keeps the two equal (`tapegrad list --markdown`
    /// prints it). One row per entry, in catalogue order: name (* when not element-wise), module,
    /// parameters with defaults and domains, whether it runs in place, and the summary.
    public static func markdownTable(_ activations: [RegisteredActivation]? = nil) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        func number(_ v: Double) -> String {
            if v == M_E { return "e" }
            return v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int(v)) : "\(v)"
        }
        var lines = [
            "| CLI name | module | parameters (default) [domain] | in place | description |",
            "|---|---|---|---|---|",
        ]
        for a in activations ?? registeredActivations {
            let e = a.entry
            let parameters = e.parameters.map { p -> String in
                let value = p.defaultValue.map(number) ?? "(required)"
                let domain = p.domain == .any ? "" : " [\(p.requirement)]"
                return "\(p.name) \(value)\(domain)"
            }
            let inPlace = a.isRule ? (a.worksInPlace ? "yes" : "no") : "–"
            lines.append(
                "| `\(e.name)`\(e.isElementwise ? "" : " *") | `\(e.moduleName)` | \(parameters.isEmpty ? "–" : cell(parameters.joined(separator: ", "))) | \(inPlace) | \(cell(e.summary)) |")
        }
        return lines.joined(separator: "\n")
    }
}
