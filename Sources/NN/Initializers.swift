import Autograd

// Weight initializers (PyTorch's torch.nn.init): Xavier/Glorot and Kaiming/He, with the gain
// table of `calculate_gain` and the fan computation of `_calculate_fan_in_and_fan_out`.
//
//   fanIn = shape[1]·receptive, fanOut = shape[0]·receptive, receptive = Π shape[2...]
//   xavierUniform: U(−a, a),  a = gain·√(6 / (fanIn + fanOut))
//   xavierNormal:  N(0, σ²),  σ = gain·√(2 / (fanIn + fanOut))
//   kaimingUniform: U(−b, b), b = √3·gain/√fan
//   kaimingNormal:  N(0, σ²), σ = gain/√fan   (fan = fanIn or fanOut by `mode`)

/// The nonlinearities `calculateGain` knows (PyTorch's names).
public enum Nonlinearity: Sendable, Equatable {
    case linear, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d
    case sigmoid, tanh, relu, leakyReLU, selu
}

/// The recommended scale of initial weights for a nonlinearity — PyTorch's `calculate_gain`:
///
/// | nonlinearity | gain |
/// |---|---|
/// | linear, conv, sigmoid | 1 |
/// | tanh | 5/3 |
/// | relu | √2 |
/// | leakyReLU | √(2 / (1 + a²)), a = `parameter` (default 0.01) |
/// | selu | 3/4 |
///
/// `parameter` is the leaky ReLU's negative slope; other nonlinearities ignore it (as PyTorch).
public func calculateGain(_ nonlinearity: Nonlinearity, parameter: Double? = nil) -> Double {
    switch nonlinearity {
    case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
        return 1
    case .tanh: return 5.0 / 3
    case .relu: return 2.0.squareRoot()
    case .leakyReLU:
        let a = parameter ?? 0.01
        tensorCheck(a.isFinite, "calculateGain: leaky ReLU slope \(a). Fix: pass a finite negative slope.")
        return (2 / (1 + a * a)).squareRoot()
    case .selu: return 3.0 / 4
    }
}

/// Which fan Kaiming initialization preserves: `.fanIn` keeps the forward pass's variance,
/// `.fanOut` the backward pass's.
public enum FanMode: Sendable, Equatable {
    case fanIn, fanOut
}

/// The fans of a weight of `shape`: Linear [out, in] → (in, out); convolution
/// [out, in, k₁, k₂, …] → (in·k₁·k₂…, out·k₁·k₂…). Stops below rank 2.
public func fans(ofShape shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    tensorCheck(
        shape.count >= 2,
        "fans(ofShape:): shape \(describeShape(shape)) has fewer than 2 dimensions, so fan in and fan out are undefined. Fix: use a weight of shape [out, in] or [out, in, kh, kw].")
    // The element count checked first: fans are products of the sizes and may overflow too.
    _ = checkedElementCount(shape, op: "fans(ofShape:)")
    let receptive = shape.dropFirst(2).reduce(1, *)
    let fanIn = shape[1] * receptive, fanOut = shape[0] * receptive
    tensorCheck(
        !fanIn.addingReportingOverflow(fanOut).overflow,
        "fans(ofShape:): shape \(describeShape(shape)) has fans too large to add. Fix: use a smaller shape.")
    return (fanIn, fanOut)
}

extension Tensor {
    /// Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ shape: [Int], gain: Double = 1, using generator: inout TensorRandom) -> Tensor {
        let (fanIn, fanOut) = fans(ofShape: shape)
        let a = Scalar(gain * (6 / Double(fanIn + fanOut)).squareRoot())
        return randomUniform(shape, low: -a, high: a, using: &generator)
    }

    /// Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
    public static func xavierNormal(_ shape: [Int], gain: Double = 1, using generator: inout TensorRandom) -> Tensor {
        let (fanIn, fanOut) = fans(ofShape: shape)
        let std = Scalar(gain * (2 / Double(fanIn + fanOut)).squareRoot())
        return randomNormal(shape, mean: 0, standardDeviation: std, using: &generator)
    }

    /// Kaiming/He uniform: U(−b, b) with b = √3 · calculateGain(nonlinearity, a)/√fan.
    /// Defaults as PyTorch's `kaiming_uniform_` (a = 0, fan in, leaky ReLU — so gain √2).
    public static func kaimingUniform(
        _ shape: [Int], a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU,
        using generator: inout TensorRandom
    ) -> Tensor {
        let std = kaimingStandardDeviation(shape, a: a, mode: mode, nonlinearity: nonlinearity)
        let b = Scalar(3.0.squareRoot() * std)
        return randomUniform(shape, low: -b, high: b, using: &generator)
    }

    /// Kaiming/He normal: N(0, σ²) with σ = calculateGain(nonlinearity, a)/√fan.
    public static func kaimingNormal(
        _ shape: [Int], a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU,
        using generator: inout TensorRandom
    ) -> Tensor {
        let std = kaimingStandardDeviation(shape, a: a, mode: mode, nonlinearity: nonlinearity)
        return randomNormal(shape, mean: 0, standardDeviation: Scalar(std), using: &generator)
    }

    static func kaimingStandardDeviation(_ shape: [Int], a: Double, mode: FanMode, nonlinearity: Nonlinearity) -> Double {
        let (fanIn, fanOut) = fans(ofShape: shape)
        let fan = mode == .fanIn ? fanIn : fanOut
        tensorCheck(fan > 0, "kaiming initialization: shape \(describeShape(shape)) has a fan of 0. Fix: use a weight with no zero dimension.")
        return calculateGain(nonlinearity, parameter: a) / Double(fan).squareRoot()
    }
}

/// An initialization scheme, to re-initialize a parameter in place: `parameter.initialize(.xavierUniform())`
/// or, from a module, `model.parameters(of: Float.self).forEach { $0.initialize(.kaimingNormal()) }`.
public enum Initializer: Sendable {
    case xavierUniform(gain: Double = 1)
    case xavierNormal(gain: Double = 1)
    case kaimingUniform(a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU)
    case kaimingNormal(a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU)
    case uniform(low: Double, high: Double)
    case normal(mean: Double = 0, standardDeviation: Double = 1)
    case constant(Double)

    /// A tensor of `shape` drawn by this scheme.
    public func tensor<Scalar: TensorScalar>(_ shape: [Int], of _: Scalar.Type = Scalar.self, using g: inout TensorRandom) -> Tensor<Scalar> {
        switch self {
        case .xavierUniform(let gain): return .xavierUniform(shape, gain: gain, using: &g)
        case .xavierNormal(let gain): return .xavierNormal(shape, gain: gain, using: &g)
        case .kaimingUniform(let a, let mode, let f): return .kaimingUniform(shape, a: a, mode: mode, nonlinearity: f, using: &g)
        case .kaimingNormal(let a, let mode, let f): return .kaimingNormal(shape, a: a, mode: mode, nonlinearity: f, using: &g)
        case .uniform(let low, let high): return .randomUniform(shape, low: Scalar(low), high: Scalar(high), using: &g)
        case .normal(let mean, let std): return .randomNormal(shape, mean: Scalar(mean), standardDeviation: Scalar(std), using: &g)
        case .constant(let c): return Tensor(shape: shape, repeating: Scalar(c))
        }
    }
}

extension Parameter {
    /// Replaces the value (same shape) with a fresh draw of `initializer` from `generator`;
    /// the accumulated gradient is dropped.
    public func initialize(_ initializer: Initializer, using generator: inout TensorRandom) {
        assign(initializer.tensor(shape, using: &generator))
        variable.resetGradient()
    }

    /// Re-initializes from the default generator (see `manualSeed(_:)`).
    public func initialize(_ initializer: Initializer) {
        let t: Tensor<Scalar> = ModelRandom.withGenerator { initializer.tensor(shape, using: &$0) }
        assign(t)
        variable.resetGradient()
    }
}
