import Foundation
import NN

/// `tapegrad list`: every activation in the catalogue with its parameters (defaults) and a
/// one-line description; `--json` prints one object per line.
enum ListCommand {
    static func run(_ options: Options) throws {
        if options.flag("--markdown") {
            if options.flag("--json") { throw CLIError.usage("--markdown and --json are two formats; give one") }
            print(ActivationCatalogue.markdownTable())
            return
        }
        if options.flag("--json") {
            for e in ActivationCatalogue.entries { print(json(e)) }
            return
        }
        let rows = ActivationCatalogue.entries.map { e in
            (e.name + (e.isElementwise ? "" : " *"), parameters(e), e.summary)
        }
        let w0 = max(10, rows.map(\.0.count).max() ?? 0)
        let w1 = max(10, rows.map(\.1.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        print(pad("name", w0) + "  " + pad("parameters", w1) + "  description")
        for (name, params, summary) in rows { print(pad(name, w0) + "  " + pad(params, w1) + "  " + summary) }
        print("""

            * not element-wise (not usable as a model's --activation).
            Spec syntax: name or name:key=value,key=value, e.g. leaky_relu:negative_slope=0.2, prelu:channels=128.
            """)
    }

    /// "negative_slope=0.01, …"; a required parameter shows as "name=?".
    static func parameters(_ e: ActivationEntry) -> String {
        e.parameters.isEmpty ? "–" : e.parameters.map { "\($0.name)=\($0.defaultValue.map(number) ?? "?")" }.joined(separator: ", ")
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }

    static func json(_ e: ActivationEntry) -> String {
        let params = e.parameters.map { p in
            "{\"name\":\(quoted(p.name)),\"type\":\(quoted(p.kind.rawValue)),\"default\":\(p.defaultValue.flatMap { $0.isFinite ? number($0) : nil } ?? "null"),"
                + "\"requirement\":\(quoted(p.requirement)),\"description\":\(quoted(p.summary))}"
        }
        return "{\"name\":\(quoted(e.name)),\"module\":\(quoted(e.moduleName)),\"elementwise\":\(e.isElementwise),"
            + "\"parameters\":[\(params.joined(separator: ","))],\"description\":\(quoted(e.summary))}"
    }

    static func quoted(_ s: String) -> String { JSONLine.quoted(s) }
}
