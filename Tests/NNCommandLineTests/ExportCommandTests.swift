import Foundation
import NN
import NNONNX
import Testing

@testable import NNCommandLine

/// `nn export --format onnx`: ONNX's checker accepts the files, and ONNX Runtime's outputs
/// equal `nn predict`'s, one row at a time and in batches of 37.
@Suite struct ExportCommandTests {
    /// The test venv's python if it imports onnx, onnx.checker and onnxruntime
    /// (`.ci/python-venv.sh` installs them).
    static let python = PythonVenv.python(importing: "import onnx, onnx.checker, onnxruntime, numpy")

    /// The networks exported: the issue's three (a dense MLP, the README's CNN, a network
    /// with batch normalisation and average pooling), every activation, layer normalisation
    /// of pixels and of features, and windows whose `same` padding is uneven.
    static let networks: [(name: String, layers: String, image: Bool)] = [
        ("mlp", "784,64,10", false),
        ("cnn", "conv 32 3x3 same, pool 2, conv 64 3x3 same, pool 2, flatten, dense 128, dropout 0.3, dense 10", true),
        (
            "batchnorm",
            "conv 4 3x3 stride 2 pad 1 tanh, batchnorm, avgpool 3 stride 2 pad 1, flatten, dense 6 identity, batchnorm, dense 10", true
        ),
        ("activations", "dense 32 sigmoid, dense 32 tanh, dense 32 leaky-relu, dense 32 softplus, dense 32 gelu, dense 32 identity, dense 10", false),
        ("layernorm", "conv 4 3x3 same, layernorm, pool 2, flatten, dense 16 identity, layernorm, dense 10", true),
        (
            "windows",
            "conv 3 5x5 stride 2 same sigmoid, maxpool 3 stride 2 same, conv 4 2x2 pad 1 gelu, avgpool 2 same, batchnorm, flatten, dense 10", true
        ),
    ]

    /// A network of `layers` with seeded weights; batch normalisation gets running
    /// statistics and affine parameters that are not the initial ones, layer normalisation
    /// affine parameters that are not.
    static func network(_ layers: String, image: Bool, seed: UInt64) throws -> Sequential<Float> {
        var model: Sequential<Float>
        if LayerList.isLayerList(layers) {
            model = try LayerList(layers).build(inputCount: 784, imageShape: image ? [28, 28] : nil, outputs: 10, activation: "relu", seed: seed)
        } else {
            model = try ModelSpecification(sizes: try ModelSpecification.sizes(layers), activation: "relu").build(seed: seed)
        }
        var state = model.stateDictionary
        var generator = SeededRandomGenerator(seed: seed + 1)
        for key in state.keys.sorted() where key.hasSuffix(".running_mean") {
            let prefix = String(key.dropLast("running_mean".count))
            let ranges: [(String, Float, Float)] = [("running_mean", -0.5, 0.5), ("running_var", 0.5, 2), ("weight", 0.5, 1.5), ("bias", -0.5, 0.5)]
            for (name, low, high) in ranges {
                let count = state[prefix + name]?.scalarCount ?? 0
                state[prefix + name] = try Tensor(shape: [count], scalars: (0..<count).map { _ in generator.nextUniform(in: low, high) })
            }
        }
        for (index, layer) in model.layers.enumerated() where layer is LayerNorm<Float> {
            for (name, low, high) in [("weight", Float(0.5), Float(1.5)), ("bias", -0.5, 0.5)] {
                let count = state["layers.\(index).\(name)"]?.scalarCount ?? 0
                state["layers.\(index).\(name)"] = try Tensor(shape: [count], scalars: (0..<count).map { _ in generator.nextUniform(in: low, high) })
            }
        }
        try model.loadStateDictionary(state)
        model.setMode(.inference)
        return model
    }

    /// 100 rows of 784 values: pixels 0...255 (for a model whose input scale is 1/255) or
    /// values in [0, 1).
    static func rows(bytes: Bool, seed: UInt64) -> [[Float]] {
        var generator = SeededRandomGenerator(seed: seed)
        return (0..<100).map { _ in (0..<784).map { _ in bytes ? Float(generator.nextIndex(below: 256)) : generator.nextUniformFloat() } }
    }

    static func writeCSV(_ rows: [[Float]], to path: String) throws {
        try rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// `Tests/Python/onnx_check.py`'s report on `model` against `predicted` (a JSON file
    /// shaped as `nn predict --json`'s output).
    static func check(_ model: String, rows: String, predicted: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(python))
        process.arguments = [PythonVenv.root.appendingPathComponent("Tests/Python/onnx_check.py").path, model, rows, predicted]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "onnx_check.py failed on \(model)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The largest difference of any output at either batch size, from a report.
    static func worstDifference(_ report: [String: Any]) -> Double {
        let batches = (report["differences"] as? [String: [String: Double]]) ?? [:]
        return batches.values.flatMap(\.values).max() ?? .infinity
    }

    /// The issue's three networks and two more, exported from model files by `nn export`:
    /// `onnx.checker.check_model` passes, the graph's input is `[N, 784]` and its outputs are
    /// `outputs` and `probabilities`, the input scale and class names are recorded, and ONNX
    /// Runtime's outputs equal `nn predict --json`'s to 1e-5 (relative to max(1, |value|)) on
    /// 100 inputs at batch sizes 1 and 37.
    @Test(
        .enabled(
            if: python != nil, "no .build/python-venv whose python imports onnx and onnxruntime (bash .ci/python-venv.sh installs them; .ci/run does)"
        ))
    func onnxRuntimeGivesNNPredictsOutputs() throws {
        let folder = try makeTemporaryFolder("nn-export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        for (index, network) in Self.networks.enumerated() {
            // The MLP takes raw pixels: its input scale (1/255) is folded into the graph.
            let bytes = network.name == "mlp"
            let model = try Self.network(network.layers, image: network.image, seed: UInt64(10 + index))
            let path = folder + "/\(network.name).safetensors", onnx = folder + "/\(network.name).onnx"
            try ModelFile.save(
                model, to: path,
                metadata: [
                    "input_shape": "[784]", "input_scale": bytes ? "\(1.0 / 255)" : "1.0", "loss": "cross-entropy",
                    "class_names": try jsonLine(names),
                ])
            let rows = folder + "/\(network.name).rows.csv"
            try Self.writeCSV(Self.rows(bytes: bytes, seed: UInt64(20 + index)), to: rows)
            let export = nn("export", path, "--format", "onnx", "--output", onnx)
            #expect(export.status == 0, "\(network.name): \(export.output.errors)")
            let predict = nn("predict", "--model", path, rows, "--json")
            #expect(predict.status == 0)
            try predict.output.lines.joined().write(toFile: folder + "/predicted.json", atomically: true, encoding: .utf8)

            let report = try Self.check(onnx, rows: rows, predicted: folder + "/predicted.json")
            #expect(report["checker"] as? String == "passed")
            #expect(report["ir_version"] as? Int == 8)
            #expect((report["opset"] as? [[String: Any]])?.first?["version"] as? Int == 17)
            let inputs = report["inputs"] as? [[String: Any]], outputs = report["outputs"] as? [[String: Any]]
            #expect(inputs?.first?["name"] as? String == "input")
            let shape = inputs?.first?["shape"] as? [Any]
            #expect(shape?.count == 2 && shape?.first as? String == "N" && shape?.last as? Int == 784)
            #expect(outputs?.compactMap { $0["name"] as? String } == ["outputs", "probabilities"])
            let metadata = report["metadata"] as? [String: String]
            #expect(metadata?["class_names"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } == names)
            #expect(metadata?["input_scale"].flatMap(Double.init) == (bytes ? 1.0 / 255 : 1))
            #expect(report["rows"] as? Int == 100)
            let worst = Self.worstDifference(report)
            #expect(worst <= 1e-5, "\(network.name): \(report["differences"] ?? "")")
            print(
                "nn export: \(network.name): ONNX Runtime vs nn predict, largest relative difference \(worst) (batch 1 and 37, 100 inputs); operators \(report["operators"] ?? "")"
            )
        }
    }

    /// A layer of a user's own (it doubles its input) described through `ONNXExportable`,
    /// a softmax over image samples, a reshape, and a model in double precision: ONNX
    /// Runtime's outputs equal swift-nn's.
    @Test(
        .enabled(
            if: python != nil, "no .build/python-venv whose python imports onnx and onnxruntime (bash .ci/python-venv.sh installs them; .ci/run does)"
        ))
    func aUsersLayerAndDoublePrecisionRunInONNXRuntime() throws {
        let folder = try makeTemporaryFolder("nn-export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SeededRandomGenerator(seed: 3)
        let rows = Self.rows(bytes: false, seed: 4)
        try Self.writeCSV(rows, to: folder + "/rows.csv")

        let single = Sequential<Float>([
            Dense<Float, Tanh>(inputSize: 784, outputSize: 12, activation: Tanh(), generator: &generator), Doubling<Float>(),
            Reshape<Float>([2, 2, 3]), Softmax<Float>(),
        ])
        let double = Sequential<Double>([
            Dense<Double, Tanh>(inputSize: 784, outputSize: 16, activation: Tanh(), generator: &generator),
            Dense<Double, Identity>(inputSize: 16, outputSize: 3, activation: Identity(), generator: &generator),
        ])
        let singleOutputs = single(try Tensor(shape: [100, 784], scalars: rows.flatMap { $0 })).rows.map { $0.map(Double.init) }
        // The rows as Python reads the CSV: the decimal text of each Float, parsed as a Double.
        let doubleRows = rows.flatMap { $0.map { Double("\($0)") ?? .nan } }
        let doubleOutputs = double(try Tensor(shape: [100, 784], scalars: doubleRows)).rows
        for (name, outputs) in [("single", singleOutputs), ("double", doubleOutputs)] {
            let onnx = folder + "/\(name).onnx"
            if name == "single" {
                try ONNXExport.write(single, sampleShape: [784], to: onnx)
            } else {
                try ONNXExport.write(double, sampleShape: [784], to: onnx)
            }
            try jsonLine(["outputs": outputs]).write(toFile: folder + "/predicted.json", atomically: true, encoding: .utf8)
            let report = try Self.check(onnx, rows: folder + "/rows.csv", predicted: folder + "/predicted.json")
            #expect(report["checker"] as? String == "passed")
            let worst = Self.worstDifference(report)
            #expect(worst <= (name == "double" ? 1e-12 : 1e-5), "\(name): \(report["differences"] ?? "")")
            print("ONNXExport: \(name): ONNX Runtime vs swift-nn, largest relative difference \(worst); operators \(report["operators"] ?? "")")
        }
    }

    /// The README's five lines of Python, verbatim, on a model `nn export` wrote: they print
    /// the classes `nn predict` gives.
    @Test(
        .enabled(
            if: python != nil, "no .build/python-venv whose python imports onnx and onnxruntime (bash .ci/python-venv.sh installs them; .ci/run does)"
        ))
    func theReadmesONNXRuntimeLinesRun() throws {
        let readme = try String(contentsOf: PythonVenv.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Deploying with ONNX Runtime"))
        let start = try #require(readme.range(of: "```python\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let lines = readme[start.upperBound..<end.lowerBound]
        #expect(lines.split(separator: "\n").count == 5)

        let folder = try makeTemporaryFolder("nn-export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ModelFile.save(
            try Self.network("784,32,10", image: false, seed: 5), to: folder + "/model.safetensors",
            metadata: ["input_shape": "[784]", "input_scale": "\(1.0 / 255)", "loss": "cross-entropy"])
        try Self.writeCSV(Self.rows(bytes: true, seed: 6), to: folder + "/rows.csv")
        #expect(nn("export", folder + "/model.safetensors", "--format", "onnx", "--output", folder + "/model.onnx").status == 0)
        let classes = try #require(
            try json(nn("predict", "--model", folder + "/model.safetensors", folder + "/rows.csv", "--json"))["classes"] as? [Int])

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.python))
        process.arguments = ["-c", String(lines)]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // numpy prints an array of 100 integers over several lines: [3 1 ...\n ...].
        let numbers = printed.split { !$0.isNumber }.compactMap { Int($0) }
        #expect(numbers == classes, "\(printed)")
    }

    /// What cannot be exported is one line on standard error, exit status 1 (the file) or
    /// 2 (the arguments), and no ONNX file is written.
    @Test func badExportsAreOneLineAndWriteNothing() throws {
        let folder = try makeTemporaryFolder("nn-export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors", onnx = folder + "/model.onnx"
        try ModelFile.save(try Self.network("784,16,10", image: false, seed: 1), to: model, metadata: ["input_shape": "[784]"])
        let unshaped = folder + "/unshaped.safetensors"
        try ModelFile.save(try Self.network("784,16,10", image: false, seed: 1), to: unshaped)
        // A layer type no registry knows: the file names it, as a user's own layer would be.
        var (tensors, metadata) = try Safetensors.read(model)
        metadata["architecture"] = metadata["architecture"]?.replacingOccurrences(of: "\"Dense\"", with: "\"Doubling\"")
        let unknown = folder + "/unknown.safetensors"
        try Safetensors.write(tensors: tensors, metadata: metadata, to: unknown)
        tensors["layers.0.bias"] = nil
        let missing = folder + "/missing.safetensors"
        try Safetensors.write(
            tensors: tensors, metadata: ["input_shape": "[784]"].merging(try Safetensors.read(model).metadata) { a, _ in a }, to: missing)
        try "not a model".write(toFile: folder + "/text.safetensors", atomically: true, encoding: .utf8)
        try ModelFile.save(
            try Self.network("784,16,10", image: false, seed: 1), to: folder + "/badshape.safetensors", metadata: ["input_shape": "[-3]"])

        let cases: [([String], Int32, String)] = [
            ([model, "--output", onnx], 2, "nn: nn export: --format onnx is required"),
            ([model, "--format", "tflite", "--output", onnx], 2, "nn: nn export: --format expects one of onnx, got 'tflite'"),
            ([model, "--format", "onnx"], 2, "nn: nn export: --output MODEL.onnx is required"),
            ([model, "--format", "onnx", "--output", folder + "/no/model.onnx"], 2, "nn: nn export: --output \(folder)/no/model.onnx: the folder"),
            (["--format", "onnx", "--output", onnx], 2, "nn: nn export: give the model file"),
            ([folder + "/absent.safetensors", "--format", "onnx", "--output", onnx], 2, "nn: nn export: \(folder)/absent.safetensors: no such file"),
            ([model, "--format", "onnx", "--output", onnx, "--inputs", "3", "--input-shape", "28x28"], 2, "nn: nn export: give --inputs N or"),
            ([model, "--format", "onnx", "--output", onnx, "--input-shape", "0x3"], 2, "nn: nn export: --input-shape expects HEIGHTxWIDTH"),
            ([unshaped, "--format", "onnx", "--output", onnx], 2, "nn: nn export: \(unshaped) records no input_shape; give --inputs N"),
            (
                [model, "--format", "onnx", "--output", onnx, "--inputs", "5"], 1,
                "nn: nn export: \(model): the model does not take samples shaped [5]: Dense(784→16) input"
            ),
            ([unknown, "--format", "onnx", "--output", onnx], 1, "nn: \(unknown): unknown layer type 'Doubling'"),
            ([missing, "--format", "onnx", "--output", onnx], 1, "nn: \(missing):"),
            ([folder + "/text.safetensors", "--format", "onnx", "--output", onnx], 1, "nn: \(folder)/text.safetensors:"),
            (
                [folder + "/badshape.safetensors", "--format", "onnx", "--output", onnx], 1,
                "nn: nn export: \(folder)/badshape.safetensors: input_shape '[-3]' is not a JSON array of positive sizes"
            ),
        ]
        for (arguments, status, message) in cases {
            let result = nn(["export"] + arguments)
            #expect(result.status == status, "\(arguments): \(result.output.errors)")
            #expect(
                result.output.errors.count == 1 && result.output.errors.first?.hasPrefix(message) == true, "\(arguments): \(result.output.errors)")
            #expect(!FileManager.default.fileExists(atPath: onnx), "\(arguments) wrote \(onnx)")
        }
        // Given the shape, a file without one exports.
        #expect(nn("export", unshaped, "--format", "onnx", "--output", onnx, "--inputs", "784").status == 0)
        #expect(FileManager.default.fileExists(atPath: onnx))
        // Only the ONNX file: no temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }.isEmpty)
    }
}

/// A layer of a user's own that doubles its input, with its ONNX form.
struct Doubling<Scalar: TensorScalar>: Layer, ONNXExportable {
    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { Self.doubled(input) }
    mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { Self.doubled(input) }
    mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> { Self.doubled(outputGradient) }
    static func doubled(_ tensor: Tensor<Scalar>) -> Tensor<Scalar> {
        var result = tensor
        result.withUnsafeMutableBufferPointer { values in for index in values.indices { values[index] *= 2 } }
        return result
    }
    func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
    func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        graph.node("Mul", [input, graph.constant("factor", values: [2], shape: [])])
    }
}
