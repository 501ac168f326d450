import NNCore

/// A layer of our own: each feature passes through a learnable gate, `y = x ⊙ σ(g)`.
public struct FeatureGate<Scalar: TensorScalar>: Layer {
    /// The gate logits, one per feature (σ(0) = ½ to begin with).
    public var gate: Parameter<Scalar>
    private var cachedInput: Tensor<Scalar>?

    public init(features: Int) {
        gate = Parameter(Tensor(zeros: [features]))
    }

    private func openness(_ feature: Int) -> Scalar { 1 / (1 + Scalar.exp(-gate.value[flat: feature])) }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var output = input
        let features = gate.value.scalarCount
        for i in 0..<input.scalarCount { output[flat: i] = input[flat: i] * openness(i % features) }
        return output
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        cachedInput = input
        return self(input)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        let input = cachedInput!
        let features = gate.value.scalarCount
        var inputGradient = outputGradient
        for i in 0..<input.scalarCount {
            let s = openness(i % features)
            if gate.isTrainable { gate.gradient[flat: i % features] += outputGradient[flat: i] * input[flat: i] * s * (1 - s) }
            inputGradient[flat: i] = outputGradient[flat: i] * s
        }
        return inputGradient
    }

    public mutating func visitParameters(_ visit: (String, inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("gate", &gate)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
}
