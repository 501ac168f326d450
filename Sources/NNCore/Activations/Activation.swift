/// A scalar function applied element by element, with its derivative.
///
/// Write ``value(_:)`` and ``derivative(input:output:)`` once, generically; the vectorised
/// kernels that layers call are provided, and the compiler specialises them for your type,
/// so a custom activation runs as fast as a built-in one:
///
/// ```swift
/// struct Swish: Activation {
///     func value<T: TensorScalar>(_ x: T) -> T { x / (1 + T.exp(-x)) }
///     func derivative<T: TensorScalar>(input x: T, output y: T) -> T {
///         let s = 1 / (1 + T.exp(-x))
///         return s + y * (1 - s)
///     }
/// }
/// ```
///
/// The derivative receives both the input `x` and the output `y = f(x)`: sigmoid and tanh
/// are cheapest from the output (`y(1 − y)`, `1 − y²`), others need the input.
public protocol Activation: Sendable {
    /// The activation's value at `x`.
    func value<T: TensorScalar>(_ x: T) -> T

    /// The derivative at `x`, where `y` is `value(x)`.
    func derivative<T: TensorScalar>(input x: T, output y: T) -> T

    /// Writes `value(input[i])` into `output[i]`. Provided; override only to hand-vectorise.
    func apply(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>)
    /// Writes `value(input[i])` into `output[i]`. Provided; override only to hand-vectorise.
    func apply(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>)

    /// Multiplies `gradient[i]` by `derivative(input[i], output[i])`. Provided.
    func multiplyByDerivative(
        input: UnsafeBufferPointer<Float>, output: UnsafeBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>)
    /// Multiplies `gradient[i]` by `derivative(input[i], output[i])`. Provided.
    func multiplyByDerivative(
        input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
        gradient: UnsafeMutableBufferPointer<Double>)
}

// One overload per scalar type, because a protocol requirement that is generic over the
// scalar would be reached through `any Layer` without specialisation, paying a dynamic call
// per element. These defaults are inlinable, so each conforming type (even one in a user's
// module) gets loops compiled for it and for the concrete scalar.
extension Activation {
    @inlinable
    public func apply(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        applyElementwise(input, into: output)
    }

    @inlinable
    public func apply(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        applyElementwise(input, into: output)
    }

    @inlinable
    public func multiplyByDerivative(
        input: UnsafeBufferPointer<Float>, output: UnsafeBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>
    ) {
        multiplyByDerivativeElementwise(input: input, output: output, gradient: gradient)
    }

    @inlinable
    public func multiplyByDerivative(
        input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
        gradient: UnsafeMutableBufferPointer<Double>
    ) {
        multiplyByDerivativeElementwise(input: input, output: output, gradient: gradient)
    }

    @inlinable
    func applyElementwise<T: TensorScalar>(_ input: UnsafeBufferPointer<T>, into output: UnsafeMutableBufferPointer<T>) {
        precondition(input.count == output.count, "Activation.apply: \(input.count) inputs, \(output.count) outputs")
        for i in 0..<input.count { output[i] = value(input[i]) }
    }

    @inlinable
    func multiplyByDerivativeElementwise<T: TensorScalar>(
        input: UnsafeBufferPointer<T>, output: UnsafeBufferPointer<T>, gradient: UnsafeMutableBufferPointer<T>
    ) {
        precondition(
            input.count == gradient.count && output.count == gradient.count,
            "Activation.multiplyByDerivative: buffers differ in length")
        for i in 0..<gradient.count { gradient[i] *= derivative(input: input[i], output: output[i]) }
    }

    /// Applies the activation to every element of `x`.
    public func callAsFunction<T: TensorScalar>(_ x: Tensor<T>) -> Tensor<T> {
        var y = x
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in T.activate(self, input, into: output) }
        }
        return y
    }
}
