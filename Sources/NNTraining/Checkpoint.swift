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
    public static var checkpointFormat: String { ModelFile.checkpointFormat }

    /// Writes a checkpoint atomically.
    /// - Throws: ``/NNIO/ModelFileError`` if the file cannot be written.
    public func saveCheckpoint(to path: String) throws(ModelFileError) {
        var tensors = ModelFile.tensors(of: model)
        let optimizerState = optimizer.checkpointState
        for (name, state) in optimizerState.parameters {
            tensors[Self.optimizerPrefix + name] = StoredTensor(float64: state.buffers, shape: [state.buffers.count])
        }
        // The architecture is for readers; resuming needs only the names and shapes, so a
        // model with a layer that cannot be described still gets a checkpoint, which says why
        // it has no architecture.
        var metadata: [String: String]
        do { metadata = try ModelFile.metadata(for: model) } catch {
            metadata = ["dtype": Model.Scalar.dtypeName, "architecture_omitted": "\(error)"]
        }
        metadata["format"] = Self.checkpointFormat
        metadata["optimizer"] = optimizer.stateKind
        metadata["epoch"] = String(history.epochs.count)
        metadata["optimizer_steps"] = Self.encode(
            OptimizerSteps(
                stepCount: optimizerState.stepCount, steps: optimizerState.parameters.mapValues(\.step)))
        metadata["generator"] = Self.encode(generator.state.map { String($0, radix: 16) })
        metadata["history"] = history.json
        metadata["learning_rates"] = Self.encode(optimizer.learningRates.map { "\($0)" })
        var saved: [String: SavedCallback] = [:]
        for (key, state) in callbackStates() {
            saved[key] = SavedCallback(identity: state.identity, values: state.values.mapValues { "\($0)" }, hasSnapshot: state.snapshot != nil)
            for (name, tensor) in state.snapshot ?? [:] { tensors[Self.callbackPrefix + key + "/" + name] = tensor }
        }
        if !saved.isEmpty { metadata["callbacks"] = Self.encode(saved) }
        try Safetensors.write(tensors: tensors, metadata: metadata, to: path)
    }

    /// Restores model parameters, optimiser state and learning rates (as the run left them:
    /// ``ReduceLROnPlateau`` may have lowered them), random generator, history and the
    /// callbacks' states from a checkpoint written by ``saveCheckpoint(to:)`` for the same
    /// model and callbacks. Nothing changes unless everything fits. If a callback had stopped
    /// the run, the next ``fit(_:epochs:)`` trains no further epoch: the run is over (start a
    /// new one from its model to train on).
    /// - Throws: ``/NNIO/ModelFileError`` for a malformed file, a file that is not a checkpoint,
    ///   tensors that do not fit the model (named), or
    ///   ``/NNIO/ModelFileError/incompatibleCheckpoint(path:reason:)`` for optimiser state written by
    ///   another update rule or not fitting the parameters, learning rates that are not this
    ///   optimiser's, or a callback's state that is not this run's callback's (another
    ///   monitored value, or best weights that do not fit the model).
    public mutating func restoreCheckpoint(from path: String) throws(ModelFileError) {
        let (tensors, metadata) = try Safetensors.read(path)
        guard metadata["format"] == Self.checkpointFormat else {
            throw .invalidHeader(path: path, reason: "not a swift-nn checkpoint (format \(metadata["format"] ?? "missing"))")
        }
        // Checkpoints written before the optimiser was recorded are checked by their state alone.
        if let saved = metadata["optimizer"], saved != optimizer.stateKind {
            throw .incompatibleCheckpoint(path: path, reason: "it holds the state of optimiser '\(saved)', this run uses '\(optimizer.stateKind)'")
        }
        let steps: OptimizerSteps = try Self.decode(metadata["optimizer_steps"], "optimizer_steps", path)
        let generatorWords: [String] = try Self.decode(metadata["generator"], "generator", path)
        let restoredHistory: TrainingHistory = try Self.decode(metadata["history"], "history", path)
        var words: [UInt64] = []
        for word in generatorWords {
            guard let value = UInt64(word, radix: 16) else {
                throw .invalidHeader(path: path, reason: "the generator state holds '\(word)', not a 64-bit hexadecimal word")
            }
            words.append(value)
        }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw .invalidHeader(path: path, reason: "the generator state is not four 64-bit words, not all zero")
        }
        if let epoch = metadata["epoch"], epoch != String(restoredHistory.epochs.count) {
            throw .invalidHeader(path: path, reason: "epoch \(epoch) disagrees with the \(restoredHistory.epochs.count) epochs of its history")
        }

        var parameters: [String: Tensor<Model.Scalar>] = [:]
        var optimizerParameters: [String: ParameterState] = [:]
        var callbackTensors: [String: StoredTensor] = [:]
        for (name, stored) in tensors {
            if name.hasPrefix(Self.callbackPrefix) {
                callbackTensors[String(name.dropFirst(Self.callbackPrefix.count))] = stored
            } else if name.hasPrefix(Self.optimizerPrefix) {
                let parameter = String(name.dropFirst(Self.optimizerPrefix.count))
                guard stored.dtype == .f64, stored.shape.count == 1, let step = steps.steps[parameter] else {
                    throw .mismatch(path: path, reason: "optimizer tensor '\(name)' has no step count or is not a vector of F64")
                }
                optimizerParameters[parameter] = ParameterState(step: step, buffers: stored.float64OrFloat32Values())
            } else {
                parameters[name] = try stored.tensor(as: Model.Scalar.self, name: name, path: path)
            }
        }
        if let orphan = steps.steps.keys.sorted().first(where: { optimizerParameters[$0] == nil }) {
            throw .mismatch(path: path, reason: "a step count for '\(orphan)' without its optimizer tensor")
        }
        var restoredModel = model
        do { try restoredModel.loadStateDictionary(parameters) } catch { throw .mismatch(path: path, reason: "\(error)") }
        let state = OptimizerState(stepCount: steps.stepCount, parameters: optimizerParameters)
        let trainable = restoredModel.namedParameters.filter(\.parameter.isTrainable)
        do {
            try optimizer.validate(
                state,
                parameterCounts: Dictionary(
                    trainable.map { ($0.name, $0.parameter.value.scalarCount) },
                    uniquingKeysWith: { first, _ in first }))
        } catch {
            throw .incompatibleCheckpoint(path: path, reason: "\(error)")
        }

        let learningRates = try restoredLearningRates(metadata, path: path)
        let restoredCallbacks = try restoredCallbacks(metadata, tensors: callbackTensors, model: restoredModel, path: path)

        model = restoredModel
        optimizer.checkpointState = state
        if let learningRates { optimizer.learningRates = learningRates }
        callbacks = restoredCallbacks
        stoppedBeforeRestore = restoredHistory.stopReason != nil
        generator = SeededRandomGenerator(state: words)
        history = restoredHistory
    }

    private static var optimizerPrefix: String { ModelFile.optimizerStatePrefix }
    private static var callbackPrefix: String { ModelFile.callbackStatePrefix }

    /// How a checkpoint's metadata records one callback's state: its numbers, written exactly
    /// as text (`inf` and `nan` included), and whether it has a snapshot.
    private struct SavedCallback: Codable {
        var identity: String
        var values: [String: String]
        var hasSnapshot: Bool
    }

    /// The states of the callbacks that have one, keyed by type name and position among the
    /// callbacks of that type (`EarlyStopping#0`).
    private func callbackStates() -> [(key: String, state: CallbackState)] {
        var seen: [String: Int] = [:]
        var states: [(key: String, state: CallbackState)] = []
        for callback in callbacks {
            let type = "\(Swift.type(of: callback))"
            let occurrence = seen[type, default: 0]
            seen[type] = occurrence + 1
            if let state = callback.checkpointState { states.append(("\(type)#\(occurrence)", state)) }
        }
        return states
    }

    /// The learning rates a checkpoint recorded (checkpoints from before they were recorded
    /// have none: the optimiser's stay).
    private func restoredLearningRates(_ metadata: [String: String], path: String) throws(ModelFileError) -> [Double]? {
        guard metadata["learning_rates"] != nil else { return nil }
        let texts: [String] = try Self.decode(metadata["learning_rates"], "learning_rates", path)
        let rates = texts.compactMap(Double.init)
        guard rates.count == texts.count, rates.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw .invalidHeader(path: path, reason: "'learning_rates' holds \(texts), not finite rates ≥ 0")
        }
        guard rates.count == optimizer.learningRates.count else {
            throw .incompatibleCheckpoint(
                path: path, reason: "it holds \(rates.count) learning rates, this run's optimiser has \(optimizer.learningRates.count)")
        }
        return rates
    }

    /// The callbacks with the states a checkpoint holds for them. A callback the checkpoint
    /// has no state for keeps its own; a state no callback of this run takes is ignored.
    private func restoredCallbacks(
        _ metadata: [String: String], tensors: [String: StoredTensor], model: Model, path: String
    ) throws(ModelFileError) -> [any TrainingCallback] {
        var restored = callbacks
        let saved: [String: SavedCallback] = metadata["callbacks"] == nil ? [:] : try Self.decode(metadata["callbacks"], "callbacks", path)
        let shapes = model.stateDictionary.mapValues(\.shape)
        var seen: [String: Int] = [:]
        for index in restored.indices {
            let type = "\(Swift.type(of: restored[index]))"
            let occurrence = seen[type, default: 0]
            seen[type] = occurrence + 1
            let key = "\(type)#\(occurrence)"
            guard let entry = saved[key] else { continue }
            let identity = restored[index].checkpointState?.identity ?? ""
            guard entry.identity == identity else {
                throw .incompatibleCheckpoint(
                    path: path,
                    reason: "callback \(key) kept the state of '\(entry.identity)', this run's watches '\(identity)' (resume with the same options)")
            }
            var values: [String: Double] = [:]
            for (name, text) in entry.values {
                guard let value = Double(text) else {
                    throw .invalidHeader(path: path, reason: "the state of callback \(key) holds '\(text)' for '\(name)', not a number")
                }
                values[name] = value
            }
            var snapshot: [String: StoredTensor]?
            if entry.hasSnapshot {
                let prefix = key + "/"
                let kept = tensors.filter { $0.key.hasPrefix(prefix) }
                snapshot = Dictionary(uniqueKeysWithValues: kept.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
                guard let snapshot, snapshot.mapValues(\.shape) == shapes,
                    snapshot.values.allSatisfy({ $0.dtype == StoredTensor(Tensor<Model.Scalar>(zeros: [0])).dtype })
                else {
                    throw .mismatch(path: path, reason: "the weights callback \(key) keeps do not fit the model (names, shapes or precision)")
                }
            }
            do { try restored[index].restore(CallbackState(identity: identity, values: values, snapshot: snapshot)) } catch {
                throw .incompatibleCheckpoint(path: path, reason: "callback \(key): \(error)")
            }
        }
        return restored
    }

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
