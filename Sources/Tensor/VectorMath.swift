import Foundation

// PLACEHOLDER: lane-by-lane libm until the vectorized implementation lands.
public enum VectorMath {
    @inlinable public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> { var r = x; for i in r.indices { r[i] = Foundation.exp(x[i]) }; return r }
    @inlinable public static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> { var r = x; for i in r.indices { r[i] = Foundation.exp(x[i]) }; return r }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func expm1(_ x: SIMD16<Float>) -> SIMD16<Float> { var r = x; for i in r.indices { r[i] = Foundation.expm1(x[i]) }; return r }
    @inlinable public static func expm1(_ x: SIMD8<Double>) -> SIMD8<Double> { var r = x; for i in r.indices { r[i] = Foundation.expm1(x[i]) }; return r }
    @inlinable public static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    @inlinable public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inlinable public static func log(_ x: SIMD16<Float>) -> SIMD16<Float> { var r = x; for i in r.indices { r[i] = Foundation.log(x[i]) }; return r }
    @inlinable public static func log(_ x: SIMD8<Double>) -> SIMD8<Double> { var r = x; for i in r.indices { r[i] = Foundation.log(x[i]) }; return r }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func log1p(_ x: SIMD16<Float>) -> SIMD16<Float> { var r = x; for i in r.indices { r[i] = Foundation.log1p(x[i]) }; return r }
    @inlinable public static func log1p(_ x: SIMD8<Double>) -> SIMD8<Double> { var r = x; for i in r.indices { r[i] = Foundation.log1p(x[i]) }; return r }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inlinable public static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> { var r = x; for i in r.indices { r[i] = Foundation.tanh(x[i]) }; return r }
    @inlinable public static func tanh(_ x: SIMD8<Double>) -> SIMD8<Double> { var r = x; for i in r.indices { r[i] = Foundation.tanh(x[i]) }; return r }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func erf(_ x: SIMD16<Float>) -> SIMD16<Float> { var r = x; for i in r.indices { r[i] = Foundation.erf(x[i]) }; return r }
    @inlinable public static func erf(_ x: SIMD8<Double>) -> SIMD8<Double> { var r = x; for i in r.indices { r[i] = Foundation.erf(x[i]) }; return r }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}
