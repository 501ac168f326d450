import NNCore

/// A scalar measure of how far a batch of predictions is from its targets, with its gradient.
///
/// Losses are generic over the scalar type, so one value serves `Float` training and
/// `Double` verification. Both methods throw ``LossError`` for targets that do not fit the
/// predictions, so bad data is reported instead of crashing.
public protocol Loss: Sendable {
    /// The loss of `prediction` (shaped `[batch, outputs...]`) against `target`.
    func value<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) throws(LossError) -> T

    /// The loss, with dLoss/dPrediction written into `gradient` (reshaped as needed; its
    /// storage is reused when it fits, so a training loop allocates nothing per step).
    func valueAndGradient<T: TensorScalar>(
        prediction: Tensor<T>, target: Tensor<T>, gradient: inout Tensor<T>
    ) throws(LossError) -> T

    /// Checks that one prediction sample of `predictionShape` can be scored against one target
    /// sample of `targetShape` (both without the batch dimension).
    func validate(predictionShape: [Int], targetShape: [Int]) throws(LossError)

    /// The number of terms a `mean` over this batch averages: how much the batch weighs when
    /// losses of batches are averaged over an epoch. By default the number of samples; for a
    /// cross-entropy over time steps, the steps that are scored (not padding).
    func scoredCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int

    /// The number of terms the loss, and so its gradient, is a mean of for this batch, or `nil`
    /// when it is a sum. Data-parallel training weights each process's gradient by it, so that
    /// the combined gradient is the one of the whole batch. By default a mean over samples.
    func averagedCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int?
}

extension Loss {
    public func scoredCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int {
        target.sampleCount
    }

    public func averagedCount<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) -> Int? {
        target.sampleCount
    }

    public func value<T: TensorScalar>(prediction: Tensor<T>, target: Tensor<T>) throws(LossError) -> T {
        try valueAndGradient(prediction: prediction, target: target).value
    }

    /// The loss and dLoss/dPrediction, in one pass, in a new gradient tensor.
    public func valueAndGradient<T: TensorScalar>(
        prediction: Tensor<T>, target: Tensor<T>
    ) throws(LossError) -> (value: T, gradient: Tensor<T>) {
        var gradient = Tensor<T>(zeros: [0])
        let value = try valueAndGradient(prediction: prediction, target: target, gradient: &gradient)
        return (value, gradient)
    }
}
