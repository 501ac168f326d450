import Foundation
import NN

/// `nn inspect PATH [--format ...]`: what a data file or folder holds.
enum InspectCommand {
    /// The formats `--format` names.
    typealias Format = FileKind

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn inspect")
        let format = try reader.choice("--format", from: Format.allCases.map(\.rawValue), default: nil).map { Format(rawValue: $0)! }
        guard let path = reader.positional() else { throw CommandLineError("nn inspect: give a file or folder (see 'nn help')") }
        try reader.finish()
        output.write(try describe(path, as: format ?? FileKind.detect(path)))
        return 0
    }

    static func describe(_ path: String, as format: Format) throws -> [String] {
        switch format {
        case .csv:
            return try ["\(path): CSV"] + summary(CSVFile.load(path, as: Double.self))
        case .idx:
            let (type, tensor) = try IDXFile.load(path, as: Double.self)
            return ["\(path): IDX, \(type) elements", "  shape: \(tensor.shape)", "  values: \(range(tensor.scalars))"]
        case .bmp:
            let image = try BMPImage.load(path)
            return ["\(path): BMP, \(image.width)×\(image.height)", "  grey levels: \(range(image.pixels.map(Double.init)))"]
        case .imageFolder:
            return try ["\(path): image folder"] + summary(ImageFolder.load(path, as: Double.self))
        case .fashionMNIST:
            let (train, test) = try FashionMNIST.load(folder: path, as: Double.self)
            return try ["\(path): Fashion-MNIST", "training set:"] + summary(train) + ["test set:"] + summary(test)
        case .model:
            return try describeModel(path)
        }
    }

    /// A model file or checkpoint: what it holds, after the checks `nn predict` makes when it
    /// loads one (a file whose architecture cannot be rebuilt is an error, with the reason).
    private static func describeModel(_ path: String) throws -> [String] {
        let (tensors, metadata) = try Safetensors.read(path)
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        let parameters = tensors.filter { !ModelFile.isTrainingState($0.key) }
        let count = parameters.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
        var lines = ["\(path): \(metadata["format"] ?? "safetensors"), \(metadata["dtype"] ?? "no dtype"), \(size) bytes, \(count) parameters"]
        if let json = metadata["architecture"] {
            // The same rebuild as loading: an architecture that cannot be rebuilt, or tensors
            // that do not fit it, make the file unusable, so inspect says why and fails.
            if metadata["dtype"] == Double.dtypeName {
                _ = try ModelFile.rebuild(tensors: parameters, metadata: metadata, as: Double.self, path: path)
            } else {
                _ = try ModelFile.rebuild(tensors: parameters, metadata: metadata, as: Float.self, path: path)
            }
            let architecture: TypeDescription
            do { architecture = try JSONFormat.decoder().decode(TypeDescription.self, from: Data(json.utf8)) } catch {
                throw ModelFileError.invalidHeader(path: path, reason: "the architecture is not valid JSON of layer descriptions")
            }
            lines.append("  architecture:")
            lines += try layerLines(architecture, indent: "    ")
        } else {
            let why =
                metadata["architecture_omitted"].map { "its model has a layer that cannot be described: \($0)" }
                ?? "not a swift-nn model: no architecture in its metadata"
            lines.append("  no architecture (\(why)); tensors:")
            lines += tensors.keys.sorted().map { "    \($0) \(tensors[$0].map { "\($0.dtype.rawValue) \($0.shape)" } ?? "")" }
        }
        for key in metadata.keys.sorted() where !["architecture", "architecture_omitted", "format", "dtype", "history"].contains(key) {
            lines.append("  \(key): \(metadata[key] ?? "")")
        }
        return lines
    }

    private static func layerLines(_ description: TypeDescription, indent: String) throws -> [String] {
        if case .object(let configuration) = description.configuration, case .array(let layers)? = configuration["layers"] {
            var lines = ["\(indent)\(description.type)"]
            for layer in layers { lines += try layerLines(try layer.decode(as: TypeDescription.self), indent: indent + "  ") }
            return lines
        }
        let configuration = description.configuration
        func padding(_ padding: Padding) -> String {
            switch padding {
            case .valid: "valid"
            case .same: "same"
            case .zeros(let amount): "pad \(amount)"
            }
        }
        switch description.type {
        case "Dense":
            if let dense = try? configuration.decode(as: DenseConfiguration.self) {
                return ["\(indent)Dense \(dense.inputSize)→\(dense.outputSize), \(dense.activation.type)"]
            }
        case "Conv2D":
            if let conv = try? configuration.decode(as: Conv2DConfiguration.self) {
                return [
                    "\(indent)Conv2D \(conv.channels)→\(conv.filters), \(conv.kernelHeight)×\(conv.kernelWidth), stride \(conv.stride), \(padding(conv.padding)), \(conv.activation.type)"
                ]
            }
        case "MaxPool2D", "AvgPool2D":
            if let pool = try? configuration.decode(as: PoolingConfiguration.self) {
                return ["\(indent)\(description.type) \(pool.size)×\(pool.size), stride \(pool.stride), \(padding(pool.padding))"]
            }
        case "Reshape":
            if let reshape = try? configuration.decode(as: ReshapeConfiguration.self) {
                return ["\(indent)Reshape to \(reshape.shape.map(String.init).joined(separator: "×"))"]
            }
        case "Dropout":
            if let dropout = try? configuration.decode(as: DropoutConfiguration.self) {
                return ["\(indent)Dropout \(dropout.rate)"]
            }
        case "BatchNorm":
            if let norm = try? configuration.decode(as: BatchNormConfiguration.self) {
                return ["\(indent)BatchNorm \(norm.features)"]
            }
        case "LayerNorm":
            if let norm = try? configuration.decode(as: LayerNormConfiguration.self) {
                return ["\(indent)LayerNorm \(norm.features)"]
            }
        case "Embedding":
            if let embedding = try? configuration.decode(as: EmbeddingConfiguration.self) {
                return ["\(indent)Embedding of \(embedding.vocabulary) ids into \(embedding.dimension) values"]
            }
        case "LSTM", "GRU", "SimpleRNN":
            if let recurrent = try? configuration.decode(as: RecurrentConfiguration.self) {
                let output = recurrent.returnSequences ? "every step" : "the last step"
                return ["\(indent)\(description.type) \(recurrent.inputSize)→\(recurrent.hiddenSize), output \(output)"]
            }
        default: break
        }
        return ["\(indent)\(description.type)"]
    }

    private static func summary(_ data: InMemoryDataset<Double>) throws -> [String] {
        var lines = ["  samples: \(data.count)", "  feature shape: \(data.featureShape)", "  features: \(range(data.features.scalars))"]
        if let names = data.classNames {
            var counts = [Int](repeating: 0, count: names.count)
            for label in try data.classIndices(classCount: names.count) { counts[label] += 1 }
            lines.append("  classes: \(names.count): " + zip(names, counts).map { "\($0) (\($1))" }.joined(separator: ", "))
        } else {
            lines.append("  targets: \(range(data.targets.scalars))")
        }
        return lines
    }

    private static func range(_ values: [Double]) -> String {
        guard let low = values.min(), let high = values.max() else { return "none" }
        return "\(significant(low, 6)) … \(significant(high, 6))"
    }
}
