import NN

/// The XOR problem, the classic case a single layer cannot solve: 2 inputs → 4 tanh units →
/// 1 sigmoid output, binary cross-entropy, full-batch gradient descent.
enum XORExample {
    struct Report: Encodable {
        var epochs: Int
        var loss: Double
        var outputs: [Double]
        var accuracy: Double
    }

    static let inputs: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
    static let targets: [Float] = [0, 1, 1, 0]

    static func run(epochs: Int = 2000, seed: UInt64 = 42) throws -> Report {
        var generator = SeededRandomGenerator(seed: seed)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
            Dense<Float, Sigmoid>(inputSize: 4, outputSize: 1, activation: Sigmoid(), generator: &generator))
        let data = try InMemoryDataset(features: Tensor(inputs), targets: Tensor(shape: [4, 1], scalars: targets))
        var trainer = Trainer(
            model: model, loss: BinaryCrossEntropy(), optimizer: .gradientDescent(learningRate: 0.5),
            schedule: FullBatch(), seed: seed, metrics: [Accuracy()])
        try trainer.fit(data, epochs: epochs)
        let (loss, metrics) = try trainer.evaluate(data)
        return Report(
            epochs: epochs, loss: loss, outputs: trainer.model(data.features).scalars.map(Double.init),
            accuracy: metrics["accuracy"] ?? 0)
    }

    static func text(_ report: Report) -> [String] {
        [
            "XOR: 2-4-1, \(report.epochs) epochs: loss \(significant(report.loss, 4)), outputs for 00 01 10 11: "
                + report.outputs.map { significant($0, 3) }.joined(separator: " ") + ", accuracy \(significant(report.accuracy, 3))"
        ]
    }
}
