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

    /// The lines between `// <name> begins` and `// <name> ends` in `source`, unindented.
    private func example(named name: String, in source: String) -> String {
        source.components(separatedBy: "// \(name) begins\n")[1]
            .components(separatedBy: "        // \(name) ends")[0]
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }
            .joined(separator: "\n")
    }
}
