import NNCore

/// Binary cross-entropy `ℓ = −[t·log p + (1 − t)·log(1 − p)]` for targets `t` in `[0, 1]`.
///
/// ``Input/probabilities`` takes `p` directly (after a sigmoid); as in PyTorch's `BCELoss`,
/// each logarithm is clamped at −100 so `p = 0` or `1` gives a large, finite loss.
/// ``Input/logits`` takes `z` with `p = sigmoid(z)` and is computed stably as
/// `max(z, 0) − z·t + log(1 + e^(−|z|))`, with gradient `sigmoid(z) − t`
/// (PyTorch's `BCEWithLogitsLoss`).
public struct BinaryCrossEntropy: Loss {
    /// What the predictions are.
    public enum Input: String, Sendable, Codable {
        /// Probabilities in `[0, 1]`.
        case probabilities
        /// Unbounded scores whose sigmoid is the probability.
        case logits
    }

    /// Whether predictions are probabilities or logits.
    public var input: Input
    /// How element losses are combined.
    public var reduction: Reduction

    /// Creates the loss; by default it averages over every element, as PyTorch does.
    public init(input: Input = .probabilities, reduction: Reduction = .mean) {
        self.input = input
        self.reduction = reduction
    }

    /// Every element for ``Reduction/mean``, every sample for ``Reduction/meanOverBatch``,
    /// `nil` for a sum.
    public func averagedCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int? {
        reduction.averagedCount(batch: prediction.sampleCount, elementsPerSample: prediction.featureCount)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func valueAndGradient<T: TensorScalar>(
        prediction: Tensor<T>, target: Tensor<T>, gradient: inout Tensor<T>
    ) throws(LossError) -> T {
        try requireElementwiseTargets(prediction, target, loss: "BinaryCrossEntropy")
        let divisor: T = reduction.divisor(for: prediction)
        gradient.resizeForOverwrite(toShapeOf: prediction)
        var total: T = 0
        for i in 0..<prediction.scalarCount {
            let t = target[flat: i]
            guard t >= 0, t <= 1 else { throw .targetOutOfRange(index: i, value: Double(t), range: 0...1) }
            let x = prediction[flat: i]
            switch input {
            case .probabilities:
                total -= t * Swift.max(T.log(x), -100) + (1 - t) * Swift.max(T.log(1 - x), -100)
                // PyTorch's guard against dividing by zero at p = 0 or 1.
                gradient[flat: i] = (x - t) / Swift.max(x * (1 - x), 1e-12)
            case .logits:
                total += Swift.max(x, 0) - x * t + T.log1p(T.exp(-Swift.abs(x)))
                gradient[flat: i] = 1 / (1 + T.exp(-x)) - t
            }
        }
        gradient.divide(by: divisor)
        return total / divisor
    }

    public func validate(predictionShape: [Int], targetShape: [Int]) throws(LossError) {
        try validateElementwiseShapes(predictionShape, targetShape, loss: "BinaryCrossEntropy")
    }
}
