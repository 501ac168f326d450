import NNCore

/// Ways to divide a data set into a training part and a test part.
extension InMemoryDataset {
    /// A random split: `testFraction` of the samples (rounded) go to the test part, chosen
    /// by a generator seeded with `seed`; both parts keep the data set's order.
    public func randomSplit(testFraction: Double, seed: UInt64) -> (train: InMemoryDataset, test: InMemoryDataset) {
        precondition(testFraction >= 0 && testFraction <= 1, "randomSplit: the test fraction must be in [0, 1]")
        var order = Array(0..<count)
        var generator = SeededRandomGenerator(seed: seed)
        generator.shuffle(&order)
        let testCount = Int((Double(count) * testFraction).rounded())
        let test = order[0..<testCount].sorted(), train = order[testCount...].sorted()
        return (subset(train), subset(test))
    }

    /// The first `perClass` samples of each class, in the data set's order, for training;
    /// the rest for testing (the handwritten-characters lesson trains on the first 450 of 620).
    /// - Throws: ``DatasetError`` if the targets are not class indices (see
    ///   ``classIndices(classCount:)``) or a class has fewer samples.
    public func firstPerClass(_ perClass: Int) throws(DatasetError) -> (train: InMemoryDataset, test: InMemoryDataset) {
        var seen: [Int: Int] = [:]
        var train: [Int] = [], test: [Int] = []
        for (sample, label) in try classIndices().enumerated() {
            let taken = seen[label, default: 0]
            if taken < perClass { train.append(sample) } else { test.append(sample) }
            seen[label] = taken + 1
        }
        if let (label, available) = seen.sorted(by: { $0.key < $1.key }).first(where: { $0.value < perClass }) {
            throw .notEnoughSamples(classIndex: label, available: available, requested: perClass)
        }
        return (subset(train), subset(test))
    }

    /// In-order batches of `size` samples, each gathered into one contiguous tensor.
    public func batches(ofSize size: Int) -> some Sequence<(features: Tensor<Scalar>, targets: Tensor<Scalar>)> {
        precondition(size > 0, "batches(ofSize:): the size must be positive")
        return stride(from: 0, to: count, by: size).lazy.map { start in
            self.batch(Array(start..<Swift.min(start + size, self.count)))
        }
    }
}
