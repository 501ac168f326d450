import Foundation
import NN
import Testing

// The code of the article "Getting started" (NN's catalog).

@Suite struct GettingStartedTests {
    @Test func theXORNetworkLearnsAndLoadsBackFromItsFile() throws {
        // docc snippet begins
        // XOR: 2 inputs → 4 tanh units → 1 sigmoid output.
        var generator = SeededRandomGenerator(seed: 42)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
            Dense<Float, Sigmoid>(inputSize: 4, outputSize: 1, activation: Sigmoid(), generator: &generator))

        // The four samples: two inputs each, and the output wanted.
        let inputs = try Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]])
        let data = try InMemoryDataset(features: inputs, targets: Tensor<Float>([[0], [1], [1], [0]]))

        // Binary cross-entropy, gradient descent on all four samples at once, stop at a loss of 0.02.
        var trainer = Trainer(
            model: model, loss: BinaryCrossEntropy(), optimizer: .gradientDescent(learningRate: 0.5),
            schedule: FullBatch(), seed: 7, metrics: [Accuracy()], callbacks: [EarlyStopping(metric: "loss", target: 0.02)])
        let before = try trainer.evaluate(data).loss
        let history = try trainer.fit(data, epochs: 5000)
        let (after, metrics) = try trainer.evaluate(data)
        print("\(history.epochs.count) epochs: loss \(before) → \(after), accuracy \(metrics["accuracy"]!)")

        let predictions = trainer.model(inputs)
        print(predictions.scalars)   // close to [0, 1, 1, 0]
        // docc snippet ends
        #expect(predictions.shape == [4, 1])
        #expect(predictions.scalars.map { $0 > 0.5 } == [false, true, true, false])
        #expect(metrics["accuracy"] == 1)
        // Stopped by the target the code sets, before the last epoch it allows.
        #expect(history.stopReason != nil && history.epochs.count < 5000)
        #expect(after <= 0.02 && after < before)

        // docc snippet begins
        // Save the trained model in one file, then build it again from that file alone.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xor-\(UUID().uuidString).safetensors").path
        try ModelFile.save(trainer.model, to: path)
        let loaded = try ModelFile.load(path, as: Float.self).model   // any Layer<Float>
        let reloaded = loaded(inputs)
        print(reloaded.scalars)   // the same four numbers
        // docc snippet ends
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(loaded is Sequential<Float>)
        #expect(reloaded.shape == predictions.shape)
        #expect(reloaded.scalars == predictions.scalars)
    }

    /// The article's requirements, products and commands are those of Package.swift and the README.
    @Test func theArticleNamesThePackagesProductsAndTheREADMEsCommands() throws {
        let root = ArticleSnippetTests.root
        let article = try String(contentsOf: root.appendingPathComponent("Sources/NN/NN.docc/GettingStarted.md"), encoding: .utf8)
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)

        // Every library product of the manifest, named as code.
        let products = manifest.components(separatedBy: ".library(name: \"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(products.count >= 7)
        for product in products {
            #expect(article.contains("`\(product)`"), "the article does not name the product \(product)")
        }

        // The tools version the manifest declares.
        let toolsVersion = try #require(
            manifest.components(separatedBy: "\n").first?.components(separatedBy: "swift-tools-version: ").last)
        #expect(!toolsVersion.isEmpty && article.contains("Swift \(toolsVersion)"))

        // The README's two commands, line by line.
        let commands = try #require(
            readme.components(separatedBy: "## Two commands\n\n```\n").dropFirst().first?.components(separatedBy: "```").first)
        let lines = commands.split(separator: "\n").map { String($0) }
        #expect(lines.count == 2)
        for line in lines {
            #expect(article.contains(line), "the article does not show the README's command \(line)")
        }
    }
}
