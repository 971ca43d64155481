import Autograd

// Recurrent layers: PyTorch's RNNCell/GRUCell/LSTMCell and RNN/GRU/LSTM, same formulas, gate
// order, parameter shapes and initialization (uniform ±1/√hidden). Each step is written with the
// engine's operations (matmul, sigmoid, tanh, slices), so backpropagation through time and
// second derivatives come from the engine.

/// Which recurrence a cell computes.
public enum RecurrentKind: String, Sendable {
    /// h′ = tanh(W_ih x + b_ih + W_hh h + b_hh)
    case rnnTanh = "rnn_tanh"
    /// h′ = relu(W_ih x + b_ih + W_hh h + b_hh)
    case rnnReLU = "rnn_relu"
    /// r, z, n gates (PyTorch's GRU; the reset gate applies to W_hn h + b_hn).
    case gru
    /// i, f, g, o gates and a cell state (PyTorch's LSTM).
    case lstm

    /// Rows of the stacked gate weights per hidden unit: 1, 3 or 4.
    var gates: Int {
        switch self {
        case .rnnTanh, .rnnReLU: return 1
        case .gru: return 3
        case .lstm: return 4
        }
    }
}

/// The state a recurrent cell carries: h, and c for an LSTM.
public struct RecurrentState<Scalar: TensorScalar> {
    public var h: Variable<Scalar>
    public var c: Variable<Scalar>?

    public init(h: Variable<Scalar>, c: Variable<Scalar>? = nil) {
        self.h = h
        self.c = c
    }
}

/// One step of a recurrence over a batch [N, input] → [N, hidden]. Parameters "weight_ih"
/// [gates·hidden, input], "weight_hh" [gates·hidden, hidden], "bias_ih", "bias_hh" [gates·hidden]
/// (PyTorch's names and shapes; gates in PyTorch's order).
///
///     let cell = RecurrentCell<Float>(.lstm, inputSize: 8, hiddenSize: 16)
///     var state = cell.zeroState(batch: 4)
///     for x in steps { state = cell(x, state) }       // state.h: [4, 16]
public final class RecurrentCell<Scalar: TensorScalar>: Module {
    public let kind: RecurrentKind
    public let inputSize: Int
    public let hiddenSize: Int
    @Parameter public var weight_ih: Variable<Scalar>
    @Parameter public var weight_hh: Variable<Scalar>
    public let bias_ih: Parameter<Scalar>?
    public let bias_hh: Parameter<Scalar>?

    public init(_ kind: RecurrentKind, inputSize: Int, hiddenSize: Int, bias: Bool = true) {
        tensorCheck(
            inputSize > 0 && hiddenSize > 0,
            "\(kind.rawValue) cell: input size \(inputSize), hidden size \(hiddenSize). Fix: use sizes ≥ 1."
        )
        let rows = kind.gates * hiddenSize
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        let (wi, wh, bi, bh) = ModelRandom.withGenerator { g in
            (Tensor<Scalar>.randomUniform([rows, inputSize], low: -bound, high: bound, using: &g),
             Tensor<Scalar>.randomUniform([rows, hiddenSize], low: -bound, high: bound, using: &g),
             Tensor<Scalar>.randomUniform([rows], low: -bound, high: bound, using: &g),
             Tensor<Scalar>.randomUniform([rows], low: -bound, high: bound, using: &g))
        }
        self.kind = kind
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        _weight_ih = Parameter(wi)
        _weight_hh = Parameter(wh)
        bias_ih = bias ? Parameter(bi) : nil
        bias_hh = bias ? Parameter(bh) : nil
        super.init()
    }

    public override var summaryLine: String {
        "RecurrentCell<\(Scalar.self)>(\(kind.rawValue), \(inputSize) → \(hiddenSize), bias: \(bias_ih != nil))"
    }

    /// h = 0 (and c = 0) for a batch of `batch`.
    public func zeroState(batch: Int) -> RecurrentState<Scalar> {
        let z = Variable(Tensor<Scalar>.zeros([batch, hiddenSize]))
        return RecurrentState(h: z, c: kind == .lstm ? z : nil)
    }

    /// W x + b for a stacked weight, then the columns of gate k.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func projections(_ x: Variable<Scalar>, _ h: Variable<Scalar>) -> (Variable<Scalar>, Variable<Scalar>) {
        var gi = Variable.matmul(x, weight_ih, transposingB: true)
        var gh = Variable.matmul(h, weight_hh, transposingB: true)
        if let bias_ih, let bias_hh {
            gi = gi + bias_ih.variable
            gh = gh + bias_hh.variable
        }
        return (gi, gh)
    }

    /// One step: x [N, input], state h [N, hidden] (c too for an LSTM) → the next state.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>, _ state: RecurrentState<Scalar>) -> RecurrentState<Scalar> {
        tensorCheck(
            x.rank == 2 && x.shape[1] == inputSize && state.h.shape == [x.shape[0], hiddenSize]
                && (kind != .lstm || state.c?.shape == [x.shape[0], hiddenSize]),
            "\(kind.rawValue) cell: input \(describeShape(x.shape)) and state h \(describeShape(state.h.shape))\(state.c.map { ", c \(describeShape($0.shape))" } ?? "") for input size \(inputSize), hidden size \(hiddenSize). Fix: pass x [N, \(inputSize)] and h\(kind == .lstm ? ", c" : "") [N, \(hiddenSize)] (zeroState(batch:) for a start)."
        )
        let hs = hiddenSize
        let (gi, gh) = projections(x, state.h)
        func part(_ v: Variable<Scalar>, _ k: Int) -> Variable<Scalar> { v.sliced(alongAxis: 1, (k * hs)..<((k + 1) * hs)) }
        switch kind {
        case .rnnTanh: return RecurrentState(h: (gi + gh).tanh())
        case .rnnReLU: return RecurrentState(h: (gi + gh).relu())
        case .gru:
            let r = (part(gi, 0) + part(gh, 0)).sigmoid()
            let z = (part(gi, 1) + part(gh, 1)).sigmoid()
            let n = (part(gi, 2) + r * part(gh, 2)).tanh()
            return RecurrentState(h: n + z * (state.h - n))  // (1 − z)·n + z·h
        case .lstm:
            let g = gi + gh
            let i = part(g, 0).sigmoid(), f = part(g, 1).sigmoid(), cand = part(g, 2).tanh(), o = part(g, 3).sigmoid()
            let c = f * state.c! + i * cand
            return RecurrentState(h: o * c.tanh(), c: c)
        }
    }
}

/// A multi-layer recurrent network over a sequence (PyTorch's RNN/GRU/LSTM): input [L, N, input]
/// (or [N, L, input] with `batchFirst`) → output [L, N, hidden] (every step's h of the last
/// layer), and the final state of each layer. As a `Layer` it returns the output from a zero
/// state; `callAsFunction(_:initialState:)` takes and returns the states.
///
///     let lstm = Recurrent<Float>(.lstm, inputSize: 8, hiddenSize: 16, layers: 2, batchFirst: true)
///     let (out, states) = lstm(x, initialState: nil)      // out [N, L, 16]; states[1].h [N, 16]
///
/// Parameters are "cells.<layer>.weight_ih" … (PyTorch names them "weight_ih_l<layer>"). No
/// dropout between layers and no bidirectional mode.
public final class Recurrent<Scalar: TensorScalar>: Module, Layer {
    public let cells: [RecurrentCell<Scalar>]
    public let batchFirst: Bool

    public init(_ kind: RecurrentKind, inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false) {
        tensorCheck(layers >= 1, "\(kind.rawValue): \(layers) layers. Fix: use at least 1 layer.")
        cells = (0..<layers).map { RecurrentCell(kind, inputSize: $0 == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize, bias: bias) }
        self.batchFirst = batchFirst
        super.init()
    }

    public var kind: RecurrentKind { cells[0].kind }

    public override var summaryLine: String {
        "Recurrent<\(Scalar.self)>(\(kind.rawValue), \(cells[0].inputSize) → \(cells[0].hiddenSize), layers: \(cells.count), batchFirst: \(batchFirst))"
    }

    /// The output sequence and the final state of each layer; `initialState` one per layer
    /// (zeros when nil).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>, initialState: [RecurrentState<Scalar>]?) -> (output: Variable<Scalar>, states: [RecurrentState<Scalar>]) {
        let input = cells[0].inputSize
        tensorCheck(
            x.rank == 3 && x.shape[2] == input,
            "\(kind.rawValue): input of shape \(describeShape(x.shape)). Fix: pass [\(batchFirst ? "N, L" : "L, N"), \(input)] (batchFirst: \(batchFirst))."
        )
        let seq = batchFirst ? x.transposed(0, 1) : x  // [L, N, input]
        let (steps, batch) = (seq.shape[0], seq.shape[1])
        if let initialState {
            tensorCheck(initialState.count == cells.count, "\(kind.rawValue): \(initialState.count) initial states for \(cells.count) layers. Fix: give one per layer, or nil for zeros.")
        }
        var states = initialState ?? cells.map { $0.zeroState(batch: batch) }
        var layerInput = (0..<steps).map { seq.selecting($0, alongAxis: 0) }
        for (l, cell) in cells.enumerated() {
            var outputs: [Variable<Scalar>] = []
            for t in 0..<steps {
                states[l] = cell(layerInput[t], states[l])
                outputs.append(states[l].h)
            }
            layerInput = outputs
        }
        let output = Variable.stack(layerInput, alongAxis: 0)  // [L, N, hidden]
        return (batchFirst ? output.transposed(0, 1) : output, states)
    }

    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> { self(x, initialState: nil).output }
}
