import Testing

@testable import NNCore

@Suite struct TensorTests {
    @Test func storesRowMajorAndIndexes() throws {
        let t = try Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3])
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(t[1, 0] == 4)
        #expect(t[flat: 5] == 6)
        #expect(t.rows == [[1, 2, 3], [4, 5, 6]])
        #expect(t.sampleCount == 2 && t.featureCount == 3 && t.rank == 2)
    }

    @Test func rejectsInconsistentData() {
        #expect(throws: TensorError.scalarCountMismatch(shape: [2, 2], scalarCount: 3)) {
            try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(throws: TensorError.invalidShape([-1, 2])) {
            try Tensor<Float>(shape: [-1, 2], scalars: [])
        }
        #expect(throws: TensorError.raggedRows(row: 1, expected: 2, actual: 1)) {
            try Tensor<Float>([[1, 2], [3]])
        }
        #expect(throws: TensorError.scalarCountMismatch(shape: [4], scalarCount: 6)) {
            try Tensor<Float>([[1, 2, 3], [4, 5, 6]]).reshaped(to: [4])
        }
    }

    @Test func reshapesAndConverts() throws {
        let t = try Tensor<Float>([[1, 2, 3], [4, 5, 6]]).reshaped(to: [3, 2])
        #expect(t[2, 1] == 6)
        let d: Tensor<Double> = t.converted()
        #expect(d.scalars == [1, 2, 3, 4, 5, 6] && d.shape == [3, 2])
    }

    @Test func errorsDescribeThemselves() {
        #expect(
            "\(TensorError.shapeMismatch(context: "Dense input", expected: [3], actual: [4]))"
                == "Dense input: expected shape [3], got [4]")
    }
}
