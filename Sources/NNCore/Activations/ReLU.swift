/// The rectified linear unit, `f(x) = max(0, x)`. Its derivative at 0 is taken as 0.
public struct ReLU: Activation, Codable {
    /// Creates the ReLU activation.
    public init() {}
    @inlinable public func value<T: TensorScalar>(_ x: T) -> T { x > 0 ? x : 0 }
    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T { x > 0 ? 1 : 0 }
}
