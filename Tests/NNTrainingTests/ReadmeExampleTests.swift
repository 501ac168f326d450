import Foundation
import NN
import Testing

/// The code example of README.md, verbatim between the markers, so the README never shows
/// code that does not compile or work.
@Suite struct ReadmeExampleTests {
    @Test func theReadmeExampleTrainsXOR() throws {
        // README example begins
        // XOR: 2 inputs → 4 tanh units → 1 sigmoid output, full-batch gradient descent.
        var generator = SeededRandomGenerator(seed: 42)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
            Dense<Float, Sigmoid>(inputSize: 4, outputSize: 1, activation: Sigmoid(), generator: &generator))
        let data = try InMemoryDataset(
            features: Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]]),
            targets: Tensor<Float>([[0], [1], [1], [0]]))

        var trainer = Trainer(
            model: model, loss: BinaryCrossEntropy(), optimizer: .gradientDescent(learningRate: 0.5),
            schedule: FullBatch(), seed: 7, metrics: [Accuracy()],
            callbacks: [ProgressReport(every: 500), EarlyStopping(metric: "loss", target: 0.02)])
        let history = try trainer.fit(data, epochs: 5000)
        let (loss, metrics) = try trainer.evaluate(data)
        print("stopped after \(history.epochs.count) epochs: loss \(loss), accuracy \(metrics["accuracy"]!)")
        print(trainer.model(try Tensor<Float>([[1, 0], [1, 1]])).scalars)   // ≈ [1, 0]
        // README example ends
        #expect(metrics["accuracy"] == 1)
        #expect(loss <= 0.02 && history.stopReason != nil)
    }

    @Test func theReadmeShowsExactlyThisCode() throws {
        let testFile = URL(fileURLWithPath: #filePath)
        let root = testFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: testFile, encoding: .utf8)
        let tested = example(named: "README example", in: source)
        let shown = try #require(readme.components(separatedBy: "```swift\nimport NN\n\n").dropFirst().first)
            .components(separatedBy: "```")[0]
        #expect(shown == tested)
    }

    @Test func theReadmeCNNExampleBuildsAndRuns() throws {
        // README CNN example begins
        var generator = SeededRandomGenerator(seed: 1)
        let cnn = Sequential<Float>(
            Reshape([28, 28, 1]),
            Conv2D<Float, ReLU>(channels: 1, filters: 32, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
            MaxPool2D(size: 2),
            BatchNorm(features: 32),
            Flatten(),
            Dropout(rate: 0.3, seed: 1),
            Dense<Float, Identity>(inputSize: 14 * 14 * 32, outputSize: 10, activation: Identity(), generator: &generator))
        // README CNN example ends
        #expect(try cnn.outputShape(forInputShape: [784]) == [10])
        var model = cnn
        let batch = try Tensor<Float>(shape: [2, 784], scalars: (0..<1568).map { Float($0 % 255) / 255 })
        #expect(model.forward(batch).shape == [2, 10])

        let testFile = URL(fileURLWithPath: #filePath)
        let readme = try String(
            contentsOf: testFile.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: testFile, encoding: .utf8)
        let tested = example(named: "README CNN example", in: source)
        #expect(readme.contains("```swift\n" + tested + "```"))
    }

    @Test func theReadmeWatchedTrainingExampleRuns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-readme-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let blobs = try blobs(count: 200, seed: 5)
        let all = try InMemoryDataset(features: blobs.features.converted(), targets: blobs.targets.converted() as Tensor<Float>)
        let (trainingPart, validationPart) = (all.subset(Array(0..<160)), all.subset(Array(160..<200)))
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>(
            Dense<Float, ReLU>(inputSize: 2, outputSize: 16, activation: ReLU(), generator: &generator),
            Dense<Float, Identity>(inputSize: 16, outputSize: 2, activation: Identity(), generator: &generator))
        let logs = folder + "/runs/blobs", bestFile = folder + "/best.safetensors"
        // README watched example begins
        var trainer = Trainer(
            model: model, loss: CrossEntropy(), optimizer: .adam(learningRate: 0.01),
            schedule: ShuffledBatches(size: 32), seed: 1, metrics: [Accuracy()],
            callbacks: [
                EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true),
                ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2),
                ModelCheckpoint(path: bestFile, monitor: "val_loss"),
                TensorBoardLog(directory: logs),   // tensorboard --logdir runs
            ])
        let history = try trainer.fit(trainingPart, epochs: 100, validation: validationPart)
        print(history.stopReason ?? "ran every epoch", history.last?.value(named: "val_accuracy") ?? 0)

        // Fine-tuning: a new head of 5 outputs, the first layer frozen.
        var tuned = trainer.model
        tuned.replaceHead(outputSize: 5, generator: &generator)
        tuned.freezeLayers([0])
        // README watched example ends
        #expect(try tuned.outputShape(forInputShape: [2]) == [5])
        #expect(FileManager.default.fileExists(atPath: bestFile) && FileManager.default.fileExists(atPath: logs + "/train"))
        #expect(history.epochs.allSatisfy { $0.validationLoss != nil })

        let testFile = URL(fileURLWithPath: #filePath)
        let readme = try String(
            contentsOf: testFile.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let tested = example(named: "README watched example", in: try String(contentsOf: testFile, encoding: .utf8))
        #expect(readme.contains("```swift\n" + tested + "```"))
    }

    @Test func theReadmeSequenceExampleLearnsTheWords() throws {
        // README sequence example begins
        // A character model: ids [batch, time] → embedding → LSTM → a dense layer at every step.
        let words = ["emma", "olivia", "ava", "isabella", "sophia", "mia"]
        let vocabulary = CharacterVocabulary(of: words.joined())   // id 0 starts and ends a word
        let windows = CharacterCorpus.windows(of: try words.map(vocabulary.encode), context: 10)
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>(
            Embedding(vocabulary: vocabulary.count, dimension: 16, generator: &generator),
            LSTM(inputSize: 16, hiddenSize: 32, generator: &generator),   // or GRU, SimpleRNN
            Dense<Float, Identity>(inputSize: 32, outputSize: vocabulary.count, activation: Identity(), generator: &generator))
        var optimizer = GradientOptimizer.adam(learningRate: 0.01)
        optimizer.clipping = .byGlobalNorm(1)   // the usual guard against exploding gradients
        var trainer = Trainer(
            model: model, loss: CrossEntropy(ignoreIndex: CharacterCorpus.ignoredTarget),   // padding is not scored
            optimizer: optimizer, schedule: ShuffledBatches(size: 2), seed: 1)
        try trainer.fit(windows, epochs: 150)
        print("nats per character:", try trainer.evaluate(windows).loss)
        // README sequence example ends
        // The first letter of each word cannot be learned (log 6 per word, about 0.29 per character); the rest can.
        #expect(try trainer.evaluate(windows).loss < 0.45)

        let testFile = URL(fileURLWithPath: #filePath)
        let readme = try String(
            contentsOf: testFile.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let tested = example(named: "README sequence example", in: try String(contentsOf: testFile, encoding: .utf8))
        #expect(readme.contains("```swift\n" + tested + "```"))
    }

    /// The lines between `// <name> begins` and `// <name> ends` in `source`, unindented.
    private func example(named name: String, in source: String) -> String {
        source.components(separatedBy: "// \(name) begins\n")[1]
            .components(separatedBy: "        // \(name) ends")[0]
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }
            .joined(separator: "\n")
    }
}
