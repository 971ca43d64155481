import Autograd

/// Layers applied one after another: y = fₙ(…f₂(f₁(x))).
///
/// Build it from an array or with the builder syntax:
/// ```swift
/// let model = Sequential<Float> {
///     Linear(64, 128); ReLU()
///     Linear(128, 10)
/// }
/// ```
/// Parameters are named "layers.<index>.<name>", e.g. "layers.0.weight".
public final class Sequential<Scalar: TensorScalar>: Module, Layer {
    public let layers: [any Layer<Scalar>]

    public init(_ layers: [any Layer<Scalar>]) {
        self.layers = layers
        super.init()
    }

    public convenience init(@LayerBuilder<Scalar> _ build: () throws -> [any Layer<Scalar>]) rethrows {
        self.init(try build())
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Variable<Scalar>) -> Variable<Scalar> {
        var y = x
        for layer in layers { y = layer(y) }
        return y
    }
}

/// Collects layers for `Sequential { … }`.
@resultBuilder
public enum LayerBuilder<Scalar: TensorScalar> {
    public static func buildExpression(_ layer: any Layer<Scalar>) -> [any Layer<Scalar>] { [layer] }
    public static func buildExpression(_ layers: [any Layer<Scalar>]) -> [any Layer<Scalar>] { layers }
    public static func buildBlock(_ parts: [any Layer<Scalar>]...) -> [any Layer<Scalar>] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer<Scalar>]?) -> [any Layer<Scalar>] { part ?? [] }
    public static func buildEither(first part: [any Layer<Scalar>]) -> [any Layer<Scalar>] { part }
    public static func buildEither(second part: [any Layer<Scalar>]) -> [any Layer<Scalar>] { part }
    public static func buildArray(_ parts: [[any Layer<Scalar>]]) -> [any Layer<Scalar>] { parts.flatMap { $0 } }
}
