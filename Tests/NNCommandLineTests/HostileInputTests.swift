import Foundation
import NN
import Testing

@testable import NNCommandLine

/// Each input that used to end `nn` with a trap (issue 15), and the silent fallbacks that hid
/// bad input: every one is now a one-line error with exit status 1 (bad data) or 2 (bad
/// usage), or works, as written here.
@Suite struct HostileInputTests {
    /// A fresh folder, removed by the caller.
    func folder() throws -> String { try makeTemporaryFolder("nn-hostile") }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A CSV of `rows` samples, two features and the label column last, labels `label(row)`.
    func csv(rows: Int, in folder: String, name: String = "d.csv", label: (Int) -> String = { "\($0 % 2)" }) throws -> String {
        var generator = SeededRandomGenerator(seed: 3)
        let lines = ["a,b,label"] + (0..<rows).map { "\(generator.nextUniform()),\(generator.nextUniform()),\(label($0))" }
        let path = folder + "/" + name
        try write(lines.joined(separator: "\n") + "\n", to: path)
        return path
    }

    /// Expects one line on standard error, starting with `message`, and the exit status.
    func expectError(_ arguments: [String], status: Int32, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = nn(arguments)
        #expect(result.status == status, "\(arguments): status \(result.status), \(result.output.errors)", sourceLocation: sourceLocation)
        #expect(
            result.output.errors.count == 1 && (result.output.errors.first ?? "").hasPrefix(message),
            "\(arguments): \(result.output.errors)", sourceLocation: sourceLocation)
    }

    // 1. A last shuffled batch of one sample through batch normalisation.
    @Test func batchNormTrainsThroughALastBatchOfOne() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 41, in: root)   // 33 training samples: batches of 32 and 1
        let result = nn("train", "--data", data, "--layers", "dense 16, batchnorm, dense 2", "--loss", "cross-entropy", "--epochs", "2", "--json")
        #expect(result.status == 0, "\(result.output.errors)")
    }

    // 2. A checkpoint resumed under another optimiser, and tampered checkpoints.
    @Test func checkpointsOfAnotherOptimizerOrTamperedAreRefused() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 40, in: root), checkpoint = root + "/run.ckpt"
        let common = ["train", "--data", data, "--layers", "2,4,2", "--quiet"]
        #expect(nn(common + ["--epochs", "2", "--optimizer", "adam", "--checkpoint", checkpoint]).status == 0)
        expectError(
            common + ["--epochs", "3", "--optimizer", "sgd", "--resume", checkpoint], status: 1,
            "nn: \(checkpoint): cannot resume from this checkpoint: it holds the state of optimiser 'adam', this run uses 'gradient-step'")

        let (tensors, metadata) = try Safetensors.read(checkpoint)
        func tampered(_ change: (inout [String: StoredTensor], inout [String: String]) -> Void) throws -> String {
            var (t, m) = (tensors, metadata)
            change(&t, &m)
            let path = root + "/tampered-\(UUID().uuidString).ckpt"
            try Safetensors.write(tensors: t, metadata: m, to: path)
            return path
        }
        let adam = common + ["--optimizer", "adam", "--epochs", "3", "--resume"]
        let short = try tampered { t, _ in t["optimizer/layers.0.weight"] = StoredTensor(float64: [0, 0, 0], shape: [3]) }
        expectError(
            adam + [short], status: 1,
            "nn: \(short): cannot resume from this checkpoint: the state of 'layers.0.weight' holds 3 numbers; adam keeps 2 per element of its 8")
        #expect(
            metadata["optimizer_steps"]
                == "{\"step_count\":2,\"steps\":{\"layers.0.bias\":2,\"layers.0.weight\":2,\"layers.1.bias\":2,\"layers.1.weight\":2}}")
        let stranger = try tampered { t, m in
            t["optimizer/layers.9.weight"] = StoredTensor(float64: [0, 0], shape: [2])
            m["optimizer_steps"] = m["optimizer_steps"]!.replacingOccurrences(of: "\"steps\":{", with: "\"steps\":{\"layers.9.weight\":1,")
        }
        expectError(
            adam + [stranger], status: 1,
            "nn: \(stranger): cannot resume from this checkpoint: there is state for 'layers.9.weight', which is not a trainable parameter")
        let negative = try tampered { _, m in
            m["optimizer_steps"] = m["optimizer_steps"]!.replacingOccurrences(of: "\"step_count\":2", with: "\"step_count\":-4")
        }
        expectError(adam + [negative], status: 1, "nn: \(negative): cannot resume from this checkpoint: the step count -4 is not in 0...")
        let huge = try tampered { _, m in
            m["optimizer_steps"] = m["optimizer_steps"]!.replacingOccurrences(
                of: "\"layers.0.bias\":2", with: "\"layers.0.bias\":9223372036854775807")
        }
        expectError(
            adam + [huge], status: 1, "nn: \(huge): cannot resume from this checkpoint: 'layers.0.bias' has the step count 9223372036854775807")
        let notHex = try tampered { _, m in m["generator"] = "[\"1\",\"2\",\"3\",\"xyz\"]" }
        expectError(adam + [notHex], status: 1, "nn: \(notHex): invalid safetensors header: the generator state holds 'xyz'")
        let nan = try tampered { t, _ in t["optimizer/layers.1.bias"] = StoredTensor(float64: [.nan, 0, 0, 0], shape: [4]) }
        expectError(adam + [nan], status: 1, "nn: \(nan): cannot resume from this checkpoint: the state of 'layers.1.bias' holds nan")
    }

    // 3. Empty and header-only CSV inputs to predict.
    @Test func predictWithoutRowsIsAnError() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 40, in: root), model = root + "/m.safetensors"
        #expect(nn("train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--save", model, "--quiet").status == 0)
        try write("", to: root + "/empty.csv")
        try write("a,b\n", to: root + "/header.csv")
        expectError(
            ["predict", "--model", model, root + "/empty.csv", "--json"], status: 1,
            "nn: nn predict: \(root)/empty.csv: no rows of numbers (the file is empty or holds a header only)")
        expectError(
            ["predict", "--model", model, root + "/header.csv", "--json"], status: 1,
            "nn: nn predict: \(root)/header.csv: no rows of numbers")
        // A first line with a number in it is data, so its other cells must be numbers too.
        try write("1,x\n2,3\n", to: root + "/mixed.csv")
        expectError(
            ["predict", "--model", model, root + "/mixed.csv"], status: 1,
            "nn: nn predict: \(root)/mixed.csv: line 1, column 2: 'x' is not a finite number")
        try write("a,b\n1,2\n\n3,nan\n", to: root + "/nan.csv")
        expectError(
            ["predict", "--model", model, root + "/nan.csv"], status: 1,
            "nn: nn predict: \(root)/nan.csv: line 4, column 2: 'nan' is not a finite number")
        try write("a,b\n0.5,0.5\n1,2\n", to: root + "/rows.csv")
        let headerAndRows = try json(nn("predict", "--model", model, root + "/rows.csv", "0.5,0.5", "--json"))
        #expect((headerAndRows["outputs"] as? [[Double]])?.count == 3)
    }

    // 4. Sizes in --layers and in model files, bounded before arithmetic or allocation.
    @Test func absurdLayerSizesAreOneLineErrors() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 40, in: root)
        let images = root + "/images"
        try writeTwoClassImages(in: images, count: 4)
        let cases: [(String, String, String)] = [
            (
                data, "dense 4611686018427387904, dense 2",
                "nn: nn train: --layers item 1: its 2×4611686018427387904 weights are more than one tensor may hold (2147483647)"
            ),
            (
                data, "dense 40000, dense 40000, dense 2",
                "nn: nn train: --layers item 2: training the network up to it (1600160000 parameters, batches of 32) needs about 38.4 GB"
            ),
            (
                images, "conv 8 3037000500x3037000500, flatten, dense 2",
                "nn: nn train: --layers item 1: does not fit samples shaped [4, 4, 1]: Conv2D: the window, 3037000500, is more than 2147483647"
            ),
            (
                images, "conv 2 3x3 pad 4611686018427387904, flatten, dense 2",
                "nn: nn train: --layers item 1: does not fit samples shaped [4, 4, 1]: Conv2D: the padding, 4611686018427387904, is more than 2147483647"
            ),
            (
                images, "conv 2 3x3 pad 5000, flatten, dense 2",
                "nn: nn train: --layers item 1's im2col rows needs a tensor of 6 × 900360036 values for a batch"
            ),
            (
                images, "pool 2 stride 9223372036854775807, flatten, dense 2",
                "nn: nn train: --layers item 1: does not fit samples shaped [4, 4, 1]: MaxPool2D: the stride, 9223372036854775807, is more than 2147483647"
            ),
            (
                images, "pool 9007199254740992 same, flatten, dense 2",
                "nn: nn train: --layers item 1: does not fit samples shaped [4, 4, 1]: MaxPool2D: the window, 9007199254740992, is more than 2147483647"
            ),
            (
                images, "pool 2 pad 4611686018427387904, flatten, dense 2",
                "nn: nn train: --layers item 1 'pool 2 pad 4611686018427387904': pad 4611686018427387904 must be smaller than the pool size 2"
            ),
            (
                images, "reshape 4294967296x4294967296, dense 2",
                "nn: nn train: --layers item 1 'reshape 4294967296x4294967296': a sample of 4294967296×4294967296 would hold more than 2147483647 values"
            ),
        ]
        for (path, layers, message) in cases {
            expectError(["train", "--data", path, "--layers", layers, "--quiet"], status: 2, message)
        }
        expectError(
            ["train", "--data", data, "--layers", "2,100000,100000,2", "--quiet"], status: 2,
            "nn: nn train: --layers: a 100000×100000 weight matrix is more than one tensor may hold (2147483647)")
        expectError(
            ["train", "--data", data, "--layers", "2,40000,40000,2", "--quiet"], status: 2,
            "nn: nn train: --layers 2,40000,40000,2: training its 1600240002 parameters in batches of 32 needs about 38.4 GB")
    }

    /// The memory check counts a convolution's im2col rows before its weights are made.
    @Test func theMemoryBudgetCountsImageRows() throws {
        let list = try LayerList("conv 2 3x3 pad 100, flatten, dense 2")
        let small = MemoryBudget(bytes: 50e6)
        #expect {
            try list.build(inputCount: 16, imageShape: [4, 4], outputs: 2, activation: "relu", seed: 1, batch: 32, budget: small)
        } throws: {
            "\($0)".hasPrefix("--layers item 1: training the network up to it (20 parameters, batches of 32) needs about 94 MB, more than the 50 MB")
        }
        #expect(throws: Never.self) {
            try list.build(inputCount: 16, imageShape: [4, 4], outputs: 2, activation: "relu", seed: 1, batch: 1, budget: small)
        }
    }

    @Test func forgedModelArchitecturesAreRefusedBeforeAllocating() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func forged(_ architecture: String) throws -> String {
            let path = root + "/forged-\(UUID().uuidString).safetensors"
            try Safetensors.write(tensors: [:], metadata: ["format": ModelFile.format, "dtype": "float32", "architecture": architecture], to: path)
            return path
        }
        func conv(_ size: Int, padding: String = "\"valid\"") -> String {
            "{\"type\":\"Conv2D\",\"configuration\":{\"channels\":\(size),\"filters\":\(size),\"kernel_height\":\(size),\"kernel_width\":\(size),\"stride\":1,\"padding\":\(padding),\"activation\":{\"type\":\"relu\",\"configuration\":{}}}}"
        }
        let cases = [
            (conv(65536), "the architecture declares too many parameters"),
            (conv(4096), "the architecture declares 281474976714752 parameters, the file holds 0 values"),
            (
                "{\"type\":\"Dense\",\"configuration\":{\"input_size\":4611686018427387904,\"output_size\":4,\"activation\":{\"type\":\"relu\",\"configuration\":{}}}}",
                "the architecture declares too many parameters"
            ),
            (
                "{\"type\":\"Dense\",\"configuration\":{\"input_size\":30000,\"output_size\":30000,\"activation\":{\"type\":\"relu\",\"configuration\":{}}}}",
                "the architecture declares 900030000 parameters, the file holds 0 values"
            ),
            (
                "{\"type\":\"MaxPool2D\",\"configuration\":{\"size\":9007199254740992,\"stride\":1,\"padding\":\"same\"}}",
                "MaxPool2D size 9007199254740992 and stride 1 must be in 1...2147483647"
            ),
            (
                "{\"type\":\"AvgPool2D\",\"configuration\":{\"size\":2,\"stride\":2,\"padding\":3}}",
                "AvgPool2D padding 3 is not smaller than its window 2"
            ),
            (
                "{\"type\":\"Reshape\",\"configuration\":{\"shape\":[4294967296,4294967296]}}",
                "Reshape shape [4294967296, 4294967296] needs positive dimensions holding at most"
            ),
        ]
        for (architecture, fragment) in cases {
            let path = try forged(architecture)
            for command in [["predict", "--model", path, "1,2"], ["inspect", path]] {
                let result = nn(command)
                #expect(
                    result.status == 1 && result.output.errors.count == 1 && result.output.errors[0].contains(fragment),
                    "\(command): \(result.output.errors)")
            }
        }
    }

    // 5. Numbers that are not finite on their way to --json, and a CSV cell beyond Float.
    @Test func nonFiniteNumbersAreErrorsOrNulls() throws {
        expectError(
            ["demo", "beans", "--epochs", "1", "--lr", "1e300", "--json"], status: 1,
            "nn: nn demo beans: the loss became inf after epoch 1; try a smaller --lr")
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 40, in: root), model = root + "/m.safetensors"
        #expect(nn("train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--save", model, "--quiet").status == 0)
        for (input, cell) in [("nan,1", "nan"), ("inf,1", "inf"), ("1e39,1", "1e39")] {
            expectError(
                ["predict", "--model", model, input, "--json"], status: 2, "nn: nn predict: '\(input)': value 1, '\(cell)', is not a finite number")
        }
        let big = try csv(rows: 40, in: root, name: "big.csv") { $0 == 7 ? "1e39" : "\($0 % 2)" }
        expectError(
            ["train", "--data", big, "--quiet"], status: 1, "nn: \(big): line 9, column 3 (the label): '1e39' is not a finite number in Float's range"
        )
        try write("a,b,label\n1e39,1,0\n2,3,1\n", to: root + "/feature.csv")
        expectError(
            ["train", "--data", root + "/feature.csv", "--quiet"], status: 1,
            "nn: \(root)/feature.csv: line 2, column 1: '1e39' is not a finite number in Float's range")
        // A report whose numbers overflowed is still one line of valid JSON, with nulls.
        struct Report: Encodable {
            var loss: Double
            var values: [Double]
        }
        #expect(try jsonLine(Report(loss: .infinity, values: [1, .nan, -.infinity])) == "{\"loss\":null,\"values\":[1,null,null]}")
    }

    // 6. Labels that are NaN, infinite, huge, fractional or negative.
    @Test func labelsThatAreNotClassIndicesAreNamed() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fractional = try csv(rows: 40, in: root, name: "fractional.csv") { $0 == 3 ? "0.5" : "\($0 % 2)" }
        expectError(
            ["train", "--data", fractional, "--loss", "cross-entropy", "--quiet"], status: 1,
            "nn: \(fractional): sample 4: target 0.5 is not a class index (a whole number in 0..<1048576); a classifier needs class labels (give --loss mse"
        )
        let huge = try csv(rows: 40, in: root, name: "huge.csv") { $0 == 5 ? "1e30" : "\($0 % 2)" }
        expectError(
            ["train", "--data", huge, "--train-per-class", "3", "--quiet"], status: 1,
            "nn: \(huge): --train-per-class: sample 6: target 1.0000000150474662e+30 is not a class index")
        let negative = try csv(rows: 40, in: root, name: "negative.csv") { $0 == 2 ? "-1" : "\($0 % 2)" }
        // Not all class indices: regression, unless cross-entropy is asked for.
        #expect(nn("train", "--data", negative, "--layers", "2,4,1", "--epochs", "1", "--quiet").status == 0)
        expectError(
            ["train", "--data", negative, "--loss", "cross-entropy", "--quiet"], status: 1,
            "nn: \(negative): sample 3: target -1.0 is not a class index")

        // nn evaluate scores a classifier on data whose labels must be its classes.
        let data = try csv(rows: 40, in: root), model = root + "/m.safetensors"
        #expect(nn("train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--save", model, "--quiet").status == 0)
        expectError(
            ["evaluate", "--model", model, "--data", negative, "--part", "all"], status: 1,
            "nn: \(negative): sample 3: target -1.0 is not a class index")
        let beyond = try csv(rows: 40, in: root, name: "beyond.csv") { $0 == 4 ? "7" : "\($0 % 2)" }
        expectError(
            ["evaluate", "--model", model, "--data", beyond, "--part", "all"], status: 1,
            "nn: nn evaluate: \(beyond) has labels up to 7, but the model scores 2 classes")

        // IDX labels: a float label file with a NaN, a signed-byte one with −1.
        let images = root + "/images.idx"
        try Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2] + [UInt8](repeating: 7, count: 8)).write(to: URL(fileURLWithPath: images))
        let nanLabels = root + "/nan-labels.idx"
        try Data([0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0x7F, 0xC0, 0, 0]).write(to: URL(fileURLWithPath: nanLabels))
        expectError(
            ["train", "--data", images, "--labels", nanLabels, "--quiet"], status: 1,
            "nn: \(nanLabels): element 2 (byte 12): nan is not a finite number")
        let negativeLabels = root + "/negative-labels.idx"
        try Data([0, 0, 0x09, 1, 0, 0, 0, 2, 1, 0xFF]).write(to: URL(fileURLWithPath: negativeLabels))
        expectError(
            ["train", "--data", images, "--labels", negativeLabels, "--quiet"], status: 1,
            "nn: \(negativeLabels): label 2: -1.0 is not a class index (a whole number in 0..<1048576)")
        let fashion = root + "/fashion"
        try FileManager.default.createDirectory(atPath: fashion, withIntermediateDirectories: true)
        for (name, labels) in [("train", negativeLabels), ("t10k", negativeLabels)] {
            try FileManager.default.copyItem(atPath: images, toPath: "\(fashion)/\(name)-images-idx3-ubyte")
            try FileManager.default.copyItem(atPath: labels, toPath: "\(fashion)/\(name)-labels-idx1-ubyte")
        }
        expectError(["inspect", fashion], status: 1, "nn: \(fashion)/train-labels-idx1-ubyte: label 2: -1.0 is not a class index")
    }

    // Silent fallbacks, now errors or said.
    @Test func brokenModelMetadataIsAnError() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 40, in: root), model = root + "/m.safetensors"
        #expect(nn("train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--save", model, "--quiet").status == 0)
        let (tensors, metadata) = try Safetensors.read(model)
        for (key, value, message) in [
            ("input_scale", "one half", "input_scale 'one half' is not a positive number"),
            ("class_names", "[1, 2]", "class_names is not a JSON array of strings"),
        ] {
            var changed = metadata
            changed[key] = value
            let path = root + "/\(key).safetensors"
            try Safetensors.write(tensors: tensors, metadata: changed, to: path)
            expectError(["predict", "--model", path, "1,2"], status: 1, "nn: nn predict: \(path): \(message)")
        }
        // An undecodable layer inside the architecture: inspect fails as predict does.
        var nested = metadata
        nested["architecture"] = metadata["architecture"]!.replacingOccurrences(of: "\"type\":\"Dense\"", with: "\"type\":\"Sparkle\"")
        try Safetensors.write(tensors: tensors, metadata: nested, to: root + "/nested.safetensors")
        expectError(["inspect", root + "/nested.safetensors"], status: 1, "nn: \(root)/nested.safetensors: unknown layer type 'Sparkle'")
        // A safetensors file without an architecture is listed, as not swift-nn's.
        try Safetensors.write(tensors: ["w": StoredTensor(Tensor<Float>(zeros: [2, 3]))], metadata: [:], to: root + "/plain.safetensors")
        let plain = nn("inspect", root + "/plain.safetensors")
        #expect(
            plain.status == 0 && plain.output.lines.contains("  no architecture (not a swift-nn model: no architecture in its metadata); tensors:"))
        #expect(plain.output.lines.contains("    w F32 [2, 3]"))
        // A checkpoint without an extension is recognised by its content.
        let checkpoint = root + "/run.ckpt"
        #expect(nn("train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--checkpoint", checkpoint, "--quiet").status == 0)
        let inspected = nn("inspect", checkpoint)
        #expect(inspected.status == 0 && inspected.output.lines.first?.hasPrefix("\(checkpoint): swift-nn-checkpoint/1, float32") == true)
        #expect(inspected.output.lines.contains("  optimizer: gradient-step"))
    }

    @Test func wholeNumberLabelsMeanClassesAndSaySo() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try csv(rows: 40, in: root)
        let classifier = nn("train", "--data", data, "--layers", "2,3,2", "--epochs", "1", "--json")
        #expect(classifier.status == 0)
        #expect(
            classifier.output.errors.first
                == "nn train: \(data): the labels are whole numbers 0…1: training a classifier of 2 classes (give --loss mse to fit them as values)")
        #expect(try json((classifier.status, CapturedOutput(lines: classifier.output.lines)))["test_accuracy"] != nil)
        // Labels that are not whole numbers are values to fit; the message says so and how to change it.
        let values = try csv(rows: 30, in: root, name: "values.csv") { "\(Double($0) * 0.25)" }
        expectError(
            ["train", "--data", values, "--layers", "2,3,2"], status: 2,
            "nn: nn train: --layers ends with 2 outputs, but the labels are fitted as values (--loss mse), so the network needs 1 output (whole-number labels 0, 1, … would be classes; or give --loss cross-entropy)"
        )
        let regression = nn("train", "--data", data, "--layers", "2,3,1", "--loss", "mse", "--epochs", "1", "--json")
        #expect(regression.status == 0 && regression.output.errors.isEmpty)
        #expect(try json(regression)["test_accuracy"] == nil)
    }

    /// What a review of the change found (issue 15): each one trapped before its fix.
    @Test func inputsAReviewFound() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func bytes(_ name: String, _ values: [UInt8]) throws -> String {
            let path = root + "/" + name
            try Data(values).write(to: URL(fileURLWithPath: path))
            return path
        }
        let labels = try bytes("labels.idx", [0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 0, 1])
        // Images of height 0: samples without features.
        let flat = try bytes("flat.idx", [0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 28])
        expectError(["train", "--data", flat, "--labels", labels, "--quiet"], status: 1, "nn: \(flat): its samples have no features (shape [0, 28])")
        // No samples, and other dimensions whose product overflows.
        let huge = try bytes("huge.idx", [0, 0, 8, 3, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        let empty = try bytes("empty.idx", [0, 0, 8, 1, 0, 0, 0, 0])
        expectError(
            ["train", "--data", huge, "--labels", empty, "--loss", "mse", "--quiet"], status: 1,
            "nn: \(huge): declares shape 0×4294967295…, more than the limit of 4 GiB")

        // A dropout counter forged in a checkpoint.
        let data = try csv(rows: 40, in: root), checkpoint = root + "/dropout.ckpt"
        let common = ["train", "--data", data, "--layers", "dense 8, dropout 0.5, dense 2", "--quiet"]
        #expect(nn(common + ["--epochs", "1", "--checkpoint", checkpoint]).status == 0)
        var (tensors, metadata) = try Safetensors.read(checkpoint)
        tensors["layers.1.draws"] = StoredTensor(Tensor<Float>([.nan, 0]))
        try Safetensors.write(tensors: tensors, metadata: metadata, to: checkpoint)
        expectError(
            common + ["--epochs", "2", "--resume", checkpoint], status: 1,
            "nn: \(checkpoint): the architecture and the tensors disagree: Dropout: draws[0] is nan, not a whole number in 0..<16777216")

        // A restored history of losses near the smallest subnormal, plotted.
        #expect(nn(["train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--checkpoint", checkpoint, "--quiet"]).status == 0)
        (tensors, metadata) = try Safetensors.read(checkpoint)
        metadata["history"] = "{\"epochs\":[{\"epoch\":1,\"loss\":5e-324,\"metrics\":{},\"seconds\":0}]}"
        try Safetensors.write(tensors: tensors, metadata: metadata, to: checkpoint)
        let plotted = nn(
            "train", "--data", data, "--layers", "2,4,2", "--epochs", "1", "--resume", checkpoint, "--plot", root + "/tiny.svg", "--quiet")
        #expect(plotted.status == 0, "\(plotted.output.errors)")

        // A nested Sequential whose convolution pads by 23,000: two parameters, terabytes of rows.
        let architecture = """
            {"type":"Sequential","configuration":{"layers":[{"type":"Reshape","configuration":{"shape":[2,1,1]}},\
            {"type":"Sequential","configuration":{"layers":[{"type":"Conv2D","configuration":{"channels":1,"filters":1,"kernel_height":1,\
            "kernel_width":1,"stride":1,"padding":23000,"activation":{"type":"identity","configuration":{}}}},\
            {"type":"MaxPool2D","configuration":{"size":46001,"stride":46001,"padding":"valid"}}]}}]}}
            """
        let forged = root + "/nested.safetensors"
        try Safetensors.write(
            tensors: [
                "layers.1.layers.0.weight": StoredTensor(Tensor<Float>(shape: [1, 1], scalars: [1])),
                "layers.1.layers.0.bias": StoredTensor(Tensor<Float>([0])),
            ],
            metadata: ["format": ModelFile.format, "dtype": "float32", "architecture": architecture], to: forged)
        let result = nn("predict", "--model", forged, "0.5,1")
        #expect(result.status == 1 && result.output.errors.first?.contains("needs about") == true, "\(result.output.errors)")
    }
}
