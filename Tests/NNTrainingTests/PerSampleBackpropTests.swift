import Foundation
import NN
import Testing

/// The textbook `backprop(x, y)` (Nielsen's `network.py`): for one sample, a network of
/// sigmoid layers and the quadratic cost `C = ½‖a − y‖²` gives ∇b and ∇w for every layer.
/// Backpropagation must equal central finite differences of the cost.
@Suite struct PerSampleBackpropTests {
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func threeLayerSigmoidNetworkMatchesFiniteDifferences(seed: UInt64) throws {
        var generator = SeededRandomGenerator(seed: seed)
        let random = WeightInitializer.uniform(lower: -1.5, upper: 1.5)
        let network = Sequential<Double>(
            Dense<Double, Sigmoid>(
                inputSize: 3, outputSize: 4, activation: Sigmoid(),
                weightInitializer: random, biasInitializer: random, generator: &generator),
            Dense<Double, Sigmoid>(
                inputSize: 4, outputSize: 2, activation: Sigmoid(),
                weightInitializer: random, biasInitializer: random, generator: &generator))
        let x = try Tensor<Double>([(0..<3).map { _ in generator.nextUniform() }])
        let y = try Tensor<Double>([(0..<2).map { _ in generator.nextUniform() }])
        let report = try GradientCheck.check(
            network, input: x, target: y,
            loss: MeanSquaredError(reduction: .sum, halved: true))
        #expect(report.checkedCount == (3 * 4 + 4) + (4 * 2 + 2) + 3)
        #expect(report.worstRelativeError < 1e-6, "\(report)")

        // The same gradients by Nielsen's formulas, written out: δᴸ = (a − y) ⊙ σ′(zᴸ),
        // δˡ = (Wˡ⁺¹ δˡ⁺¹) ⊙ σ′(zˡ), ∇b = δ, ∇w = aˡ⁻¹ δˡ (as an [inputs, outputs] matrix).
        var trained = network
        let output = trained.forward(x)
        _ = trained.backward(try MeanSquaredError(reduction: .sum, halved: true).valueAndGradient(prediction: output, target: y).gradient)
        let p = Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.value) })
        let w1 = p["layers.0.weight"]!, b1 = p["layers.0.bias"]!, w2 = p["layers.1.weight"]!, b2 = p["layers.1.bias"]!
        func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
        let a1 = (0..<4).map { j in sigmoid((0..<3).reduce(b1[j]) { $0 + x[0, $1] * w1[$1, j] }) }
        let a2 = (0..<2).map { k in sigmoid((0..<4).reduce(b2[k]) { $0 + a1[$1] * w2[$1, k] }) }
        let delta2 = (0..<2).map { k in (a2[k] - y[0, k]) * a2[k] * (1 - a2[k]) }
        let delta1 = (0..<4).map { j in (0..<2).reduce(0) { $0 + w2[j, $1] * delta2[$1] } * a1[j] * (1 - a1[j]) }
        let g = Dictionary(uniqueKeysWithValues: trained.namedParameters.map { ($0.name, $0.parameter.gradient) })
        for k in 0..<2 {
            #expect(abs(g["layers.1.bias"]![k] - delta2[k]) < 1e-14)
            for j in 0..<4 { #expect(abs(g["layers.1.weight"]![j, k] - a1[j] * delta2[k]) < 1e-14) }
        }
        for j in 0..<4 {
            #expect(abs(g["layers.0.bias"]![j] - delta1[j]) < 1e-14)
            for i in 0..<3 { #expect(abs(g["layers.0.weight"]![i, j] - x[0, i] * delta1[j]) < 1e-14) }
        }
    }
}
