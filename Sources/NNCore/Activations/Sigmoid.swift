/// The logistic sigmoid, `f(x) = 1 / (1 + e⁻ˣ)`, with `f′ = y(1 − y)`.
public struct Sigmoid: Activation, Codable {
    /// Creates the sigmoid activation.
    public init() {}
    @inlinable public func value<T: TensorScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T { y * (1 - y) }
}
