/// Softmax over the features of each sample: `yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)`, computed stably.
///
/// For training a classifier prefer `CrossEntropy` on logits (in `NNLosses`), which fuses
/// softmax with the loss; this layer is for models that must output probabilities.
/// Backward: `dxᵢ = yᵢ (gᵢ − Σⱼ gⱼ yⱼ)`.
public struct Softmax<Scalar: TensorScalar>: Layer {
    private var cachedOutput: Tensor<Scalar>?

    /// Creates a softmax layer.
    public init() {}

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var output = input
        let columns = input.featureCount
        output.withUnsafeMutableBufferPointer { Scalar.softmaxRows($0, columns: columns) }
        return output
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let output = self(input)
        cachedOutput = output
        return output
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let output = cachedOutput else { preconditionFailure("Softmax.backward called before forward") }
        precondition(
            outputGradient.shape == output.shape,
            "Softmax.backward: gradient shape \(outputGradient.shape), output shape \(output.shape)")
        var inputGradient = outputGradient
        let columns = output.featureCount
        output.withUnsafeBufferPointer { y in
            inputGradient.withUnsafeMutableBufferPointer { g in
                Scalar.softmaxBackwardRows(output: y, gradient: g, columns: columns)
            }
        }
        return inputGradient
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
}
