// Functional transforms (JAX's grad/vjp/jvp/jacfwd/jacrev/hessian, torch.func's): functions of
// a function and a point, built on the reverse-mode engine. Each records its own graph (even
// inside `withoutGradients`) and returns plain tensors.

/// How `jacobian(of:at:mode:)` builds the Jacobian.
public enum JacobianMode: Sendable {
    /// Reverse mode (one vector–Jacobian product per output element) when the output has at
    /// most as many elements as the input, forward mode otherwise.
    case automatic
    /// One backward pass per output element (torch.func.jacrev).
    case reverse
    /// One Jacobian–vector product per input element (torch.func.jacfwd).
    case forward
}

/// The gradient of `output` with respect to `input` for a seed that is itself a variable: with
/// `createGraph` the result depends on the seed differentiably (Jᵀu, linear in u). nil when the
/// output does not depend on the input.
func seededGradient<S: TensorScalar>(
    of output: Variable<S>, withRespectTo input: Variable<S>, seed: Variable<S>, retainGraph: Bool, createGraph: Bool
) -> Variable<S>? {
    guard let root = output.node, let leaf = input.node else { return nil }
    let captured = Engine.run(
        root: root, seed: seed, retainGraph: retainGraph, createGraph: createGraph,
        capture: [ObjectIdentifier(leaf)], accumulate: false)
    return captured[ObjectIdentifier(leaf)]
}

/// A one-hot tensor of `shape` with 1 at flat position `i`.
func basis<S: TensorScalar>(_ shape: [Int], _ i: Int) -> Tensor<S> {
    var scalars = [S](repeating: 0, count: shape.reduce(1, *))
    scalars[i] = 1
    return Tensor(shape: shape, scalars: scalars)
}

/// Stacks tensors of one shape along a new leading axis.
func stacked<S: TensorScalar>(_ parts: [Tensor<S>], shape: [Int]) -> Tensor<S> {
    Tensor(shape: [parts.count] + shape, scalars: parts.flatMap(\.scalars))
}

/// f(x) and ∇f(x), for an f with one output element (a loss): JAX's `value_and_grad`.
///
///     let (loss, g) = valueWithGradient(of: { ($0 * $0).sum() }, at: x)   // g = 2x
///
/// An output that does not depend on x has gradient 0. An f with more than one output element
/// stops: use `vjp(of:at:cotangent:)` or `jacobian(of:at:)`.
public func valueWithGradient<S: TensorScalar>(
    of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>
) -> (value: Tensor<S>, gradient: Tensor<S>) {
    withGradients {
        let v = Variable(x, requiresGradient: true)
        let y = f(v)
        tensorCheck(
            y.value.count == 1,
            "valueWithGradient(of:at:): f returned shape \(describeShape(y.shape)), not one element. Fix: reduce it to a scalar (sum(), mean()), or use vjp(of:at:cotangent:) or jacobian(of:at:) for a vector output."
        )
        guard y.node != nil else { return (y.value, Tensor(shape: x.shape, repeating: 0)) }
        let g = gradients(of: y, withRespectTo: [v], allowUnused: true)[0]
        return (y.value, g?.value ?? Tensor(shape: x.shape, repeating: 0))
    }
}

/// ∇f(x) for an f with one output element: JAX's `grad`, swift-apis' `gradient(at:of:)`.
public func gradient<S: TensorScalar>(of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>) -> Tensor<S> {
    valueWithGradient(of: f, at: x).gradient
}

/// f(x) and the vector–Jacobian product uᵀJ (shape of x), for a cotangent u of f(x)'s shape:
/// one backward pass (torch.func.vjp).
public func vjp<S: TensorScalar>(
    of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>, cotangent u: Tensor<S>
) -> (value: Tensor<S>, vjp: Tensor<S>) {
    withGradients {
        let v = Variable(x, requiresGradient: true)
        let y = f(v)
        tensorCheck(
            u.shape == y.shape,
            "vjp(of:at:cotangent:): cotangent of shape \(describeShape(u.shape)) for f(x) of shape \(describeShape(y.shape)). Fix: pass a cotangent of f(x)'s shape."
        )
        guard y.node != nil else { return (y.value, Tensor(shape: x.shape, repeating: 0)) }
        let g = gradients(of: y, withRespectTo: [v], seed: u, allowUnused: true)[0]
        return (y.value, g?.value ?? Tensor(shape: x.shape, repeating: 0))
    }
}

/// f(x) and the Jacobian–vector product J t (shape of f(x)), for a tangent t of x's shape
/// (torch.func.jvp, JAX's jvp).
///
/// Built from two reverse passes (the "double vjp"): g(u) = Jᵀu is linear in u, so
/// ∂⟨g(u), t⟩/∂u = J t, exactly, at any u (u = 0 here). It needs the second derivatives of
/// every operation in f, which every Tapegrad operation has; it costs about three backward
/// passes. Docs/Autograd.md compares it with the alternatives.
public func jvp<S: TensorScalar>(
    of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>, tangent t: Tensor<S>
) -> (value: Tensor<S>, jvp: Tensor<S>) {
    tensorCheck(
        t.shape == x.shape,
        "jvp(of:at:tangent:): tangent of shape \(describeShape(t.shape)) at x of shape \(describeShape(x.shape)). Fix: pass a tangent of x's shape."
    )
    return withGradients {
        let v = Variable(x, requiresGradient: true)
        let y = f(v)
        let u = Variable(Tensor<S>(shape: y.shape, repeating: 0), requiresGradient: true)
        guard let g = seededGradient(of: y, withRespectTo: v, seed: u, retainGraph: true, createGraph: true), g.node != nil else {
            return (y.value, Tensor(shape: y.shape, repeating: 0))
        }
        let jt = gradients(of: g, withRespectTo: [u], seed: t, allowUnused: true)[0]
        return (y.value, jt?.value ?? Tensor(shape: y.shape, repeating: 0))
    }
}

/// The Jacobian ∂f(x)/∂x, of shape f(x).shape + x.shape: `J[i…, j…] = ∂f(x)[i…]/∂x[j…]`
/// (torch.func.jacrev / jacfwd). Reverse mode makes one backward pass per output element,
/// forward mode one Jacobian–vector product per input element, both over one recorded graph.
public func jacobian<S: TensorScalar>(
    of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>, mode: JacobianMode = .automatic
) -> Tensor<S> {
    withGradients {
        let v = Variable(x, requiresGradient: true)
        let y = f(v)
        let m = y.value.count, n = x.count
        let zeros = Tensor<S>(shape: y.shape + x.shape, repeating: 0)
        guard y.node != nil else { return zeros }
        let forward = mode == .forward || (mode == .automatic && n < m)
        if !forward {
            // Row i: eᵢᵀJ, one backward pass each over the same graph.
            let rows = (0..<m).map { i -> Tensor<S> in
                gradients(of: y, withRespectTo: [v], seed: basis(y.shape, i), retainGraph: true, allowUnused: true)[0]?.value
                    ?? Tensor(shape: x.shape, repeating: 0)
            }
            return stacked(rows, shape: x.shape).reshaped(to: y.shape + x.shape)
        }
        // Column j: J eⱼ, by the double vjp over one recorded g(u) = Jᵀu.
        let u = Variable(Tensor<S>(shape: y.shape, repeating: 0), requiresGradient: true)
        guard let g = seededGradient(of: y, withRespectTo: v, seed: u, retainGraph: true, createGraph: true), g.node != nil else {
            return zeros
        }
        let columns = (0..<n).map { j -> Tensor<S> in
            gradients(of: g, withRespectTo: [u], seed: basis(x.shape, j), retainGraph: true, allowUnused: true)[0]?.value
                ?? Tensor(shape: y.shape, repeating: 0)
        }
        // columns: [n, m] → [m, n].
        return stacked(columns, shape: [m]).transposed().contiguous().reshaped(to: y.shape + x.shape)
    }
}

/// The Hessian ∂²f/∂x² of an f with one output element, of shape x.shape + x.shape
/// (torch.func.hessian): the Jacobian of the gradient, one backward pass per row over the
/// recorded gradient.
public func hessian<S: TensorScalar>(of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>) -> Tensor<S> {
    withGradients {
        let v = Variable(x, requiresGradient: true)
        let y = f(v)
        tensorCheck(
            y.value.count == 1,
            "hessian(of:at:): f returned shape \(describeShape(y.shape)), not one element. Fix: reduce it to a scalar (sum(), mean()); for a vector output take the jacobian of its gradient."
        )
        let zeros = Tensor<S>(shape: x.shape + x.shape, repeating: 0)
        guard y.node != nil, let g = gradients(of: y, withRespectTo: [v], createGraph: true, allowUnused: true)[0], g.node != nil else {
            return zeros
        }
        let rows = (0..<x.count).map { i -> Tensor<S> in
            gradients(of: g, withRespectTo: [v], seed: basis(x.shape, i), retainGraph: true, allowUnused: true)[0]?.value
                ?? Tensor(shape: x.shape, repeating: 0)
        }
        return stacked(rows, shape: x.shape).reshaped(to: x.shape + x.shape)
    }
}

/// H w, the Hessian of a one-element f times a vector w of x's shape, without forming H: two
/// backward passes (Pearlmutter's trick as a double vjp).
public func hessianVectorProduct<S: TensorScalar>(
    of f: (Variable<S>) -> Variable<S>, at x: Tensor<S>, vector w: Tensor<S>
) -> Tensor<S> {
    tensorCheck(
        w.shape == x.shape,
        "hessianVectorProduct(of:at:vector:): vector of shape \(describeShape(w.shape)) at x of shape \(describeShape(x.shape)). Fix: pass a vector of x's shape."
    )
    return withGradients {
        let v = Variable(x, requiresGradient: true)
        let y = f(v)
        tensorCheck(
            y.value.count == 1,
            "hessianVectorProduct(of:at:vector:): f returned shape \(describeShape(y.shape)), not one element. Fix: reduce it to a scalar (sum(), mean())."
        )
        guard y.node != nil, let g = gradients(of: y, withRespectTo: [v], createGraph: true, allowUnused: true)[0], g.node != nil else {
            return Tensor(shape: x.shape, repeating: 0)
        }
        return gradients(of: g, withRespectTo: [v], seed: w, allowUnused: true)[0]?.value ?? Tensor(shape: x.shape, repeating: 0)
    }
}
