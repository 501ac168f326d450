import Foundation
import NN
import Testing

// docc snippet begins
/// The softsign, `f(x) = x / (1 + |x|)`: an S-shaped curve like tanh's, which approaches ±1
/// polynomially rather than exponentially.
struct Softsign: Activation {
    func value<T: TensorScalar>(_ x: T) -> T {
        x / (1 + x.magnitude)
    }

    /// f′(x) = 1 / (1 + |x|)², and 1 − |y| = 1 / (1 + |x|): from the output it needs no division.
    func derivative<T: TensorScalar>(input x: T, output y: T) -> T {
        (1 - y.magnitude) * (1 - y.magnitude)
    }
}
// docc snippet ends

/// The code of the article "Writing an activation" (NNCore's catalog).
@Suite struct WritingAnActivationTests {
    @Test func theSoftsignDerivativeMatchesFiniteDifferences() {
        // docc snippet begins
        let softsign = Softsign(), h = 1e-6
        var worst = 0.0
        for x in stride(from: -4.0, through: 4.0, by: 0.37) {   // misses x = 0, where f″ jumps
            let numeric = (softsign.value(x + h) - softsign.value(x - h)) / (2 * h)
            let analytic = softsign.derivative(input: x, output: softsign.value(x))
            worst = max(worst, abs(numeric - analytic) / max(abs(numeric), abs(analytic), 1e-3))
        }
        print("worst relative error of the derivative: \(worst)")
        // docc snippet ends
        #expect(worst < 1e-6)
    }

    @Test func aDenseLayerWithTheSoftsignPassesTheGradientCheck() throws {
        // docc snippet begins
        var generator = SeededRandomGenerator(seed: 1)
        let layer = Dense<Double, Softsign>(
            inputSize: 3, outputSize: 2, activation: Softsign(),
            biasInitializer: .uniform(lower: -0.5, upper: 0.5), generator: &generator)
        let input = try Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { _ in generator.nextUniform(in: -2.0, 2.0) })
        let report = GradientCheck.check(layer, input: input)
        print(report)
        // docc snippet ends
        #expect(report.checkedCount == (3 * 2 + 2) + 4 * 3)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }

    @Test func aSoftsignNetworkLearnsASine() throws {
        // docc snippet begins
        // y = sin(x) on [−2, 2], learnt by 1 input → 16 softsign units → 1 linear output.
        var generator = SeededRandomGenerator(seed: 4)
        let model = Sequential<Float>(
            Dense<Float, Softsign>(inputSize: 1, outputSize: 16, activation: Softsign(), generator: &generator),
            Dense<Float, Identity>(inputSize: 16, outputSize: 1, activation: Identity(), generator: &generator))
        let xs = (0..<32).map { Float(-2 + 4 * Double($0) / 31) }
        let data = try InMemoryDataset(
            features: Tensor(shape: [32, 1], scalars: xs), targets: Tensor(shape: [32, 1], scalars: xs.map { Float(sin(Double($0))) }))

        var trainer = Trainer(model: model, loss: MeanSquaredError(), optimizer: .adam(learningRate: 0.01))
        let before = try trainer.evaluate(data).loss
        try trainer.fit(data, epochs: 500)
        let after = try trainer.evaluate(data).loss
        print("mean squared error \(before) → \(after)")
        // docc snippet ends
        #expect(after < 0.01 && after < before / 10, "\(before) → \(after)")
    }
}
