import NNCore

/// A data set held in two tensors whose first dimension indexes the samples.
///
/// ```swift
/// let data = try InMemoryDataset(features: try Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]]),
///                                targets: try Tensor<Float>([[0], [1], [1], [0]]))
/// ```
public struct InMemoryDataset<Scalar: TensorScalar>: Dataset {
    /// All features, shaped `[count] + featureShape`.
    public let features: Tensor<Scalar>
    /// All targets, shaped `[count] + targetShape`.
    public let targets: Tensor<Scalar>
    /// For classification data whose targets are class indices, the name of each class.
    public var classNames: [String]?

    /// Creates a data set from features and targets with the same number of samples.
    /// - Throws: ``DatasetError`` if either tensor has no sample dimension or the counts differ.
    public init(features: Tensor<Scalar>, targets: Tensor<Scalar>, classNames: [String]? = nil) throws(DatasetError) {
        guard features.rank >= 1 else { throw .missingSampleDimension(what: "features", shape: features.shape) }
        guard targets.rank >= 1 else { throw .missingSampleDimension(what: "targets", shape: targets.shape) }
        guard features.sampleCount == targets.sampleCount else {
            throw .sampleCountMismatch(features: features.sampleCount, targets: targets.sampleCount)
        }
        self.features = features
        self.targets = targets
        self.classNames = classNames
    }

    public var count: Int { features.sampleCount }
    public var featureShape: [Int] { Array(features.shape.dropFirst()) }
    public var targetShape: [Int] { Array(targets.shape.dropFirst()) }

    public func batch(_ indices: [Int]) -> (features: Tensor<Scalar>, targets: Tensor<Scalar>) {
        var gathered = (features: Tensor<Scalar>(zeros: [0]), targets: Tensor<Scalar>(zeros: [0]))
        batch(indices[...], features: &gathered.features, targets: &gathered.targets)
        return gathered
    }

    /// The samples at `indices`, in that order, as a new data set with the same class names.
    public func subset(_ indices: [Int]) -> InMemoryDataset {
        let (features, targets) = batch(indices)
        // Gathered from a valid data set, so the counts agree.
        return try! InMemoryDataset(features: features, targets: targets, classNames: classNames)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func batch(_ indices: ArraySlice<Int>, features: inout Tensor<Scalar>, targets: inout Tensor<Scalar>) {
        gather(indices, from: self.features, into: &features)
        gather(indices, from: self.targets, into: &targets)
    }

    /// Copies whole samples, one contiguous block each, into `result`.
    private func gather(_ indices: ArraySlice<Int>, from source: Tensor<Scalar>, into result: inout Tensor<Scalar>) {
        let width = source.featureCount
        result.resizeForOverwrite(samples: indices.count, shapedLike: source)
        source.withUnsafeBufferPointer { from in
            result.withUnsafeMutableBufferPointer { to in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "InMemoryDataset: sample \(index) out of 0..<\(count)")
                    (to.baseAddress! + row * width).update(from: from.baseAddress! + index * width, count: width)
                }
            }
        }
    }
}
