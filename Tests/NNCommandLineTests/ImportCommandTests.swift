import Foundation
import NN
import Testing

@testable import NNCommandLine

/// `nn import --from pytorch`: PyTorch's `state_dict` put into the same layers, checked
/// against PyTorch's own outputs, and every mismatch named.
@Suite struct ImportCommandTests {
    /// A venv python that imports torch and safetensors.torch: the test venv if it has them,
    /// else the benchmarks' (`python3 Benchmarks/compare.py --install` makes it; PyPI's torch
    /// wheel brings CUDA libraries, several GB, so `.ci/python-venv.sh` does not install it).
    static let python = PythonVenv.python(importing: "import torch, safetensors.torch", from: [".build/python-venv", ".build/bench-venv"])

    static let networks = [
        ("mlp", ["--layers", "784,64,10", "--inputs", "784"]),
        (
            "cnn",
            ["--layers", "conv 32 3x3 same, pool 2, conv 64 3x3 same, pool 2, flatten, dense 128, dropout 0.3, dense 10", "--input-shape", "28x28"]
        ),
        (
            "batchnorm",
            [
                "--layers", "conv 4 3x3 stride 2 pad 1 tanh, batchnorm, avgpool 3 stride 2 pad 1, flatten, dense 6 identity, batchnorm, dense 10",
                "--input-shape", "28x28",
            ]
        ),
        ("flatnorm", ["--layers", "conv 2 3x3 stride 2 pad 1 identity, flatten, batchnorm, dense 10", "--input-shape", "28x28"]),
        ("layernorm", ["--layers", "dense 32 identity, layernorm, dense 10", "--inputs", "784"]),
    ]

    /// A dense MLP, the README's CNN, a network with batch normalisation (running statistics
    /// set), average pooling and strided convolution, a batch normalisation of a flattened
    /// image, and a layer normalisation: PyTorch's outputs in eval mode equal `nn predict` on the imported files to 1e-5
    /// (relative), on 100 inputs.
    @Test(
        .enabled(
            if: python != nil,
            "no venv python with torch and safetensors (python3 Benchmarks/compare.py --install makes one; CI's venv leaves out torch's several GB)")
    )
    func pytorchModelsGiveTheirOutputsAfterImport() throws {
        let folder = try makeTemporaryFolder("nn-import")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [root.appendingPathComponent("Tests/Python/pytorch_models.py").path, folder]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        for (name, options) in Self.networks {
            let model = folder + "/\(name).model.safetensors"
            let run = nn(["import", "--from", "pytorch", folder + "/\(name).safetensors", "--output", model] + options)
            #expect(run.status == 0, "\(name): \(run.output.errors)")
            let ours = try #require(try json(nn("predict", "--model", model, folder + "/rows.csv", "--json"))["outputs"] as? [[Double]])
            let torch = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/\(name).outputs.json"))) as? [[Double]])
            #expect(ours.count == 100 && torch.count == 100)
            let worst = zip(ours.flatMap { $0 }, torch.flatMap { $0 }).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(name): largest relative difference \(worst)")
            print("nn import: \(name): largest relative difference from PyTorch \(worst) over 100 inputs")
        }
    }

    /// A PyTorch file written by hand in its layout (keys `0.weight`, `2.bias`, an I64
    /// `num_batches_tracked`): imported, its Linear weights come out transposed; a shape or a
    /// count that does not fit is one line naming PyTorch's key and shape and the layer.
    @Test func layoutsAreConvertedAndMismatchesNamed() throws {
        let folder = try makeTemporaryFolder("nn-import")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func linear(_ out: Int, _ inputs: Int, _ base: Float) -> StoredTensor {
            StoredTensor(try! Tensor<Float>(shape: [out, inputs], scalars: (0..<(out * inputs)).map { base + Float($0) }))
        }
        let counter = [UInt8](repeating: 0, count: 8)
        var bytes = Safetensors.encode(
            tensors: [
                "0.weight": linear(3, 2, 0), "0.bias": StoredTensor(Tensor<Float>([1, 2, 3])), "2.weight": linear(2, 3, 10),
                "2.bias": StoredTensor(Tensor<Float>([4, 5])),
            ], metadata: [:])
        // Add an I64 tensor as PyTorch's batch norm writes one: rebuild the header by hand.
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        let dataLength = bytes.count - 8 - headerLength
        header["1.num_batches_tracked"] = ["dtype": "I64", "shape": [] as [Int], "data_offsets": [dataLength, dataLength + 8]]
        let json = try JSONSerialization.data(withJSONObject: header)
        bytes = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + [UInt8](json) + bytes[(8 + headerLength)...] + counter
        let state = folder + "/state.safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: state))

        let model = folder + "/model.safetensors"
        #expect(nn("import", "--from", "pytorch", state, "--layers", "2,3,2", "--inputs", "2", "--output", model).status == 0)
        let imported = try Safetensors.read(model).tensors
        // PyTorch's [3, 2] = [[0, 1], [2, 3], [4, 5]] is swift-nn's [2, 3] = [[0, 2, 4], [1, 3, 5]].
        #expect(imported["layers.0.weight"] == StoredTensor(try Tensor<Float>(shape: [2, 3], scalars: [0, 2, 4, 1, 3, 5])))
        #expect(imported["layers.1.bias"] == StoredTensor(Tensor<Float>([4, 5])))

        let cases: [([String], Int32, String)] = [
            (
                ["--layers", "2,4,2", "--inputs", "2"], 1,
                "nn: nn import: layer 0 (Dense<Float, ReLU>) needs '0.weight' shaped [4, 2] (PyTorch's layout); \(state) has it shaped [3, 2]"
            ),
            (["--layers", "2,3,3,2", "--inputs", "2"], 1, "nn: nn import: layer 1 (Dense<Float, ReLU>) needs '2.weight' shaped [3, 3]"),
            (["--layers", "2,2", "--inputs", "2"], 1, "nn: nn import: layer 0 (Dense<Float, Identity>) needs '0.weight' shaped [2, 2]"),
            (["--layers", "2,3,2"], 2, "nn: nn import: give --input-shape HxW[xC] (images) or --inputs N"),
            (["--layers", "2,3,2", "--input-shape", "0x3"], 2, "nn: nn import: --input-shape expects HEIGHTxWIDTH"),
        ]
        for (options, status, message) in cases {
            let result = nn(["import", "--from", "pytorch", state, "--output", model] + options)
            #expect(result.status == status, "\(options)")
            #expect(result.output.errors.count == 1 && result.output.errors.first?.hasPrefix(message) == true, "\(options): \(result.output.errors)")
        }
        let notPyTorch = nn("import", "--from", "keras", state, "--layers", "2,3,2", "--inputs", "2", "--output", model)
        #expect(notPyTorch.status == 2)
    }
}
