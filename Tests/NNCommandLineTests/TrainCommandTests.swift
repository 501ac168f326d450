import Foundation
import NN
import Testing

@testable import NNCommandLine

/// A small three-class CSV (two features, text labels) in a fresh folder.
func threeClassCSV() throws -> (folder: String, csv: String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-train-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var generator = SeededRandomGenerator(seed: 5)
    var lines = ["x1,x2,label"]
    for index in 0..<150 {
        let c = index % 3
        lines.append("\(Double(c) + 0.4 * generator.nextNormal()),\(Double(c * c % 3) + 0.4 * generator.nextNormal()),\(["red", "green", "blue"][c])")
    }
    let csv = folder + "/three.csv"
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: csv))
    return (folder, csv)
}

@Suite struct TrainCommandTests {
    @Test func trainSavePredictAndInspect() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors"
        let report = try json(nn("train", "--data", csv, "--layers", "2,16,3", "--epochs", "40", "--lr", "0.1", "--save", model, "--json"))
        for key in ["test_accuracy", "test_loss", "epochs_run", "train_seconds", "train_loss", "train_accuracy"] {
            #expect(report[key] != nil, "missing \(key)")
        }
        #expect((report["test_accuracy"] as? Double ?? 0) > 0.8)
        let prediction = try json(nn("predict", "--model", model, "0,0", "2,1", "--json"))
        #expect((prediction["outputs"] as? [[Double]])?.count == 2)
        #expect(prediction["classes"] as? [Int] == [2, 0])   // red, blue
        #expect(prediction["class_names"] as? [String] == ["red", "blue"])
        #expect((prediction["probabilities"] as? [[Double]])?.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 } == true)
        let inspect = nn("inspect", model)
        #expect(inspect.status == 0)
        #expect(inspect.output.lines.contains("      Dense 2→16, relu") && inspect.output.lines.contains("      Dense 16→3, identity"))
        #expect(inspect.output.lines[0].contains("swift-nn-model/1, float32") && inspect.output.lines[0].contains("99 parameters"))
    }

    @Test func resumingACheckpointGivesAByteIdenticalModel() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = ["train", "--data", csv, "--layers", "2,8,3", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--json"]
        #expect(nn(common + ["--epochs", "4", "--save", folder + "/straight.safetensors"]).status == 0)
        #expect(nn(common + ["--epochs", "2", "--checkpoint", folder + "/c.safetensors"]).status == 0)
        let resumed = try json(nn(common + ["--epochs", "4", "--resume", folder + "/c.safetensors", "--save", folder + "/resumed.safetensors"]))
        #expect(resumed["epochs_run"] as? Int == 4)
        let straight = FileManager.default.contents(atPath: folder + "/straight.safetensors")
        #expect(straight != nil && straight == FileManager.default.contents(atPath: folder + "/resumed.safetensors"))
    }

    @Test func badArgumentsAndFilesAreOneLine() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases: [([String], Int32, String)] = [
            (["train"], 2, "nn: nn train: --data PATH is required"),
            (["train", "--data", csv, "--layers", "2,,3"], 2, "nn: nn train: --layers expects sizes like 784,64,10"),
            (["train", "--data", csv, "--layers", "5,3"], 2, "nn: nn train: --layers starts with 5 inputs, but \(csv) has 2 features per sample"),
            (["train", "--data", csv, "--batch-size", "0"], 2, "nn: nn train: --batch-size expects a positive integer or 'all'"),
            (
                ["train", "--data", csv, "--test-fraction", "0.2", "--train-per-class", "3"], 2,
                "nn: nn train: give --test-fraction or --train-per-class, not both"
            ),
            (["train", "--data", folder + "/nothing.csv"], 2, "nn: nn train: --data \(folder)/nothing.csv: no such file or folder"),
            (["train", "--data", csv, "--resume", csv], 1, "nn: \(csv): not a valid safetensors file"),
            (["predict", "--model", folder + "/absent.safetensors", "1,2"], 1, "nn: \(folder)/absent.safetensors: no such file"),
        ]
        for (arguments, status, message) in cases {
            let result = nn(arguments)
            #expect(result.status == status, "\(arguments)")
            #expect(result.output.errors.count == 1 && result.output.errors[0].hasPrefix(message), "\(result.output.errors)")
        }
        let model = folder + "/m.safetensors"
        #expect(nn("train", "--data", csv, "--layers", "2,3", "--epochs", "1", "--save", model, "--json").status == 0)
        let wrongWidth = nn("predict", "--model", model, "1,2,3")
        #expect(wrongWidth.status == 2 && wrongWidth.output.errors[0].hasPrefix("nn: nn predict: the model does not take 3 features"))
    }
}

@Suite struct PythonReadsModelFilesTests {
    /// The virtual environment `.ci/python-venv.sh` makes, if it exists and its packages
    /// import (a `python` without numpy or safetensors would make the check fail, not run).
    static let python = PythonVenv.python(importing: "import numpy, safetensors.numpy")

    /// `forward_pass.py` on every built-in layer: the README's CNN (convolutions with same
    /// padding, max pooling, dropout) and a network with strided and zero-padded
    /// convolutions, batch normalisation (running statistics after training), average and
    /// max pooling with TensorFlow's uneven same padding, GELU and tanh, on 100 inputs.
    @Test(
        .enabled(
            if: python != nil, "no .build/python-venv whose python imports numpy and safetensors (bash .ci/python-venv.sh makes it; .ci/run does)"))
    func numpyReproducesEveryBuiltInLayer() throws {
        let folder = try makeTemporaryFolder("nn-python-layers")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SeededRandomGenerator(seed: 3)
        for label in 0..<10 {   // ten classes, as the README's CNN has ten outputs
            let name = "class\(label)"
            try FileManager.default.createDirectory(atPath: "\(folder)/images/\(name)", withIntermediateDirectories: true)
            for index in 0..<3 {
                let pixels = (0..<784).map { Float((($0 % 28) * (label + 1) * 9 + Int(generator.nextUniform() * 60)) % 256) }
                try Data(BMPImage(width: 28, height: 28, pixels: pixels).encoded()).write(
                    to: URL(fileURLWithPath: "\(folder)/images/\(name)/\(index).bmp"))
            }
        }
        let rows = (0..<100).map { _ in (0..<784).map { _ in Double(Int(generator.nextUniform() * 256)) } }
        try Data(rows.map { $0.map { "\(Int($0))" }.joined(separator: ",") }.joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: folder + "/rows.csv"))
        try Data("\(rows)".utf8).write(to: URL(fileURLWithPath: folder + "/rows.json"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let networks = [
            "conv 32 3x3 same, pool 2, conv 64 3x3 same, pool 2, flatten, dense 128, dropout 0.3, dense 10",
            "conv 4 3x3 stride 2 pad 1 tanh, batchnorm, avgpool 3 stride 2 same, conv 4 3x3 valid, maxpool 2 same, flatten, dense 6 gelu, batchnorm, dense 10",
            "conv 4 3x3 same, layernorm, pool 2, flatten, dense 16 identity, layernorm, dense 10",
        ]
        for (index, layers) in networks.enumerated() {
            let model = folder + "/net\(index).safetensors"
            let run = nn(
                "train", "--data", folder + "/images", "--layers", layers, "--optimizer", "adam", "--epochs", "2", "--batch-size", "5",
                "--test-fraction", "0", "--save", model, "--quiet")
            #expect(run.status == 0, "\(run.output.errors)")
            let swift = try #require(try json(nn("predict", "--model", model, folder + "/rows.csv", "--json"))["outputs"] as? [[Double]])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python!)
            process.arguments = [root.appendingPathComponent("Tests/Python/forward_pass.py").path, model, "@" + folder + "/rows.json"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let python = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["outputs"] as? [[Double]])
            #expect(python.count == 100 && swift.count == 100)
            // numpy computes in double precision, swift-nn in single: 1e-5 relative.
            let worst = zip(python.flatMap { $0 }, swift.flatMap { $0 }).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(layers): largest difference \(worst)")
            print("forward_pass.py: \(layers): largest relative difference from nn predict \(worst) over 100 inputs")
        }
    }

    @Test(
        .enabled(
            if: python != nil, "no .build/python-venv whose python imports numpy and safetensors (bash .ci/python-venv.sh makes it; .ci/run does)"))
    func numpyReproducesNNPredictFromTheFileAlone() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (layers, activation) in [("2,16,8,3", "gelu"), ("2,8,3", "leaky-relu"), ("2,8,3", "sigmoid")] {
            let model = folder + "/\(activation).safetensors"
            #expect(
                nn("train", "--data", csv, "--layers", layers, "--activation", activation, "--epochs", "5", "--save", model, "--json").status == 0)
            let inputs = [[0.5, -1.25], [2, 1], [-0.75, 3.5]]
            let swift = try #require(
                try json(nn(["predict", "--model", model, "--json"] + inputs.map { $0.map { "\($0)" }.joined(separator: ",") }))["outputs"]
                    as? [[Double]])

            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python!)
            process.arguments = [root.appendingPathComponent("Tests/Python/forward_pass.py").path, model, "\(inputs)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let python = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["outputs"] as? [[Double]])
            #expect(python.count == swift.count)
            for (p, s) in zip(python.flatMap { $0 }, swift.flatMap { $0 }) { #expect(abs(p - s) <= 1e-6, "\(activation): numpy \(p) vs nn \(s)") }
        }
    }
}
