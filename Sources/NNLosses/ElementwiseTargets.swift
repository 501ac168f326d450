import NNCore

// Shared by the losses whose targets match the prediction element for element
// (mean squared error, binary cross-entropy).

/// Throws unless `target` holds one value per element of `prediction`, sample for sample.
func requireElementwiseTargets<T: TensorScalar>(
    _ prediction: Tensor<T>, _ target: Tensor<T>, loss: String
) throws(LossError) {
    guard prediction.scalarCount == target.scalarCount, prediction.sampleCount == target.sampleCount else {
        throw .shapeMismatch(loss: loss, prediction: prediction.shape, target: target.shape)
    }
}

/// Throws unless one target sample has as many values as one prediction sample.
func validateElementwiseShapes(_ predictionShape: [Int], _ targetShape: [Int], loss: String) throws(LossError) {
    guard let count = TensorLimits.checkedProduct(predictionShape), count == TensorLimits.checkedProduct(targetShape) else {
        throw .shapeMismatch(loss: loss, prediction: predictionShape, target: targetShape)
    }
}

extension Reduction {
    /// The divisor for a batch shaped like `prediction`, in its scalar type.
    func divisor<T: TensorScalar>(for prediction: Tensor<T>) -> T {
        T(divisor(batch: prediction.sampleCount, elementsPerSample: prediction.featureCount))
    }
}

extension Tensor {
    /// Divides every element by `divisor`, in place.
    mutating func divide(by divisor: Scalar) {
        withUnsafeMutableBufferPointer { values in
            for i in 0..<values.count { values[i] /= divisor }
        }
    }
}
