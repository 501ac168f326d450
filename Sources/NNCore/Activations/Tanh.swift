/// The hyperbolic tangent, with `f′ = 1 − y²`.
public struct Tanh: Activation, Codable {
    /// Creates the tanh activation.
    public init() {}
    @inlinable public func value<T: TensorScalar>(_ x: T) -> T { T.tanh(x) }
    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T { 1 - y * y }

    /// Writes `tanh(input[i])` into `output[i]`, eight lanes at a time (within 2 ulp of the
    /// exact value, like libm's `tanhf`, at a fraction of its cost).
    public func apply(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        Kernels.tanh(input, into: output)
    }
}
