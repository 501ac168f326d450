import Dispatch
import Foundation
import NN
import Testing

/// A crash hunt of our own: a seeded generator of plausible-but-hostile `nn` invocations
/// (random layer lists with extreme numbers, batch sizes, learning rates and splits; labels
/// that are negative, fractional, huge or NaN; empty and header-only files; model and
/// checkpoint files with forged headers), run against the release binary. None may end by a
/// signal or run past the time bound, and every failure must be one line on standard error
/// with exit status 1 (bad data) or 2 (bad usage).
///
/// `NN_CRASH_HUNT_COUNT` (default 1000) and `NN_CRASH_HUNT_SEED` (default 1) choose how many
/// invocations and which; `NN_CRASH_HUNT_LOG=FILE` writes each one's exit status, time,
/// arguments and first line of standard error. The release binary is built by
/// `swift build -c release` (as `.ci/run` does first).
@Suite struct CrashHuntTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/release/nn").path
    static let binaryExists = FileManager.default.isExecutableFile(atPath: binary)

    /// Seconds one invocation may take; the slowest legitimate ones (a demo's lessons) take a few.
    static let timeLimit = 30.0

    @Test(
        .enabled(if: binaryExists, "no release binary at .build/release/nn (swift build -c release builds it; .ci/run does)"),
        .timeLimit(.minutes(5)))
    func hostileInvocationsNeverCrash() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["NN_CRASH_HUNT_COUNT"].flatMap(Int.init) ?? 1000
        let seed = environment["NN_CRASH_HUNT_SEED"].flatMap(UInt64.init) ?? 1
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-crash-hunt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try HuntFiles(folder: folder, binary: Self.binary)
        var generator = SeededRandomGenerator(seed: seed)
        let invocations = (0..<count).map { index in files.invocation(index, &generator) }

        let outcomes = HuntOutcomes(count: count)
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for index in stride(from: worker, to: count, by: 2) {
                outcomes.set(index, run(invocations[index], in: folder + "/run-\(index)"))
            }
        }
        let results = outcomes.values
        var problems: [String] = [], log: [String] = []
        for (arguments, outcome) in zip(invocations, results) {
            let command = "nn " + arguments.map { "'\($0)'" }.joined(separator: " ")
            if let problem = outcome.problem { problems.append("\(command): \(problem)") }
            log.append("\(outcome.status)\t\(String(format: "%.2f", outcome.seconds))\t\(command)\t\(outcome.firstError)")
        }
        if let path = environment["NN_CRASH_HUNT_LOG"] { try Data((log.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path)) }
        let statuses = Dictionary(grouping: results, by: \.status).mapValues(\.count)
        let slowest = results.map(\.seconds).max() ?? 0
        print(
            "crash hunt: \(count) invocations (seed \(seed)), \(count - problems.count) clean; exit statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")); slowest \(String(format: "%.2f", slowest)) s, \(String(format: "%.0f", Date().timeIntervalSince(start))) s in all, binary \(Self.binary)"
        )
        #expect(problems.isEmpty, "\(problems.count) of \(count) invocations misbehaved:\n\(problems.prefix(20).joined(separator: "\n"))")
        // The hunt must reach past argument checking: some runs succeed, some fail on data.
        #expect(statuses[0, default: 0] > count / 10 && statuses[1, default: 0] > count / 20 && statuses[2, default: 0] > count / 20)
    }

    /// How one invocation ended.
    struct Outcome: Sendable {
        var status: Int32 = -1
        var seconds = 0.0
        var firstError = ""
        var problem: String?
    }

    /// Runs the binary with `arguments` in a folder of its own, with the time limit.
    func run(_ arguments: [String], in folder: String) -> Outcome {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let (outPath, errorPath) = (folder + "/stdout", folder + "/stderr")
        var outcome = Outcome()
        guard FileManager.default.createFile(atPath: outPath, contents: nil), FileManager.default.createFile(atPath: errorPath, contents: nil),
            let out = FileHandle(forWritingAtPath: outPath), let error = FileHandle(forWritingAtPath: errorPath)
        else {
            outcome.problem = "cannot create its output files"
            return outcome
        }
        process.standardOutput = out
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let start = Date()
        do { try process.run() } catch {
            outcome.problem = "did not start: \(error)"
            return outcome
        }
        if finished.wait(timeout: .now() + Self.timeLimit) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            outcome.problem = "still running after \(Self.timeLimit) s"
            return outcome
        }
        try? out.close()
        try? error.close()
        outcome.seconds = Date().timeIntervalSince(start)
        outcome.status = process.terminationStatus
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        let lines = errors.split(separator: "\n", omittingEmptySubsequences: false).dropLast(errors.hasSuffix("\n") ? 1 : 0)
        outcome.firstError = String(lines.first ?? "")
        if process.terminationReason == .uncaughtSignal {
            outcome.problem = "ended by signal \(process.terminationStatus): \(errors.prefix(300))"
        } else if ![0, 1, 2].contains(process.terminationStatus) {
            outcome.problem = "exit status \(process.terminationStatus): \(errors.prefix(300))"
        } else if process.terminationStatus != 0 {
            // Progress lines (`epoch 3/10 …`) and notes (`nn train: …`) may come first; the
            // error is the one line that starts `nn: `, and the last.
            let errorLines = lines.filter { $0.hasPrefix("nn: ") }
            if errorLines.count != 1 || !(lines.last ?? "").hasPrefix("nn: ") {
                outcome.problem =
                    "exit status \(process.terminationStatus) with \(errorLines.count) 'nn: …' lines on standard error, not one, last: \(errors.prefix(300))"
            }
            outcome.firstError = String(errorLines.first ?? "")
        }
        return outcome
    }
}

/// Outcomes written by the two workers, each index by one of them.
final class HuntOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [CrashHuntTests.Outcome]
    init(count: Int) { outcomes = Array(repeating: CrashHuntTests.Outcome(), count: count) }
    func set(_ index: Int, _ outcome: CrashHuntTests.Outcome) { lock.withLock { outcomes[index] = outcome } }
    var values: [CrashHuntTests.Outcome] { lock.withLock { outcomes } }
}

/// The files the hunt feeds to `nn`, good and hostile, and the generator of invocations.
struct HuntFiles {
    var dataFiles: [String] = []
    /// The data files that train: a hunt that only ever failed early would test little.
    var goodData: [String] = []
    var modelFiles: [String] = []
    var checkpoints: [String] = []
    var predictInputs: [String] = []
    var anyFiles: [String] = []
    /// Text files for `--format text`, the first a good one.
    var textFiles: [String] = []
    let folder: String

    init(folder: String, binary: String) throws {
        self.folder = folder
        func write(_ name: String, _ text: String) throws -> String {
            let path = folder + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = folder + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        var generator = SeededRandomGenerator(seed: 77)
        func rows(_ count: Int, label: (Int) -> String) -> String {
            "a,b,label\n"
                + (0..<count).map { "\(generator.nextUniform()),\(generator.nextUniform(in: -3.0, 3.0)),\(label($0))" }.joined(separator: "\n") + "\n"
        }
        let classes = try write("classes.csv", rows(41) { "\($0 % 3)" })
        dataFiles += [
            classes,
            try write("binary.csv", rows(40) { "\($0 % 2)" }),
            try write("words.csv", rows(30) { ["cat", "dog"][$0 % 2] }),
            try write("regression.csv", rows(30) { "\(Double($0) * 0.37 - 4)" }),
            try write("negative.csv", rows(30) { $0 % 2 == 0 ? "-1" : "1" }),
            try write("fractional.csv", rows(30) { $0 == 5 ? "0.5" : "\($0 % 2)" }),
            try write("huge-label.csv", rows(30) { $0 == 7 ? "1e30" : "\($0 % 2)" }),
            try write("beyond-float.csv", rows(30) { $0 == 3 ? "1e39" : "\($0 % 2)" }),
            try write("nan-label.csv", rows(30) { $0 == 3 ? "nan" : "\($0 % 2)" }),
            try write("nan-cell.csv", "a,b,label\n1,nan,0\n2,3,1\n"),
            try write("one-row.csv", "a,b,label\n1,2,1\n"),
            try write("one-class.csv", rows(20) { _ in "0" }),
            try write("header-only.csv", "a,b,label\n"),
            try write("empty.csv", ""),
            try write("blank-lines.csv", "a,b,label\n1,2,0\n\n3,4,1\n"),
            try write("ragged.csv", "a,b,label\n1,2,0\n3,1\n"),
            try write("one-column.csv", "label\n1\n0\n"),
            try writeBytes("not-utf8.csv", [0x61, 0x2C, 0x62, 0x0A, 0xFF, 0xFE, 0x2C, 0x31, 0x0A]),
        ]
        // Text: lines of words, blank lines only, a line of bytes that are not UTF-8, one line.
        textFiles = [
            try write(
                "lines.txt",
                (0..<60).map { ["ka", "lomi", "nesu", "rato", "vix", "quex"][$0 % 6] + ["", "a", "ne"][$0 % 3] }.joined(separator: "\n")),
            try write("blank.txt", "\n\r\n\n"), try writeBytes("latin1.txt", [0x61, 0x0A, 0xE9, 0x0A]), try write("one-line.txt", "alone\n"),
        ]
        dataFiles += textFiles
        // Images: a class folder of 4×4 BMPs, an empty folder, a folder of one class.
        let images = folder + "/images"
        try writeTwoClassImages(in: images, count: 5)
        try FileManager.default.createDirectory(atPath: folder + "/no-classes", withIntermediateDirectories: true)
        dataFiles += [images, folder + "/no-classes", folder + "/does-not-exist.csv"]
        goodData =
            [classes, images]
            + dataFiles.filter { ["binary.csv", "words.csv", "regression.csv", "negative.csv"].contains(($0 as NSString).lastPathComponent) }
        // IDX: images with good, NaN-float and negative labels, a forged dimension, a gzip bomb-ish stream.
        let idxImages = try writeBytes("images.idx", [0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 2] + (0..<16).map { UInt8($0 * 15) })
        let idxLabels = try writeBytes("labels.idx", [0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 0, 1])
        let nanLabels = try writeBytes(
            "nan-labels.idx", [0, 0, 0x0D, 1, 0, 0, 0, 4] + [0x3F, 0x80, 0, 0, 0x7F, 0xC0, 0, 0, 0, 0, 0, 0, 0x3F, 0x80, 0, 0])
        let negativeLabels = try writeBytes("negative-labels.idx", [0, 0, 0x09, 1, 0, 0, 0, 4, 1, 0xFF, 0, 1])
        let forgedIDX = try writeBytes("forged.idx", [0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 2, 1, 2, 3])
        idxFiles = [(idxImages, idxLabels), (idxImages, nanLabels), (idxImages, negativeLabels), (forgedIDX, idxLabels), (idxLabels, idxImages)]
        anyFiles += [
            idxImages, idxLabels, nanLabels, negativeLabels, forgedIDX,
            try writeBytes("gzip-garbage.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF]),
        ]

        // Models trained by the binary itself, then forged variants.
        func train(_ arguments: [String]) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments + ["--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
            process.waitUntilExit()
        }
        let mlp = folder + "/mlp.safetensors", cnn = folder + "/cnn.safetensors", checkpoint = folder + "/adam.ckpt"
        train(["train", "--data", classes, "--layers", "2,8,3", "--epochs", "2", "--save", mlp])
        train(["train", "--data", images, "--layers", "conv 2 3x3 same, pool 2, batchnorm, flatten, dense 2", "--epochs", "1", "--save", cnn])
        train(["train", "--data", classes, "--layers", "2,8,3", "--optimizer", "adam", "--epochs", "2", "--checkpoint", checkpoint])
        let text = folder + "/text.safetensors"
        train([
            "train", "--format", "text", "--data", textFiles[0], "--context", "6", "--layers", "embedding 4, gru 8, dense 16", "--epochs", "1",
            "--save", text,
        ])
        modelFiles += [mlp, cnn, text]
        checkpoints += [checkpoint]
        if let (tensors, metadata) = try? Safetensors.read(mlp) {
            var forged: [(String, [String: String])] = [
                (
                    "huge-dense",
                    [
                        "architecture":
                            "{\"type\":\"Dense\",\"configuration\":{\"input_size\":4611686018427387904,\"output_size\":4,\"activation\":{\"type\":\"relu\",\"configuration\":{}}}}"
                    ]
                ),
                (
                    "conv-65536",
                    [
                        "architecture":
                            "{\"type\":\"Conv2D\",\"configuration\":{\"channels\":65536,\"filters\":65536,\"kernel_height\":65536,\"kernel_width\":65536,\"stride\":1,\"padding\":\"valid\",\"activation\":{\"type\":\"relu\",\"configuration\":{}}}}"
                    ]
                ),
                (
                    "pool-2e53",
                    [
                        "architecture":
                            "{\"type\":\"Sequential\",\"configuration\":{\"layers\":[{\"type\":\"Reshape\",\"configuration\":{\"shape\":[2,1,1]}},{\"type\":\"MaxPool2D\",\"configuration\":{\"size\":9007199254740992,\"stride\":1,\"padding\":\"same\"}}]}}"
                    ]
                ),
                ("pool-padding", ["architecture": "{\"type\":\"AvgPool2D\",\"configuration\":{\"size\":2,\"stride\":2,\"padding\":5}}"]),
                ("bad-json", ["architecture": "{\"type\":"]),
                ("unknown-layer", ["architecture": (metadata["architecture"] ?? "").replacingOccurrences(of: "Dense", with: "Sparkle")]),
                ("bad-scale", ["input_scale": "one"]), ("bad-names", ["class_names": "[1,2"]), ("no-architecture", ["architecture": ""]),
            ]
            forged += [("double", ["dtype": "float64"])]
            for (name, change) in forged {
                var changed = metadata
                for (key, value) in change { if value.isEmpty { changed[key] = nil } else { changed[key] = value } }
                let path = folder + "/forged-\(name).safetensors"
                try Safetensors.write(tensors: tensors, metadata: changed, to: path)
                modelFiles.append(path)
            }
            let bytes = Safetensors.encode(tensors: tensors, metadata: metadata)
            modelFiles.append(try writeBytes("truncated.safetensors", Array(bytes.prefix(bytes.count / 2))))
            var lengthBeyond = bytes
            lengthBeyond[6] = 0x7F
            modelFiles.append(try writeBytes("length-beyond.safetensors", lengthBeyond))
        }
        if let (tensors, metadata) = try? Safetensors.read(checkpoint) {
            let changes: [(String, (inout [String: StoredTensor], inout [String: String]) -> Void)] = [
                ("short-state", { t, _ in t["optimizer/layers.0.weight"] = StoredTensor(float64: [1, 2, 3], shape: [3]) }),
                ("nan-state", { t, _ in t["optimizer/layers.0.bias"] = StoredTensor(float64: [Double](repeating: .nan, count: 16), shape: [16]) }),
                ("bad-steps", { _, m in m["optimizer_steps"] = "{\"step_count\":-9223372036854775808,\"steps\":{}}" }),
                (
                    "huge-steps",
                    { _, m in m["optimizer_steps"] = (m["optimizer_steps"] ?? "").replacingOccurrences(of: "\":4", with: "\":9223372036854775807") }
                ),
                ("bad-generator", { _, m in m["generator"] = "[\"0\",\"0\",\"0\",\"0\"]" }),
                ("bad-history", { _, m in m["history"] = "{\"epochs\":[{\"epoch\":1,\"loss\":null}]}" }),
                ("other-optimizer", { _, m in m["optimizer"] = "rmsprop" }),
                ("no-format", { _, m in m["format"] = nil }),
            ]
            for (name, change) in changes {
                var (t, m) = (tensors, metadata)
                change(&t, &m)
                let path = folder + "/tampered-\(name).ckpt"
                try Safetensors.write(tensors: t, metadata: m, to: path)
                checkpoints.append(path)
            }
        }
        checkpoints += [mlp, classes, folder + "/missing.ckpt"]
        var random = SeededRandomGenerator(seed: 78)
        let noise = try writeBytes("noise.bin", (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        predictInputs = [
            "0.5,1", "1,2", "0.5", "nan,1", "1e39,1", "inf,-inf", "", ",", "1,,2", "-0.75,3.5", "abc",
            classes, folder + "/header-only.csv", folder + "/empty.csv", folder + "/nan-cell.csv", images + "/a/0.bmp", images, noise,
            folder + "/missing.bmp",
        ]
        anyFiles += dataFiles + modelFiles + checkpoints + [noise, images + "/a/0.bmp", "/dev/null"]
    }

    var idxFiles: [(images: String, labels: String)] = []

    // Values a user might type: pools of plausible ones and of wrong or extreme ones.
    static let sizes = (
        valid: ["1", "2", "3", "4", "8"],
        hostile: [
            "0", "-1", "2147483648", "4611686018427387904", "9223372036854775807",
            "3037000500", "40000", "abc", "1.5", "",
        ]
    )
    static let numbers = (valid: ["0.1", "0.01", "1e-3", "0.5"], hostile: ["1e300", "1e-320", "-1", "0", "nan", "inf", "abc", "1,2"])
    static let batches = (valid: ["1", "2", "7", "32", "all"], hostile: ["0", "-5", "9223372036854775807", "1e3", "none"])
    static let epochs = (valid: ["1", "2", "3"], hostile: ["0", "-1", "10000001", "99999999999999999999", "two"])
    static let seeds = (valid: ["0", "1", "42", "9223372036854775807"], hostile: ["18446744073709551615", "-1", "x"])
    static let fractions = (valid: ["0", "0.2", "0.5", "0.99", "1"], hostile: ["1.5", "nan", "-0.1"])
    static let activations = (valid: ["relu", "sigmoid", "tanh", "leaky-relu", "softplus", "gelu", "identity"], hostile: ["swish"])

    func pick<T>(_ values: [T], _ generator: inout SeededRandomGenerator) -> T {
        values[generator.nextIndex(below: values.count)]
    }

    /// A plausible value three times in four, else a hostile one.
    func pick(_ pool: (valid: [String], hostile: [String]), _ generator: inout SeededRandomGenerator) -> String {
        generator.nextUniform() < 0.75 ? pick(pool.valid, &generator) : pick(pool.hostile, &generator)
    }

    /// A random `--layers` value: a sizes list or a layer list with extreme numbers.
    func layers(_ generator: inout SeededRandomGenerator) -> String {
        if generator.nextUniform() < 0.3 {
            let hidden = (0..<generator.nextIndex(below: 3)).map { _ in pick(Self.sizes, &generator) }
            return ([generator.nextUniform() < 0.8 ? "2" : pick(Self.sizes, &generator)] + hidden + [pick(["2", "3", "1"], &generator)]).joined(
                separator: ",")
        }
        func size(_ generator: inout SeededRandomGenerator) -> String {
            generator.nextUniform() < 0.85 ? pick(Self.sizes.valid, &generator) : pick(Self.sizes.hostile, &generator)
        }
        var items: [String] = []
        for _ in 0..<(1 + generator.nextIndex(below: 4)) {
            switch generator.nextIndex(below: 9) {
            case 0: items.append("dense \(size(&generator))" + (generator.nextUniform() < 0.3 ? " \(pick(Self.activations, &generator))" : ""))
            case 1:
                var item = "conv \(size(&generator)) \(size(&generator))x\(size(&generator))"
                if generator.nextUniform() < 0.3 { item += " stride \(size(&generator))" }
                if generator.nextUniform() < 0.4 { item += " " + pick(["same", "valid", "pad \(size(&generator))"], &generator) }
                items.append(item)
            case 2, 3:
                var item = "\(pick(["pool", "maxpool", "avgpool"], &generator)) \(size(&generator))"
                if generator.nextUniform() < 0.3 { item += " stride \(size(&generator))" }
                if generator.nextUniform() < 0.4 { item += " " + pick(["same", "valid", "pad \(size(&generator))"], &generator) }
                items.append(item)
            case 4: items.append("flatten")
            case 5: items.append("reshape \(size(&generator))x\(size(&generator))x\(size(&generator))")
            case 6: items.append("dropout \(pick(["0", "0.3", "0.99", "1", "-0.5", "nan"], &generator))")
            case 7: items.append(pick(["batchnorm", "bn", "layernorm", "ln"], &generator))
            default:
                items.append(
                    pick(
                        [
                            "", "dense", "conv 2", "lstm 4", "dense 2 swish", "pool two", "embedding \(size(&generator))",
                            "gru \(size(&generator)) last",
                            "rnn \(size(&generator))", "lstm \(size(&generator)) later", "embedding",
                        ], &generator))
            }
        }
        items.append("dense \(pick(["2", "3", "1", "0", "9223372036854775807"], &generator))")
        return items.joined(separator: ", ")
    }

    /// Invocation number `index` of the hunt.
    func invocation(_ index: Int, _ generator: inout SeededRandomGenerator) -> [String] {
        var arguments: [String]
        switch generator.nextIndex(below: 10) {
        case 0...3: arguments = train(&generator)
        case 4, 5:
            arguments = ["predict", "--model", pick(modelFiles + checkpoints, &generator)]
            for _ in 0..<(1 + generator.nextIndex(below: 2)) { arguments.append(pick(predictInputs, &generator)) }
            if generator.nextUniform() < 0.5 { arguments.append("--json") }
        case 6:
            arguments = ["evaluate", "--model", pick(modelFiles, &generator), "--data", pick(dataFiles, &generator)]
            if generator.nextUniform() < 0.4 { arguments += ["--part", pick(["test", "train", "all", "half"], &generator)] }
            if generator.nextUniform() < 0.3 { arguments += ["--test-fraction", pick(Self.fractions, &generator)] }
            if generator.nextUniform() < 0.3 { arguments.append("--json") }
            if generator.nextUniform() < 0.2 { arguments += ["--plot", "confusion.svg"] }
        case 7 where generator.nextUniform() < 0.4:
            // Any file as a PyTorch state_dict (swift-nn's own model files have other keys).
            arguments = [
                "import", "--from", pick((["pytorch"], ["keras"]), &generator), pick(anyFiles + modelFiles + checkpoints, &generator),
                "--layers", generator.nextUniform() < 0.5 ? layers(&generator) : pick(["2,8,3", "2,3", "784,64,10"], &generator),
                "--output", pick(["imported.safetensors", "missing-folder/imported.safetensors"], &generator),
            ]
            arguments +=
                generator.nextUniform() < 0.5
                ? ["--inputs", pick((["2", "784"], ["0", "-1", "9223372036854775807"]), &generator)]
                : ["--input-shape", pick((["28x28", "4x4", "2x1x1"], ["0x3", "x", "65537x65537", "4x4x4x4"]), &generator)]
        case 7 where generator.nextUniform() < 0.35:
            // Any file as a model to export, with good and hostile shapes.
            arguments = [
                "export", pick(anyFiles + modelFiles + checkpoints, &generator), "--format", pick((["onnx"], ["tflite", ""]), &generator),
                "--output", pick(["model.onnx", "missing-folder/model.onnx", "."], &generator),
            ]
            if generator.nextUniform() < 0.4 {
                arguments +=
                    generator.nextUniform() < 0.5
                    ? ["--inputs", pick((["2", "784"], ["0", "-1", "9223372036854775807"]), &generator)]
                    : ["--input-shape", pick((["28x28", "4x4", "2x1x1"], ["0x3", "x", "65537x65537", "4x4x4x4"]), &generator)]
            }
        case 7:
            arguments = ["inspect", pick(anyFiles, &generator)]
            if generator.nextUniform() < 0.3 {
                arguments += ["--format", pick(["csv", "idx", "bmp", "image-folder", "fashion-mnist", "model", "jpeg"], &generator)]
            }
        case 8 where generator.nextUniform() < 0.3:
            // Any file as a character model, with good and hostile options.
            arguments = ["generate", "--model", pick(modelFiles + anyFiles, &generator)]
            if generator.nextUniform() < 0.5 {
                arguments += ["--prefix", pick((["ka", "", "lo"], ["KA", "é", "kakakakakakaka", "\u{0}"]), &generator)]
            }
            if generator.nextUniform() < 0.4 { arguments += ["--count", pick((["1", "5"], ["0", "-1", "100001", "x"]), &generator)] }
            if generator.nextUniform() < 0.4 {
                arguments += ["--temperature", pick((["0.5", "2"], ["0", "-1", "nan", "inf", "1e-9"]), &generator)]
            }
            if generator.nextUniform() < 0.3 { arguments += ["--seed", pick(Self.seeds, &generator)] }
        case 8: arguments = demo(&generator)
        default:
            arguments = pick(
                [
                    ["frobnicate"], [], ["train", "--data"], ["predict"], ["help"], ["--help"], ["demo", "mazur", "--iterations"],
                    ["train", "--data", dataFiles[0], "--lr"], ["inspect"], ["evaluate", "--model"],
                    ["train", "--data", dataFiles[0], "--bogus", "1"],
                ],
                &generator)
        }
        return arguments
    }

    func train(_ generator: inout SeededRandomGenerator) -> [String] {
        var arguments = ["train"]
        if generator.nextUniform() < 0.2, let pair = idxFiles.randomElement(using: &generator) {
            arguments += ["--data", pair.images, "--labels", pair.labels]
        } else {
            arguments += ["--data", generator.nextUniform() < 0.6 ? pick(goodData, &generator) : pick(dataFiles, &generator)]
        }
        arguments += ["--epochs", generator.nextUniform() < 0.9 ? pick(Self.epochs.valid, &generator) : pick(Self.epochs.hostile, &generator)]
        for _ in 0..<(1 + generator.nextIndex(below: 4)) { arguments += option(&generator) }
        if !arguments.contains("--json") { arguments.append("--quiet") }
        return arguments
    }

    /// One random option of `nn train`, with its value.
    func option(_ generator: inout SeededRandomGenerator) -> [String] {
        switch generator.nextIndex(below: 36) {
        case 0, 1: return ["--layers", layers(&generator)]
        case 2: return ["--activation", pick(Self.activations, &generator)]
        case 3: return ["--loss", pick((["mse", "cross-entropy"], ["hinge"]), &generator)]
        case 4: return ["--optimizer", pick((["sgd", "momentum", "adam", "fixed-step"], ["lbfgs"]), &generator)]
        case 5: return ["--lr", pick(Self.numbers, &generator)]
        case 6, 7: return ["--batch-size", pick(Self.batches, &generator)]
        case 8: return ["--seed", pick(Self.seeds, &generator)]
        case 9: return ["--test-fraction", pick(Self.fractions, &generator)]
        case 10: return ["--train-per-class", pick((["1", "3", "10"], ["1000", "0", "9223372036854775807"]), &generator)]
        case 11: return ["--target-accuracy", pick(Self.fractions, &generator)]
        case 12: return ["--save", pick(["model.safetensors", "missing-folder/model.safetensors", "."], &generator)]
        case 13: return ["--checkpoint", "run.ckpt"] + (generator.nextUniform() < 0.5 ? ["--checkpoint-every", pick(Self.sizes, &generator)] : [])
        case 14: return ["--resume", pick(checkpoints, &generator)]
        case 15: return ["--history", pick(["history.csv", "history.json", "/dev/full"], &generator)]
        case 16: return ["--plot", "loss.svg"]
        case 17: return ["--label", pick(["label", "a", "0", "2", "7", "-1", "nope"], &generator)]
        case 18: return ["--weight-lr", pick(Self.numbers, &generator)]
        case 19: return ["--report-every", pick(Self.sizes, &generator)]
        case 20: return ["--json"]
        case 22: return ["--validation-fraction", pick(Self.fractions, &generator)]
        case 23: return ["--validation-data", pick(dataFiles, &generator)]
        case 24: return ["--early-stopping", pick(Self.sizes, &generator)] + (generator.nextUniform() < 0.5 ? ["--restore-best"] : [])
        case 25: return ["--min-delta", pick(Self.numbers, &generator)]
        case 26: return ["--monitor", pick((["loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"], ["", "val_", "bogus"]), &generator)]
        case 27: return ["--reduce-lr-on-plateau", pick((["0.5", "0.1,2", "0.9,0"], ["1", "0", "0.5,-1", "0.5,", ",3", "nan"]), &generator)]
        case 28: return ["--save-best", pick(["best.safetensors", "missing-folder/best.safetensors", "."], &generator)]
        case 29: return ["--init", pick(modelFiles + checkpoints + dataFiles, &generator)]
        case 30: return ["--freeze", pick((["0", "1", "layers.0", "layers.1.bias"], ["9", "-1", ",", "layers.99", "0,,1"]), &generator)]
        case 31: return ["--replace-head", pick(Self.sizes, &generator)]
        case 32:
            return ["--tensorboard", pick(["logs", "classes.csv", "/dev/full"], &generator)]
                + (generator.nextUniform() < 0.5 ? ["--log-every-step"] : [])
        case 33: return ["--animate", pick(["fit.svg", "missing-folder/fit.svg"], &generator)]
        case 34: return ["--restore-best"]
        case 35 where generator.nextUniform() < 0.5:
            // A text model: a text file, a window, the clipping of its gradients.
            return [
                "--format", "text", "--data", pick(textFiles + dataFiles, &generator), "--context",
                pick((["4", "16"], ["0", "4097", "-2"]), &generator),
            ]
                + (generator.nextUniform() < 0.5 ? ["--clip-norm", pick((["1", "0.5"], ["0", "-1", "nan"]), &generator)] : [])
        default: return ["--format", pick((["csv", "idx", "image-folder", "fashion-mnist", "text"], ["parquet"]), &generator)]
        }
    }

    func demo(_ generator: inout SeededRandomGenerator) -> [String] {
        switch generator.nextIndex(below: 6) {
        case 0:
            return [
                "demo", "mazur", "--iterations", pick(["1", "10", "0", "-3", "100000001", "x"], &generator), "--precision",
                pick(["float", "double", "half"], &generator),
            ]
                + (generator.nextUniform() < 0.5 ? ["--json"] : [])
        case 1:
            return ["demo", "recruitment"]
                + (generator.nextUniform() < 0.5
                    ? ["--variant", pick(["first-sample", "two-samples", "full-batch", "mini-batch", "two-outputs", "three"], &generator)]
                    : [
                        "--strategy", pick(["bgd", "sgd", "mini-batch", "fixed-step"], &generator), "--batch-size",
                        pick(["1", "2", "4", "5", "0"], &generator),
                        "--seed", pick(Self.seeds, &generator),
                    ]) + ["--epochs", pick(["1", "50", "0", "-1"], &generator)]
        case 2:
            var arguments = [
                "demo", "beans", "--strategy", pick(["bgd", "sgd", "mini-batch", "fixed-step", "newton"], &generator),
                "--epochs", pick(["1", "5", "0", "10000001"], &generator),
            ]
            if generator.nextUniform() < 0.6 { arguments += [pick(["--lr", "--step"], &generator), pick(Self.numbers, &generator)] }
            if generator.nextUniform() < 0.4 { arguments += ["--count", pick(["2", "10", "1", "0", "-4"], &generator)] }
            if generator.nextUniform() < 0.4 { arguments += ["--batch-size", pick(Self.batches, &generator)] }
            if generator.nextUniform() < 0.3 { arguments += ["--plot", "fit.svg", "--surface", "surface.svg"] }
            return arguments + (generator.nextUniform() < 0.5 ? ["--json"] : [])
        case 3:
            return [
                "demo", "sin", "--epochs", pick(["1", "2", "0"], &generator), "--layers",
                pick(["1,40,1", "1,4,4,1", "2,4,1", "1,0,1", "1,9223372036854775807,1", "1"], &generator),
                "--lr", pick(Self.numbers, &generator), "--batch-size", pick((["1", "16", "450"], ["451", "0"]), &generator),
                "--optimizer", pick(["sgd", "momentum", "adam", "rmsprop"], &generator),
            ] + (generator.nextUniform() < 0.5 ? ["--json", "--plot", "sin.svg"] : [])
        case 4:
            return ["demo", "xor", "--epochs", pick(["1", "10", "0", "-1", "abc"], &generator)] + (generator.nextUniform() < 0.5 ? ["--json"] : [])
        default:
            return ["demo", pick(["conway", "mnist", "beans", "sin"], &generator), "--epochs", "1", pick(["--frobnicate", "--json"], &generator)]
        }
    }
}
