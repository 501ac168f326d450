import NNCore
import NNData
import Testing

@Suite struct StratifiedSplitTests {
    /// 100 samples of class 0, 30 of class 1, 10 of class 2, the feature being the sample's index.
    func unbalanced() throws -> InMemoryDataset<Float> {
        let labels = Array(repeating: 0, count: 100) + Array(repeating: 1, count: 30) + Array(repeating: 2, count: 10)
        return try InMemoryDataset(
            features: Tensor(shape: [labels.count, 1], scalars: labels.indices.map(Float.init)), targets: Tensor(labels.map(Float.init)))
    }

    @Test func everyClassKeepsItsShareInBothParts() throws {
        let data = try unbalanced()
        let (train, validation) = try data.stratifiedSplit(fraction: 0.2, seed: 7)
        #expect(try validation.classIndices().reduce(into: [0, 0, 0]) { $0[$1] += 1 } == [20, 6, 2])
        #expect(try train.classIndices().reduce(into: [0, 0, 0]) { $0[$1] += 1 } == [80, 24, 8])
        // Every sample is in exactly one part, each part in the data set's order.
        let indices = { (part: InMemoryDataset<Float>) in part.features.scalars.map { Int($0) } }
        #expect((indices(train) + indices(validation)).sorted() == Array(0..<140))
        #expect(indices(train) == indices(train).sorted() && indices(validation) == indices(validation).sorted())
        // The same seed draws the same samples; another seed others.
        #expect(indices(try data.stratifiedSplit(fraction: 0.2, seed: 7).validation) == indices(validation))
        #expect(indices(try data.stratifiedSplit(fraction: 0.2, seed: 8).validation) != indices(validation))
    }

    @Test func aSplitThatEmptiesAClassIsAnError() throws {
        let data = try unbalanced()
        #expect(throws: DatasetError.emptyClassInSplit(classIndex: 2, available: 10, part: "validation")) {
            try data.stratifiedSplit(fraction: 0.04, seed: 1)
        }
        #expect(throws: DatasetError.emptyClassInSplit(classIndex: 0, available: 100, part: "training")) {
            try data.stratifiedSplit(fraction: 0.999, seed: 1)
        }
    }
}
