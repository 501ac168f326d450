import NNCore

/// Squared error `ℓ = c·(prediction − target)²`, reduced as ``reduction`` says, where
/// `c` is ½ when ``halved`` (the classic backprop convention, whose gradient is simply
/// `prediction − target`) and 1 otherwise (PyTorch's `MSELoss`).
///
/// | convention | spelling |
/// |---|---|
/// | `E = Σ ½(t − o)²` | `MeanSquaredError(reduction: .sum, halved: true)` |
/// | `mean(½(t − o)²)` per sample | `MeanSquaredError(reduction: .meanOverBatch, halved: true)` |
/// | `mean((t − o)²)` (PyTorch) | `MeanSquaredError()` |
public struct MeanSquaredError: Loss {
    /// How element losses are combined.
    public var reduction: Reduction
    /// Whether each squared error is multiplied by ½.
    public var halved: Bool

    /// Creates the loss; the defaults match PyTorch's `MSELoss()`.
    public init(reduction: Reduction = .mean, halved: Bool = false) {
        self.reduction = reduction
        self.halved = halved
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
        try requireElementwiseTargets(prediction, target, loss: "MeanSquaredError")
        let divisor: T = reduction.divisor(for: prediction)
        let factor: T = halved ? 0.5 : 1
        gradient.resizeForOverwrite(toShapeOf: prediction)
        var total: T = 0
        prediction.withUnsafeBufferPointer { p in
            target.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    for i in 0..<g.count {
                        let difference = p[i] - t[i]
                        total += difference * difference
                        g[i] = 2 * factor * difference / divisor
                    }
                }
            }
        }
        return factor * total / divisor
    }

    public func validate(predictionShape: [Int], targetShape: [Int]) throws(LossError) {
        try validateElementwiseShapes(predictionShape, targetShape, loss: "MeanSquaredError")
    }
}
