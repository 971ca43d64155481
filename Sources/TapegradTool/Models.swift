import Foundation
import NN

// The models `tapegrad train` knows, all for 8×8 digits with 10 classes.
extension TrainCommand {
    /// The feature count every model takes: 8×8 digits.
    static let inputFeatures = 64

    /// An activation module from a catalogue spec ("relu", "elu:alpha=0.5", …) for the place in
    /// a model that follows `channels` features (channels of a feature map); a bad spec is a
    /// flag error.
    ///
    /// A spec with a `channels` parameter (prelu, trainable_swish) must give 1 (one shared
    /// value) or exactly `channels` there: any other count would stop the first forward pass.
    /// With `per_channel=1` and no `channels`, it gets one value per channel of the place: per
    /// unit of each hidden layer in the MLP (128, then 64), per feature-map channel in the CNN
    /// (16, then 32). Without `per_channel`, the CNN's prelu is per channel and everything else
    /// shared (one value, as PyTorch's `nn.PReLU()`); `per_channel=0` asks for shared.
    static func makeActivation(_ spec: String, channels: Int, place: String, perChannelPReLU: Bool = false) throws -> any Layer<Float> {
        let parsed: ActivationSpec
        do {
            parsed = try ActivationSpec(parsing: spec)
        } catch {
            throw CLIError.usage("--activation \(spec): \(error)")
        }
        guard parsed.entry.isElementwise else {
            throw CLIError.badValue(flag: "--activation", value: spec, expected: "an element-wise activation (see 'tapegrad list')")
        }
        if let given = parsed.arguments["channels"], given != 1, given != Double(channels) {
            throw CLIError.badValue(
                flag: "--activation", value: spec,
                expected: "channels=1 (one shared value) or channels=\(channels): the \(place) follows \(channels) channels")
        }
        let explicit = parsed.arguments["per_channel"].map { $0 == 1 }
        if parsed.arguments["channels"] == nil {
            if parsed.entry.name == "prelu", explicit ?? perChannelPReLU {
                return PReLU<Float>(channels: channels, initialValue: Float(parsed.value(of: "init")))
            }
            if parsed.entry.name == "trainable_swish", explicit ?? false {
                return TrainableSwish<Float>(channels: channels, initialValue: Float(parsed.value(of: "init")))
            }
        }
        return parsed.makeLayer(Float.self)
    }

    /// - mlp: 64-128-64-10 with the activation after each hidden layer (the PyTorch anchor's model).
    /// - cnn: conv 1→16 3×3, batch norm, activation, max-pool 2, conv 16→32 3×3, batch norm, activation,
    ///   max-pool 2, linear 128→10 (batch norm: 0.96–0.97 test accuracy over seeds 0–3; without, 0.94).
    /// - maxout: two maxout layers (k = 2 pieces) 64→128→64, then linear 64→10 (the activation flag is unused).
    static func makeModel(_ name: String, activation: String) throws -> any Layer<Float> {
        switch name {
        case "cnn":
            return try Sequential<Float> {
                Conv2d(1, 16, kernelSize: 3, padding: 1)  // on [N, 1, 8, 8]: inputFeatures = 64
                BatchNorm2d(16)
                try makeActivation(activation, channels: 16, place: "cnn's first activation", perChannelPReLU: true)
                MaxPool2d(kernelSize: 2)
                Conv2d(16, 32, kernelSize: 3, padding: 1)
                BatchNorm2d(32)
                try makeActivation(activation, channels: 32, place: "cnn's second activation", perChannelPReLU: true)
                MaxPool2d(kernelSize: 2)
                Flatten()
                Linear(128, 10)
            }
        case "maxout":
            return Sequential<Float> {
                Maxout(inputs: 64, outputs: 128, pieces: 2)
                Maxout(inputs: 128, outputs: 64, pieces: 2)
                Linear(64, 10)
            }
        default:
            return try Sequential<Float> {
                Linear(inputFeatures, 128)
                try makeActivation(activation, channels: 128, place: "mlp's first activation")
                Linear(128, 64)
                try makeActivation(activation, channels: 64, place: "mlp's second activation")
                Linear(64, 10)
            }
        }
    }

    static func makeOptimizer(_ name: String, parameters: [Parameter<Float>], learningRate: Double) -> any Optimizer<Float> {
        switch name {
        case "sgd": return SGD(parameters: parameters, learningRate: learningRate, momentum: 0.9)
        case "rmsprop": return RMSProp(parameters: parameters, learningRate: learningRate)
        case "adamw": return AdamW(parameters: parameters, learningRate: learningRate)
        case "adagrad": return Adagrad(parameters: parameters, learningRate: learningRate)
        default: return Adam(parameters: parameters, learningRate: learningRate)
        }
    }

    /// Mean training loss per epoch, one line per run, as SVG (written atomically).
    static func writeLossPlot(_ outcomes: [Outcome], to path: String) throws {
        let w = 640.0, h = 400.0, left = 56.0, right = 150.0, top = 24.0, bottom = 40.0
        let epochs = outcomes.map(\.epochLosses.count).max() ?? 1
        let all = outcomes.flatMap(\.epochLosses).filter { $0.isFinite && $0 > 0 }
        // Log scale: losses fall over orders of magnitude.
        let lo = floor(log10(all.min() ?? 0.01)), hi = ceil(log10(all.max() ?? 1))
        let span = max(hi - lo, 1)
        func px(_ e: Int) -> Double { left + Double(e - 1) / Double(max(epochs - 1, 1)) * (w - left - right) }
        func py(_ v: Double) -> Double { top + (hi - log10(v)) / span * (h - top - bottom) }
        let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="16" fill="#333">mean training loss per epoch (log scale)</text>

            """
        var decade = lo
        while decade <= hi {
            let y = py(pow(10, decade))
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", left, y, w - right, y)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">1e%d</text>\n", left - 4, y + 4, Int(decade))
            decade += 1
        }
        for e in Set([1, max(1, epochs / 2), epochs]).sorted() {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#666\">%d</text>\n", px(e), h - bottom + 16, e)
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#666\">epoch</text>\n", (left + w - right) / 2, h - 6)
        for (i, o) in outcomes.enumerated() {
            let color = colors[i % colors.count]
            var d = ""
            for (e, v) in o.epochLosses.enumerated() where v.isFinite && v > 0 {
                d += String(format: "%@%.2f,%.2f ", d.isEmpty ? "M" : "L", px(e + 1), py(v))
            }
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">%@ %.3f</text>\n", w - right + 8, top + 16 * Double(i + 1), color, o.config.activation, o.testAccuracy)
        }
        svg += "</svg>\n"
        do {
            try AtomicFile.write(Array(svg.utf8), to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.file(path: path, reason: "cannot write the loss plot (\(error.reason))")
        }
    }
}
