import Foundation
import NN

/// The Fashion-MNIST CNN (the layers issue's network), built as a user would; the time is
/// the training alone, the accuracy is on the 10,000 test images (in inference mode).
enum CNNWorkload {
    static func network(seed: UInt64) -> Sequential<Float> {
        var generator = SeededRandomGenerator(seed: seed)
        return Sequential<Float>(
            Reshape([28, 28, 1]),
            Conv2D<Float, ReLU>(
                channels: 1, filters: 32, kernelSize: 3, padding: .same, activation: ReLU(),
                weightInitializer: .heUniform, generator: &generator),
            MaxPool2D(size: 2),
            Conv2D<Float, ReLU>(
                channels: 32, filters: 64, kernelSize: 3, padding: .same, activation: ReLU(),
                weightInitializer: .heUniform, generator: &generator),
            MaxPool2D(size: 2),
            Flatten(),
            Dense<Float, ReLU>(inputSize: 7 * 7 * 64, outputSize: 128, activation: ReLU(), weightInitializer: .heUniform, generator: &generator),
            Dropout(rate: 0.3, seed: seed),
            Dense<Float, Identity>(inputSize: 128, outputSize: 10, activation: Identity(), generator: &generator))
    }

    static func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        let epochs = options.epochs ?? 1
        let (train, test) = try fashionMNIST(options)
        var trainer = Trainer(
            model: network(seed: 1), loss: CrossEntropy(), optimizer: .adam(learningRate: 0.001),
            schedule: ShuffledBatches(size: options.batch ?? 64), seed: 1, metrics: [Accuracy()])
        let start = now()
        try trainer.fit(train, epochs: epochs)
        let seconds = now() - start
        let accuracy = try trainer.evaluate(test).metrics["accuracy"] ?? .nan
        return [
            BenchmarkResult(
                workload: "cnn",
                values: [
                    ("batch", options.batch ?? 64), ("epochs", epochs), ("samples", train.count), ("seconds", seconds),
                    ("seconds_per_epoch", seconds / Double(epochs) * 60_000 / Double(train.count)),
                    ("test_accuracy", accuracy), ("peak_memory_mb", peakMemoryMB()),
                ])
        ]
    }
}
