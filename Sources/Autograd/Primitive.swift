/// An output an operation kept for its derivative (exp′ = y reads y). Kept as a bare
/// tensor — the node that owns it is its producer — and turned back into a variable of that
/// node during backward, so second derivatives flow through it.
public struct SavedOutput<Scalar: TensorScalar>: Sendable {
    let tensor: Tensor<Scalar>
    let version: Int

    @usableFromInline
    init(_ t: Tensor<Scalar>) {
        tensor = t
        version = t.storageVersion
    }
}

/// The differentiable primitives and what each keeps for its derivative.
///
/// This enum and `Node.inputGradients(_:)` below are the one table of derivatives: each case's
/// rule is written once, with differentiable operations, so the same rule serves first-order
/// backward (run without recording) and higher orders (recorded, with `createGraph`). Rules
/// return gradients in the output's shape; the engine sums them to each input's shape.
/// Element-wise activations (sigmoid, tanh, abs, …) are not cases each: every one is an
/// `ElementwiseActivation` rule, recorded as `.activation` with the rule's own derivative.
public enum Primitive<Scalar: TensorScalar>: Sendable {
    case leaf
    /// A node whose saved tensors were freed by a backward pass without `retainGraph`.
    case released(String)
    case add, subtract, negate
    /// scale·x + shift for constants (scalar arithmetic): nothing to save.
    case affine(scale: Scalar, shift: Scalar)
    case multiply(Saved<Scalar>, Saved<Scalar>)
    case divide(Saved<Scalar>, Saved<Scalar>)
    case exp(SavedOutput<Scalar>)
    case expm1(SavedOutput<Scalar>)
    case log(Saved<Scalar>)
    case log1p(Saved<Scalar>)
    case sqrt(SavedOutput<Scalar>)
    case erf(Saved<Scalar>)
    case power(Saved<Scalar>, exponent: Scalar)
    case clamp(Saved<Scalar>, lower: Scalar, upper: Scalar)
    case maximum(Saved<Scalar>, Saved<Scalar>)
    case minimum(Saved<Scalar>, Saved<Scalar>)
    case sum(axes: [Int], keepingDimensions: Bool, inputShape: [Int])
    case matmul(Saved<Scalar>, Saved<Scalar>, transposingA: Bool, transposingB: Bool)
    case reshape(inputShape: [Int])
    case permute([Int])
    case slice(axis: Int, start: Int, step: Int, inputShape: [Int])
    case scatterSlice(axis: Int, start: Int, step: Int)
    /// Broadcasting view; the engine's un-broadcast is its whole derivative.
    case expand
    case concatenate(axis: Int, sizes: [Int])
    case select(condition: Tensor<Scalar>)
    case custom(any DifferentiableFunction<Scalar>, saved: [Saved<Scalar>], output: SavedOutput<Scalar>?)
    /// An `ElementwiseActivation` rule applied to x: its gradient g·f′(s), s the input or the
    /// saved output, as the rule says.
    case activation(ActivationRecord<Scalar>, Saved<Scalar>, SavedOutput<Scalar>?)

    var name: String {
        switch self {
        case .leaf: return "leaf"
        case .released(let n): return n
        case .add: return "add"
        case .subtract: return "subtract"
        case .negate: return "negate"
        case .affine: return "affine"
        case .multiply: return "multiply"
        case .divide: return "divide"
        case .exp: return "exp"
        case .expm1: return "expm1"
        case .log: return "log"
        case .log1p: return "log1p"
        case .sqrt: return "sqrt"
        case .erf: return "erf"
        case .power: return "pow"
        case .clamp: return "clamp"
        case .maximum: return "maximum"
        case .minimum: return "minimum"
        case .sum: return "sum"
        case .matmul: return "matmul"
        case .reshape: return "reshape"
        case .permute: return "permute"
        case .slice: return "slice"
        case .scatterSlice: return "scatterSlice"
        case .expand: return "expand"
        case .concatenate: return "concatenate"
        case .select: return "select"
        case .custom(let f, _, _): return f.name
        case .activation(let r, _, _): return r.name
        }
    }

    /// Calls `body` with each saved input and its position (for the in-place check), without
    /// building an array.
    func forEachSavedInput(_ body: (Int, Saved<Scalar>) -> Void) {
        switch self {
        case .multiply(let a, let b), .divide(let a, let b), .maximum(let a, let b),
            .minimum(let a, let b), .matmul(let a, let b, _, _):
            body(0, a)
            body(1, b)
        case .log(let a), .log1p(let a), .erf(let a), .power(let a, _),
            .clamp(let a, _, _):
            body(0, a)
        case .custom(_, let saved, _):
            for (i, s) in saved.enumerated() { body(i, s) }
        case .activation(_, let x, _):
            body(0, x)
        default: break
        }
    }

    var savedOutput: SavedOutput<Scalar>? {
        switch self {
        case .exp(let y), .expm1(let y), .sqrt(let y): return y
        case .custom(_, _, let y), .activation(_, _, let y): return y
        default: return nil
        }
    }
}

extension Node {
    /// The derivative table: gradients with respect to each input, given the gradient `g` of
    /// the output (all in the output's shape; nil for an input that gets none).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func inputGradients(_ g: Variable<Scalar>, _ primitive: Primitive<Scalar>) -> [Variable<Scalar>?] {
        /// The saved output as a variable of this node, so second derivatives reach it.
        func output(_ y: SavedOutput<Scalar>) -> Variable<Scalar> { Variable(value: y.tensor, node: self) }
        switch primitive {
        case .leaf, .released: return []
        case .add: return [g, g]
        case .subtract: return [g, -g]
        case .negate: return [-g]
        case .affine(let scale, _): return [scale == 1 ? g : g * scale]
        case .multiply(let a, let b): return [g * b.variable, g * a.variable]
        case .divide(let a, let b):
            let b = b.variable
            return [g / b, -g * a.variable / (b * b)]
        case .exp(let y): return [g * output(y)]
        case .expm1(let y): return [g * (output(y) + 1)]
        case .log(let x): return [g / x.variable]
        case .log1p(let x): return [g / (x.variable + 1)]
        case .sqrt(let y): return [g / (output(y) * 2)]
        case .erf(let x):
            let x = x.variable
            return [g * ((-(x * x)).exp() * Scalar(1.1283791670955125738961589031215452))]  // 2/√π
        case .power(let x, let p):
            return [p == 0 ? g * 0 : g * (x.variable.pow(p - 1) * p)]
        case .clamp(let x, let lower, let upper):
            let v = x.variable.value
            return [g * Variable((v .>= Tensor(lower)) * (v .<= Tensor(upper)))]
        case .maximum(let a, let b), .minimum(let a, let b):
            // Ties split the gradient evenly (as PyTorch).
            let isMax: Bool
            if case .maximum = primitive { isMax = true } else { isMax = false }
            let av = a.variable.value
            let bv = b.variable.value
            let wins = isMax ? (av .> bv) : (av .< bv)
            let ties = (av .== bv) * 0.5
            let toA = wins + ties
            return [g * Variable(toA), g * Variable(1 - toA)]
        case .sum(let axes, let keep, let inputShape):
            var kept = inputShape
            for a in axes { kept[a] = 1 }
            let shaped = keep ? g : g.reshaped(to: kept)
            return [shaped.expanded(to: inputShape)]
        case .matmul(let a, let b, let ta, let tb):
            let a = a.variable
            let b = b.variable
            switch (ta, tb) {
            case (false, false):
                return [Variable.matmul(g, b, transposingB: true), Variable.matmul(a, g, transposingA: true)]
            case (true, false):
                return [Variable.matmul(b, g, transposingB: true), Variable.matmul(a, g)]
            case (false, true):
                return [Variable.matmul(g, b), Variable.matmul(g, a, transposingA: true)]
            case (true, true):
                return [Variable.matmul(b, g, transposingA: true, transposingB: true),
                        Variable.matmul(g, a, transposingA: true, transposingB: true)]
            }
        case .reshape(let inputShape): return [g.reshaped(to: inputShape)]
        case .permute(let axes):
            var inverse = [Int](repeating: 0, count: axes.count)
            for (i, a) in axes.enumerated() { inverse[a] = i }
            return [g.permuted(inverse)]
        case .slice(let axis, let start, let step, let inputShape):
            return [Variable.scatteringSlice(g, into: inputShape, alongAxis: axis, from: start, by: step)]
        case .scatterSlice(let axis, let start, let step):
            return [g.sliced(alongAxis: axis, from: start, to: start + (input(0).shape[axis] - 1) * step + 1, by: step)]
        case .expand: return [g]
        case .concatenate(let axis, let sizes):
            var start = 0
            return sizes.map { n in
                defer { start += n }
                return g.sliced(alongAxis: axis, from: start, to: start + n)
            }
        case .select(let condition):
            let zero = Variable(Tensor<Scalar>(0))
            return [Variable.select(condition, g, zero), Variable.select(condition, zero, g)]
        case .custom(let f, let saved, let y):
            var values = saved.map(\.variable)
            if let y { values.append(output(y)) }
            return f.backward(gradient: g, saved: values)
        case .activation(let r, let x, let y):
            return [r.gradient(g, y.map(output) ?? x.variable)]
        }
    }
}
