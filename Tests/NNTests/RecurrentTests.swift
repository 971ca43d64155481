import Foundation
import Testing
import TestSupport

@testable import NN

/// RNN (tanh, relu), GRU and LSTM against PyTorch: outputs, final states, and the gradients of
/// the input, the initial states and every weight, through time and layers.
@Suite("Recurrent layers")
struct RecurrentTests {
    static func entry(_ name: String) -> [String: Any] {
        (NormEmbeddingTests.fixture["recurrent"] as! [[String: Any]]).first { $0["name"] as! String == name }!
    }
    static func hex(_ any: Any?) -> [Double] { NormEmbeddingTests.hex(any) }
    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool { NormEmbeddingTests.close(a, b, tolerance) }

    @Test("RNN, GRU and LSTM match PyTorch: output, final states, input/state/weight gradients",
          arguments: ["lstm_two_layers_batch_first", "gru_one_layer", "rnn_tanh", "rnn_relu_two_layers"])
    func matchesPyTorch(_ name: String) {
        let c = Self.entry(name)
        let kind = RecurrentKind(rawValue: c["kind"] as! String)!
        let layers = c["layers"] as! Int, hidden = c["hidden_size"] as! Int
        let net = Recurrent<Double>(kind, inputSize: c["input_size"] as! Int, hiddenSize: hidden, layers: layers, batchFirst: c["batch_first"] as! Bool)
        let params = c["params"] as! [String: [String: Any]]
        for (l, cell) in net.cells.enumerated() {
            for (key, slot) in cell.namedParameters(of: Double.self) {
                let p = params["\(key)_l\(l)"]!
                slot.assign(Tensor(shape: p["shape"] as! [Int], scalars: Self.hex(p["value"])))
            }
        }
        let x = Variable(Tensor(shape: c["x_shape"] as! [Int], scalars: Self.hex(c["x"])), requiresGradient: true)
        let n = net.batchFirst ? x.shape[0] : x.shape[1]
        let h0 = Variable(Tensor(shape: [layers, n, hidden], scalars: Self.hex(c["h0"])), requiresGradient: true)
        let c0 = (c["c0"] as? [String]).map { Variable(Tensor(shape: [layers, n, hidden], scalars: Self.hex($0)), requiresGradient: true) }
        let initial = (0..<layers).map { RecurrentState(h: h0.selecting($0, alongAxis: 0), c: c0?.selecting($0, alongAxis: 0)) }
        let (out, states) = net(x, initialState: initial)
        #expect(Self.close(out.value.scalars, Self.hex(c["out"])))
        let hn = Variable.stack(states.map(\.h), alongAxis: 0)
        #expect(Self.close(hn.value.scalars, Self.hex(c["hn"])))
        var loss = (out * Variable(Tensor(shape: out.shape, scalars: Self.hex(c["w"])))).sum()
            + (hn * Variable(Tensor(shape: hn.shape, scalars: Self.hex(c["wh"])))).sum()
        if kind == .lstm {
            let cn = Variable.stack(states.map { $0.c! }, alongAxis: 0)
            #expect(Self.close(cn.value.scalars, Self.hex(c["cn"])))
            loss = loss + (cn * Variable(Tensor(shape: cn.shape, scalars: Self.hex(c["wc"])))).sum()
        }
        loss.backward()
        #expect(Self.close(x.gradient!.scalars, Self.hex(c["dx"]), 1e-11))
        #expect(Self.close(h0.gradient!.scalars, Self.hex(c["dh0"]), 1e-11))
        if let c0 { #expect(Self.close(c0.gradient!.scalars, Self.hex(c["dc0"]), 1e-11)) }
        for (l, cell) in net.cells.enumerated() {
            #expect(cell.namedParameters(of: Double.self).map(\.name) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
            for (key, slot) in cell.namedParameters(of: Double.self) {
                #expect(Self.close(slot.variable.gradient!.scalars, Self.hex(params["\(key)_l\(l)"]!["grad"]), 1e-11), "\(key)_l\(l)")
            }
        }
    }

    @Test("A GRU's and an LSTM's second derivatives through two steps pass gradgradcheck; as a Layer from a zero state")
    func secondOrderAndLayer() {
        manualSeed(2)
        for kind in [RecurrentKind.gru, .lstm] {
            let net = Recurrent<Double>(kind, inputSize: 2, hiddenSize: 2)
            let x = Tensor<Double>.randomNormal([2, 1, 2])
            let f: ([Variable<Double>]) -> Variable<Double> = { net($0[0]).tanh() }
            #expect(gradcheck(f, at: [x]).passed && gradgradcheck(f, at: [x]).passed, "\(kind)")
            #expect(net(Variable(x)).shape == [2, 1, 2])
        }
        let names = Recurrent<Float>(.lstm, inputSize: 3, hiddenSize: 5, layers: 2).namedTensors().map(\.name)
        #expect(names == ["cells.0.weight_ih", "cells.0.weight_hh", "cells.0.bias_ih", "cells.0.bias_hh",
                          "cells.1.weight_ih", "cells.1.weight_hh", "cells.1.bias_ih", "cells.1.bias_hh"])
    }

    @Test("A wrong input size or state shape stops with the fix")
    func badShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Recurrent<Float>(.gru, inputSize: 3, hiddenSize: 4)(Variable(Tensor<Float>.zeros([5, 2, 4])))
        }
        let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("gru") && text.contains("[5, 2, 4]") && text.contains("Fix:"), "\(text)")
        let r2 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let cell = RecurrentCell<Float>(.lstm, inputSize: 3, hiddenSize: 4)
            _ = cell(Variable(Tensor<Float>.zeros([2, 3])), RecurrentState(h: Variable(Tensor<Float>.zeros([2, 4]))))
        }
        let text2 = String(decoding: r2?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text2.contains("lstm cell") && text2.contains("Fix:"), "\(text2)")
    }
}
