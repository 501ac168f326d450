import NNCore

/// Softmax cross-entropy computed from logits, fused for stability: for one sample with
/// logits `z` and target distribution `t`, `ℓ = Σₖ tₖ (logΣⱼ e^(zⱼ) − zₖ)`, and
/// `∂ℓ/∂zₖ = softmax(z)ₖ · Σⱼ tⱼ − tₖ` (simply `softmax(z) − t` for a one-hot target).
///
/// Targets are either class indices, shaped `[batch]` or `[batch, 1]`, or one-hot (or any
/// probability) rows shaped like the logits. The per-sample losses are summed or averaged
/// over the batch (``Reduction/mean`` and ``Reduction/meanOverBatch`` agree here, as PyTorch's
/// `CrossEntropyLoss` does).
///
/// Sequences: logits `[batch, time, classes]` with class indices `[batch, time]` score every
/// time step (PyTorch's `CrossEntropyLoss` on `[N, C, T]` logits, channels last here). A target
/// equal to ``ignoreIndex`` is not scored (padding): the mean is over the scored positions
/// only, and an ignored position's gradient is zero. A batch with nothing scored has loss 0.
public struct CrossEntropy: Loss {
    /// How per-sample losses are combined.
    public var reduction: Reduction
    /// A class index that marks a position as not scored (PyTorch's `ignore_index`), or `nil`.
    public var ignoreIndex: Int?

    /// Creates the loss; the default averages over the batch.
    /// - Parameters:
    ///   - reduction: how per-position losses are combined.
    ///   - ignoreIndex: a target value that is not scored (padding), or `nil`.
    public init(reduction: Reduction = .mean, ignoreIndex: Int? = nil) {
        self.reduction = reduction
        self.ignoreIndex = ignoreIndex
    }

    /// The classes each scored row has, and the number of rows: a sequence's time steps are
    /// rows of their own.
    private func layout<T>(_ prediction: Tensor<T>) -> (rows: Int, classes: Int) {
        if prediction.rank == 3 { return (prediction.shape[0] * prediction.shape[1], prediction.shape[2]) }
        return (prediction.sampleCount, prediction.featureCount)
    }

    /// Whether `target` holds one class index per row of `prediction`.
    private func isIndexTarget<T>(_ prediction: Tensor<T>, _ target: Tensor<T>) -> Bool {
        let (rows, classes) = layout(prediction)
        return target.scalarCount == rows && target.sampleCount == prediction.sampleCount && classes > 1
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func valueAndGradient<T: TensorScalar>(
        prediction: Tensor<T>, target: Tensor<T>, gradient: inout Tensor<T>
    ) throws(LossError) -> T {
        let (rows, classes) = layout(prediction)
        let isIndexTarget = isIndexTarget(prediction, target)
        guard isIndexTarget || (target.scalarCount == prediction.scalarCount && target.sampleCount == prediction.sampleCount) else {
            throw .shapeMismatch(loss: "CrossEntropy", prediction: prediction.shape, target: target.shape)
        }
        let ignored = ignoreIndex.map { T($0) }

        // The gradient starts as the softmax of the logits.
        gradient.resizeForOverwrite(toShapeOf: prediction)
        prediction.withUnsafeBufferPointer { logits in
            gradient.withUnsafeMutableBufferPointer {
                _ = $0.update(fromContentsOf: logits)
                T.softmaxRows($0, columns: classes)
            }
        }
        var total: T = 0
        var scored = 0
        var failure: LossError?
        prediction.withUnsafeBufferPointer { logits in
            target.withUnsafeBufferPointer { target in
                gradient.withUnsafeMutableBufferPointer { gradient in
                    for sample in 0..<rows {
                        let row = sample * classes
                        if isIndexTarget, let ignored, target[sample] == ignored {
                            for k in 0..<classes { gradient[row + k] = 0 }
                            continue
                        }
                        scored += 1
                        var maximum = logits[row]
                        for k in 1..<classes { maximum = Swift.max(maximum, logits[row + k]) }
                        var sumOfExponentials: T = 0
                        for k in 0..<classes { sumOfExponentials += T.exp(logits[row + k] - maximum) }
                        let logSumExp = maximum + T.log(sumOfExponentials)

                        if isIndexTarget {
                            let label = target[sample]
                            guard label >= 0, label < T(classes), label == label.rounded() else {
                                failure = .invalidClassIndex(sample: sample, value: Double(label), classCount: classes)
                                return
                            }
                            let index = Int(label)
                            total += logSumExp - logits[row + index]
                            gradient[row + index] -= 1
                        } else {
                            var targetMass: T = 0
                            for k in 0..<classes {
                                let t = target[row + k]
                                total += t * (logSumExp - logits[row + k])
                                targetMass += t
                            }
                            for k in 0..<classes { gradient[row + k] = gradient[row + k] * targetMass - target[row + k] }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        let divisor = T(reduction == .sum ? 1 : Swift.max(scored, 1))
        gradient.divide(by: divisor)
        return total / divisor
    }

    /// The scored positions, or `nil` for a sum.
    public func averagedCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int? {
        reduction == .sum ? nil : scoredCount(prediction: prediction, target: target)
    }

    /// The positions scored: those whose target is not ``ignoreIndex``.
    public func scoredCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int {
        guard isIndexTarget(prediction, target) else { return layout(prediction).rows }
        guard let ignoreIndex else { return target.scalarCount }
        let ignored = T(ignoreIndex)
        return target.withUnsafeBufferPointer { $0.reduce(0) { $1 == ignored ? $0 : $0 + 1 } }
    }

    public func validate(predictionShape: [Int], targetShape: [Int]) throws(LossError) {
        // A sequence's logits [time, classes] take one class index per step.
        if predictionShape.count == 2, predictionShape[1] > 1, targetShape == [predictionShape[0]] || targetShape == predictionShape {
            return
        }
        guard let classes = TensorLimits.checkedProduct(predictionShape), let targetCount = TensorLimits.checkedProduct(targetShape),
            classes > 1, targetCount == 1 || targetCount == classes
        else {
            throw .shapeMismatch(loss: "CrossEntropy", prediction: predictionShape, target: targetShape)
        }
    }
}
