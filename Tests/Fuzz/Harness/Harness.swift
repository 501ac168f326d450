// libFuzzer entry point for swift-nn's file parsers. The format is chosen by the environment
// variable NN_FUZZ_TARGET (run-fuzzer.sh sets it): csv, idx, bmp, gzip, safetensors,
// checkpoint, architecture or pytorch. Any crash, hang, leak or sanitizer report is a bug; errors are
// the expected outcome for most inputs and are ignored.
import Foundation
import NNCore
import NNData
import NNIO
import NNInterop
import NNLosses
import NNOptimizers
import NNTraining

/// The harness run for every input, chosen once.
let harness: @Sendable ([UInt8]) -> Void = {
    switch ProcessInfo.processInfo.environment["NN_FUZZ_TARGET"] {
    case "csv": return fuzzCSV
    case "idx": return fuzzIDX
    case "bmp": return { _ = try? BMPImage.decode($0, path: "fuzz.bmp") }
    case "gzip": return fuzzGzip
    case "safetensors": return fuzzModelFile
    case "checkpoint": return fuzzCheckpoint
    case "architecture": return fuzzArchitecture
    case "pytorch": return fuzzPyTorchImport
    case let other:
        FileHandle.standardError.write(
            Data("nn-fuzz: set NN_FUZZ_TARGET to csv, idx, bmp, gzip, safetensors, checkpoint or architecture (got \(other ?? "nothing"))\n".utf8))
        exit(2)
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    harness(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

func fuzzCSV(_ bytes: [UInt8]) {
    _ = try? CSVFile.decode(bytes, path: "fuzz.csv", as: Float.self)
    _ = try? CSVFile.decode(bytes, path: "fuzz.csv", options: .init(header: .present, label: .last), as: Double.self)
    if let data = try? CSVFile.decode(bytes, path: "fuzz.csv", options: .init(header: .absent, label: .index(1)), as: Float.self) {
        _ = try? data.classIndices()
        _ = try? data.firstPerClass(1)
    }
}

/// A small limit keeps a decompression bomb from exhausting the fuzzer's memory.
let decompressedLimit = 64 << 20

func fuzzIDX(_ bytes: [UInt8]) {
    _ = try? IDXFile.decode(bytes, path: "fuzz.idx", as: Float.self, limit: decompressedLimit)
    _ = try? IDXFile.decode(bytes, path: "fuzz.idx", as: Double.self, limit: decompressedLimit)
}

/// The gzip reader, through the IDX loader that uses it: every input is read as a gzip
/// stream (the signature is put in front when the mutation lost it).
func fuzzGzip(_ bytes: [UInt8]) {
    let stream = bytes.starts(with: [0x1F, 0x8B]) ? bytes : [0x1F, 0x8B] + bytes
    _ = try? IDXFile.decode(stream, path: "fuzz.gz", as: Float.self, limit: decompressedLimit)
}

/// A model file: parsed, rebuilt in both precisions, and, if it rebuilds into a network with
/// small activations, run forward on a batch of two.
func fuzzModelFile(_ bytes: [UInt8]) {
    guard let (tensors, metadata) = try? Safetensors.decode(bytes, path: "fuzz.safetensors") else { return }
    _ = try? ModelFile.rebuild(tensors: tensors, metadata: metadata, as: Double.self, path: "fuzz.safetensors")
    guard let model = try? ModelFile.rebuild(tensors: tensors, metadata: metadata, as: Float.self, path: "fuzz.safetensors") else { return }
    run(model)
}

/// A file taken as a PyTorch state_dict for a small network with every kind of layer the
/// import converts (the corpus holds that network's state_dict as PyTorch saves it), then
/// one forward pass of the imported network.
func fuzzPyTorchImport(_ bytes: [UInt8]) {
    let path = NSTemporaryDirectory() + "nn-fuzz-\(getpid()).pytorch.safetensors"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
    defer { unlink(path) }
    var generator = SeededRandomGenerator(seed: 1)
    var model = Sequential<Float>(
        Reshape([28, 28, 1]),
        Conv2D<Float, Tanh>(channels: 1, filters: 4, kernelSize: 3, stride: 2, padding: .zeros(1), activation: Tanh(), generator: &generator),
        BatchNorm<Float>(features: 4), AvgPool2D<Float>(size: 3, stride: 2, padding: .zeros(1)), Flatten<Float>(),
        Dense<Float, Identity>(inputSize: 196, outputSize: 6, activation: Identity(), generator: &generator), BatchNorm<Float>(features: 6),
        Dense<Float, Identity>(inputSize: 6, outputSize: 10, activation: Identity(), generator: &generator))
    guard (try? PyTorchImport.load(path, into: &model, sampleShape: [784])) != nil else { return }
    _ = model(Tensor<Float>(repeating: 0.5, shape: [2, 784]))
}

/// The architecture JSON of a model file's metadata, rebuilt without tensors and with the
/// zero tensors it asks for.
func fuzzArchitecture(_ bytes: [UInt8]) {
    let metadata = ["format": ModelFile.format, "architecture": String(decoding: bytes, as: UTF8.self)]
    guard let description = ModelFile.architecture(in: metadata),
        (try? ModelFile.rebuild(tensors: [:], metadata: metadata, as: Float.self, path: "fuzz.json")) == nil,
        let layer = try? LayerRegistry.shared.make(description, as: Float.self, path: "fuzz.json"),
        layer.parameterCount <= 1 << 20
    else { return }
    let tensors = ModelFile.tensors(of: layer)
    guard let model = try? ModelFile.rebuild(tensors: tensors, metadata: metadata, as: Float.self, path: "fuzz.json") else { return }
    run(model)
}

/// One forward pass of two samples, when the model takes samples of some small shape and
/// every layer's output stays small.
func run(_ model: any Layer<Float>) {
    for sampleShape in [[4], [16], [784], [8, 8, 1], [28, 28, 1]] {
        guard let output = try? model.outputShape(forInputShape: sampleShape),
            let count = TensorLimits.checkedProduct(output), count <= 1 << 16
        else { continue }
        if let sequential = model as? Sequential<Float> {
            var shape = sampleShape
            for layer in sequential.layers {
                guard let next = try? layer.outputShape(forInputShape: shape), let values = TensorLimits.checkedProduct(next), values <= 1 << 18
                else { return }
                shape = next
            }
        }
        let input = Tensor<Float>(repeating: 0.5, shape: [2] + sampleShape)
        _ = model(input)
        var training = model
        training.setMode(.training)
        let prediction = training.forward(input)
        training.accumulateParameterGradients(Tensor(repeating: 1, shape: prediction.shape))
        return
    }
}

/// A checkpoint restored into a fixed small trainer (with the callbacks that keep state in
/// checkpoints: early stopping with the best weights, the plateau rule), then one epoch trained
/// from it with validation data.
func fuzzCheckpoint(_ bytes: [UInt8]) {
    let path = NSTemporaryDirectory() + "nn-fuzz-\(getpid()).ckpt"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
    defer { unlink(path) }
    var generator = SeededRandomGenerator(seed: 1)
    let model = Sequential<Float>(
        Dense<Float, ReLU>(inputSize: 2, outputSize: 4, activation: ReLU(), generator: &generator),
        Dense<Float, Identity>(inputSize: 4, outputSize: 2, activation: Identity(), generator: &generator))
    var trainer = Trainer(
        model: model, loss: CrossEntropy(), optimizer: GradientOptimizer.adam(), schedule: ShuffledBatches(size: 3), seed: 1,
        callbacks: [
            EarlyStopping(monitor: "loss", patience: 2, restoreBestWeights: true), ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1),
        ])
    guard (try? trainer.restoreCheckpoint(from: path)) != nil,
        let data = try? InMemoryDataset(
            features: Tensor<Float>(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]),
            targets: Tensor<Float>([0, 1, 1, 0]))
    else { return }
    _ = try? trainer.fit(data, epochs: Swift.min(trainer.history.epochs.count + 1, 1 << 20), validation: data)
}
