import Foundation
import NN
import Testing

@testable import NNCommandLine

/// `nn train --format text` (a character-level language model over the lines of a file) and
/// `nn generate`.
@Suite struct TextCommandTests {
    /// A folder with `words.txt`: 400 made-up words of syllables, seeded, one per line.
    func wordsFile() throws -> (folder: String, path: String) {
        let folder = try makeTemporaryFolder("nn-text")
        var generator = SeededRandomGenerator(seed: 4)
        let syllables = ["ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "qu", "ex"]
        let words = (0..<400).map { _ in (0..<(1 + generator.nextIndex(below: 4))).map { _ in syllables[generator.nextIndex(below: 10)] }.joined() }
        let path = folder + "/words.txt"
        try (words.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (folder, path)
    }

    /// Trained, saved and inspected; the vocabulary and the context are in the file; `nn
    /// generate` draws lines of its characters, the same for the same seed.
    @Test(arguments: ["lstm", "gru", "rnn"]) func trainsAndGenerates(recurrent: String) throws {
        let (folder, path) = try wordsFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors"
        let report = try json(
            nn(
                "train", "--format", "text", "--data", path, "--context", "8", "--layers", "embedding 8, \(recurrent) 16, layernorm, dense 16",
                "--optimizer", "adam", "--lr", "0.01", "--epochs", "3", "--clip-norm", "1", "--save", model, "--json", "--quiet"))
        let validationLoss = try #require(report["validation_loss"] as? Double)
        // Better than the uniform guess over 15 characters and the boundary.
        #expect(validationLoss < log(16.0) - 0.3 && report["epochs_run"] as? Int == 3)

        let (_, metadata) = try ModelFile.load(model)
        #expect(metadata["vocabulary"] == #"["a","e","i","k","l","m","n","o","q","r","s","t","u","v","x"]"#)
        #expect(metadata["context"] == "8" && metadata["task"] == "next-character")
        let inspect = nn("inspect", model)
        let kind = ["lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"][recurrent]!
        #expect(inspect.output.lines.contains("      \(kind) 8→16, output every step"), "\(inspect.output.lines)")
        #expect(inspect.output.lines.contains { $0.contains("Embedding of 16 ids into 8 values") })

        let generated = nn("generate", "--model", model, "--count", "12", "--seed", "5")
        #expect(generated.status == 0 && generated.output.lines.count == 12)
        let characters = Set("aeiklmnoqrstuvx")
        #expect(generated.output.lines.allSatisfy { $0.count <= 8 && $0.allSatisfy(characters.contains) })
        #expect(nn("generate", "--model", model, "--count", "12", "--seed", "5").output.lines == generated.output.lines)
        let prefixed = nn("generate", "--model", model, "--count", "4", "--prefix", "ka", "--temperature", "0.5")
        #expect(prefixed.status == 0 && prefixed.output.lines.allSatisfy { $0.hasPrefix("ka") })
    }

    /// Two epochs and a resumed third give the file of three straight epochs, byte for byte.
    @Test func resumingACheckpointGivesAByteIdenticalModel() throws {
        let (folder, path) = try wordsFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = [
            "train", "--format", "text", "--data", path, "--context", "6", "--layers", "embedding 4, lstm 8, dense 16", "--optimizer", "adam",
            "--quiet",
        ]
        #expect(nn(common + ["--epochs", "3", "--save", folder + "/straight.safetensors"]).status == 0)
        #expect(nn(common + ["--epochs", "2", "--checkpoint", folder + "/c.safetensors"]).status == 0)
        #expect(nn(common + ["--epochs", "3", "--resume", folder + "/c.safetensors", "--save", folder + "/resumed.safetensors"]).status == 0)
        let straight = FileManager.default.contents(atPath: folder + "/straight.safetensors")
        #expect(straight != nil && straight == FileManager.default.contents(atPath: folder + "/resumed.safetensors"))
    }

    /// The windows: the boundary, each character, the boundary again; a long line continues in
    /// the next window; padded steps are not scored.
    @Test func windowsPredictEveryCharacterOnce() throws {
        let data = CharacterCorpus.windows(of: [[1, 2, 3], [4, 5, 6, 7, 8, 9]], context: 4)
        #expect(data.features.shape == [3, 4] && data.targets.shape == [3, 4])
        #expect(data.features.scalars == [0, 1, 2, 3, 0, 4, 5, 6, 7, 8, 9, 0])
        #expect(data.targets.scalars == [1, 2, 3, 0, 4, 5, 6, 7, 8, 9, 0, -1])
        let vocabulary = CharacterVocabulary(of: "banana")
        #expect(vocabulary.characters == ["a", "b", "n"] && vocabulary.count == 4)
        #expect(try vocabulary.encode("nab") == [3, 1, 2])
        #expect(throws: DatasetError.unknownCharacters(["c", "é"])) { try vocabulary.encode("cabé") }
    }

    /// Bad files and arguments: one line each, exit status 1 (data) or 2 (usage).
    @Test func badInputIsOneLine() throws {
        let (folder, path) = try wordsFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors"
        #expect(
            nn(
                "train", "--format", "text", "--data", path, "--context", "6", "--layers", "embedding 4, lstm 8, dense 16", "--epochs", "1", "--save",
                model, "--quiet"
            )
            .status == 0)
        let blank = folder + "/blank.txt", empty = folder + "/empty.txt", binary = folder + "/binary.txt", one = folder + "/one.txt"
        try "\n\n\r\n\n".write(toFile: blank, atomically: true, encoding: .utf8)
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        try Data([0x61, 0x0A, 0x62, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: binary))
        try "lonely\n".write(toFile: one, atomically: true, encoding: .utf8)
        let csv = folder + "/ids.csv"
        try "a,b,c,d,e,f,label\n1,2,3,4,5,99,0\n1,2,3,4,5,6,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let text = ["train", "--format", "text", "--quiet", "--data"]
        let cases: [([String], Int32, String)] = [
            (text + [blank], 1, "no line has a character in it"),
            (text + [empty], 1, "the file is empty"),
            (text + [binary], 1, "line 2: not UTF-8 text"),
            (text + [one], 1, "leaves no line for validation"),
            (text + [path, "--layers", "embedding 4, lstm 8, dense 5"], 2, "next-character prediction needs 16 steps of 16 logits"),
            (text + [path, "--layers", "lstm 8, dense 16"], 2, "lstm needs sequences [time, features]"),
            (text + [path, "--layers", "embedding 4, lstm 8 first, dense 16"], 2, "expected 'lstm UNITS [last]'"),
            (text + [path, "--layers", "embedding 4, lstm 8 last, dense 16"], 2, "next-character prediction needs"),
            (text + [path, "--context", "0"], 2, "--context"),
            (text + [path, "--layers", "embedding 4, lstm 9223372036854775807, dense 16"], 2, "more than a model file takes"),
            (text + [path, "--test-fraction", "0.2"], 2, "--test-fraction does not apply to --format text"),
            (["train", "--data", csv, "--context", "4"], 2, "--context N is the window of --format text"),
            (["train", "--data", csv, "--layers", "embedding 4, dense 2", "--quiet"], 2, "embedding reads token ids"),
            (["generate", "--model", model, "--prefix", "KA"], 2, "the characters 'K' (U+4B), 'A' (U+41) are not in the vocabulary"),
            (["generate", "--model", model, "--prefix", "kalokalo"], 2, "at most 6 steps"),
            (["generate", "--model", model, "--temperature", "0"], 2, "--temperature"),
            (["generate", "--model", model, "--count", "-3"], 2, "--count"),
            (["generate"], 2, "--model FILE is required"),
            (["generate", "--model", csv], 1, csv),
            (["evaluate", "--model", model, "--data", path, "--format", "text"], 2, "--format text is a language-modelling task"),
        ]
        for (arguments, status, message) in cases {
            let run = nn(arguments)
            #expect(run.status == status, "\(arguments): \(run.output.errors)")
            #expect(run.output.errors.count == 1 && run.output.errors.first?.contains(message) == true, "\(arguments): \(run.output.errors)")
        }
        // A model that is not a character model, and ids out of range through nn predict.
        let plain = folder + "/plain.safetensors"
        #expect(
            nn("train", "--data", csv, "--layers", "6,1", "--loss", "mse", "--epochs", "1", "--test-fraction", "0", "--save", plain, "--quiet").status
                == 0)
        let notText = nn("generate", "--model", plain)
        #expect(
            notText.status == 1
                && notText.output.errors == ["nn: nn generate: \(plain) is not a character model (train one with nn train --format text)"])
        let outOfRange = nn("predict", "--model", model, "0,1,2,3,4,99")
        #expect(
            outOfRange.status == 1
                && outOfRange.output.errors.first?.contains("input value 99.0 at position 5 is not a whole number in 0..<16") == true,
            "\(outOfRange.output.errors)")
    }

    /// `forward_pass.py` (numpy, from the file alone) gives `nn predict`'s outputs for a model of
    /// every sequence layer: embedding, LSTM, GRU, simple RNN (last step only), layer norm and
    /// a dense layer at every step.
    @Test(
        .enabled(
            if: PythonReadsModelFilesTests.python != nil,
            "no .build/python-venv whose python imports numpy and safetensors (bash .ci/python-venv.sh makes it)"))
    func numpyReproducesTheSequenceLayers() throws {
        let (folder, path) = try wordsFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var results: [String] = []
        for (index, layers) in ["embedding 4, lstm 8, gru 6, layernorm, dense 16", "embedding 5, rnn 7, lstm 6 last, dense 16"].enumerated() {
            let model = folder + "/model\(index).safetensors"
            let training = nn(
                "train", "--format", "text", "--data", path, "--context", "6", "--layers", layers, "--optimizer", "adam", "--epochs", "1",
                "--save", model, "--quiet")
            // The second ends with one vector per sequence: not a character model, refused as one.
            if index == 1 {
                #expect(training.status == 2 && training.output.errors.first?.contains("needs 6 steps of 16 logits") == true)
                var generator = SeededRandomGenerator(seed: 9)
                let direct = Sequential<Float>(
                    Embedding(vocabulary: 16, dimension: 5, generator: &generator), SimpleRNN(inputSize: 5, hiddenSize: 7, generator: &generator),
                    LSTM(inputSize: 7, hiddenSize: 6, returnSequences: false, generator: &generator),
                    Dense<Float, Identity>(inputSize: 6, outputSize: 16, activation: Identity(), generator: &generator))
                try ModelFile.save(direct, to: model)
            } else {
                #expect(training.status == 0, "\(training.output.errors)")
            }
            var generator = SeededRandomGenerator(seed: 11)
            let rows = (0..<20).map { _ in (0..<6).map { _ in Double(generator.nextIndex(below: 16)) } }
            try Data(rows.map { $0.map { "\(Int($0))" }.joined(separator: ",") }.joined(separator: "\n").utf8)
                .write(to: URL(fileURLWithPath: folder + "/rows.csv"))
            let swift = try #require(try json(nn("predict", "--model", model, folder + "/rows.csv", "--json"))["outputs"] as? [[Double]])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: PythonReadsModelFilesTests.python!)
            process.arguments = [PythonVenv.root.appendingPathComponent("Tests/Python/forward_pass.py").path, model, "\(rows)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let python = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["outputs"] as? [[Double]])
            #expect(python.count == 20 && swift.count == 20 && python.first?.count == swift.first?.count)
            let worst = zip(python.flatMap { $0 }, swift.flatMap { $0 }).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(layers): largest difference \(worst)")
            results.append("\(layers): \(worst)")
        }
        print("forward_pass.py: sequence models, largest relative difference from nn predict: \(results.joined(separator: "; "))")
    }
}
