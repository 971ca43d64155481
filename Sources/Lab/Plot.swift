import Foundation

/// A line chart as SVG: several labelled series over a shared x axis, linear or log₁₀ y.
struct LinePlot {
    struct Series {
        var label: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var logY = false
    var series: [Series] = []
    /// Horizontal reference lines (value, label), drawn dashed.
    var references: [(Double, String)] = []

    mutating func add(_ label: String, _ points: [(Double, Double)]) {
        series.append(Series(label: label, points: points.map { (x: $0.0, y: $0.1) }))
    }

    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]

    var svg: String {
        let w = 640.0, h = 400.0, left = 70.0, right = 150.0, top = 36.0, bottom = 48.0
        func ty(_ y: Double) -> Double? {
            guard y.isFinite else { return nil }
            if logY { return y > 0 ? log10(y) : nil }
            return y
        }
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        let ys = (series.flatMap { $0.points.compactMap { ty($0.y) } } + references.compactMap { ty($0.0) })
        let x0 = xs.min() ?? 0, x1 = Swift.max(xs.max() ?? 1, x0 + 1e-12)
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad
        y1 += pad
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (w - left - right) }
        func py(_ y: Double) -> Double { h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom) }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(w / 2)" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>

            """
        // Axes and ticks: 5 on each.
        for i in 0...4 {
            let yv = y0 + (y1 - y0) * Double(i) / 4
            let y = py(yv)
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", left, y, w - right, y)
            let label = logY ? String(format: "1e%.1f", yv) : String(format: "%.3g", yv)
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", left - 6, y + 4, label)
            let xv = x0 + (x1 - x0) * Double(i) / 4
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n", px(xv), h - bottom + 16, String(format: "%.3g", xv))
        }
        out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, h - bottom, w - right, h - bottom)
        out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, top, left, h - bottom)
        out += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16,\((top + h - bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel + (logY ? " (log₁₀)" : "")))</text>\n"
        for (value, label) in references {
            guard let y = ty(value) else { continue }
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n", left, py(y), w - right, py(y))
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%@</text>\n", w - right + 4, py(y) + 4, escape(label))
        }
        for (i, s) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            let pts = s.points.compactMap { p -> String? in
                guard p.x.isFinite, let y = ty(p.y) else { return nil }
                return String(format: "%.1f,%.1f", px(p.x), py(y))
            }
            if pts.count > 1 {
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(pts.joined(separator: " "))\"/>\n"
            } else if let p = pts.first {
                let c = p.split(separator: ",")
                out += "<circle cx=\"\(c[0])\" cy=\"\(c[1])\" r=\"3\" fill=\"\(color)\"/>\n"
            }
            let ly = top + 14 + Double(i) * 16
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>\n", w - right + 8, ly - 4, w - right + 26, ly - 4, color)
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n", w - right + 30, ly, escape(s.label))
        }
        return out + "</svg>\n"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
