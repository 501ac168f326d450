/// The identity, `f(x) = x`: a linear output unit.
public struct Identity: Activation, Codable {
    /// Creates the identity activation.
    public init() {}
    @inlinable public func value<T: TensorScalar>(_ x: T) -> T { x }
    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T { 1 }
}
