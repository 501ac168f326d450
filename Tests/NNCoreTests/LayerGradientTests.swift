import NNCore
import Testing

/// Random inputs in [-1, 1) for `batch` samples of `features`.
func randomInput(batch: Int, features: Int, seed: UInt64) -> Tensor<Double> {
    var generator = SeededRandomGenerator(seed: seed)
    return try! Tensor(
        shape: [batch, features],
        scalars: (0..<(batch * features)).map { _ in generator.nextUniform(in: -1.0, 1.0) })
}

/// Checks a 4→3 dense layer with the given activation (random weights and biases).
func checkDense<A: Activation>(with activation: A) -> GradientCheckReport {
    var generator = SeededRandomGenerator(seed: 10)
    let layer = Dense<Double, A>(
        inputSize: 4, outputSize: 3, activation: activation,
        biasInitializer: .uniform(lower: -0.5, upper: 0.5), generator: &generator)
    return GradientCheck.check(layer, input: randomInput(batch: 5, features: 4, seed: 11), seed: 12)
}

@Suite struct LayerGradientTests {
    @Test(arguments: builtInActivations.map(\.name))
    func denseWithEachActivation(name: String) {
        let activation: any Activation = builtInActivations.first { $0.name == name }!.activation
        let report = checkDense(with: activation)
        #expect(report.checkedCount == 4 * 3 + 3 + 5 * 4)
        #expect(report.worstRelativeError < 1e-6, "\(name): \(report)")
    }

    @Test func softmaxLayer() {
        let report = GradientCheck.check(Softmax<Double>(), input: randomInput(batch: 3, features: 5, seed: 4), seed: 5)
        #expect(report.checkedCount == 15)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }

    @Test func sequentialOfSeveralLayers() {
        var generator = SeededRandomGenerator(seed: 20)
        let model = Sequential<Double>(
            Dense<Double, Tanh>(inputSize: 3, outputSize: 6, activation: Tanh(), generator: &generator),
            Dense<Double, GELU>(inputSize: 6, outputSize: 4, activation: GELU(), generator: &generator),
            Dense<Double, Identity>(inputSize: 4, outputSize: 3, activation: Identity(), generator: &generator),
            Softmax<Double>())
        let report = GradientCheck.check(model, input: randomInput(batch: 4, features: 3, seed: 21), seed: 22)
        #expect(report.checkedCount == (3 * 6 + 6) + (6 * 4 + 4) + (4 * 3 + 3) + 4 * 3)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }

    /// A layer whose backward is deliberately wrong: the check must say so.
    struct WrongGradient: Layer {
        var scale = Parameter(Tensor<Double>([2.0]))
        func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> {
            try! Tensor(shape: input.shape, scalars: input.scalars.map { $0 * $0 * scale.value[flat: 0] })
        }
        mutating func forward(_ input: Tensor<Double>) -> Tensor<Double> { self(input) }
        mutating func backward(_ outputGradient: Tensor<Double>) -> Tensor<Double> {
            scale.gradient[flat: 0] += outputGradient.scalars.reduce(0, +)   // wrong: forgets x²
            return outputGradient   // wrong: forgets 2·s·x
        }
        mutating func visitParameters(_ visit: (String, inout Parameter<Double>) throws -> Void) rethrows {
            try visit("scale", &scale)
        }
        func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
    }

    @Test func aWrongGradientIsCaught() {
        let report = GradientCheck.check(WrongGradient(), input: randomInput(batch: 2, features: 3, seed: 1), seed: 2)
        #expect(report.worstRelativeError > 0.1, "\(report)")
    }
}
