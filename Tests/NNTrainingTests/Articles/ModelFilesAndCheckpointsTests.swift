import Foundation
import NN
import Testing

// The code of the article "Model files and checkpoints" (NNIO's catalog).

@Suite struct ModelFilesAndCheckpointsTests {
    /// The XOR network of the first test, untrained, saved as that test saves it, in a new
    /// folder (the caller removes it).
    static func savedXORNetwork() throws -> (folder: URL, path: String) {
        var generator = SeededRandomGenerator(seed: 42)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
            Dense<Float, Sigmoid>(inputSize: 4, outputSize: 1, activation: Sigmoid(), generator: &generator))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("xor.safetensors").path
        try ModelFile.save(model, to: path, metadata: ["input_shape": "[2]"])
        return (folder, path)
    }

    @Test func aSavedModelLoadsWithoutTheCodeThatBuiltIt() throws {
        // docc snippet begins
        // The README's XOR network: 2 inputs → 4 tanh units → 1 sigmoid output.
        var generator = SeededRandomGenerator(seed: 42)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
            Dense<Float, Sigmoid>(inputSize: 4, outputSize: 1, activation: Sigmoid(), generator: &generator))
        let inputs = try Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]])
        let data = try InMemoryDataset(features: inputs, targets: Tensor<Float>([[0], [1], [1], [0]]))
        var trainer = Trainer(
            model: model, loss: BinaryCrossEntropy(), optimizer: .gradientDescent(learningRate: 0.5),
            schedule: FullBatch(), seed: 7, metrics: [Accuracy()], callbacks: [EarlyStopping(metric: "loss", target: 0.02)])
        try trainer.fit(data, epochs: 5000)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("xor.safetensors").path
        try ModelFile.save(trainer.model, to: path, metadata: ["input_shape": "[2]"])
        // docc snippet ends
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(trainer.history.stopReason != nil)
        #expect(FileManager.default.fileExists(atPath: path))

        // docc snippet begins
        // Later, elsewhere: the file alone rebuilds the model.
        let (loaded, metadata) = try ModelFile.load(path, as: Float.self)   // loaded: any Layer<Float>
        let predictions = loaded(inputs)
        print(predictions.scalars, metadata["input_shape"]!)
        // docc snippet ends
        #expect(predictions.shape == [4, 1])
        #expect(predictions.scalars.map(\.bitPattern) == trainer.model(inputs).scalars.map(\.bitPattern))
        #expect(predictions.scalars.map { $0 > 0.5 } == [false, true, true, false])
        #expect(metadata["input_shape"] == "[2]" && metadata["format"] == ModelFile.format)
        #expect(loaded is Sequential<Float>)
        #expect(loaded.namedParameters.map(\.name) == trainer.model.namedParameters.map(\.name))
        // The precision is part of the file: a Float model does not load as Double.
        #expect(throws: ModelFileError.unsupportedDType(path: path, tensor: "(model)", dtype: "float32")) {
            _ = try ModelFile.load(path, as: Double.self)
        }
    }

    @Test func theFileIsSafetensorsWithNamedTensorsAndMetadata() throws {
        let (folder, path) = try Self.savedXORNetwork()
        defer { try? FileManager.default.removeItem(at: folder) }
        // docc snippet begins
        let (tensors, metadata) = try Safetensors.read(path)
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            print(name, tensor.dtype.rawValue, tensor.shape)
        }
        print(metadata["format"]!, metadata["dtype"]!, metadata["input_shape"]!)
        print(metadata["architecture"]!)
        // docc snippet ends
        // What the article shows as the output.
        let lines = tensors.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value.dtype.rawValue) \($0.value.shape)" }
        #expect(
            lines == [
                "layers.0.bias F32 [4]", "layers.0.weight F32 [2, 4]", "layers.1.bias F32 [1]", "layers.1.weight F32 [4, 1]",
            ])
        #expect(metadata["format"] == "swift-nn-model/1" && metadata["dtype"] == "float32" && metadata["input_shape"] == "[2]")
        #expect(
            metadata["architecture"]
                == #"{"configuration":{"layers":[{"configuration":{"activation":{"configuration":{},"type":"tanh"},"input_size":2,"output_size":4},"type":"Dense"},{"configuration":{"activation":{"configuration":{},"type":"sigmoid"},"input_size":4,"output_size":1},"type":"Dense"}]},"type":"Sequential"}"#
        )
        #expect(ModelFile.architecture(in: metadata)?.type == "Sequential")
        #expect(Set(metadata.keys) == ["format", "dtype", "architecture", "input_shape"])
    }

    @Test func aDamagedFileIsAnErrorThatNamesIt() throws {
        let (folder, path) = try Self.savedXORNetwork()
        defer { try? FileManager.default.removeItem(at: folder) }
        // docc snippet begins
        // A download cut short: only the first 100 bytes of the file arrived.
        let truncated = folder.appendingPathComponent("truncated.safetensors").path
        try Data(contentsOf: URL(fileURLWithPath: path)).prefix(100).write(to: URL(fileURLWithPath: truncated))

        var failure: ModelFileError?
        do throws(ModelFileError) {
            _ = try ModelFile.load(truncated, as: Float.self)
        } catch {
            failure = error
            print(error)   // one line: the file, then what is wrong with it
        }
        // docc snippet ends
        let error = try #require(failure)
        #expect("\(error)".hasPrefix(truncated + ": not a valid safetensors file: header length "))
        #expect("\(error)".hasSuffix(" goes beyond the end of the 100-byte file"))
        guard case .malformed(let file, _) = error else {
            Issue.record("expected ModelFileError.malformed, got \(error)")
            return
        }
        #expect(file == truncated)

        // A few bytes that are not safetensors at all, and a file that is not there.
        let text = folder.appendingPathComponent("notes.safetensors").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: ModelFileError.malformed(path: text, reason: "5 bytes, too short for the 8-byte header length")) {
            _ = try ModelFile.load(text, as: Float.self)
        }
        let missing = folder.appendingPathComponent("absent.safetensors").path
        #expect(throws: ModelFileError.io(path: missing, reason: "no such file")) {
            _ = try ModelFile.load(missing, as: Float.self)
        }
    }

    @Test func aResumedRunEqualsAnUninterruptedOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // docc snippet begins
        /// The trainer, built the same way every time (as a new process would build it). Adam
        /// keeps two moments per parameter, and shuffled batches draw from the trainer's
        /// generator: a resumed run needs both as the first run left them.
        func makeTrainer() -> Trainer<Sequential<Float>, BinaryCrossEntropy, GradientOptimizer> {
            var generator = SeededRandomGenerator(seed: 42)
            let model = Sequential<Float>(
                Dense<Float, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
                Dense<Float, Sigmoid>(inputSize: 4, outputSize: 1, activation: Sigmoid(), generator: &generator))
            return Trainer(
                model: model, loss: BinaryCrossEntropy(), optimizer: .adam(learningRate: 0.05),
                schedule: ShuffledBatches(size: 2), seed: 7, metrics: [Accuracy()])
        }
        let xor = try InMemoryDataset(
            features: Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]]), targets: Tensor<Float>([[0], [1], [1], [0]]))
        let checkpoint = folder.appendingPathComponent("xor.checkpoint.safetensors").path

        var straight = makeTrainer()
        try straight.fit(xor, epochs: 200)

        var first = makeTrainer()
        try first.fit(xor, epochs: 120)
        try first.saveCheckpoint(to: checkpoint)

        var resumed = makeTrainer()   // say, in a new process after the first one stopped
        try resumed.restoreCheckpoint(from: checkpoint)
        try resumed.fit(xor, epochs: 200)   // `epochs` is the total: this trains epochs 121 to 200
        // docc snippet ends
        let bits = { (trainer: Trainer<Sequential<Float>, BinaryCrossEntropy, GradientOptimizer>) in
            trainer.model.namedParameters.flatMap { $0.parameter.value.scalars.map(\.bitPattern) }
        }
        #expect(bits(resumed) == bits(straight))
        #expect(bits(resumed) != bits(first))
        #expect(resumed.history.epochs.map(\.epoch) == Array(1...200))
        #expect(resumed.history.epochs.map(\.loss) == straight.history.epochs.map(\.loss))
        #expect(resumed.history.epochs.map(\.metrics) == straight.history.epochs.map(\.metrics))
        #expect(resumed.optimizer.checkpointState == straight.optimizer.checkpointState)
        #expect(resumed.generator == straight.generator)

        // What the checkpoint holds: the model's tensors, the optimiser's, and the run's state.
        let (tensors, metadata) = try Safetensors.read(checkpoint)
        #expect(metadata["format"] == ModelFile.checkpointFormat && metadata["epoch"] == "120")
        #expect(
            Set(tensors.keys.filter { !ModelFile.isTrainingState($0) })
                == ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"])
        #expect(tensors.keys.contains("optimizer/layers.0.weight"))
        #expect(metadata["history"] != nil && metadata["generator"] != nil && metadata["optimizer_steps"] != nil)
        // A checkpoint loads as a model file too: the model after epoch 120.
        let inputs = try Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]])
        let reloaded = try ModelFile.load(checkpoint, as: Float.self).model
        #expect(reloaded(inputs) == first.model(inputs))
    }
}
