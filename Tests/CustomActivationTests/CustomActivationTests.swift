import Foundation
import NNCore   // NNCore alone: everything below is what a user outside the library writes.
import Testing

/// A user's own activation, the swish `x·σ(x)`: a few lines, no framework internals.
struct Swish: Activation {
    func value<T: TensorScalar>(_ x: T) -> T { x / (1 + T.exp(-x)) }
    func derivative<T: TensorScalar>(input x: T, output y: T) -> T {
        let s = 1 / (1 + T.exp(-x))
        return s + y * (1 - s)
    }
}

@Suite struct CustomActivationTests {
    @Test func derivativeMatchesFiniteDifferences() {
        let h = 1e-6
        for x in stride(from: -5.0, through: 5.0, by: 0.37) {
            let numeric = (Swish().value(x + h) - Swish().value(x - h)) / (2 * h)
            #expect(abs(numeric - Swish().derivative(input: x, output: Swish().value(x))) < 1e-8)
        }
    }

    @Test func denseLayerWithTheCustomActivationPassesTheGradientCheck() throws {
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Double>(
            Dense<Double, Swish>(
                inputSize: 3, outputSize: 5, activation: Swish(),
                biasInitializer: .uniform(lower: -0.5, upper: 0.5), generator: &generator),
            Dense<Double, Identity>(inputSize: 5, outputSize: 2, activation: Identity(), generator: &generator))
        let input = try Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { _ in generator.nextUniform(in: -2.0, 2.0) })
        let report = GradientCheck.check(model, input: input, seed: 2)
        #expect(report.checkedCount == (3 * 5 + 5) + (5 * 2 + 2) + 12)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }

    /// A short training run written with NNCore only: fit y = sin(x) on [−2, 2] with a
    /// 1-16-1 swish network and full-batch gradient descent on ½·mean squared error.
    @Test func shortTrainingRunLearns() throws {
        var generator = SeededRandomGenerator(seed: 3)
        var model = Sequential<Float>(
            Dense<Float, Swish>(inputSize: 1, outputSize: 16, activation: Swish(), generator: &generator),
            Dense<Float, Identity>(inputSize: 16, outputSize: 1, activation: Identity(), generator: &generator))
        let xs = (0..<32).map { Float(-2 + 4 * Double($0) / 31) }
        let x = try Tensor(shape: [32, 1], scalars: xs)
        let y = xs.map { Float(sin(Double($0))) }

        func loss(_ prediction: Tensor<Float>) -> Float {
            zip(prediction.scalars, y).map { 0.5 * ($0 - $1) * ($0 - $1) }.reduce(0, +) / 32
        }
        let initialLoss = loss(model(x))
        for _ in 0..<2000 {
            model.zeroGradients()
            let prediction = model.forward(x)
            let gradient = try Tensor(shape: [32, 1], scalars: zip(prediction.scalars, y).map { ($0 - $1) / 32 })
            _ = model.backward(gradient)
            model.visitParameters { _, parameter in
                for i in 0..<parameter.value.scalarCount { parameter.value[flat: i] -= 0.1 * parameter.gradient[flat: i] }
            }
        }
        let finalLoss = loss(model(x))
        #expect(finalLoss < initialLoss / 20, "loss \(initialLoss) → \(finalLoss)")
    }
}
