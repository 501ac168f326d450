import NNCore
import Testing

@Suite struct DenseTests {
    @Test func computesXWPlusB() throws {
        let layer = try Dense(weight: Tensor<Double>([[1, 2], [3, 4], [5, 6]]), bias: Tensor([0.5, -1]), activation: Identity())
        let y = layer(try Tensor([[1, 1, 1], [1, 0, -1]]))
        #expect(y.shape == [2, 2])
        #expect(y.scalars == [9.5, 11, -3.5, -5])
        #expect(try layer.outputShape(forInputShape: [3]) == [2])
        #expect(throws: TensorError.self) { try layer.outputShape(forInputShape: [4]) }
    }

    @Test func rejectsMismatchedExactWeights() {
        #expect(throws: TensorError.shapeMismatch(context: "Dense bias", expected: [2], actual: [3])) {
            try Dense(weight: Tensor<Float>(zeros: [3, 2]), bias: Tensor<Float>(zeros: [3]), activation: ReLU())
        }
    }

    @Test func forwardAndInferenceAgree() {
        var generator = SeededRandomGenerator(seed: 1)
        var layer = Dense<Float, Tanh>(inputSize: 4, outputSize: 3, activation: Tanh(), generator: &generator)
        let x = randomInput(batch: 6, features: 4, seed: 2).converted(to: Float.self)
        #expect(layer(x) == layer.forward(x))
    }

    @Test func frozenParametersAccumulateNoGradient() throws {
        var generator = SeededRandomGenerator(seed: 1)
        var layer = Dense<Double, Sigmoid>(inputSize: 2, outputSize: 2, activation: Sigmoid(), generator: &generator)
        layer.freeze { $0 == "bias" }
        #expect(layer.namedParameters.map { "\($0.name):\($0.parameter.isTrainable)" } == ["weight:true", "bias:false"])
        _ = layer.forward(try Tensor([[0.3, -0.2]]))
        _ = layer.backward(try Tensor([[1, 1]]))
        #expect(layer.bias.gradient.scalars == [0, 0])
        #expect(layer.weight.gradient.scalars.contains { $0 != 0 })
        #expect(GradientCheck.check(layer, input: try Tensor([[0.3, -0.2]])).checkedCount == 4 + 2)
    }

    @Test func sequentialNamesItsParameters() {
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>(
            Dense<Float, ReLU>(inputSize: 3, outputSize: 4, activation: ReLU(), generator: &generator),
            Dense<Float, Identity>(inputSize: 4, outputSize: 2, activation: Identity(), generator: &generator))
        #expect(model.namedParameters.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
        #expect(model.parameterCount == 3 * 4 + 4 + 4 * 2 + 2)
        #expect(throws: TensorError.self) { try model.outputShape(forInputShape: [5]) }
    }
}
