import Foundation
import NN

/// `tapegrad plot`: draws f and f′ of every activation as SVG (the pictures in
/// Docs/Activations.md), computed by Tapegrad itself.
enum PlotCommand {
    static func run(_ options: Options) throws {
        // Untracked by default; the docs' pictures are regenerated with --output Docs/plots.
        let directory = options.string("--output") ?? "runs/plots"
        let only = options.string("--activation")
        let entries = GradcheckCommand.entries.filter { only == nil || $0.name == only }
        if entries.isEmpty {
            throw CLIError.badValue(flag: "--activation", value: only ?? "", expected: "one of " + GradcheckCommand.entries.map(\.name).joined(separator: ", "))
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError.file(path: directory, reason: "cannot create the directory (\(error.localizedDescription))")
        }
        for e in entries {
            let svg = render(e)
            let path = (directory as NSString).appendingPathComponent("\(e.name).svg")
            // Atomic, following a symbolic link and keeping the file's permissions.
            do {
                try AtomicFile.write(Array(svg.utf8), to: URL(fileURLWithPath: path))
            } catch {
                throw CLIError.file(path: path, reason: error.reason)
            }
            print("wrote \(oneLine(path))")
        }
    }

    static func render(_ e: GradcheckCommand.Entry) -> String {
        let lo = -5.0
        let hi = 5.0
        let n = 401
        let xs = (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
        let x = Variable(Tensor<Double>(xs), requiresGradient: true)
        let y = e.f(x)
        y.sum().backward()
        let f = y.value.scalars
        let d = x.gradient!.scalars
        // y range: cover both curves, at least [−1.5, 1.5], at most [−6, 6].
        let finite = (f + d).filter { $0.isFinite }
        let yLo = Swift.max(-6, Swift.min(-1.5, (finite.min() ?? -1) - 0.25))
        let yHi = Swift.min(6, Swift.max(1.5, (finite.max() ?? 1) + 0.25))
        let w = 480.0
        let h = 320.0
        let margin = 36.0
        func px(_ v: Double) -> Double { margin + (v - lo) / (hi - lo) * (w - 2 * margin) }
        func py(_ v: Double) -> Double { h - margin - (Swift.min(Swift.max(v, yLo), yHi) - yLo) / (yHi - yLo) * (h - 2 * margin) }
        func path(_ vs: [Double]) -> String {
            var s = ""
            var pen = false
            for (i, v) in vs.enumerated() {
                guard v.isFinite else {
                    pen = false
                    continue
                }
                s += String(format: "%@%.2f,%.2f ", pen ? "L" : "M", px(xs[i]), py(v))
                pen = true
            }
            return s
        }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        // Grid and axes.
        for gx in stride(from: lo, through: hi, by: 1) {
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", px(gx), margin, px(gx), h - margin)
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#666\">%d</text>\n", px(gx), h - margin + 14, Int(gx))
        }
        for gy in stride(from: yLo.rounded(.up), through: yHi, by: 1) {
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", margin, py(gy), w - margin, py(gy))
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">%d</text>\n", margin - 4, py(gy) + 4, Int(gy))
        }
        out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", margin, py(0), w - margin, py(0))
        out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", px(0), margin, px(0), h - margin)
        out += "<path d=\"\(path(f))\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n"
        out += "<path d=\"\(path(d))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n"
        out += "<text x=\"\(Int(margin))\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(e.name)</text>\n"
        out += "<text x=\"\(Int(w - margin - 120))\" y=\"22\" fill=\"#1f77b4\">— f(x)</text>\n"
        out += "<text x=\"\(Int(w - margin - 60))\" y=\"22\" fill=\"#d62728\">- - f′(x)</text>\n"
        out += "</svg>\n"
        return out
    }
}
