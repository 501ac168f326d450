import NNCore
import NNIO

/// Loads a PyTorch `state_dict` saved with `safetensors.torch.save_file` into a swift-nn
/// network of the same layers, making each layout change explicit:
///
/// | PyTorch | swift-nn |
/// |---|---|
/// | `Linear.weight` `[out, in]` | `Dense.weight` `[in, out]` (transposed) |
/// | `Linear.weight` after `Flatten` of a `[C, H, W]` image | its columns reordered from (c, h, w) to swift-nn's channels-last (h, w, c) |
/// | `Conv2d.weight` `[out, in, kh, kw]` (OIHW) | `Conv2D.weight` `[kh·kw·in, out]` (HWIO, flattened) |
/// | `BatchNorm1d/2d` `weight`, `bias`, `running_mean`, `running_var` | `BatchNorm`'s, as they are (`num_batches_tracked` is ignored); after a `Flatten` of an image, reordered as a `Linear`'s columns |
/// | `LayerNorm(features)` `weight`, `bias` | `LayerNorm`'s, as they are (reordered after a `Flatten` of an image) |
///
/// Modules are matched **by order**: PyTorch's keys (`0.weight`, `features.3.bias`) are
/// grouped by module, the modules ordered by their names with numbers compared as numbers
/// (`2.` before `10.`), which is the order of an `nn.Sequential`; the n-th module with
/// parameters goes to the n-th layer with parameters. Images are channels-last here
/// (`[height, width, channels]`): a PyTorch model's `[N, C, H, W]` input is the same values
/// reordered (the same order for one channel).
///
/// ```swift
/// var model = Sequential<Float>(...)   // the same layers as the PyTorch model, in order
/// try PyTorchImport.load("state.safetensors", into: &model, sampleShape: [28, 28, 1])
/// ```
public enum PyTorchImport {
    /// Puts the parameters of the `state_dict` at `path` into `model`, whose samples are shaped
    /// `sampleShape` (e.g. `[784]` for flattened images that a `Reshape` turns into `[28, 28, 1]`).
    /// Nothing changes unless every tensor fits.
    /// - Parameters:
    ///   - path: the safetensors file `safetensors.torch.save_file(model.state_dict(), path)` wrote.
    ///   - model: the network to fill; its layers must match the PyTorch model's in order.
    ///   - sampleShape: one input sample's shape.
    /// - Throws: ``PyTorchImportError`` naming both sides (PyTorch's key and shape, the layer
    ///   and the shape it needs) at the first that does not fit, or the file's problem.
    public static func load(_ path: String, into model: inout Sequential<Float>, sampleShape: [Int]) throws(PyTorchImportError) {
        let file: (tensors: [String: StoredTensor], metadata: [String: String], skipped: [String: String])
        do { file = try Safetensors.readSkippingOtherDTypes(path) } catch { throw .file(error) }
        if let (name, dtype) = file.skipped.sorted(by: { $0.key < $1.key }).first(where: { !$0.key.hasSuffix("num_batches_tracked") }) {
            throw .mismatch("\(path): '\(name)' is \(dtype); only num_batches_tracked may be other than F32 or F64")
        }
        var modules: [String: [String: StoredTensor]] = [:]
        for (key, tensor) in file.tensors {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            let module = parts.dropLast().joined(separator: "."), name = String(parts.last ?? "")
            modules[module, default: [:]][name] = tensor
        }
        let ordered = modules.keys.sorted(by: naturallyBefore)
        var state = model.stateDictionary
        var shape = sampleShape
        var flattenedImage: [Int]?
        var next = 0
        for (index, layer) in model.layers.enumerated() {
            let outputShape: [Int]
            do { outputShape = try layer.outputShape(forInputShape: shape) } catch {
                throw .mismatch("layer \(index) does not take samples shaped \(shape): \(error)")
            }
            let layerName = "layer \(index) (\(type(of: layer)))"
            func module(_ names: [String]) throws(PyTorchImportError) -> (key: String, tensors: [String: StoredTensor]) {
                guard next < ordered.count else {
                    throw .mismatch("\(layerName) has parameters, but \(path) has only \(ordered.count) modules with parameters")
                }
                let key = ordered[next], tensors = modules[key] ?? [:]
                next += 1
                for name in names where tensors[name] == nil {
                    throw .mismatch(
                        "\(layerName) needs '\(key.isEmpty ? "" : key + ".")\(name)', which \(path) does not have (it has \(tensors.keys.sorted()))")
                }
                return (key, tensors)
            }
            if let dense = layer as? any DenseParameters {
                let (key, tensors) = try module(["weight", "bias"])
                let (inputs, outputs) = (dense.inputSize, dense.outputSize)
                var weight = try values(tensors["weight"], key + ".weight", expected: [outputs, inputs], for: layerName, path: path)
                if let image = flattenedImage, image.count == 3, image.reduce(1, *) == inputs {
                    weight = channelsLastColumns(weight, outputs: outputs, image: image)
                } else {
                    weight = transposed(weight, rows: outputs, columns: inputs)
                }
                state["layers.\(index).weight"] = try tensor(weight, [inputs, outputs])
                state["layers.\(index).bias"] = try tensor(
                    try values(tensors["bias"], key + ".bias", expected: [outputs], for: layerName, path: path), [outputs])
            } else if let conv = layer as? any ConvolutionParameters {
                let (key, tensors) = try module(["weight", "bias"])
                let (kh, kw, channels, filters) = (conv.kernelHeight, conv.kernelWidth, conv.channels, conv.filters)
                let weight = try values(tensors["weight"], key + ".weight", expected: [filters, channels, kh, kw], for: layerName, path: path)
                // OIHW → rows in (ky, kx, channel) order, a column per filter.
                var hwio = [Float](repeating: 0, count: weight.count)
                for o in 0..<filters {
                    for i in 0..<channels {
                        for y in 0..<kh {
                            for x in 0..<kw { hwio[((y * kw + x) * channels + i) * filters + o] = weight[((o * channels + i) * kh + y) * kw + x] }
                        }
                    }
                }
                state["layers.\(index).weight"] = try tensor(hwio, [kh * kw * channels, filters])
                state["layers.\(index).bias"] = try tensor(
                    try values(tensors["bias"], key + ".bias", expected: [filters], for: layerName, path: path), [filters])
            } else if let norm = layer as? any BatchNormParameters {
                let names = ["weight", "bias", "running_mean", "running_var"]
                let (key, tensors) = try module(names)
                for name in names {
                    var vector = try values(tensors[name], key + "." + name, expected: [norm.features], for: layerName, path: path)
                    // A BatchNorm1d over a flattened [C, H, W] image: its features in (h, w, c) order here.
                    if let image = flattenedImage, image.count == 3, image.reduce(1, *) == norm.features {
                        vector = channelsLastColumns(vector, outputs: 1, image: image)
                    }
                    state["layers.\(index).\(name)"] = try tensor(vector, [norm.features])
                }
            } else if let norm = layer as? any LayerNormParameters {
                let (key, tensors) = try module(["weight", "bias"])
                for name in ["weight", "bias"] {
                    var vector = try values(tensors[name], key + "." + name, expected: [norm.features], for: layerName, path: path)
                    if let image = flattenedImage, image.count == 3, image.reduce(1, *) == norm.features {
                        vector = channelsLastColumns(vector, outputs: 1, image: image)
                    }
                    state["layers.\(index).\(name)"] = try tensor(vector, [norm.features])
                }
            } else if !layer.namedParameters.filter(\.parameter.isTrainable).isEmpty {
                throw .mismatch("\(layerName) has parameters this import does not know how to take from PyTorch")
            }
            flattenedImage = layer is Flatten<Float> ? shape : (outputShape == shape ? flattenedImage : nil)
            shape = outputShape
        }
        if next < ordered.count {
            throw .mismatch(
                "\(path) has \(ordered.count - next) more modules with parameters than the layers ('\(ordered[next])' is the first left over)")
        }
        var filled = model
        do { try filled.loadStateDictionary(state) } catch { throw .mismatch("\(error)") }
        model = filled
    }

    /// The values of a PyTorch tensor of `expected` shape, in single precision.
    private static func values(
        _ stored: StoredTensor?, _ key: String, expected: [Int], for layer: String, path: String
    ) throws(PyTorchImportError) -> [Float] {
        guard let stored else { throw .mismatch("\(path) has no '\(key)' for \(layer)") }
        guard stored.shape == expected else {
            throw .mismatch("\(layer) needs '\(key)' shaped \(expected) (PyTorch's layout); \(path) has it shaped \(stored.shape)")
        }
        return stored.float64OrFloat32Values().map { Float($0) }
    }

    private static func tensor(_ values: [Float], _ shape: [Int]) throws(PyTorchImportError) -> Tensor<Float> {
        do { return try Tensor(shape: shape, scalars: values) } catch { throw .mismatch("\(error)") }
    }

    /// `[rows, columns]` → `[columns, rows]`.
    private static func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<columns { result[c * rows + r] = values[r * columns + c] } }
        return result
    }

    /// A PyTorch `Linear` weight `[outputs, C·H·W]` over a flattened `[C, H, W]` image as a
    /// swift-nn `Dense` weight `[H·W·C, outputs]` over a flattened channels-last `[H, W, C]` one.
    private static func channelsLastColumns(_ values: [Float], outputs: Int, image: [Int]) -> [Float] {
        let (height, width, channels) = (image[0], image[1], image[2])
        var result = [Float](repeating: 0, count: values.count)
        for o in 0..<outputs {
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels {
                        result[((y * width + x) * channels + c) * outputs + o] = values[o * channels * height * width + (c * height + y) * width + x]
                    }
                }
            }
        }
        return result
    }

    /// Module names in forward order: components compared as numbers when both are numbers.
    static func naturallyBefore(_ a: String, _ b: String) -> Bool {
        let (left, right) = (a.split(separator: "."), b.split(separator: "."))
        for (x, y) in zip(left, right) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return x < y
        }
        return left.count < right.count
    }
}

/// Why a PyTorch `state_dict` cannot be loaded into a network.
public enum PyTorchImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file cannot be read as safetensors.
    case file(ModelFileError)
    /// A tensor or a module does not fit the network (both named).
    case mismatch(String)

    public var description: String {
        switch self {
        case .file(let error): return "\(error)"
        case .mismatch(let reason): return reason
        }
    }
}

/// What the import needs to know of a dense layer, whatever its activation.
protocol DenseParameters {
    var inputSize: Int { get }
    var outputSize: Int { get }
}

extension Dense: DenseParameters {}

/// What the import needs to know of a convolution, whatever its activation.
protocol ConvolutionParameters {
    var kernelHeight: Int { get }
    var kernelWidth: Int { get }
    var channels: Int { get }
    var filters: Int { get }
}

extension Conv2D: ConvolutionParameters {}

/// What the import needs to know of a batch normalisation.
protocol BatchNormParameters {
    var features: Int { get }
}

extension BatchNorm: BatchNormParameters {}

/// What the import needs to know of a layer normalisation.
protocol LayerNormParameters {
    var features: Int { get }
}

extension LayerNorm: LayerNormParameters {}
