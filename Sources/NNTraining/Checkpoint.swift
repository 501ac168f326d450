import Foundation
import NNCore
import NNIO
import NNOptimizers

/// Checkpoints: a `.safetensors` file with the model's parameters (named as in a model file),
/// the optimiser's per-parameter buffers as `optimizer/<parameter>` F64 tensors, and in
/// `__metadata__` the architecture, the optimiser's step counts, the trainer's random
/// generator state, the epoch and the history. Resuming from it continues exactly where the
/// run stopped: the same seed and settings give bit-identical parameters and losses.
extension Trainer {
    /// The value of the `format` metadata key.
    public static var checkpointFormat: String { "swift-nn-checkpoint/1" }

    /// Writes a checkpoint atomically.
    /// - Throws: ``ModelFileError`` if the file cannot be written.
    public func saveCheckpoint(to path: String) throws(ModelFileError) {
        var tensors = ModelFile.tensors(of: model)
        let optimizerState = optimizer.checkpointState
        for (name, state) in optimizerState.parameters {
            tensors[Self.optimizerPrefix + name] = StoredTensor(float64: state.buffers, shape: [state.buffers.count])
        }
        // The architecture is for readers; resuming needs only the names and shapes.
        var metadata = (try? ModelFile.metadata(for: model)) ?? ["dtype": Model.Scalar.dtypeName]
        metadata["format"] = Self.checkpointFormat
        metadata["epoch"] = String(history.epochs.count)
        metadata["optimizer_steps"] = Self.encode(OptimizerSteps(
            stepCount: optimizerState.stepCount, steps: optimizerState.parameters.mapValues(\.step)))
        metadata["generator"] = Self.encode(generator.state.map { String($0, radix: 16) })
        metadata["history"] = history.json
        try Safetensors.write(tensors: tensors, metadata: metadata, to: path)
    }

    /// Restores model parameters, optimiser state, random generator and history from a
    /// checkpoint written by ``saveCheckpoint(to:)`` for the same model. Nothing changes unless
    /// everything fits.
    /// - Throws: ``ModelFileError`` for a malformed file, a file that is not a checkpoint, or
    ///   tensors that do not fit the model (named).
    public mutating func restoreCheckpoint(from path: String) throws(ModelFileError) {
        let (tensors, metadata) = try Safetensors.read(path)
        guard metadata["format"] == Self.checkpointFormat else {
            throw .invalidHeader(path: path, reason: "not a swift-nn checkpoint (format \(metadata["format"] ?? "missing"))")
        }
        let steps: OptimizerSteps = try Self.decode(metadata["optimizer_steps"], "optimizer_steps", path)
        let generatorWords: [String] = try Self.decode(metadata["generator"], "generator", path)
        let restoredHistory: TrainingHistory = try Self.decode(metadata["history"], "history", path)
        let words = generatorWords.compactMap { UInt64($0, radix: 16) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw .invalidHeader(path: path, reason: "the generator state is not four non-zero 64-bit words")
        }

        var parameters: [String: Tensor<Model.Scalar>] = [:]
        var optimizerParameters: [String: ParameterState] = [:]
        for (name, stored) in tensors {
            if name.hasPrefix(Self.optimizerPrefix) {
                let parameter = String(name.dropFirst(Self.optimizerPrefix.count))
                guard stored.dtype == .f64, let step = steps.steps[parameter] else {
                    throw .mismatch(path: path, reason: "optimizer tensor '\(name)' has no step count or is not F64")
                }
                optimizerParameters[parameter] = ParameterState(step: step, buffers: stored.float64OrFloat32Values())
            } else {
                parameters[name] = try stored.tensor(as: Model.Scalar.self, name: name, path: path)
            }
        }
        var restoredModel = model
        do { try restoredModel.loadStateDictionary(parameters) } catch { throw .mismatch(path: path, reason: "\(error)") }

        model = restoredModel
        optimizer.checkpointState = OptimizerState(stepCount: steps.stepCount, parameters: optimizerParameters)
        generator = SeededRandomGenerator(state: words)
        history = restoredHistory
    }

    private static var optimizerPrefix: String { "optimizer/" }

    private struct OptimizerSteps: Codable {
        var stepCount: Int
        var steps: [String: Int]
    }

    private static func encode<T: Encodable>(_ value: T) -> String {
        // Plain integers, strings and dictionaries of them: encoding cannot fail.
        try! JSONFormat.string(value)
    }

    private static func decode<T: Decodable>(_ text: String?, _ key: String, _ path: String) throws(ModelFileError) -> T {
        guard let text else { throw .invalidHeader(path: path, reason: "the checkpoint has no '\(key)'") }
        do {
            return try JSONFormat.decoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw .invalidHeader(path: path, reason: "'\(key)' is not valid: \(error)")
        }
    }
}
