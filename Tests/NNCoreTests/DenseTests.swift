import Testing
import NNCore

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

    @Test(arguments: [WeightInitializer.glorotUniform, .heUniform, .lecunUniform, .uniform(lower: -0.1, upper: 0.3)])
    func uniformInitializersStayInBoundsAndRepeat(initializer: WeightInitializer) {
        var a = SeededRandomGenerator(seed: 9), b = SeededRandomGenerator(seed: 9)
        let first = Dense<Float, ReLU>(inputSize: 50, outputSize: 30, activation: ReLU(), weightInitializer: initializer, generator: &a)
        let second = Dense<Float, ReLU>(inputSize: 50, outputSize: 30, activation: ReLU(), weightInitializer: initializer, generator: &b)
        #expect(first.weight.value == second.weight.value)
        let (lower, upper): (Float, Float) = switch initializer {
        case .glorotUniform: (-(6 / 80 as Float).squareRoot(), (6 / 80 as Float).squareRoot())
        case .heUniform: (-(6 / 50 as Float).squareRoot(), (6 / 50 as Float).squareRoot())
        case .lecunUniform: (-(1 / 50 as Float).squareRoot(), (1 / 50 as Float).squareRoot())
        default: (-0.1, 0.3)
        }
        #expect(first.weight.value.scalars.allSatisfy { $0 >= lower && $0 <= upper })
        #expect(first.bias.value.scalars.allSatisfy { $0 == 0 })
    }

    @Test func normalInitializersHaveTheRightSpread() {
        var generator = SeededRandomGenerator(seed: 4)
        let layer = Dense<Double, ReLU>(inputSize: 200, outputSize: 100, activation: ReLU(),
                                        weightInitializer: .heNormal, generator: &generator)
        let values = layer.weight.value.scalars
        let variance = values.map { $0 * $0 }.reduce(0, +) / Double(values.count)
        #expect(abs(variance / (2.0 / 200) - 1) < 0.05)   // 20000 draws: ±1% standard error
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
