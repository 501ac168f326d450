import Foundation
import NNCore

/// A model in one `.safetensors` file: every parameter as a named tensor (`layers.0.weight`,
/// ...) in the precision it was trained in, and in `__metadata__` the format, the scalar type
/// and the architecture as JSON — enough for any safetensors reader (Python's `safetensors` +
/// `numpy`, PyTorch) to rebuild the forward pass without swift-nn.
///
/// ```swift
/// try ModelFile.save(trainer.model, to: "model.safetensors")
/// let model = try ModelFile.load("model.safetensors", as: Float.self).model
/// ```
public enum ModelFile {
    /// The value of the `format` metadata key.
    public static let format = "swift-nn-model/1"

    /// Writes `model` atomically. `metadata` adds entries (e.g. `input_shape`, `class_names`).
    /// - Throws: ``ModelFileError`` if a layer cannot be described or the file cannot be written.
    public static func save<L: Layer>(_ model: L, to path: String, metadata: [String: String] = [:]) throws(ModelFileError) {
        try Safetensors.write(tensors: tensors(of: model), metadata: try self.metadata(for: model, extra: metadata), to: path)
    }

    /// The file's metadata for `model`: format, dtype and architecture, plus `extra`.
    public static func metadata<L: Layer>(for model: L, extra: [String: String] = [:]) throws(ModelFileError) -> [String: String] {
        let architecture = try describe(model as any Layer<L.Scalar>)
        var metadata = extra
        metadata["format"] = format
        metadata["dtype"] = L.Scalar.dtypeName
        do { metadata["architecture"] = String(decoding: try JSONFormat.encoder().encode(architecture), as: UTF8.self) } catch {
            throw .notSerializable(layer: "\(L.self) (\(error))")
        }
        return metadata
    }

    /// Every parameter of `model` as a stored tensor, by name.
    public static func tensors<L: Layer>(of model: L) -> [String: StoredTensor] {
        model.stateDictionary.mapValues { StoredTensor($0) }
    }

    /// The architecture recorded in a file's metadata, if it has a readable one.
    public static func architecture(in metadata: [String: String]) -> TypeDescription? {
        metadata["architecture"].flatMap { try? JSONFormat.decoder().decode(TypeDescription.self, from: Data($0.utf8)) }
    }

    /// Reads a model saved in scalar type `T`, in inference mode (``/NNCore/LayerMode/inference``:
    /// ready to predict; a trainer switches it back to training).
    /// - Throws: ``ModelFileError`` for a malformed file, an unknown layer or activation type,
    ///   a dtype other than `T`'s, or tensors that do not fit the architecture (named).
    ///
    /// A checkpoint (``checkpointFormat``) loads too: its model, without the optimiser state.
    public static func load<T: TensorScalar>(_ path: String, as _: T.Type = Float.self) throws(ModelFileError)
        -> (model: any Layer<T>, metadata: [String: String])
    {
        var (tensors, metadata) = try Safetensors.read(path)
        if metadata["format"] == checkpointFormat { tensors = tensors.filter { !isTrainingState($0.key) } }
        return (try rebuild(tensors: tensors, metadata: metadata, as: T.self, path: path), metadata)
    }

    /// The value of the `format` metadata key of a training checkpoint.
    public static let checkpointFormat = "swift-nn-checkpoint/1"

    /// The start of the names under which a checkpoint stores optimiser state
    /// (`optimizer/layers.0.weight`).
    public static let optimizerStatePrefix = "optimizer/"

    /// The start of the names under which a checkpoint stores what callbacks keep
    /// (`callbacks/EarlyStopping#0/layers.0.weight`: the best epoch's weights).
    public static let callbackStatePrefix = "callbacks/"

    /// Whether a checkpoint's tensor named `name` is training state (the optimiser's or a
    /// callback's) rather than a parameter of the model.
    public static func isTrainingState(_ name: String) -> Bool {
        name.hasPrefix(optimizerStatePrefix) || name.hasPrefix(callbackStatePrefix)
    }

    /// The model described by `metadata` with its parameters from `tensors` (which must be
    /// exactly the model's: a missing or unexpected tensor is an error naming it).
    public static func rebuild<T: TensorScalar>(
        tensors: [String: StoredTensor], metadata: [String: String], as _: T.Type, path: String
    ) throws(ModelFileError) -> any Layer<T> {
        guard let json = metadata["architecture"] else {
            throw .invalidHeader(path: path, reason: "no architecture in __metadata__ (not written by swift-nn?)")
        }
        if let dtype = metadata["dtype"], dtype != T.dtypeName {
            throw .unsupportedDType(path: path, tensor: "(model)", dtype: dtype)
        }
        let description: TypeDescription
        do { description = try JSONFormat.decoder().decode(TypeDescription.self, from: Data(json.utf8)) } catch {
            throw .invalidHeader(path: path, reason: "the architecture is not valid JSON of layer descriptions")
        }
        // The architecture is read before its tensors: a forged one could ask for layers far
        // larger than the file. Built-in layers declare their sizes; beyond a million
        // parameters (cheap to make, and then named one by one if they do not match) they
        // must fit what the file holds before anything is allocated.
        let held = tensors.values.reduce(0) { $0 + $1.bytes.count / $1.dtype.size }
        guard let declared = declaredParameterCount(description), declared <= Swift.max(held, 1 << 20) else {
            throw .mismatch(
                path: path,
                reason:
                    "the architecture declares \(declaredParameterCount(description).map(String.init) ?? "too many") parameters, the file holds \(held) values"
            )
        }
        var model = try LayerRegistry.shared.make(description, as: T.self, path: path)
        var values: [String: Tensor<T>] = [:]
        for (name, stored) in tensors {
            values[name] = try stored.tensor(as: T.self, name: name, path: path)
        }
        do { try model.loadStateDictionary(values) } catch {
            throw .mismatch(path: path, reason: "\(error)")
        }
        model.setMode(.inference)
        return model
    }
}

/// The parameters a description's built-in layers declare (`Dense`, `Conv2D`, `BatchNorm`, `LayerNorm`,
/// `Embedding`, `LSTM`, `GRU`, `SimpleRNN`,
/// and those inside a `Sequential`; other layers count 0), or `nil` when the sum overflows.
/// A configuration that does not decode counts 0: building the layer reports it.
func declaredParameterCount(_ description: TypeDescription) -> Int? {
    func sum(_ counts: [Int?]) -> Int? {
        counts.reduce(Int?(0)) { total, count in
            guard let total, let count else { return nil }
            let (result, overflow) = total.addingReportingOverflow(count)
            return overflow ? nil : result
        }
    }
    let configuration = description.configuration
    switch description.type {
    case "Dense":
        guard let dense = try? configuration.decode(as: DenseConfiguration.self) else { return 0 }
        return sum([TensorLimits.checkedProduct([Swift.max(dense.inputSize, 0), Swift.max(dense.outputSize, 0)]), Swift.max(dense.outputSize, 0)])
    case "Conv2D":
        guard let conv = try? configuration.decode(as: Conv2DConfiguration.self) else { return 0 }
        let sizes = [conv.kernelHeight, conv.kernelWidth, conv.channels, conv.filters].map { Swift.max($0, 0) }
        return sum([TensorLimits.checkedProduct(sizes), sizes[3]])
    case "BatchNorm":
        guard let norm = try? configuration.decode(as: BatchNormConfiguration.self) else { return 0 }
        return TensorLimits.checkedProduct([Swift.max(norm.features, 0), 4])
    case "LayerNorm":
        guard let norm = try? configuration.decode(as: LayerNormConfiguration.self) else { return 0 }
        return TensorLimits.checkedProduct([Swift.max(norm.features, 0), 2])
    case "Embedding":
        guard let embedding = try? configuration.decode(as: EmbeddingConfiguration.self) else { return 0 }
        return embedding.parameterCount ?? 0
    case "LSTM", "GRU", "SimpleRNN":
        guard let recurrent = try? configuration.decode(as: RecurrentConfiguration.self) else { return 0 }
        let kind: RecurrentKind = description.type == "LSTM" ? .lstm : description.type == "GRU" ? .gru : .simple
        return recurrent.parameterCount(kind) ?? 0
    case "Sequential":
        guard let sequential = try? configuration.decode(as: SequentialConfiguration.self) else { return 0 }
        return sum(sequential.layers.map(declaredParameterCount))
    default:
        return 0
    }
}
