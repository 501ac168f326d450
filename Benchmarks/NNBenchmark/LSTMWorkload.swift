import Foundation
import NN

/// The character-level language model of the sequence issue, on the words of Debian's
/// wamerican (`Benchmarks/words.py` writes the two files): embedding 32, LSTM 128, dense 27,
/// context 16, batch 64, Adam (lr 0.001). The time is the training alone; the validation
/// loss is in nats per predicted character (the end of each word included).
enum LSTMWorkload {
    static func network(vocabulary: Int, seed: UInt64) -> Sequential<Float> {
        var generator = SeededRandomGenerator(seed: seed)
        // PyTorch's initialisations, so that both start from the same distributions.
        return Sequential<Float>(
            Embedding(vocabulary: vocabulary, dimension: 32, generator: &generator),
            LSTM(inputSize: 32, hiddenSize: 128, generator: &generator),
            Dense<Float, Identity>(
                inputSize: 128, outputSize: vocabulary, activation: Identity(), weightInitializer: .pytorchLinear,
                biasInitializer: .pytorchLinear, generator: &generator))
    }

    static func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        let folder = options.data == FashionMNIST.defaultFolder ? ".build/words" : options.data
        let context = 16, epochs = options.epochs ?? 1, batch = options.batch ?? 64
        let trainingLines = try CharacterCorpus.lines(of: folder + "/words-train.txt")
        let validationLines = try CharacterCorpus.lines(of: folder + "/words-validation.txt")
        let vocabulary = CharacterVocabulary(of: trainingLines.joined())
        var train = CharacterCorpus.windows(of: try trainingLines.map(vocabulary.encode), context: context)
        var validation = CharacterCorpus.windows(of: try validationLines.map(vocabulary.encode), context: context)
        // `--samples N`: the first N windows of each part (to count allocations per step).
        if let samples = options.samples {
            train = train.subset(Array(0..<Swift.min(samples, train.count)))
            validation = validation.subset(Array(0..<Swift.min(samples, validation.count)))
        }
        var trainer = Trainer(
            model: network(vocabulary: vocabulary.count, seed: 1), loss: CrossEntropy(ignoreIndex: CharacterCorpus.ignoredTarget),
            optimizer: .adam(learningRate: 0.001), schedule: ShuffledBatches(size: batch), seed: 1)
        let start = now()
        try trainer.fit(train, epochs: epochs)
        let seconds = now() - start
        let validationLoss = try trainer.evaluate(validation).loss
        return [
            BenchmarkResult(
                workload: "lstm",
                values: [
                    ("batch", batch), ("epochs", epochs), ("samples", train.count), ("seconds", seconds),
                    ("seconds_per_epoch", seconds / Double(epochs)), ("validation_loss", validationLoss),
                    ("peak_memory_mb", peakMemoryMB()),
                ])
        ]
    }
}
