/// The softplus, `f(x) = log(1 + eˣ)`, a smooth ReLU whose derivative is the sigmoid.
public struct Softplus: Activation, Codable {
    /// Creates the softplus activation.
    public init() {}

    /// Computed as `max(x, 0) + log1p(e^(−|x|))`, which neither overflows nor loses the
    /// small values of `log(1 + eˣ)` for very negative `x`.
    @inlinable public func value<T: TensorScalar>(_ x: T) -> T {
        Swift.max(x, 0) + T.log1p(T.exp(-Swift.abs(x)))
    }

    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T { 1 / (1 + T.exp(-x)) }
}
