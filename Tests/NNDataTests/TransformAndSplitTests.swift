import NNCore
import Testing

@testable import NNData

@Suite struct TransformAndSplitTests {
    func numbers(_ count: Int) throws -> InMemoryDataset<Double> {
        try InMemoryDataset(
            features: Tensor(shape: [count, 2, 1], scalars: (0..<(2 * count)).map(Double.init)),
            targets: Tensor((0..<count).map { Double($0 % 3) }), classNames: ["a", "b", "c"])
    }

    @Test func scaleFlattenAndOneHot() throws {
        let data = try numbers(3)
        #expect(data.scalingFeatures(from: 0...255).features.scalars.map { $0 * 255 } == (0..<6).map(Double.init))
        #expect(data.flattened().features.shape == [3, 2])
        let oneHot = try data.oneHotTargets(classCount: 3)
        #expect(oneHot.targets.shape == [3, 3] && oneHot.targets.scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(oneHot.classNames == ["a", "b", "c"])
        #expect(throws: DatasetError.invalidClassIndex(sample: 2, value: 2, classCount: 2)) { try data.oneHotTargets(classCount: 2) }
    }

    @Test func standardisationUsesTrainingStatisticsOnly() throws {
        let (train, test) = try numbers(10).randomSplit(testFraction: 0.3, seed: 1)
        let standardizer = Standardizer(fitting: train)
        let trainScaled = standardizer.apply(to: train), testScaled = standardizer.apply(to: test)
        for feature in 0..<2 {
            let column = (0..<train.count).map { trainScaled.features[flat: $0 * 2 + feature] }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-12)
        }
        // The test part is transformed with the training statistics, not its own.
        let expected = (test.features.scalars.enumerated()).map { ($1 - standardizer.means[$0 % 2]) / standardizer.standardDeviations[$0 % 2] }
        #expect(zip(testScaled.features.scalars, expected).allSatisfy { abs($0 - $1) < 1e-12 })
        // A constant feature gets a deviation of 1, not a division by zero.
        let constant = try InMemoryDataset(features: Tensor<Double>(repeating: 5, shape: [4, 1]), targets: Tensor<Double>(zeros: [4]))
        #expect(Standardizer(fitting: constant).apply(to: constant).features.scalars == [0, 0, 0, 0])
    }

    @Test func randomSplitIsSeededDisjointAndOrdered() throws {
        let data = try numbers(20)
        let (train, test) = data.randomSplit(testFraction: 0.25, seed: 7)
        #expect(train.count == 15 && test.count == 5)
        let ids = { (d: InMemoryDataset<Double>) in (0..<d.count).map { Int(d.features[flat: $0 * 2]) / 2 } }
        #expect(Set(ids(train)).isDisjoint(with: ids(test)) && (ids(train) + ids(test)).sorted() == Array(0..<20))
        #expect(ids(train) == ids(train).sorted() && ids(test) == ids(test).sorted())
        #expect(ids(data.randomSplit(testFraction: 0.25, seed: 7).test) == ids(test))
        #expect(ids(data.randomSplit(testFraction: 0.25, seed: 8).test) != ids(test))
    }

    @Test func batchesGatherContiguousBlocks() throws {
        let batches = Array(try numbers(5).batches(ofSize: 2))
        #expect(batches.map(\.features.shape) == [[2, 2, 1], [2, 2, 1], [1, 2, 1]])
        #expect(batches[2].features.scalars == [8, 9] && batches[2].targets.scalars == [1])
    }
}
