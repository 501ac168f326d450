/// Flattens each sample to one dimension: `[batch, d₁, d₂, …]` → `[batch, d₁·d₂·…]`, as
/// between the convolutional and the dense part of a network. The values do not move
/// (storage is row-major), so forward and backward only relabel the shape.
public struct Flatten<Scalar: TensorScalar>: Layer {
    /// The input shape of the last forward, for backward.
    private var inputShape: [Int]?

    /// Creates a flattening layer.
    public init() {}

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        Tensor(uncheckedShape: [input.sampleCount, input.featureCount], scalars: input.scalars)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        inputShape = input.shape
        return self(input)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let shape = inputShape else { preconditionFailure("Flatten.backward needs a forward first") }
        precondition(
            outputGradient.scalarCount == shape.reduce(1, *), "Flatten.backward: gradient shape \(outputGradient.shape), input shape \(shape)")
        return Tensor(uncheckedShape: shape, scalars: outputGradient.scalars)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        [try TensorLimits.scalarCount(of: inputShape)]
    }
}
