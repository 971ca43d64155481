// The vanishing-gradient experiment: a 20-layer fully connected net (width 64), one backward
// pass of a mean-squared loss on random data, and the gradient norm of each layer's weight —
// with sigmoid, ReLU and SELU between the layers, each with the initialization made for it
// (Xavier/Glorot for sigmoid, Kaiming/He for ReLU, LeCun normal for SELU; biases zero).
// Sigmoid's derivative is at most 1/4, so the gradient shrinks by a factor per layer on its way
// down; ReLU passes it unchanged where units are active; SELU keeps activations (and with them
// gradients) near unit scale.
//
//     swift run -c release VanishingGradients [output.svg]
import Foundation
import NN

let depth = 20
let width = 64
let batch = 128

func gradientNorms(activation: String) -> [Double] {
    manualSeed(0)
    var layers: [any Layer<Double>] = []
    for _ in 0..<depth {
        let linear = Linear<Double>(width, width)
        switch activation {
        case "sigmoid": linear.$weight.initialize(.xavierNormal())
        case "relu": linear.$weight.initialize(.kaimingNormal(nonlinearity: .relu))
        default: linear.$weight.initialize(.kaimingNormal(nonlinearity: .linear))  // LeCun normal: σ = 1/√fan_in
        }
        linear.bias?.initialize(.constant(0))
        layers.append(linear)
        switch activation {
        case "sigmoid": layers.append(Sigmoid())
        case "relu": layers.append(ReLU())
        default: layers.append(SELU())
        }
    }
    let model = Sequential(layers)
    let x = Variable(Tensor<Double>.randomNormal([batch, width], seed: 1))
    let target = Variable(Tensor<Double>.randomNormal([batch, width], seed: 2))
    let loss = mseLoss(model(x), target)
    loss.backward()
    return model.layers.compactMap { $0 as? Linear<Double> }.map { layer in
        let g = layer.weight.gradient!.scalars
        return g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}

let activations = ["sigmoid", "relu", "selu"]
let norms = activations.map(gradientNorms)
print("layer " + activations.map { $0.padding(toLength: 12, withPad: " ", startingAt: 0) }.joined())
for layer in 0..<depth {
    print(String(format: "%5d ", layer + 1) + norms.map { String(format: "%-12.3e", $0[layer]) }.joined())
}
print(String(format: "first/last layer ratio: sigmoid %.1e, relu %.1e, selu %.1e",
             norms[0][0] / norms[0][depth - 1], norms[1][0] / norms[1][depth - 1], norms[2][0] / norms[2][depth - 1]))

// The same numbers as an SVG: log10 of the gradient norm against the layer.
let path = CommandLine.arguments.dropFirst().first ?? "Docs/plots/vanishing_gradients.svg"
let w = 560.0, h = 360.0, left = 56.0, right = 90.0, top = 24.0, bottom = 40.0
let logs = norms.flatMap { $0.map { log10($0) } }
let lo = floor(logs.min()!), hi = ceil(logs.max()!)
func px(_ layer: Int) -> Double { left + Double(layer) / Double(depth - 1) * (w - left - right) }
func py(_ v: Double) -> Double { top + (hi - log10(v)) / (hi - lo) * (h - top - bottom) }
var svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <text x="\(left)" y="16" fill="#333">‖∂loss/∂W‖ per layer, 20-layer net (layer 1 = input side)</text>

    """
for d in stride(from: lo, through: hi, by: 1) {
    let y = py(pow(10, d))
    svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", left, y, w - right, y)
    svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">1e%d</text>\n", left - 4, y + 4, Int(d))
}
for layer in [0, 4, 9, 14, 19] {
    svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#666\">%d</text>\n", px(layer), h - bottom + 16, layer + 1)
}
svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#666\">layer</text>\n", (left + w - right) / 2, h - 6)
for (i, (name, series)) in zip(activations, norms).enumerated() {
    let color = ["#d62728", "#1f77b4", "#2ca02c"][i]
    let d = series.enumerated().map { String(format: "%@%.2f,%.2f", $0.offset == 0 ? "M" : "L", px($0.offset), py($0.element)) }.joined(separator: " ")
    svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
    svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">%@</text>\n", w - right + 8, py(series[depth - 1]) + 4, color, name)
}
svg += "</svg>\n"
do {
    try svg.write(toFile: path, atomically: true, encoding: .utf8)
    print("wrote \(path)")
} catch {
    print("could not write \(path): \(error.localizedDescription)")
}
