import Foundation
import NN

/// `nn inspect PATH [--format ...]`: what a data file or folder holds.
enum InspectCommand {
    enum Format: String, CaseIterable {
        case csv, idx, bmp, imageFolder = "image-folder", fashionMNIST = "fashion-mnist", model
    }

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn inspect")
        let format = try reader.choice("--format", from: Format.allCases.map(\.rawValue), default: nil).map { Format(rawValue: $0)! }
        guard let path = reader.positional() else { throw CommandLineError("nn inspect: give a file or folder (see 'nn help')") }
        try reader.finish()
        try describe(path, as: format ?? detect(path)).forEach { output.write($0) }
        return 0
    }

    /// The format a path most likely holds: by folder layout, extension, then first bytes.
    static func detect(_ path: String) -> Format {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (try? FashionMNIST.find(FashionMNIST.fileNames.trainImages, in: path)) != nil ? .fashionMNIST : .imageFolder
        }
        let name = path.lowercased()
        if name.hasSuffix(".safetensors") { return .model }
        if name.hasSuffix(".csv") { return .csv }
        if name.hasSuffix(".bmp") { return .bmp }
        if name.hasSuffix(".gz") || name.contains("idx") || name.hasSuffix("-ubyte") { return .idx }
        let head = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 2) }.map { [UInt8]($0) } ?? []
        if head == [0x42, 0x4D] { return .bmp }
        if head == [0, 0] || head == [0x1F, 0x8B] { return .idx }
        return .csv
    }

    static func describe(_ path: String, as format: Format) throws -> [String] {
        switch format {
        case .csv:
            return ["\(path): CSV"] + summary(try CSVFile.load(path, as: Double.self))
        case .idx:
            let (type, tensor) = try IDXFile.load(path, as: Double.self)
            return ["\(path): IDX, \(type) elements", "  shape: \(tensor.shape)", "  values: \(range(tensor.scalars))"]
        case .bmp:
            let image = try BMPImage.load(path)
            return ["\(path): BMP, \(image.width)×\(image.height)", "  grey levels: \(range(image.pixels.map(Double.init)))"]
        case .imageFolder:
            return ["\(path): image folder"] + summary(try ImageFolder.load(path, as: Double.self))
        case .fashionMNIST:
            let (train, test) = try FashionMNIST.load(folder: path, as: Double.self)
            return ["\(path): Fashion-MNIST", "training set:"] + summary(train) + ["test set:"] + summary(test)
        case .model:
            return try describeModel(path)
        }
    }

    private static func describeModel(_ path: String) throws -> [String] {
        let (tensors, metadata) = try Safetensors.read(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let parameters = tensors.filter { !$0.key.hasPrefix("optimizer/") }.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
        var lines = ["\(path): \(metadata["format"] ?? "safetensors"), \(metadata["dtype"] ?? "?"), \(size) bytes, \(parameters) parameters"]
        if let architecture = ModelFile.architecture(in: metadata) {
            lines.append("  architecture:")
            lines += layerLines(architecture, indent: "    ")
        }
        for key in metadata.keys.sorted() where !["architecture", "format", "dtype", "history"].contains(key) {
            lines.append("  \(key): \(metadata[key]!)")
        }
        return lines
    }

    private static func layerLines(_ description: TypeDescription, indent: String) -> [String] {
        if case .object(let configuration) = description.configuration, case .array(let layers)? = configuration["layers"] {
            return ["\(indent)\(description.type)"] + layers.compactMap { try? $0.decode(as: TypeDescription.self) }.flatMap { layerLines($0, indent: indent + "  ") }
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
                return ["\(indent)Conv2D \(conv.channels)→\(conv.filters), \(conv.kernelHeight)×\(conv.kernelWidth), stride \(conv.stride), \(padding(conv.padding)), \(conv.activation.type)"]
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
        default: break
        }
        return ["\(indent)\(description.type)"]
    }

    private static func summary(_ data: InMemoryDataset<Double>) -> [String] {
        var lines = ["  samples: \(data.count)", "  feature shape: \(data.featureShape)", "  features: \(range(data.features.scalars))"]
        if let names = data.classNames {
            var counts = [Int](repeating: 0, count: names.count)
            for label in data.targets.scalars { counts[Int(label)] += 1 }
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
