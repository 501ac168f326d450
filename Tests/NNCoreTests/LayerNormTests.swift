import NNCore
import Testing

/// Layer normalisation: PyTorch's formula, finite-difference gradients in Double, and the
/// same result in training and inference.
@Suite struct LayerNormTests {
    func scaledLayer(features: Int, seed: UInt64) -> LayerNorm<Double> {
        var generator = SeededRandomGenerator(seed: seed)
        var layer = LayerNorm<Double>(features: features)
        layer.weight.value = Tensor((0..<features).map { _ in generator.nextUniform(in: 0.5, 1.5) })
        layer.bias.value = Tensor((0..<features).map { _ in generator.nextUniform(in: -0.5, 0.5) })
        return layer
    }

    /// Rows of a dense output, time steps of a sequence and pixels of an image: worst
    /// relative error below 1e-6 for the input and for γ and β.
    @Test func gradientsMatchFiniteDifferences() {
        for (index, shape) in [[4, 5], [2, 6, 5], [2, 3, 2, 5]].enumerated() {
            let layer = scaledLayer(features: 5, seed: UInt64(index))
            let input = randomImages(shape, seed: UInt64(10 + index))
            let report = GradientCheck.check(layer, input: input, seed: UInt64(20 + index))
            #expect(report.checkedCount == 10 + input.scalarCount)
            #expect(report.worstRelativeError < 1e-6, "\(shape): \(report)")
        }
    }

    /// `[1, 2, 3, 6]`: mean 3, biased variance 3.5, so `y = γ·(x − 3)/√(3.5 + ε) + β`.
    @Test func normalisesEachRowByItsOwnStatistics() throws {
        var layer = LayerNorm<Double>(features: 4)
        layer.weight.value = Tensor([1, 2, 1, 1])
        layer.bias.value = Tensor([0, 0, 0.5, 0])
        let input = try Tensor<Double>(shape: [2, 4], scalars: [1, 2, 3, 6, 10, 10, 10, 10])
        let output = layer.forward(input)
        let deviation = (3.5 + 1e-5).squareRoot()
        let expected = [-2 / deviation, 2 * (-1 / deviation), 0.5, 3 / deviation, 0, 0, 0.5, 0]
        for (y, e) in zip(output.scalars, expected) { #expect(abs(y - e) < 1e-12) }
        // No running statistics: inference gives the same values.
        layer.setMode(.inference)
        #expect(layer(input).scalars == output.scalars)
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(throws: TensorError.self) { try layer.outputShape(forInputShape: [3, 5]) }
        #expect(try layer.outputShape(forInputShape: [3, 4]) == [3, 4])
    }

    /// Frozen γ and β receive no gradient; the input still does.
    @Test func frozenParametersGetNoGradient() throws {
        var layer = scaledLayer(features: 3, seed: 7)
        layer.freeze()
        let input = randomImages([2, 3], seed: 8)
        _ = layer.forward(input)
        let inputGradient = layer.backward(randomImages([2, 3], seed: 9))
        #expect(layer.weight.gradient.scalars == [0, 0, 0] && layer.bias.gradient.scalars == [0, 0, 0])
        #expect(inputGradient.scalars.contains { $0 != 0 })
    }
}
