import Foundation

// Every element-wise activation of the catalogue as ONNX (opset 20): the native operator where
// ONNX has one with the same definition, otherwise an expansion into primitive operators that
// follows the rule's formula (the doc comment of each gives it).

private func d<S: TensorScalar>(_ v: S) -> Double { Double(v) }

extension ReLURule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Relu", x) }
}

extension LeakyReLURule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("LeakyRelu", x, attributes: [("alpha", .float(d(negativeSlope)))])
    }
}

extension ELURule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Elu", x, attributes: [("alpha", .float(d(alpha)))]) }
}

extension SELURule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("Selu", x, attributes: [("alpha", .float(seluAlpha)), ("gamma", .float(seluScale))])
    }
}

extension CELURule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Celu", x, attributes: [("alpha", .float(d(alpha)))]) }
}

extension ReLU6Rule: ONNXActivation {
    /// Clip(x, 0, 6).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Clip", x, graph.scalar(0), graph.scalar(6)) }
}

extension BoundedReLURule: ONNXActivation {
    /// Clip(x, 0, n).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Clip", x, graph.scalar(0), graph.scalar(d(n))) }
}

extension HardtanhRule: ONNXActivation {
    /// Clip(x, min, max).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("Clip", x, graph.scalar(d(min)), graph.scalar(d(max)))
    }
}

extension SoftsignRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Softsign", x) }
}

extension SoftplusRule: ONNXActivation {
    /// Where(βx > threshold, x, Softplus(βx)/β): ONNX's Softplus has neither β nor the threshold.
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let bx = d(beta) == 1 ? x : graph.op("Mul", x, graph.scalar(d(beta)))
        var soft = graph.op("Softplus", bx)
        if d(beta) != 1 { soft = graph.op("Div", soft, graph.scalar(d(beta))) }
        return graph.op("Where", graph.op("Greater", bx, graph.scalar(d(threshold))), x, soft)
    }
}

extension SwishRule: ONNXActivation {
    /// x·Sigmoid(βx).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let bx = d(beta) == 1 ? x : graph.op("Mul", x, graph.scalar(d(beta)))
        return graph.op("Mul", x, graph.op("Sigmoid", bx))
    }
}

extension SiLURule: ONNXActivation {
    /// x·Sigmoid(x).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Mul", x, graph.op("Sigmoid", x)) }
}

extension MishRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Mish", x) }
}

extension GELURule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("Gelu", x, attributes: [("approximate", .string("none"))])
    }
}

extension GELUTanhRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("Gelu", x, attributes: [("approximate", .string("tanh"))])
    }
}

extension HardsigmoidRule: ONNXActivation {
    /// HardSigmoid with α = 1/6, β = 1/2: clamp(x/6 + 1/2, 0, 1) = min(max(x + 3, 0), 6)/6.
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("HardSigmoid", x, attributes: [("alpha", .float(1.0 / 6)), ("beta", .float(0.5))])
    }
}

extension HardswishRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("HardSwish", x) }
}

extension LogSigmoidRule: ONNXActivation {
    /// min(x, 0) − Softplus(−|x|): the stable form (no overflow for large |x|).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let tail = graph.op("Softplus", graph.op("Neg", graph.op("Abs", x)))
        return graph.op("Sub", graph.op("Min", x, graph.scalar(0)), tail)
    }
}

extension SoftshrinkRule: ONNXActivation {
    /// Shrink with bias λ: x − λ above λ, x + λ below −λ, 0 between (both bounds give 0).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("Shrink", x, attributes: [("lambd", .float(d(lambda))), ("bias", .float(d(lambda)))])
    }
}

extension HardshrinkRule: ONNXActivation {
    /// Shrink with bias 0: x outside [−λ, λ], 0 inside.
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        graph.op("Shrink", x, attributes: [("lambd", .float(d(lambda))), ("bias", .float(0))])
    }
}

extension TanhshrinkRule: ONNXActivation {
    /// x − tanh x.
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Sub", x, graph.op("Tanh", x)) }
}

extension ThresholdRule: ONNXActivation {
    /// Where(x > threshold, x, value).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let value = graph.op("Expand", graph.scalar(d(self.value)), graph.op("Shape", x))
        return graph.op("Where", graph.op("Greater", x, graph.scalar(d(threshold))), x, value)
    }
}

extension SigmoidRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Sigmoid", x) }
}

extension TanhRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Tanh", x) }
}

extension AbsRule: ONNXActivation {
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String { graph.op("Abs", x) }
}

extension ONNXGraph {
    /// shift + scale·x, skipping a factor of 1 and a shift of 0.
    mutating func affine(_ x: String, scale: Double, shift: Double) -> String {
        var u = x
        if scale != 1 { u = op("Mul", u, self.scalar(scale)) }
        if shift != 0 { u = op("Add", u, self.scalar(shift)) }
        return u
    }
}

extension PowerRule: ONNXActivation {
    /// Pow(shift + scale·x, power) (Caffe Power).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let u = graph.affine(x, scale: d(scale), shift: d(shift))
        if d(power) == 1 { return u == x ? graph.op("Identity", x) : u }
        return graph.op("Pow", u, graph.scalar(d(power)))
    }
}

extension CaffeExpRule: ONNXActivation {
    /// Exp(ln(base)·(shift + scale·x)) (Caffe Exp).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let l = Foundation.log(d(base))
        return graph.op("Exp", graph.affine(x, scale: d(scale) * l, shift: d(shift) * l))
    }
}

extension CaffeLogRule: ONNXActivation {
    /// Log(shift + scale·x)/ln(base) (Caffe Log).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let y = graph.op("Log", graph.affine(x, scale: d(scale), shift: d(shift)))
        let l = Foundation.log(d(base))
        return l == 1 ? y : graph.op("Div", y, graph.scalar(l))
    }
}

extension ISRU: ONNXActivation {
    /// x / Sqrt(1 + α·x²).
    public func exportONNX(to graph: inout ONNXGraph, input x: String) -> String {
        let r = graph.op("Sqrt", graph.op("Add", graph.op("Mul", graph.op("Mul", x, x), graph.scalar(d(alpha))), graph.scalar(1)))
        return graph.op("Div", x, r)
    }
}
