import Autograd

// In-place activations (Caffe's in-place ReLU): the output overwrites the input's buffer, and
// only the output is kept for backward. That works where the derivative can be computed from
// the output:
//   relu: y > 0 ? g : 0            leakyReLU (a > 0): y > 0 ? g : a·g
//   sigmoid: g·y(1 − y)            tanh: g·(1 − y²)
//   elu: y > 0 ? g : g·(y + α)     selu: y > 0 ? λg : g·(y + λα)
//   relu6 / hardtanh: g where lower < y < upper
// (For elu/selu the output form loses relative accuracy in Float for very negative x, where
// y + α cancels; the out-of-place forms read the input instead.) Where the derivative needs the
// input — abs, softplus, silu, mish, gelu, softsign, logSigmoid, and leakyReLU with a ≤ 0 (a
// negative output no longer tells the sign of the input) — in place is refused with a message.

/// An activation with its parameters, as a value: applied out of place with `callAsFunction`,
/// or in place with `Variable.applyInPlace(_:)`.
public enum Activation<Scalar: TensorScalar>: Sendable {
    case relu
    case leakyReLU(negativeSlope: Scalar)
    case sigmoid, tanh
    case elu(alpha: Scalar)
    case selu, relu6
    case hardtanh(min: Scalar, max: Scalar)
    case abs, softplus, silu, mish, gelu, softsign, logSigmoid

    public var name: String {
        switch self {
        case .relu: return "relu"
        case .leakyReLU: return "leakyReLU"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .elu: return "elu"
        case .selu: return "selu"
        case .relu6: return "relu6"
        case .hardtanh: return "hardtanh"
        case .abs: return "abs"
        case .softplus: return "softplus"
        case .silu: return "silu"
        case .mish: return "mish"
        case .gelu: return "gelu"
        case .softsign: return "softsign"
        case .logSigmoid: return "logSigmoid"
        }
    }

    /// Whether the derivative can be computed from the output alone, so the activation can
    /// overwrite its input.
    public var worksInPlace: Bool {
        switch self {
        case .relu, .sigmoid, .tanh, .elu, .selu, .relu6, .hardtanh: return true
        case .leakyReLU(let a): return a > 0
        case .abs, .softplus, .silu, .mish, .gelu, .softsign, .logSigmoid: return false
        }
    }

    /// The activation, out of place.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        switch self {
        case .relu: return x.relu()
        case .leakyReLU(let a): return x.leakyReLU(negativeSlope: a)
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .elu(let alpha): return x.elu(alpha: alpha)
        case .selu: return x.selu()
        case .relu6: return x.relu6()
        case .hardtanh(let lo, let hi): return x.hardtanh(min: lo, max: hi)
        case .abs: return x.abs()
        case .softplus: return x.softplus()
        case .silu: return x.silu()
        case .mish: return x.mish()
        case .gelu: return x.gelu()
        case .softsign: return x.softsign()
        case .logSigmoid: return x.logSigmoid()
        }
    }
}

extension Variable {
    /// Applies `activation` in place: the output overwrites this variable's buffer when nothing
    /// else holds it (no allocation), and only the output is kept for backward. Stops with a
    /// message for activations whose derivative needs the input (abs, mish, gelu, …, and
    /// leakyReLU with a slope ≤ 0) and on a leaf that requires a gradient.
    public mutating func applyInPlace(_ activation: Activation<Scalar>) {
        tensorCheck(
            activation.worksInPlace,
            "\(activation.name) in place: its derivative needs the input, which an in-place form overwrites\(activation.name == "leakyReLU" ? " (with a slope ≤ 0 the output's sign no longer tells the input's)" : ""). Fix: apply it out of place, y = x.\(activation.name)(…)."
        )
        switch activation {
        case .relu:
            formActivation(ReLURule())
        case .leakyReLU(let a):
            formActivation(LeakyReLURule(negativeSlope: a))
        case .sigmoid:
            formActivation(SigmoidRule())
        case .tanh:
            formActivation(TanhRule())
        case .elu(let alpha):
            formActivation(ELURule(alpha: alpha))
        case .selu:
            formActivation(SELURule())
        case .relu6:
            formActivation(ReLU6Rule())
        case .hardtanh(let lo, let hi):
            formActivation(HardtanhRule(min: lo, max: hi))
        default:
            tensorFailure("\(activation.name) in place: not supported. Fix: apply it out of place.")
        }
    }
}
