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
    /// Glorot otherwise, with zero biases. The parameters are counted and checked against
    /// `budget` before any is allocated.
    func build(
        seed: UInt64, weights: WeightInitializer? = nil, biases: WeightInitializer = .constant(0),
        batch: Int = 1, budget: MemoryBudget = MemoryBudget()
    ) throws -> Sequential<Float> {
        var parameters = 0
        for index in 0..<(sizes.count - 1) {
            guard let count = try? TensorLimits.scalarCount(of: [sizes[index], sizes[index + 1]]) else {
                throw CommandLineError(
                    "--layers: a \(sizes[index])×\(sizes[index + 1]) weight matrix is more than one tensor may hold (\(TensorLimits.maximumScalarCount))"
                )
            }
            parameters += count + sizes[index + 1]
        }
        let activations = Double(batch) * sizes.reduce(0) { $0 + Double($1) } * 4 * 3
        try budget.check(
            Double(parameters) * MemoryBudget.bytesPerTrainedParameter + activations,
            for: "--layers \(sizes.map(String.init).joined(separator: ",")): training its \(parameters) parameters in batches of \(batch)")
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
        return Dense<Float, A>(
            inputSize: inputs, outputSize: outputs, activation: activation,
            weightInitializer: weights ?? (reluLike ? .heUniform : .glorotUniform),
            biasInitializer: biases, generator: &generator)
    }
}
