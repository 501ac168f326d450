import Foundation
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

    /// A per-sample batch takes the one-pass path and a batch whose map is large enough to
    /// share between threads the general one (2 × 32,768 values): both match a reference
    /// computed in Double, forward and backward, with the weight frozen or not.
    @Test(arguments: [1, 3, 300], [true, false])
    func smallAndLargeBatchesMatchAReference(rows: Int, weightTrainable: Bool) throws {
        let (inputs, outputs) = (5, 240)
        var generator = SeededRandomGenerator(seed: 3)
        var layer = Dense<Float, Tanh>(inputSize: inputs, outputSize: outputs, activation: Tanh(), generator: &generator)
        layer.bias = Parameter(try randomInput(batch: 1, features: outputs, seed: 4).converted(to: Float.self).reshaped(to: [outputs]))
        layer.weight.isTrainable = weightTrainable
        let x = randomInput(batch: rows, features: inputs, seed: 5).converted(to: Float.self)
        let g = randomInput(batch: rows, features: outputs, seed: 6).converted(to: Float.self)
        let y = layer.forward(x)
        let dX = layer.backward(g)

        let w = layer.weight.value.scalars.map(Double.init), b = layer.bias.value.scalars.map(Double.init)
        let xs = x.scalars.map(Double.init), gs = g.scalars.map(Double.init)
        var expectedY = [Double](repeating: 0, count: rows * outputs), delta = expectedY
        var expectedDW = [Double](repeating: 0, count: inputs * outputs), expectedDB = [Double](repeating: 0, count: outputs)
        var expectedDX = [Double](repeating: 0, count: rows * inputs)
        for r in 0..<rows {
            for j in 0..<outputs {
                var z = b[j]
                for i in 0..<inputs { z += xs[r * inputs + i] * w[i * outputs + j] }
                let a = Foundation.tanh(z)
                expectedY[r * outputs + j] = a
                delta[r * outputs + j] = gs[r * outputs + j] * (1 - a * a)
                expectedDB[j] += delta[r * outputs + j]
                for i in 0..<inputs {
                    expectedDW[i * outputs + j] += xs[r * inputs + i] * delta[r * outputs + j]
                    expectedDX[r * inputs + i] += delta[r * outputs + j] * w[i * outputs + j]
                }
            }
        }
        func close(_ actual: Tensor<Float>, _ expected: [Double]) -> Bool {
            zip(actual.scalars, expected).allSatisfy { abs(Double($0) - $1) <= 1e-4 * max(1, abs($1)) } && actual.scalarCount == expected.count
        }
        #expect(y.shape == [rows, outputs] && close(y, expectedY))
        #expect(dX.shape == [rows, inputs] && close(dX, expectedDX))
        #expect(close(layer.bias.gradient, expectedDB))
        #expect(close(layer.weight.gradient, weightTrainable ? expectedDW : Array(repeating: 0, count: inputs * outputs)))
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
