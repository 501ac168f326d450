import Foundation
import Testing

@testable import NNCommandLine

/// An independent reference: the recruitment network trained with plain scalar loops,
/// sharing no code with the framework. `weights[l][i][j]` connects unit i of layer l to
/// unit j of layer l+1; every unit is a sigmoid; each step descends the batch mean of
/// ½ Σ (t − a)².
struct ScalarReference {
    var weights: [[[Double]]]
    var biases: [[Double]]

    func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// The activations of every layer, input first.
    func activations(_ x: [Double]) -> [[Double]] {
        var result = [x]
        for (w, b) in zip(weights, biases) {
            let a = result.last!
            result.append(
                (0..<b.count).map { j in
                    var z = b[j]
                    for i in 0..<a.count { z += a[i] * w[i][j] }
                    return sigmoid(z)
                })
        }
        return result
    }

    mutating func step(inputs: [[Double]], targets: [[Double]], learningRate: Double) {
        var gradientW = weights.map { $0.map { $0.map { _ in 0.0 } } }
        var gradientB = biases.map { $0.map { _ in 0.0 } }
        let batch = Double(inputs.count)
        for (x, t) in zip(inputs, targets) {
            let a = activations(x)
            var delta = (0..<t.count).map { k in (a.last![k] - t[k]) / batch * a.last![k] * (1 - a.last![k]) }
            for layer in stride(from: weights.count - 1, through: 0, by: -1) {
                for i in 0..<a[layer].count {
                    for j in 0..<delta.count { gradientW[layer][i][j] += a[layer][i] * delta[j] }
                }
                for j in 0..<delta.count { gradientB[layer][j] += delta[j] }
                if layer > 0 {
                    delta = (0..<a[layer].count).map { i in
                        var sum = 0.0
                        for j in 0..<delta.count { sum += weights[layer][i][j] * delta[j] }
                        return sum * a[layer][i] * (1 - a[layer][i])
                    }
                }
            }
        }
        for layer in weights.indices {
            for i in weights[layer].indices {
                for j in weights[layer][i].indices { weights[layer][i][j] -= learningRate * gradientW[layer][i][j] }
            }
            for j in biases[layer].indices { biases[layer][j] -= learningRate * gradientB[layer][j] }
        }
    }
}

@Suite struct RecruitmentExampleTests {
    typealias Variant = RecruitmentExample.Variant

    /// The variant trained by the reference: its outputs on every row and its mean ½ squared error.
    func reference(_ variant: Variant, epochs: Int) -> (outputs: [[Double]], loss: Double) {
        let e = RecruitmentExample.self
        var network =
            variant == .twoOutputs
            ? ScalarReference(weights: [e.w1, e.w2], biases: [e.b1, e.b2])
            : ScalarReference(weights: [e.w1, e.w2, e.w3], biases: [e.b1, e.b2, e.b3])
        let (x, t) = (variant.inputs, variant.targets)
        let batches: [Range<Int>] =
            switch variant {
            case .firstSample, .twoSamples, .twoOutputs: x.indices.map { $0..<($0 + 1) }
            case .fullBatch: [0..<4]
            case .miniBatch: [0..<2, 2..<4]
            }
        for _ in 0..<epochs {
            for batch in batches {
                network.step(inputs: Array(x[batch]), targets: Array(t[batch]), learningRate: e.learningRate)
            }
        }
        let outputs = x.map { network.activations($0).last! }
        var loss = 0.0
        for (o, target) in zip(outputs, t) {
            for k in o.indices { loss += 0.5 * (o[k] - target[k]) * (o[k] - target[k]) }
        }
        return (outputs, loss / Double(x.count))
    }

    @Test(arguments: Variant.allCases)
    func matchesTheScalarReference(variant: Variant) throws {
        let report = try RecruitmentExample.run(Double.self, variant: variant, epochs: 10_000)
        let expected = reference(variant, epochs: 10_000)
        #expect(report.outputs.count == expected.outputs.count)
        for (row, expectedRow) in zip(report.outputs, expected.outputs) {
            #expect(row.count == expectedRow.count)
            for (value, want) in zip(row, expectedRow) { #expect(abs(value - want) <= 1e-12, "\(variant): \(value) vs \(want)") }
        }
        #expect(abs(report.loss - expected.loss) <= 1e-12)
        // Training worked: the outputs moved towards the targets.
        #expect(report.loss < reference(variant, epochs: 0).loss)
    }
}
