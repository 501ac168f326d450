import NNCore

/// Transforms that return a new data set; class names are kept.
extension InMemoryDataset {
    /// Features mapped linearly from `range` to `[0, 1]` (e.g. `0...255` for grey levels).
    public func scalingFeatures(from range: ClosedRange<Double>) -> InMemoryDataset {
        precondition(range.upperBound > range.lowerBound, "scalingFeatures: empty range \(range)")
        return replacingFeatures(affine(features, scale: 1 / (range.upperBound - range.lowerBound), shift: -range.lowerBound))
    }

    /// Features flattened to `[count, featureCount]`.
    public func flattened() -> InMemoryDataset {
        replacingFeatures(try! features.reshaped(to: [count, features.featureCount]))   // same element count
    }

    /// Targets holding class indices (`[count]` or `[count, 1]`) as one-hot rows `[count, classCount]`.
    /// - Throws: ``DatasetError/invalidClassIndex(sample:value:classCount:)`` for a target that
    ///   is not an integer in `0..<classCount`.
    public func oneHotTargets(classCount: Int) throws(DatasetError) -> InMemoryDataset {
        guard targets.scalarCount == count else { throw .notClassIndices(targetShape: targetShape) }
        var oneHot = Tensor<Scalar>(zeros: [count, classCount])
        for sample in 0..<count {
            let label = targets[flat: sample]
            guard label >= 0, label < Scalar(classCount), label == label.rounded() else {
                throw .invalidClassIndex(sample: sample, value: Double(label), classCount: classCount)
            }
            oneHot[flat: sample * classCount + Int(label)] = 1
        }
        return try! InMemoryDataset(features: features, targets: oneHot, classNames: classNames)   // same count
    }

    /// This data set's samples followed by `other`'s, as one data set (class names kept from
    /// this one): for scoring a training and a test part together.
    /// - Throws: ``DatasetError/sampleShapeMismatch(what:first:second:)`` if the samples differ in shape.
    public func appending(_ other: InMemoryDataset) throws(DatasetError) -> InMemoryDataset {
        guard featureShape == other.featureShape else {
            throw .sampleShapeMismatch(what: "features", first: featureShape, second: other.featureShape)
        }
        guard targetShape == other.targetShape else { throw .sampleShapeMismatch(what: "targets", first: targetShape, second: other.targetShape) }
        func joined(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) throws(DatasetError) -> Tensor<Scalar> {
            var shape = a.shape
            shape[0] += b.shape[0]
            do { return try Tensor(shape: shape, scalars: a.scalars + b.scalars) } catch {
                throw .sampleCountMismatch(features: a.shape[0], targets: b.shape[0])
            }
        }
        return try InMemoryDataset(features: joined(features, other.features), targets: joined(targets, other.targets), classNames: classNames)
    }

    private func replacingFeatures(_ newFeatures: Tensor<Scalar>) -> InMemoryDataset {
        try! InMemoryDataset(features: newFeatures, targets: targets, classNames: classNames)   // same count
    }
}

/// Standardisation to zero mean and unit variance per feature, with statistics computed
/// from the training part only and then applied unchanged to every part.
///
/// ```swift
/// let standardizer = Standardizer(fitting: train)
/// let (train, test) = (standardizer.apply(to: train), standardizer.apply(to: test))
/// ```
public struct Standardizer: Sendable, Equatable, Codable {
    /// Each feature's mean in the fitted data.
    public var means: [Double]
    /// Each feature's standard deviation in the fitted data (1 where it was 0, so a constant
    /// feature stays finite).
    public var standardDeviations: [Double]

    /// Computes the statistics of `data`'s features.
    public init<T: TensorScalar>(fitting data: InMemoryDataset<T>) {
        let width = data.features.featureCount, n = Double(Swift.max(data.count, 1))
        var sums = [Double](repeating: 0, count: width), squares = sums
        accumulateMoments(data.features, width: width, sums: &sums, squares: &squares)
        means = sums.map { $0 / n }
        standardDeviations = zip(squares, means).map { square, mean in
            let deviation = Swift.max(square / n - mean * mean, 0).squareRoot()
            return deviation > 0 ? deviation : 1
        }
    }

    /// `data` with each feature standardised by the fitted statistics.
    public func apply<T: TensorScalar>(to data: InMemoryDataset<T>) -> InMemoryDataset<T> {
        precondition(
            data.features.featureCount == means.count,
            "Standardizer: fitted on \(means.count) features, applied to \(data.features.featureCount)")
        let features = standardized(data.features, means: means, deviations: standardDeviations)
        return try! InMemoryDataset(features: features, targets: data.targets, classNames: data.classNames)   // same count
    }
}

@_specialize(where T == Float)
@_specialize(where T == Double)
func affine<T: TensorScalar>(_ tensor: Tensor<T>, scale: Double, shift: Double) -> Tensor<T> {
    var result = tensor
    result.withUnsafeMutableBufferPointer { values in
        for i in 0..<values.count { values[i] = T((Double(values[i]) + shift) * scale) }
    }
    return result
}

@_specialize(where T == Float)
@_specialize(where T == Double)
func accumulateMoments<T: TensorScalar>(_ tensor: Tensor<T>, width: Int, sums: inout [Double], squares: inout [Double]) {
    tensor.withUnsafeBufferPointer { values in
        for i in 0..<values.count {
            let value = Double(values[i])
            sums[i % width] += value
            squares[i % width] += value * value
        }
    }
}

@_specialize(where T == Float)
@_specialize(where T == Double)
func standardized<T: TensorScalar>(_ tensor: Tensor<T>, means: [Double], deviations: [Double]) -> Tensor<T> {
    var result = tensor
    let width = means.count
    result.withUnsafeMutableBufferPointer { values in
        for i in 0..<values.count { values[i] = T((Double(values[i]) - means[i % width]) / deviations[i % width]) }
    }
    return result
}
