// Trained Caffe weights: the binary `.caffemodel` (a NetParameter in the protobuf wire format,
// each layer's parameters in its `blobs`), read into a CaffeGraph with shape checks and written
// back. Field numbers are caffe.proto's: NetParameter name 1, layer 100 (V1 `layers` 2);
// LayerParameter name 1, type 2, bottom 3, top 4, blobs 7; BlobProto shape 7 (BlobShape dim 1),
// data 5, double_data 8, and the legacy num/channels/height/width 1–4.

/// One parameter blob of a Caffe layer: its shape and values.
public struct CaffeBlob: Equatable, Sendable {
    public var shape: [Int]
    public var data: [Float]
    /// True when the shape came from the legacy num/channels/height/width fields (always 4-D,
    /// padded with leading 1s: an InnerProduct weight [O, I] is stored as [1, 1, O, I]).
    public var legacyShape: Bool

    public init(shape: [Int], data: [Float], legacyShape: Bool = false) {
        self.shape = shape
        self.data = data
        self.legacyShape = legacyShape
    }
}

/// The layers of a `.caffemodel` that carry data: name, type and parameter blobs, in file order.
public struct CaffeWeights: Equatable, Sendable {
    public struct Layer: Equatable, Sendable {
        public var name: String
        public var type: String
        public var bottoms: [String]
        public var tops: [String]
        public var blobs: [CaffeBlob]

        public init(name: String, type: String, bottoms: [String] = [], tops: [String] = [], blobs: [CaffeBlob]) {
            self.name = name
            self.type = type
            self.bottoms = bottoms
            self.tops = tops
            self.blobs = blobs
        }
    }

    public var name: String
    public var layers: [Layer]

    public init(name: String = "", layers: [Layer]) {
        self.name = name
        self.layers = layers
    }

    /// The largest blob the reader accepts (2³¹ − 1 values, Caffe's own limit).
    static let maxBlobCount = Int(Int32.max)

    /// Reads a binary `.caffemodel`.
    /// - Throws: `ProtobufError` (with the byte offset) for malformed bytes, a blob whose data
    ///   count differs from its shape, a negative or overflowing dimension, or V1 `layers`.
    public init(caffemodel bytes: [UInt8]) throws(ProtobufError) {
        var name = ""
        var layers: [Layer] = []
        for field in try ProtobufReader.fields(bytes[...]) {
            switch (field.number, field.type) {
            case (1, .lengthDelimited): name = field.string
            case (2, .lengthDelimited):
                throw ProtobufError(offset: field.offset, reason: "V1 'layers' (an old caffemodel); upgrade it with Caffe's upgrade_net_proto_binary")
            case (100, .lengthDelimited): layers.append(try Self.layer(field.payload))
            default: continue  // other NetParameter fields (input, state, …) carry no weights
            }
        }
        self.name = name
        self.layers = layers
    }

    static func layer(_ bytes: ArraySlice<UInt8>) throws(ProtobufError) -> Layer {
        var layer = Layer(name: "", type: "", blobs: [])
        for field in try ProtobufReader.fields(bytes) {
            switch (field.number, field.type) {
            case (1, .lengthDelimited): layer.name = field.string
            case (2, .lengthDelimited): layer.type = field.string
            case (3, .lengthDelimited): layer.bottoms.append(field.string)
            case (4, .lengthDelimited): layer.tops.append(field.string)
            case (7, .lengthDelimited): layer.blobs.append(try blob(field.payload, at: field.offset))
            default: continue
            }
        }
        return layer
    }

    static func blob(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(ProtobufError) -> CaffeBlob {
        var shape: [Int]?
        var legacy: [Int64] = [0, 0, 0, 0]
        var hasLegacy = false
        var floats: [Float] = []
        var doubles: [Double] = []
        func dimension(_ v: Int64, _ at: Int) throws(ProtobufError) -> Int {
            guard v >= 0, v <= Int64(maxBlobCount) else { throw ProtobufError(offset: at, reason: "a blob dimension of \(v)") }
            return Int(v)
        }
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 7:
                guard field.type == .lengthDelimited else { throw ProtobufError(offset: field.offset, reason: "BlobProto.shape has wire type \(field.type)") }
                var dims: [Int] = []
                for d in try ProtobufReader.fields(field.payload) where d.number == 1 {
                    for v in try ProtobufReader.varints(d) { dims.append(try dimension(v, d.offset)) }
                }
                shape = dims
            case 1, 2, 3, 4:
                guard field.type == .varint else { throw ProtobufError(offset: field.offset, reason: "BlobProto field \(field.number) has wire type \(field.type)") }
                legacy[field.number - 1] = field.int64
                hasLegacy = true
            case 5: floats += try ProtobufReader.floats(field)
            case 8: doubles += try ProtobufReader.doubles(field)
            default: continue
            }
        }
        let dims: [Int]
        if let shape {
            dims = shape
        } else if hasLegacy {
            dims = try legacy.map { v throws(ProtobufError) -> Int in try dimension(v, offset) }
        } else {
            dims = [floats.count + doubles.count]
        }
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maxBlobCount else { throw ProtobufError(offset: offset, reason: "a blob of shape \(describeShape(dims)) is too large") }
            count = product
        }
        let data = floats.isEmpty ? doubles.map { Float($0) } : floats
        guard data.count == count, floats.isEmpty || doubles.isEmpty else {
            throw ProtobufError(offset: offset, reason: "a blob of shape \(describeShape(dims)) holds \(floats.count) floats and \(doubles.count) doubles; it needs \(count) values")
        }
        return CaffeBlob(shape: dims, data: data, legacyShape: shape == nil && hasLegacy)
    }

    /// The `.caffemodel` bytes: a NetParameter with each layer's name, type, bottoms, tops and
    /// blobs (shape in the current `shape { dim }` style, data as packed floats). Caffe copies
    /// trained weights by layer name, so the net's prototxt supplies everything else.
    public func caffemodel() -> [UInt8] {
        var net = ProtobufWriter()
        if !name.isEmpty { net.string(1, name) }
        for layer in layers {
            net.message(100) { w in
                w.string(1, layer.name)
                w.string(2, layer.type)
                for b in layer.bottoms { w.string(3, b) }
                for t in layer.tops { w.string(4, t) }
                for blob in layer.blobs {
                    w.message(7) { b in
                        b.message(7) { s in s.packedVarints(1, blob.shape.map { Int64($0) }) }
                        b.packedFloats(5, blob.data)
                    }
                }
            }
        }
        return net.bytes
    }
}

extension CaffeGraph {
    /// The tensors a Caffe layer's blobs fill, in blob order, with the shape Caffe gives each
    /// blob. BatchNorm has a third blob, the moving-average scale factor s (the stored mean and
    /// variance are divided by it), which fills no tensor.
    func caffeTargets(_ index: Int) -> [(tensor: any ModuleTensor, shape: [Int])] {
        let tensors = modules[index].namedTensors().map(\.tensor)
        switch nodes[index].type {
        case "BatchNorm": return tensors.filter { $0 is Buffer<Scalar> }.map { ($0, $0.shape) }
        default: return tensors.map { ($0, $0.shape) }
        }
    }

    /// Loads trained weights, matched to the net's layers by name as Caffe does (layers of the
    /// file that the net does not have, such as a training net's loss, are skipped). Every blob
    /// is checked before anything is written: on an error the graph is unchanged.
    /// - Throws: `CaffeError` naming the layer and its prototxt line for a layer with parameters
    ///   that the file lacks, a wrong number of blobs, or a blob whose shape differs.
    public func load(_ weights: CaffeWeights) throws(CaffeError) {
        var byName: [String: CaffeWeights.Layer] = [:]
        for layer in weights.layers where byName[layer.name] == nil { byName[layer.name] = layer }
        var writes: [(any ModuleTensor, Tensor<Scalar>)] = []
        for (index, node) in nodes.enumerated() {
            let targets = caffeTargets(index)
            let blobCount = targets.count + (node.type == "BatchNorm" ? 1 : 0)
            func fail(_ reason: String) -> CaffeError { CaffeError(line: node.line, layer: node.name, reason: reason) }
            guard let source = byName[node.name] else {
                if targets.isEmpty { continue }
                throw fail("the weights have no layer '\(node.name)' (it needs \(blobCount) blobs: \(targets.map { describeShape($0.shape) }.joined(separator: ", ")))")
            }
            if targets.isEmpty && source.blobs.isEmpty { continue }
            guard source.type.isEmpty || source.type == node.type else {
                throw fail("the weights' layer '\(node.name)' is a \(source.type), the net's a \(node.type)")
            }
            // Caffe's optional bias: a net with bias_term false has one blob fewer, which the
            // module's targets already reflect.
            guard source.blobs.count == blobCount else {
                throw fail("the weights have \(source.blobs.count) blobs for '\(node.name)'; a \(node.type) here has \(blobCount) (\(targets.map { describeShape($0.shape) }.joined(separator: ", "))\(node.type == "BatchNorm" ? ", [1]" : ""))")
            }
            var factor: Float = 1
            if node.type == "BatchNorm" {
                let s = source.blobs[2]
                guard s.data.count == 1 else { throw fail("BatchNorm's third blob (the moving-average factor) has \(s.data.count) values; it needs 1") }
                factor = s.data[0] == 0 ? 0 : 1 / s.data[0]
            }
            for (k, target) in targets.enumerated() {
                let blob = source.blobs[k]
                guard Self.caffeShape(blob, matches: target.shape) else {
                    throw fail("blob \(k) has shape \(describeShape(blob.shape))\(blob.legacyShape ? " (num, channels, height, width)" : ""); the layer needs \(describeShape(target.shape))")
                }
                let values = node.type == "BatchNorm" ? blob.data.map { $0 * factor } : blob.data
                writes.append((target.tensor, Tensor<Scalar>(shape: target.shape, scalars: values.map { Scalar(Double($0)) })))
            }
        }
        for (tensor, value) in writes {
            if let p = tensor as? Parameter<Scalar> {
                p.assign(value)
            } else if let b = tensor as? Buffer<Scalar> {
                b.wrappedValue = value
            }
        }
    }

    /// A blob fits a tensor when the shapes agree, ignoring leading 1s on either side (Caffe's
    /// legacy 4-D shapes pad an InnerProduct weight [O, I] to [1, 1, O, I], a bias to [1, 1, 1, O]).
    static func caffeShape(_ blob: CaffeBlob, matches shape: [Int]) -> Bool {
        func trimmed(_ s: [Int]) -> ArraySlice<Int> { s.drop { $0 == 1 } }
        return blob.shape == shape || trimmed(blob.shape) == trimmed(shape)
    }

    /// The graph's weights as Caffe blobs (BatchNorm with factor 1), ready for `caffemodel()`.
    public func caffeWeights(name: String = "") -> CaffeWeights {
        var layers: [CaffeWeights.Layer] = []
        for (index, node) in nodes.enumerated() {
            let targets = caffeTargets(index)
            guard !targets.isEmpty else { continue }
            var blobs = targets.map { target -> CaffeBlob in
                let value: Tensor<Scalar>
                if let p = target.tensor as? Parameter<Scalar> { value = p.value } else { value = (target.tensor as! Buffer<Scalar>).wrappedValue }
                return CaffeBlob(shape: target.shape, data: value.scalars.map { Float(Double($0)) })
            }
            if node.type == "BatchNorm" { blobs.append(CaffeBlob(shape: [1], data: [1])) }
            layers.append(CaffeWeights.Layer(name: node.name, type: node.type, bottoms: [node.bottom], tops: [node.top], blobs: blobs))
        }
        return CaffeWeights(name: name, layers: layers)
    }
}
