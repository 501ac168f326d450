import Foundation
import NN

/// A dense network as `--layers 784,64,10 --activation relu` describes it: sizes from input to
/// output, one activation for the hidden layers, and an identity output (logits for
/// cross-entropy, values for regression).
struct ModelSpecification {
    var sizes: [Int]
    var activation: String

    static let activations = ["relu", "sigmoid", "tanh", "leaky-relu", "softplus", "gelu", "identity"]

    /// Parses `784,64,10`.
    static func sizes(_ text: String) throws(CommandLineError) -> [Int] {
        let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw CommandLineError("nn train: --layers expects sizes like 784,64,10 (input, hidden..., output), got '\(text)'")
        }
        return sizes.map { $0! }
    }

    /// The network with weights drawn from `seed`: by default He for ReLU-like units and
    /// Glorot otherwise, with zero biases.
    func build(seed: UInt64, weights: WeightInitializer? = nil, biases: WeightInitializer = .constant(0)) throws -> Sequential<Float> {
        var generator = SeededRandomGenerator(seed: seed)
        let hidden = try ActivationRegistry.shared.make(TypeDescription(type: activation, configuration: .object([:])), path: "--activation")
        var layers: [any Layer<Float>] = []
        for index in 0..<(sizes.count - 1) {
            if index == sizes.count - 2 {
                layers.append(dense(sizes[index], sizes[index + 1], Identity(), weights, biases, &generator))
            } else {
                layers.append(dense(sizes[index], sizes[index + 1], hidden, weights, biases, &generator))
            }
        }
        return Sequential(layers)
    }

    private func dense<A: Activation>(
        _ inputs: Int, _ outputs: Int, _ activation: A, _ weights: WeightInitializer?, _ biases: WeightInitializer,
        _ generator: inout SeededRandomGenerator
    ) -> any Layer<Float> {
        let reluLike = activation is ReLU || activation is LeakyReLU || activation is GELU
        return Dense<Float, A>(inputSize: inputs, outputSize: outputs, activation: activation,
                               weightInitializer: weights ?? (reluLike ? .heUniform : .glorotUniform),
                               biasInitializer: biases, generator: &generator)
    }
}
