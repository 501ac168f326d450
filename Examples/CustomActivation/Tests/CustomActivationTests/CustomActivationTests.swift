import CustomActivation
import NNCore
import Testing

@Suite struct CustomActivationTests {
    @Test func mishAndTheGatePassTheGradientCheck() throws {
        var generator = SeededRandomGenerator(seed: 1)
        var gate = FeatureGate<Double>(features: 4)
        for i in 0..<4 { gate.gate.value[flat: i] = generator.nextUniform(in: -1.0, 1.0) }
        let model = Sequential<Double>(
            Dense<Double, Mish>(inputSize: 3, outputSize: 4, activation: Mish(), generator: &generator), gate)
        let input = try Tensor<Double>(shape: [5, 3], scalars: (0..<15).map { _ in generator.nextUniform(in: -2.0, 2.0) })
        let report = GradientCheck.check(model, input: input)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }
}
