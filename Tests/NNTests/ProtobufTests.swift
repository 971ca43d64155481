import Foundation
import Testing
import TestSupport

@testable import NN

/// The protobuf wire format (the encoding guide's own examples) and the text format parser.
@Suite("Protobuf wire and text formats")
struct ProtobufTests {
    @Test("The encoding guide's examples: 150 in field 1, \"testing\" in field 2, a nested message in field 3")
    func specExamples() throws {
        var w = ProtobufWriter()
        w.varint(1, 150)
        #expect(w.bytes == [0x08, 0x96, 0x01])
        var s = ProtobufWriter()
        s.string(2, "testing")
        #expect(s.bytes == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
        var n = ProtobufWriter()
        n.message(3) { $0.varint(1, 150) }
        #expect(n.bytes == [0x1A, 0x03, 0x08, 0x96, 0x01])
        // −1 as int64 takes ten bytes (all ones).
        var neg = ProtobufWriter()
        neg.varint(1, -1)
        #expect(neg.bytes == [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test("Everything written reads back: varints, floats, doubles, strings, packed runs, nested messages")
    func roundTrip() throws {
        var w = ProtobufWriter()
        w.varint(1, 1 << 40)
        w.float(2, -1.5)
        w.double(3, .pi)
        w.string(4, "conv1 ✓")
        w.packedFloats(5, [0.25, -3, .infinity])
        w.packedVarints(6, [0, 300, -2])
        w.message(7) { $0.bool(1, true); $0.float(2, 0.5) }
        let fields = try ProtobufReader.fields(w.bytes[...])
        #expect(fields.map(\.number) == [1, 2, 3, 4, 5, 6, 7])
        #expect(fields[0].int64 == 1 << 40 && fields[1].float == -1.5 && fields[2].double == .pi && fields[3].string == "conv1 ✓")
        #expect(try ProtobufReader.floats(fields[4]) == [0.25, -3, .infinity])
        #expect(try ProtobufReader.varints(fields[5]) == [0, 300, -2])
        let inner = try ProtobufReader.fields(fields[6].payload)
        #expect(inner.count == 2 && inner[0].int64 == 1 && inner[1].float == 0.5)
    }

    @Test("Truncated or malformed bytes throw a ProtobufError with the offset; never a trap",
          arguments: [
            ([0x08], "past the end"), ([0x12, 0x05, 0x61], "claims 5 bytes"), ([0x15, 0x00, 0x00], "needs 4 bytes"),
            ([0x0B, 0x00], "wire type 3"), ([0x00, 0x01], "field number 0"),
            ([0x08] + [UInt8](repeating: 0xFF, count: 11), "longer than 10 bytes"),
          ] as [([UInt8], String)])
    func malformed(_ bytes: [UInt8], _ expected: String) {
        do {
            _ = try ProtobufReader.fields(bytes[...])
            Issue.record("no error for \(bytes)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    static let lenet = """
        name: "LeNet"  # a comment
        input: "data"
        input_shape { dim: 64 dim: 1 dim: 28 dim: 28 }
        layer {
          name: "conv1"
          type: "Convolution"
          bottom: "data"
          top: "conv1"
          param { lr_mult: 1 } param { lr_mult: 2 }
          convolution_param {
            num_output: 20
            kernel_size: 5
            stride: 1
            weight_filler { type: "xavier" }
          }
        }
        layer { name: 'relu1' type: "ReLU" bottom: "conv1" top: "conv1" relu_param { negative_slope: -1.5e-1 } }
        layer {
          name: "drop"; type: "Dropout"; bottom: "conv1"; top: "conv1",
          include { phase: TRAIN }
          dropout_param < dropout_ratio: 0.5 >
        }
        layer { name: "list" type: "Dummy" shapes: [1, 2.5, -inf, 0x10] tag: "a\\tb\\"c\\101" }
        """

    @Test("A LeNet-style prototxt: nested messages, repeated fields, in-place tops, enums, lists, escapes, comments")
    func parsesPrototxt() throws {
        let net = try ProtoTextMessage.parse(Self.lenet)
        #expect(net.first("name")?.value == .string("LeNet"))
        let shape = net.first("input_shape")!
        guard case .message(let dims) = shape.value else { Issue.record("input_shape"); return }
        #expect(dims.all("dim").map(\.value) == [64, 1, 28, 28].map { .number(Double($0), text: String($0)) })
        let layers = net.all("layer")
        #expect(layers.count == 4 && layers.map(\.line) == [4, 17, 18, 23])
        guard case .message(let conv) = layers[0].value, case .message(let relu) = layers[1].value, case .message(let drop) = layers[2].value,
              case .message(let list) = layers[3].value else { Issue.record("layers"); return }
        #expect(conv.all("param").count == 2)
        guard case .message(let cp) = conv.first("convolution_param")!.value else { Issue.record("convolution_param"); return }
        #expect(cp.first("num_output")?.value == .number(20, text: "20"))
        #expect(relu.first("top")?.value == .string("conv1") && relu.first("bottom")?.value == .string("conv1"))
        guard case .message(let rp) = relu.first("relu_param")!.value, case .number(let slope, _) = rp.first("negative_slope")!.value else {
            Issue.record("relu_param"); return
        }
        #expect(slope == -0.15)
        guard case .message(let include) = drop.first("include")!.value else { Issue.record("include"); return }
        #expect(include.first("phase")?.value == .identifier("TRAIN"))
        let numbers = list.all("shapes").compactMap { f -> Double? in if case .number(let v, _) = f.value { return v } else { return nil } }
        #expect(numbers == [1, 2.5, -.infinity, 16])
        #expect(list.first("tag")?.value == .string("a\tb\"cA"))
    }

    @Test("Syntax errors name the line and column", arguments: [
        ("layer {\n  name: \"x\"\n", "line 3", "ends inside a message"),
        ("layer { name \"x\" }", "line 1, column 14", "expected ':' or '{'"),
        ("a: 1.2.3", "line 1", "'1.2.3' is not a number"),
        ("a: \"open\nb: 1", "line 1", "not closed"),
        ("}", "line 1, column 1", "closing brace"),
        ("a: \"\\q\"", "line 1", "unknown escape"),
        ("a: [1, 2", "line 1", "expected ',' or ']'"),
    ])
    func syntaxErrors(_ text: String, _ location: String, _ reason: String) {
        do {
            _ = try ProtoTextMessage.parse(text)
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.description.contains(location) && error.description.contains(reason), "\(error)")
        }
    }
}
