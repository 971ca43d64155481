// A Caffe network definition (NetParameter prototxt) as data: its inputs with their shapes and
// its layers with their wiring, after the phase filter, checked for wiring mistakes. Building a
// runnable module graph from it is the next step (issue 17); this is what that builder reads.

/// Why a Caffe network could not be read: the layer and the line, one line.
public struct CaffeError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let layer: String?
    public let reason: String

    public var description: String {
        oneLine("caffe: line \(line)" + (layer.map { ", layer '\($0)'" } ?? "") + ": \(reason)")
    }
}

/// One layer of a Caffe net: its name, type, bottoms and tops (blob names; a top equal to a
/// bottom is Caffe's in-place form), and its `*_param` messages by name.
public struct CaffeLayer: Equatable {
    public let name: String
    public let type: String
    public let bottoms: [String]
    public let tops: [String]
    /// The layer's parameter messages (`convolution_param`, `relu_param`, …) by field name.
    public let parameters: [String: ProtoTextMessage]
    /// The prototxt line of `layer {`.
    public let line: Int

    /// A number in one of the parameter messages (`number("convolution_param", "num_output")`).
    public func number(_ message: String, _ field: String) -> Double? {
        guard case .number(let v, _)? = parameters[message]?.first(field)?.value else { return nil }
        return v
    }
}

/// A Caffe NetParameter: the net's name, its input blobs with shapes, and the layers that take
/// part in `phase` (a layer with `include { phase: … }` only in that phase, `exclude` likewise).
public struct CaffeNet: Equatable {
    public enum Phase: String, Sendable { case train = "TRAIN", test = "TEST" }

    public let name: String
    /// Input blobs and their shapes ([N, C, H, W] usually), from `input`/`input_shape`,
    /// `input_dim`, or `Input` layers.
    public let inputs: [(name: String, shape: [Int])]
    public let layers: [CaffeLayer]

    public static func == (a: CaffeNet, b: CaffeNet) -> Bool {
        a.name == b.name && a.layers == b.layers && a.inputs.map(\.name) == b.inputs.map(\.name) && a.inputs.map(\.shape) == b.inputs.map(\.shape)
    }

    /// The layer types the importer knows (the source articles' layers).
    public static let supportedTypes: Set<String> = [
        "Input", "InnerProduct", "Convolution", "Pooling", "Dropout", "BatchNorm", "Scale", "Softmax",
        "ReLU", "PReLU", "TanH", "Sigmoid", "AbsVal", "ELU", "BNLL", "Power", "Exp", "Log", "Concat", "Eltwise",
    ]

    /// The fields caffe.proto defines for a layer and for the parameter messages of the supported
    /// types (anything else in those messages is a typed error: a misspelt field would otherwise be
    /// silently ignored). Other layers' `*_param` messages are skipped, as Caffe does.
    static let layerFields: Set<String> = [
        "name", "type", "bottom", "top", "phase", "loss_weight", "param", "blobs", "propagate_down", "include", "exclude",
        "transform_param", "loss_param",
    ]
    static let parameterFields: [String: Set<String>] = [
        "convolution_param": [
            "num_output", "bias_term", "pad", "kernel_size", "group", "stride", "weight_filler", "bias_filler", "pad_h", "pad_w",
            "kernel_h", "kernel_w", "stride_h", "stride_w", "engine", "axis", "force_nd_im2col", "dilation",
        ],
        "pooling_param": [
            "pool", "kernel_size", "pad", "kernel_h", "kernel_w", "stride", "stride_h", "stride_w", "pad_h", "pad_w", "engine",
            "global_pooling", "round_mode",
        ],
        "inner_product_param": ["num_output", "bias_term", "weight_filler", "bias_filler", "axis", "transpose"],
        "relu_param": ["negative_slope", "engine"],
        "prelu_param": ["filler", "channel_shared"],
        "elu_param": ["alpha"],
        "power_param": ["power", "scale", "shift"],
        "exp_param": ["base", "scale", "shift"],
        "log_param": ["base", "scale", "shift"],
        "dropout_param": ["dropout_ratio"],
        "softmax_param": ["engine", "axis"],
        "batch_norm_param": ["use_global_stats", "moving_average_fraction", "eps"],
        "scale_param": ["axis", "num_axes", "filler", "bias_term", "bias_filler"],
        "input_param": ["shape"],
        "tanh_param": ["engine"],
        "sigmoid_param": ["engine"],
        "concat_param": ["axis", "concat_dim"],
        "eltwise_param": ["operation", "coeff", "stable_prod_grad"],
    ]
    static let parameterMessage: [String: String] = [
        "Convolution": "convolution_param", "Pooling": "pooling_param", "InnerProduct": "inner_product_param", "ReLU": "relu_param",
        "PReLU": "prelu_param", "ELU": "elu_param", "Power": "power_param", "Exp": "exp_param", "Log": "log_param",
        "Dropout": "dropout_param", "Softmax": "softmax_param", "BatchNorm": "batch_norm_param", "Scale": "scale_param",
        "Input": "input_param", "TanH": "tanh_param", "Sigmoid": "sigmoid_param", "Concat": "concat_param", "Eltwise": "eltwise_param",
    ]

    /// Reads a prototxt for `phase` (TEST by default: no data or loss layers in a deploy net).
    /// - Throws: `ProtoTextError` for syntax, `CaffeError` naming the layer and line for an
    ///   unsupported layer type, a missing name/type, a bottom no earlier layer or input produces,
    ///   an input without a shape, a field of the wrong kind, or a net with no layers.
    public init(prototxt: String, phase: Phase = .test) throws {
        let net = try ProtoTextMessage.parse(prototxt)
        func string(_ f: ProtoTextMessage.Field?) throws(CaffeError) -> String? {
            guard let f else { return nil }
            switch f.value {
            case .string(let s): return s
            case .identifier(let s): return s
            default: throw CaffeError(line: f.line, layer: nil, reason: "'\(f.name)' should be a string")
            }
        }
        func dims(_ m: ProtoTextMessage, line: Int) throws(CaffeError) -> [Int] {
            try m.all("dim").map { f throws(CaffeError) -> Int in
                guard case .number(let v, _) = f.value, v >= 1, v == v.rounded(), v <= Double(1 << 24) else {
                    throw CaffeError(line: f.line, layer: nil, reason: "a dim must be a whole number in 1...\(1 << 24)")
                }
                return Int(v)
            }
        }
        name = try string(net.first("name")) ?? ""
        guard net.first("layers") == nil else {
            throw CaffeError(line: net.first("layers")!.line, layer: nil, reason: "V1 'layers' are not supported; upgrade the net to 'layer' (Caffe's upgrade_net_proto_text)")
        }
        // Net-level inputs.
        var inputs: [(String, [Int])] = []
        let inputNames = try net.all("input").map { f throws(CaffeError) -> String in try string(f)! }
        let shapes = net.all("input_shape")
        let legacy = try dims(ProtoTextMessage(fields: net.all("input_dim").map { .init(name: "dim", value: $0.value, line: $0.line) }), line: 1)
        for (k, inputName) in inputNames.enumerated() {
            if k < shapes.count, case .message(let m) = shapes[k].value {
                inputs.append((inputName, try dims(m, line: shapes[k].line)))
            } else if legacy.count == 4 * inputNames.count {
                inputs.append((inputName, Array(legacy[(4 * k)..<(4 * k + 4)])))
            } else {
                throw CaffeError(line: net.first("input")!.line, layer: nil, reason: "input '\(inputName)' has no shape (give input_shape { dim: … } or four input_dim)")
            }
        }
        // Layers, filtered by phase.
        var produced = Set(inputs.map(\.0))
        var layers: [CaffeLayer] = []
        for field in net.all("layer") {
            guard case .message(let m) = field.value else { throw CaffeError(line: field.line, layer: nil, reason: "'layer' must be a message { … }") }
            guard let layerName = try string(m.first("name")), let type = try string(m.first("type")) else {
                throw CaffeError(line: field.line, layer: nil, reason: "a layer needs a name and a type")
            }
            func phases(_ key: String) throws -> [String] {
                try m.all(key).compactMap { f throws -> String? in
                    guard case .message(let rule) = f.value else { throw CaffeError(line: f.line, layer: layerName, reason: "'\(key)' must be a message") }
                    return try string(rule.first("phase"))
                }
            }
            let include = try phases("include"), exclude = try phases("exclude")
            if !include.isEmpty && !include.contains(phase.rawValue) { continue }
            if exclude.contains(phase.rawValue) { continue }
            guard Self.supportedTypes.contains(type) else {
                throw CaffeError(
                    line: field.line, layer: layerName,
                    reason: "type '\(type)' is not supported (supported: \(Self.supportedTypes.sorted().joined(separator: ", ")))")
            }
            let bottoms = try m.all("bottom").map { f throws(CaffeError) -> String in try string(f)! }
            let tops = try m.all("top").map { f throws(CaffeError) -> String in try string(f)! }
            for b in bottoms where !produced.contains(b) {
                throw CaffeError(line: field.line, layer: layerName, reason: "bottom '\(b)' is not produced by an input or an earlier layer")
            }
            for f in m.fields where !f.name.hasSuffix("_param") && !Self.layerFields.contains(f.name) {
                throw CaffeError(line: f.line, layer: layerName, reason: "unknown layer field '\(f.name)'")
            }
            if let own = Self.parameterMessage[type], let p = m.first(own), case .message(let pm) = p.value {
                for f in pm.fields where !Self.parameterFields[own]!.contains(f.name) {
                    throw CaffeError(line: f.line, layer: layerName, reason: "unknown field '\(f.name)' in \(own) (known: \(Self.parameterFields[own]!.sorted().joined(separator: ", ")))")
                }
            }
            var parameters: [String: ProtoTextMessage] = [:]
            for f in m.fields where f.name.hasSuffix("_param") {
                guard case .message(let p) = f.value else { throw CaffeError(line: f.line, layer: layerName, reason: "'\(f.name)' must be a message") }
                parameters[f.name] = p
            }
            if type == "Input" {
                guard let p = parameters["input_param"], let shape = p.first("shape"), case .message(let s) = shape.value else {
                    throw CaffeError(line: field.line, layer: layerName, reason: "an Input layer needs input_param { shape { dim: … } }")
                }
                for t in tops { inputs.append((t, try dims(s, line: shape.line))) }
            }
            tops.forEach { produced.insert($0) }
            layers.append(CaffeLayer(name: layerName, type: type, bottoms: bottoms, tops: tops, parameters: parameters, line: field.line))
        }
        guard !layers.isEmpty else { throw CaffeError(line: 1, layer: nil, reason: "the net has no layers in phase \(phase.rawValue)") }
        self.inputs = inputs
        self.layers = layers
    }
}
