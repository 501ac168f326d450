import Foundation
import NN
import NNONNX

/// `nn export MODEL.safetensors --format onnx --output MODEL.onnx`: a saved model as an ONNX
/// model for ONNX Runtime, with its input scale folded in and its class names recorded.
enum ExportCommand {
    static let usage = """
          export MODEL --format onnx --output MODEL.onnx [--inputs N | --input-shape HxW[xC]]
                                    a saved model as ONNX (input 'input' [N, ...], output 'outputs',
                                    and 'probabilities' for a cross-entropy classifier)
        """

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn export")
        guard try reader.choice("--format", from: ["onnx"], default: nil) != nil else {
            throw CommandLineError("nn export: --format onnx is required (the only format exported so far)")
        }
        guard let path = try reader.outputPath("--output") else { throw CommandLineError("nn export: --output MODEL.onnx is required") }
        let givenShape = try reader.sampleShape()
        guard let modelPath = reader.positional() else { throw CommandLineError("nn export: give the model file (MODEL.safetensors)") }
        try reader.finish()
        guard FileManager.default.fileExists(atPath: modelPath) else { throw CommandLineError("nn export: \(modelPath): no such file") }

        let (tensors, metadata) = try Safetensors.read(modelPath)
        let parameters = tensors.filter { !ModelFile.isTrainingState($0.key) }
        let options = try exportOptions(metadata, path: modelPath)
        let shape: [Int]
        if let givenShape {
            shape = givenShape
        } else if let recorded = try recordedShape(metadata, path: modelPath) {
            shape = recorded
        } else {
            throw CommandLineError("nn export: \(modelPath) records no input_shape; give --inputs N or --input-shape HxW[xC]")
        }
        do {
            if metadata["dtype"] == Double.dtypeName {
                let model = try ModelFile.rebuild(tensors: parameters, metadata: metadata, as: Double.self, path: modelPath)
                try ONNXExport.write(model, sampleShape: shape, to: path, options: options)
            } else {
                let model = try ModelFile.rebuild(tensors: parameters, metadata: metadata, as: Float.self, path: modelPath)
                try ONNXExport.write(model, sampleShape: shape, to: path, options: options)
            }
        } catch let error as ONNXExportError {
            throw RunError("nn export: \(modelPath): \(error)")
        }
        output.write(
            "exported \(modelPath) to \(path): ONNX opset \(ONNXExport.opsetVersion), input 'input' [N, \(shape.map(String.init).joined(separator: ", "))]"
                + (options.probabilities ? ", outputs 'outputs' and 'probabilities'" : ", output 'outputs'"))
        return 0
    }

    /// The input scale, class names, loss and input shape of the model file, for the ONNX
    /// file's metadata; `probabilities` for a model trained with cross-entropy.
    private static func exportOptions(_ metadata: [String: String], path: String) throws -> ONNXExportOptions {
        var options = ONNXExportOptions()
        if let text = metadata["input_scale"] {
            guard let scale = Double(text), scale.isFinite, scale > 0 else {
                throw RunError("nn export: \(path): input_scale '\(text)' is not a positive number")
            }
            options.inputScale = scale
        }
        if let text = metadata["class_names"] {
            guard let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
                throw RunError("nn export: \(path): class_names is not a JSON array of strings")
            }
            options.classNames = names
        }
        options.probabilities = metadata["loss"] == "cross-entropy"
        for key in ["loss", "input_shape"] { options.metadata[key] = metadata[key] }
        options.metadata["exported_from"] = URL(fileURLWithPath: path).lastPathComponent
        return options
    }

    /// The file's `input_shape` (a JSON array of positive sizes), if it has one.
    private static func recordedShape(_ metadata: [String: String], path: String) throws -> [Int]? {
        guard let text = metadata["input_shape"] else { return nil }
        guard let shape = try? JSONDecoder().decode([Int].self, from: Data(text.utf8)), !shape.isEmpty, shape.allSatisfy({ $0 > 0 }),
            (try? TensorLimits.scalarCount(of: shape)) != nil
        else {
            throw RunError("nn export: \(path): input_shape '\(text)' is not a JSON array of positive sizes")
        }
        return shape
    }
}
