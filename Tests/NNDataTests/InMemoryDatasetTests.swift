import NNCore
import NNData
import Testing

@Suite struct InMemoryDatasetTests {
    @Test func gathersBatchesInTheRequestedOrder() throws {
        let data = try InMemoryDataset(
            features: Tensor<Float>(shape: [4, 2, 2], scalars: (0..<16).map(Float.init)),
            targets: Tensor<Float>([10, 11, 12, 13]))
        #expect(data.count == 4 && data.featureShape == [2, 2] && data.targetShape == [])
        let (x, t) = data.batch([3, 0])
        #expect(x.shape == [2, 2, 2])
        #expect(x.scalars == [12, 13, 14, 15, 0, 1, 2, 3])
        #expect(t.shape == [2] && t.scalars == [13, 10])
        #expect(data.batch([]).features.shape == [0, 2, 2])
    }

    @Test func rejectsMismatchedData() throws {
        #expect(throws: DatasetError.sampleCountMismatch(features: 3, targets: 2)) {
            try InMemoryDataset(features: Tensor<Double>(zeros: [3, 2]), targets: Tensor<Double>(zeros: [2, 1]))
        }
        #expect(throws: DatasetError.missingSampleDimension(what: "targets", shape: [])) {
            try InMemoryDataset(features: Tensor<Double>(zeros: [1, 2]), targets: Tensor<Double>(shape: [], scalars: [1]))
        }
    }
}
