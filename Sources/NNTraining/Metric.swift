import NNCore

/// A quantity accumulated over the batches of an epoch and reported in its record.
public protocol Metric: Sendable {
    /// The key under which the value is recorded, e.g. `"accuracy"`.
    var name: String { get }
    /// Forgets everything accumulated.
    mutating func reset()
    /// Accumulates one batch of predictions and targets.
    mutating func update<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>)
    /// The value over everything accumulated since the last reset.
    var value: Double { get }
}

/// The fraction of samples classified correctly.
///
/// With several outputs per sample the predicted class is the largest output (argmax) and
/// the target is a class index or a one-hot row. With a single output the prediction is
/// positive when it reaches ``threshold`` (0.5 for probabilities; use 0 for logits) and the
/// target when it reaches 0.5.
public struct Accuracy: Metric {
    public var name: String { "accuracy" }
    /// The decision threshold for single-output predictions.
    public var threshold: Double
    private var correct = 0
    private var total = 0

    /// Creates the metric.
    public init(threshold: Double = 0.5) {
        self.threshold = threshold
    }

    public mutating func reset() {
        correct = 0
        total = 0
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func update<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) {
        let batch = prediction.sampleCount, outputs = prediction.featureCount
        let indexTargets = target.scalarCount == batch
        for sample in 0..<batch {
            let row = sample * outputs
            let hit: Bool
            if outputs == 1 {
                hit = (Double(prediction[flat: sample]) >= threshold) == (Double(target[flat: sample]) >= 0.5)
            } else {
                let predicted = argmax(prediction.scalars[row..<(row + outputs)])
                // A class index is compared as a number: converting it to Int would trap on a
                // NaN or huge target.
                hit =
                    indexTargets
                    ? Double(predicted) == Double(target[flat: sample])
                    : predicted == argmax(target.scalars[row..<(row + outputs)])
            }
            if hit { correct += 1 }
        }
        total += batch
    }

    public var value: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    private func argmax<T: TensorScalar>(_ values: ArraySlice<T>) -> Int {
        var best = values.startIndex
        for index in values.indices where values[index] > values[best] { best = index }
        return best - values.startIndex
    }
}
