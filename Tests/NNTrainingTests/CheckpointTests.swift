import Foundation
import NN
import Testing

@Suite struct CheckpointTests {
    func path(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    /// `regularised` puts batch normalisation and dropout between the layers: their running
    /// statistics and mask counter must be restored too.
    func makeTrainer(regularised: Bool = false) -> Trainer<Sequential<Float>, CrossEntropy, GradientOptimizer> {
        var generator = SeededRandomGenerator(seed: 3)
        var layers: [any Layer<Float>] = [Dense<Float, Tanh>(inputSize: 2, outputSize: 8, activation: Tanh(), generator: &generator)]
        if regularised { layers += [BatchNorm<Float>(features: 8), Dropout<Float>(rate: 0.3, seed: 5)] }
        layers.append(Dense<Float, Identity>(inputSize: 8, outputSize: 2, activation: Identity(), generator: &generator))
        let model = Sequential<Float>(layers)
        // Adam keeps moments, shuffled batches consume the generator: both must be restored.
        return Trainer(
            model: model, loss: CrossEntropy(),
            optimizer: GradientOptimizer.adam(learningRate: 0.01).scheduled(.exponential(factor: 0.99)),
            schedule: ShuffledBatches(size: 7), seed: 11, metrics: [Accuracy()])
    }

    func data() throws -> InMemoryDataset<Float> {
        let doubles = try blobs(count: 60, seed: 2)
        return try InMemoryDataset(features: doubles.features.converted(), targets: doubles.targets.converted())
    }

    @Test(arguments: [false, true])
    func fourEpochsEqualTwoThenResumedForTwoMore(regularised: Bool) throws {
        let data = try data()
        var straight = makeTrainer(regularised: regularised)
        try straight.fit(data, epochs: 4)

        var first = makeTrainer(regularised: regularised)
        try first.fit(data, epochs: 2)
        let checkpoint = try path("run.ckpt.safetensors")
        try first.saveCheckpoint(to: checkpoint)
        var resumed = makeTrainer(regularised: regularised)   // a fresh process would build the same trainer
        try resumed.restoreCheckpoint(from: checkpoint)
        #expect(resumed.history.epochs.count == 2)
        try resumed.fit(data, epochs: 4)

        let bits = { (t: Trainer<Sequential<Float>, CrossEntropy, GradientOptimizer>) in
            t.model.namedParameters.flatMap { $0.parameter.value.scalars.map(\.bitPattern) }
        }
        #expect(bits(resumed) == bits(straight))
        #expect(resumed.history.epochs.map(\.loss) == straight.history.epochs.map(\.loss))
        #expect(resumed.history.epochs.map(\.metrics) == straight.history.epochs.map(\.metrics))
        #expect(resumed.optimizer.checkpointState == straight.optimizer.checkpointState)
        #expect(resumed.generator == straight.generator)
        // And the saved models are byte-identical files.
        let a = try path("a.safetensors"), b = try path("b.safetensors")
        try ModelFile.save(straight.model, to: a)
        try ModelFile.save(resumed.model, to: b)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }

    @Test func aCheckpointForAnotherModelIsRejectedAndChangesNothing() throws {
        var trainer = makeTrainer()
        try trainer.fit(try data(), epochs: 1)
        let checkpoint = try path("c.safetensors")
        try trainer.saveCheckpoint(to: checkpoint)
        var generator = SeededRandomGenerator(seed: 1)
        var other = Trainer(
            model: Sequential<Float>(Dense<Float, Identity>(inputSize: 2, outputSize: 2, activation: Identity(), generator: &generator)),
            loss: CrossEntropy(), optimizer: GradientOptimizer.adam())
        let before = other.model.stateDictionary
        #expect { try other.restoreCheckpoint(from: checkpoint) } throws: { "\($0)".contains("the architecture and the tensors disagree") }
        #expect(other.model.stateDictionary == before && other.history.epochs.isEmpty)
        let modelOnly = try path("m.safetensors")
        try ModelFile.save(trainer.model, to: modelOnly)
        #expect { try other.restoreCheckpoint(from: modelOnly) } throws: { "\($0)".contains("not a swift-nn checkpoint") }
    }

    /// A layer that cannot be described in a file: a checkpoint can still resume it, and says
    /// why it holds no architecture.
    struct Undescribed: Layer {
        var inner = Dense<Float, Identity>(inputSize: 2, outputSize: 2, activation: Identity(), generator: &Undescribed.generator)
        nonisolated(unsafe) static var generator = SeededRandomGenerator(seed: 1)
        func callAsFunction(_ input: Tensor<Float>) -> Tensor<Float> { inner(input) }
        mutating func forward(_ input: Tensor<Float>) -> Tensor<Float> { inner.forward(input) }
        mutating func backward(_ outputGradient: Tensor<Float>) -> Tensor<Float> { inner.backward(outputGradient) }
        mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Float>) throws -> Void) rethrows {
            try inner.visitParameters(visit)
        }
        func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { try inner.outputShape(forInputShape: inputShape) }
    }

    @Test func aCheckpointOfAnUndescribableModelSaysWhyItHasNoArchitecture() throws {
        let file = try path("undescribed.ckpt")
        var trainer = Trainer(model: Undescribed(), loss: CrossEntropy(), optimizer: GradientOptimizer.adam(), seed: 1)
        try trainer.fit(try data(), epochs: 1)
        try trainer.saveCheckpoint(to: file)
        let metadata = try Safetensors.read(file).metadata
        #expect(metadata["architecture"] == nil)
        #expect(metadata["architecture_omitted"]?.contains("Undescribed") == true, "\(metadata)")
        var resumed = Trainer(model: Undescribed(), loss: CrossEntropy(), optimizer: GradientOptimizer.adam(), seed: 1)
        try resumed.restoreCheckpoint(from: file)
        #expect(resumed.model.inner.weight.value == trainer.model.inner.weight.value)
    }

    @Test func historyExportsAsCSVAndJSON() throws {
        var trainer = makeTrainer()
        try trainer.fit(try data(), epochs: 3)
        let csvPath = try path("history.csv"), jsonPath = try path("history.json")
        try trainer.history.write(to: csvPath)
        try trainer.history.write(to: jsonPath)
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "epoch,loss,accuracy,learning_rate,seconds" && lines.count == 4)
        #expect(lines[1].hasPrefix("1,") && lines[3].hasPrefix("3,"))
        let fields = lines[2].split(separator: ",")
        // Epoch 2 starts after the 9 steps of epoch 1 (60 samples in batches of 7): 0.01 · 0.99⁹.
        #expect(abs(Double(fields[3])! - 0.01 * pow(0.99, 9)) < 1e-15)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as? [String: Any]
        let epochs = try #require(json?["epochs"] as? [[String: Any]])
        #expect(epochs.count == 3 && epochs[0]["learning_rate"] as? Double == 0.01 && epochs[0]["loss"] is Double)
        #expect(Set(epochs[0].keys) == ["epoch", "loss", "metrics", "learning_rate", "seconds"])
    }
}
