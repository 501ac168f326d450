import NNCore

/// Reading targets as class indices, checked: every conversion of a label to an `Int` in
/// swift-nn goes through here, so a NaN, infinite, fractional, negative or huge label is an
/// error naming the sample, never a trap.
extension InMemoryDataset {
    /// The most classes a classification data set may have (2²⁰).
    public static var maximumClassCount: Int { 1 << 20 }

    /// Whether every target is a whole number in `0..<maximumClassCount`, one per sample:
    /// labels that read as classes (scikit-learn's `type_of_target` calls such labels
    /// multiclass).
    public var targetsAreClassIndices: Bool {
        targets.scalarCount == count && targets.scalars.allSatisfy { $0 >= 0 && $0 < Scalar(Self.maximumClassCount) && $0 == $0.rounded() }
    }

    /// Each sample's class index.
    /// - Parameter classCount: the number of classes; `nil` accepts any index below
    ///   ``maximumClassCount``.
    /// - Throws: ``DatasetError/notClassIndices(targetShape:)`` when a sample has more than one
    ///   target value, ``DatasetError/invalidClassIndex(sample:value:classCount:)`` for the first
    ///   target that is not a whole number in range.
    public func classIndices(classCount: Int? = nil) throws(DatasetError) -> [Int] {
        guard targets.scalarCount == count else { throw .notClassIndices(targetShape: targetShape) }
        let limit = Swift.min(classCount ?? Self.maximumClassCount, Self.maximumClassCount)
        var indices: [Int] = []
        indices.reserveCapacity(count)
        for sample in 0..<count {
            let label = targets[flat: sample]
            // Compared as a Scalar before converting: Int(_:) traps on NaN, infinities and
            // numbers beyond Int's range.
            guard label >= 0, label < Scalar(limit), label == label.rounded() else {
                throw .invalidClassIndex(sample: sample, value: Double(label), classCount: limit)
            }
            indices.append(Int(label))
        }
        return indices
    }
}
