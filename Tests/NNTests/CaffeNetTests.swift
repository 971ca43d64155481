import Foundation
import Testing
import TestSupport

@testable import NN

/// Reading a Caffe NetParameter prototxt into layers and wiring (the importer's input).
@Suite("Caffe net definitions")
struct CaffeNetTests {
    static let lenet = """
        name: "LeNet"
        layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 8 dim: 8 } } }
        layer { name: "loss_data" type: "Data" top: "label" include { phase: TRAIN } }
        layer {
          name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
          convolution_param { num_output: 4 kernel_size: 3 pad: 1 }
        }
        layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" relu_param { negative_slope: 0.1 } }
        layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
        layer { name: "ip1" type: "InnerProduct" bottom: "pool1" top: "ip1" inner_product_param { num_output: 10 } }
        layer { name: "drop" type: "Dropout" bottom: "ip1" top: "ip1" exclude { phase: TEST } }
        layer { name: "prob" type: "Softmax" bottom: "ip1" top: "prob" }
        """

    @Test("A LeNet-style net in TEST phase: Input shape, in-place ReLU, phase-filtered layers, parameters")
    func lenetTest() throws {
        let net = try CaffeNet(prototxt: Self.lenet)
        #expect(net.name == "LeNet")
        #expect(net.inputs.map(\.name) == ["data"] && net.inputs[0].shape == [1, 1, 8, 8])
        #expect(net.layers.map(\.name) == ["data", "conv1", "relu1", "pool1", "ip1", "prob"])  // Data (TRAIN) and Dropout (not TEST) left out
        let relu = net.layers[2]
        #expect(relu.bottoms == ["conv1"] && relu.tops == ["conv1"] && relu.number("relu_param", "negative_slope") == 0.1)
        #expect(net.layers[1].number("convolution_param", "num_output") == 4 && net.layers[1].line == 4)
        #expect(net.layers[3].parameters["pooling_param"]?.first("pool")?.value == .identifier("MAX"))
    }

    @Test("Net-level inputs: input + input_shape, and the legacy four input_dim")
    func netInputs() throws {
        let a = try CaffeNet(prototxt: "input: \"x\" input_shape { dim: 2 dim: 3 } layer { name: \"t\" type: \"TanH\" bottom: \"x\" top: \"y\" }")
        #expect(a.inputs.map(\.shape) == [[2, 3]])
        let b = try CaffeNet(prototxt: "input: \"x\" input_dim: 1 input_dim: 3 input_dim: 4 input_dim: 4 layer { name: \"s\" type: \"Sigmoid\" bottom: \"x\" top: \"x\" }")
        #expect(b.inputs[0].shape == [1, 3, 4, 4])
    }

    @Test("Errors name the layer and the line", arguments: [
        ("layer { name: \"a\" type: \"LRN\" bottom: \"x\" top: \"y\" }", "line 1, layer 'a'", "type 'LRN' is not supported"),
        ("input: \"x\" input_shape { dim: 1 }\nlayer { name: \"r\" type: \"ReLU\" bottom: \"nope\" top: \"y\" }", "line 2, layer 'r'", "bottom 'nope'"),
        ("input: \"x\"\nlayer { name: \"r\" type: \"ReLU\" bottom: \"x\" top: \"x\" }", "line 1", "has no shape"),
        ("layer { type: \"ReLU\" }", "line 1", "needs a name and a type"),
        ("layers { name: \"old\" }", "line 1", "V1 'layers'"),
        ("name: \"empty\"", "line 1", "no layers"),
        ("layer { name: \"i\" type: \"Input\" top: \"x\" }", "layer 'i'", "input_param"),
    ])
    func errors(_ text: String, _ location: String, _ reason: String) {
        do {
            _ = try CaffeNet(prototxt: text)
            Issue.record("no error for \(text)")
        } catch {
            let d = "\(error)"
            #expect(d.contains(location) && d.contains(reason) && !d.contains("\n"), "\(d)")
        }
    }
}
