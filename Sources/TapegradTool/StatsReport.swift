import Foundation
import NN

/// `tapegrad train --stats`: each epoch's activation statistics (every leaf layer's outputs over
/// the epoch's training batches) and gradient statistics (each parameter, the epoch's last batch).
enum StatsReport {
    static func text(epoch: Int, probe: ActivationProbe<Float>, gradients: [GradientStatistics]) -> String {
        var lines = ["epoch \(epoch) activations   mean      sd    zero    sat.       min       max"]
        for layer in probe.layers {
            let s = layer.statistics
            let name = "  " + (layer.name.isEmpty ? "model" : layer.name) + " " + shortName(layer.module)
            let saturated = layer.bounds == nil ? "     —" : String(format: "%5.1f%%", 100 * s.fractionSaturated)
            lines.append(pad(name, 24) + String(format: "%7.3f %7.3f %6.1f%% %@ %9.3g %9.3g", s.mean, s.standardDeviation, 100 * s.fractionZero, saturated, s.minimum, s.maximum)
                + (s.nanCount > 0 ? "  NaN: \(s.nanCount) values" : ""))
        }
        lines.append("epoch \(epoch) gradients        norm   mean |g|   zero")
        for g in gradients {
            lines.append(pad("  " + g.name, 24) + String(format: "%9.3g %10.3g %6.1f%%", g.norm, g.meanAbsolute, 100 * g.fractionZero))
        }
        return lines.joined(separator: "\n")
    }

    static func json(epoch: Int, probe: ActivationProbe<Float>, gradients: [GradientStatistics]) -> String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
        let layers = probe.layers.map { layer -> String in
            let s = layer.statistics
            return "{\"name\":\(JSONLine.quoted(layer.name)),\"module\":\(JSONLine.quoted(layer.module)),\"mean\":\(number(s.mean)),\"sd\":\(number(s.standardDeviation)),\"fraction_zero\":\(number(s.fractionZero)),\"fraction_saturated\":\(layer.bounds == nil ? "null" : number(s.fractionSaturated)),\"min\":\(number(s.minimum)),\"max\":\(number(s.maximum)),\"nan\":\(s.nanCount)}"
        }
        let grads = gradients.map { g in
            "{\"name\":\(JSONLine.quoted(g.name)),\"norm\":\(number(g.norm)),\"mean_abs\":\(number(g.meanAbsolute)),\"fraction_zero\":\(number(g.fractionZero))}"
        }
        return "{\"epoch\":\(epoch),\"activations\":[\(layers.joined(separator: ","))],\"gradients\":[\(grads.joined(separator: ","))]}"
    }

    /// "Linear<Float>(64 → 128, bias: true)" → "Linear(64 → 128)"; "ReLU<Float>()" → "ReLU".
    static func shortName(_ module: String) -> String {
        let base = module.split(separator: "<").first.map(String.init) ?? module
        if base == "Linear", let open = module.firstIndex(of: "("), let comma = module.firstIndex(of: ",") {
            return "Linear" + module[open..<comma] + ")"
        }
        return base
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
