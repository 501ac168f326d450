/// A learnable tensor, the gradient accumulated for it, and whether training may change it.
///
/// Layers own their parameters and expose them, with names, through
/// ``Layer/visitParameters(_:)``: optimisers, serialisation and gradient checking all use
/// that one traversal.
public struct Parameter<Scalar: TensorScalar>: Sendable {
    /// The current value.
    public var value: Tensor<Scalar>
    /// dLoss/dValue, accumulated by `backward` since the gradients were last zeroed.
    public var gradient: Tensor<Scalar>
    /// When false the parameter is frozen: backward skips its gradient and optimisers leave it alone.
    public var isTrainable: Bool

    /// Creates a parameter with a zero gradient.
    public init(_ value: Tensor<Scalar>, isTrainable: Bool = true) {
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
        self.isTrainable = isTrainable
    }

    /// Sets the gradient to zero, keeping its storage.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func zeroGradient() {
        gradient.setToZero()
    }
}
