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

    /// A stratified random split: of each class's samples, `fraction` (rounded, class by
    /// class) go to the second part, chosen by a generator seeded with `seed`, so that both
    /// parts keep the classes' proportions, as scikit-learn's `train_test_split(stratify=)`
    /// aims to (it rounds the total instead, and may leave a class out of one part; this
    /// split refuses to). Both parts keep the data set's order.
    /// - Parameters:
    ///   - fraction: the share of each class that goes to the second part, in [0, 1].
    ///   - seed: the seed of the choice.
    /// - Throws: ``DatasetError`` if the targets are not class indices, or if a class would
    ///   have no sample in one of the parts (``DatasetError/emptyClassInSplit(classIndex:available:part:)``,
    ///   the second part named `"validation"`).
    public func stratifiedSplit(fraction: Double, seed: UInt64) throws(DatasetError) -> (train: InMemoryDataset, validation: InMemoryDataset) {
        precondition(fraction >= 0 && fraction <= 1, "stratifiedSplit: the fraction must be in [0, 1]")
        var byClass: [Int: [Int]] = [:]
        for (sample, label) in try classIndices().enumerated() { byClass[label, default: []].append(sample) }
        var generator = SeededRandomGenerator(seed: seed)
        var train: [Int] = [], validation: [Int] = []
        for (label, classSamples) in byClass.sorted(by: { $0.key < $1.key }) {
            var samples = classSamples
            generator.shuffle(&samples)
            let taken = Int((Double(samples.count) * fraction).rounded())
            if taken == 0 { throw .emptyClassInSplit(classIndex: label, available: samples.count, part: "validation") }
            if taken == samples.count { throw .emptyClassInSplit(classIndex: label, available: samples.count, part: "training") }
            validation += samples[..<taken]
            train += samples[taken...]
        }
        return (subset(train.sorted()), subset(validation.sorted()))
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
