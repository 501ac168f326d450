import Foundation
import NN
import NNInterop

/// `nn import --from pytorch STATE.safetensors --layers "..." --input-shape 28x28 --output
/// MODEL.safetensors`: a PyTorch `state_dict` (saved with `safetensors.torch.save_file`) put
/// into the network `--layers` describes, saved as a swift-nn model file.
enum ImportCommand {
    static let usage = """
          import --from pytorch STATE.safetensors --layers LAYERS (--input-shape HxW[xC] | --inputs N)
              --output MODEL.safetensors [--activation NAME] [--loss cross-entropy|mse] [--input-scale S]
                                    a PyTorch state_dict as a swift-nn model (layers matched in order)
        """

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn import")
        guard let from = try reader.choice("--from", from: ["pytorch"], default: nil) else {
            throw CommandLineError("nn import: --from pytorch is required (the only format imported so far)")
        }
        guard let layers = try reader.value("--layers") else {
            throw CommandLineError("nn import: --layers is required (the PyTorch model's layers, in order)")
        }
        guard let path = try reader.outputPath("--output") else { throw CommandLineError("nn import: --output MODEL.safetensors is required") }
        let activation = try reader.choice("--activation", from: ModelSpecification.activations, default: "relu")!
        let loss = try reader.choice("--loss", from: ["cross-entropy", "mse"], default: "cross-entropy")!
        let scale = try reader.positiveNumber("--input-scale") ?? 1
        let (inputCount, imageShape) = try inputShape(&reader)
        guard let state = reader.positional() else { throw CommandLineError("nn import: give the PyTorch file (STATE.safetensors)") }
        try reader.finish()
        guard FileManager.default.fileExists(atPath: state) else { throw CommandLineError("nn import: \(state): no such file") }

        var model: Sequential<Float>
        do {
            if LayerList.isLayerList(layers) {
                let list = try LayerList(layers)
                guard case .dense(let units, _)? = list.items.last else {
                    throw CommandLineError("nn import: --layers must end with a dense layer (the model's outputs)")
                }
                model = try list.build(inputCount: inputCount, imageShape: imageShape, outputs: units, activation: activation, seed: 1)
            } else {
                let sizes = try ModelSpecification.sizes(layers)
                guard sizes.first == inputCount else {
                    throw CommandLineError("nn import: --layers starts with \(sizes[0]) inputs, the samples have \(inputCount) values")
                }
                model = try ModelSpecification(sizes: sizes, activation: activation).build(seed: 1)
            }
        } catch let error as CommandLineError {
            throw CommandLineError(error.message.hasPrefix("nn import") ? error.message : "nn import: \(error.message)")
        }
        do { try PyTorchImport.load(state, into: &model, sampleShape: [inputCount]) } catch {
            throw RunError("nn import: \(error)")
        }
        model.setMode(.inference)
        try ModelFile.save(
            model, to: path, metadata: ["input_shape": "[\(inputCount)]", "input_scale": "\(scale)", "loss": loss, "imported_from": from])
        output.write("imported \(state) into \(path): \(model.namedParameters.count) tensors")
        return 0
    }

    /// `--input-shape HxW[xC]` (an image, flattened as the data is) or `--inputs N`: the
    /// values per sample, and the image's shape (without a trailing channel of 1).
    private static func inputShape(_ reader: inout ArgumentReader) throws(CommandLineError) -> (count: Int, image: [Int]?) {
        guard let shape = try reader.sampleShape() else {
            throw CommandLineError("nn import: give --input-shape HxW[xC] (images) or --inputs N (flat samples), one of them")
        }
        guard shape.count > 1 else { return (shape[0], nil) }
        // sampleShape() checked that the product is within the tensor limits.
        let count = shape.reduce(1, *)
        return (count, shape.count == 3 && shape[2] == 1 ? Array(shape.prefix(2)) : shape)
    }
}
