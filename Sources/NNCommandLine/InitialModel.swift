import Foundation
import NN

/// Fine-tuning in `nn train`: the model `--init` names, checked against the data and
/// `--layers`, with a new head (`--replace-head`) and frozen layers (`--freeze`).
enum InitialModel {
    /// The model file's network, ready to train on data of `inputs` features and `outputs`
    /// outputs.
    /// - Parameters:
    ///   - path: the `--init` file.
    ///   - options: the run's options.
    ///   - inputs: features per sample of the data.
    ///   - outputs: outputs the data needs.
    ///   - inputScale: the factor the data's features are scaled by.
    ///   - batch: the largest batch the run passes through the network.
    ///   - described: the network `--layers` describes, if given.
    ///   - outputsReason: why the data needs `outputs` outputs, for messages.
    /// - Throws: `CommandLineError` (exit status 2) for a checkpoint, a file that is not a
    ///   model, a model that does not fit the data, a new head too large, or a `--layers`
    ///   that disagrees (naming the first layer that differs); `RunError` (exit status 1) for
    ///   a network whose training or batches would not fit in memory or in a tensor.
    static func load(
        _ path: String, options: TrainOptions, inputs: Int, outputs: Int, inputScale: Double, batch: Int,
        described: Sequential<Float>?, outputsReason: String
    ) throws -> Sequential<Float> {
        let loaded: (model: any Layer<Float>, metadata: [String: String])
        do { loaded = try ModelFile.load(path, as: Float.self) } catch {
            throw CommandLineError("nn train: --init \(path) is not a model file swift-nn can read: \(error)")
        }
        guard loaded.metadata["format"] == ModelFile.format else {
            throw CommandLineError("nn train: --init \(path) is a training checkpoint; go on from it with --resume, or give a model file (--save)")
        }
        guard var model = loaded.model as? Sequential<Float> else {
            throw CommandLineError("nn train: --init \(path) holds a \(type(of: loaded.model)), not a Sequential network")
        }
        if let scale = loaded.metadata["input_scale"].flatMap(Double.init), scale != inputScale {
            throw CommandLineError("nn train: --init \(path) was trained on features scaled by \(scale), this data is scaled by \(inputScale)")
        }
        let shape: [Int]
        do { shape = try model.outputShape(forInputShape: [inputs]) } catch {
            throw CommandLineError("nn train: --init \(path) does not take the \(inputs) features per sample of \(options.data.path): \(error)")
        }
        if let size = options.replaceHead {
            guard size == outputs else { throw CommandLineError("nn train: --replace-head \(size), but \(outputsReason)") }
            guard let index = model.headIndex, let head = model.layers[index] as? any OutputResizable<Float> else {
                throw CommandLineError("nn train: --replace-head: the model in \(path) has no dense layer to replace")
            }
            // The new weights are counted before they are drawn.
            guard let weights = try? TensorLimits.scalarCount(of: [head.inputSize, size]) else {
                throw CommandLineError(
                    "nn train: --replace-head \(size): a \(head.inputSize)×\(size) weight matrix is more than one tensor may hold (\(TensorLimits.maximumScalarCount))"
                )
            }
            try MemoryBudget().check(
                Double(weights + size) * MemoryBudget.bytesPerTrainedParameter, for: "nn train: --replace-head \(size): the new layer's training")
            var generator = SeededRandomGenerator(seed: options.seed)
            model.replaceHead(outputSize: size, generator: &generator)
            let replaced = (try? model.outputShape(forInputShape: [inputs]))?.reduce(1, *)
            guard replaced == outputs else {
                throw CommandLineError(
                    "nn train: --replace-head \(size): the layers after layer \(index) of \(path) do not take \(size) values (the network gives \(replaced.map(String.init) ?? "an error"))"
                )
            }
        } else if shape.reduce(1, *) != outputs {
            throw CommandLineError(
                "nn train: the model in \(path) has \(shape.reduce(1, *)) outputs, but \(outputsReason) (give --replace-head \(outputs) for a new last layer)"
            )
        }
        if let described { try compare(model, with: described, path: path, layers: options.layersText ?? "") }
        // As for a network --layers describes: training it and its batches must fit.
        let parameters = model.namedParameters.reduce(0.0) { $0 + Double($1.parameter.value.scalarCount) }
        try MemoryBudget().check(parameters * MemoryBudget.bytesPerTrainedParameter, for: "\(path): training its network", usage: false)
        try MemoryBudget().checkInference(of: model, sampleShape: [inputs], batch: batch, path: path)
        return model
    }

    /// Freezes the layers or parameters `items` name: a layer by position (`0`) or name
    /// (`layers.0`), a parameter by name (`layers.0.bias`).
    /// - Throws: `CommandLineError` naming an item that matches no parameter, with the layers
    ///   that have some.
    static func freeze(_ items: [String], in model: inout Sequential<Float>) throws(CommandLineError) {
        let names = model.namedParameters.map(\.name)
        for item in items {
            let prefix = Int(item).map { "layers.\($0)" } ?? item
            let matches = { (name: String) in name == prefix || name.hasPrefix(prefix + ".") }
            guard names.contains(where: matches) else {
                let layers = Set(names.compactMap { $0.split(separator: ".").dropFirst().first.flatMap { Int($0) } }).sorted()
                throw CommandLineError(
                    "nn train: --freeze \(item): the model has no such layer or parameter (its layers with parameters: \(layers.map(String.init).joined(separator: ", ")))"
                )
            }
            model.freeze(where: matches)
        }
    }

    /// Throws naming the first layer where the file's network and `--layers`' differ.
    private static func compare(_ model: Sequential<Float>, with described: Sequential<Float>, path: String, layers: String) throws(CommandLineError)
    {
        func summaries(_ network: Sequential<Float>) -> [String] {
            network.layers.map { layer in
                guard let description = try? describe(layer) else { return "\(type(of: layer))" }
                let configuration = (try? JSONFormat.string(description.configuration)) ?? ""
                return "\(description.type) \(configuration)"
            }
        }
        let file = summaries(model), given = summaries(described)
        for index in 0..<max(file.count, given.count) {
            let inFile = index < file.count ? file[index] : "no layer"
            let inList = index < given.count ? given[index] : "no layer"
            if inFile != inList {
                throw CommandLineError(
                    "nn train: --layers \"\(layers)\" disagrees with --init \(path) at layer \(index): the file has \(inFile), --layers gives \(inList)"
                )
            }
        }
    }
}
