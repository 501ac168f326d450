import Foundation
import NN
import Testing

/// The code of the article "Backpropagation step by step" (NNCore's catalog).
@Suite struct BackpropagationStepByStepTests {
    @Test func theFirstUpdatesGradientsAreTheWriteUps() throws {
        // docc snippet begins
        // A Dense weight is [inputs, outputs]: column j holds the weights into unit j.
        let hidden = try Dense(
            weight: Tensor<Double>([[0.15, 0.25], [0.20, 0.30]]), bias: Tensor([0.35, 0.35]), activation: Sigmoid())
        let output = try Dense(
            weight: Tensor<Double>([[0.40, 0.50], [0.45, 0.55]]), bias: Tensor([0.60, 0.60]), activation: Sigmoid())
        var network = Sequential<Double>(hidden, output)

        let input = try Tensor<Double>([[0.05, 0.10]])
        let target = try Tensor<Double>([[0.01, 0.99]])
        let out = network.forward(input)
        let loss = MeanSquaredError(reduction: .sum, halved: true)
        let (error, dErrorDOut) = try loss.valueAndGradient(prediction: out, target: target)
        _ = network.backward(dErrorDOut)   // fills every parameter's gradient

        let gradients = Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.gradient) })
        let dErrorDW5 = gradients["layers.1.weight"]![0, 0]   // h1 → o1
        let dErrorDW1 = gradients["layers.0.weight"]![0, 0]   // i1 → h1
        print("E_total \(error), ∂E/∂w5 \(dErrorDW5), ∂E/∂w1 \(dErrorDW1)")
        // docc snippet ends
        expectDigits(error, "0.298371109")
        expectDigits(dErrorDW5, "0.082167041")
        expectDigits(dErrorDW1, "0.000438568")
    }

    /// Asserts `value` equals a published number to every digit it is given with.
    private func expectDigits(_ value: Double, _ golden: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let decimals = golden.split(separator: ".").last.map(\.count) ?? 0
        let tolerance = 0.5 * pow(10, -Double(decimals))
        #expect(abs(value - Double(golden)!) <= tolerance, "\(value) vs \(golden)", sourceLocation: sourceLocation)
    }
}
