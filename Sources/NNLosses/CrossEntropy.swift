import NNCore

/// Softmax cross-entropy computed from logits, fused for stability: for one sample with
/// logits `z` and target distribution `t`, `ℓ = Σₖ tₖ (logΣⱼ e^(zⱼ) − zₖ)`, and
/// `∂ℓ/∂zₖ = softmax(z)ₖ · Σⱼ tⱼ − tₖ` (simply `softmax(z) − t` for a one-hot target).
///
/// Targets are either class indices, shaped `[batch]` or `[batch, 1]`, or one-hot (or any
/// probability) rows shaped like the logits. The per-sample losses are summed or averaged
/// over the batch (``Reduction/mean`` and ``Reduction/meanOverBatch`` agree here, as PyTorch's
/// `CrossEntropyLoss` does).
public struct CrossEntropy: Loss {
    /// How per-sample losses are combined.
    public var reduction: Reduction

    /// Creates the loss; the default averages over the batch.
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func valueAndGradient<T: TensorScalar>(
        prediction: Tensor<T>, target: Tensor<T>, gradient: inout Tensor<T>
    ) throws(LossError) -> T {
        let batch = prediction.sampleCount, classes = prediction.featureCount
        let isIndexTarget = target.scalarCount == batch && target.sampleCount == batch && classes > 1
        guard isIndexTarget || (target.scalarCount == prediction.scalarCount && target.sampleCount == batch) else {
            throw .shapeMismatch(loss: "CrossEntropy", prediction: prediction.shape, target: target.shape)
        }
        let divisor = T(reduction == .sum ? 1 : Swift.max(batch, 1))

        // The gradient starts as the softmax of the logits.
        gradient.resizeForOverwrite(toShapeOf: prediction)
        prediction.withUnsafeBufferPointer { logits in
            gradient.withUnsafeMutableBufferPointer {
                _ = $0.update(fromContentsOf: logits)
                T.softmaxRows($0, columns: classes)
            }
        }
        var total: T = 0
        for sample in 0..<batch {
            let row = sample * classes
            var maximum = prediction[flat: row]
            for k in 1..<classes { maximum = Swift.max(maximum, prediction[flat: row + k]) }
            var sumOfExponentials: T = 0
            for k in 0..<classes { sumOfExponentials += T.exp(prediction[flat: row + k] - maximum) }
            let logSumExp = maximum + T.log(sumOfExponentials)

            if isIndexTarget {
                let label = target[flat: sample]
                guard label >= 0, label < T(classes), label == label.rounded() else {
                    throw .invalidClassIndex(sample: sample, value: Double(label), classCount: classes)
                }
                let index = Int(label)
                total += logSumExp - prediction[flat: row + index]
                gradient[flat: row + index] -= 1
            } else {
                var targetMass: T = 0
                for k in 0..<classes {
                    let t = target[flat: row + k]
                    total += t * (logSumExp - prediction[flat: row + k])
                    targetMass += t
                }
                for k in 0..<classes {
                    gradient[flat: row + k] = gradient[flat: row + k] * targetMass - target[flat: row + k]
                }
            }
        }
        gradient.divide(by: divisor)
        return total / divisor
    }

    public func validate(predictionShape: [Int], targetShape: [Int]) throws(LossError) {
        guard let classes = TensorLimits.checkedProduct(predictionShape), let targetCount = TensorLimits.checkedProduct(targetShape),
            classes > 1, targetCount == 1 || targetCount == classes
        else {
            throw .shapeMismatch(loss: "CrossEntropy", prediction: predictionShape, target: targetShape)
        }
    }
}
