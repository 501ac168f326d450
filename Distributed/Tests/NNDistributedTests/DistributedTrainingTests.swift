import Foundation
import NN
import NNDistributed
import Testing

/// A temporary folder, removed at the end of the test.
final class Scratch {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-distributed-test-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Every parameter of the model in `path`, by name.
func parameters(_ path: String) throws -> [(name: String, values: [Float])] {
    try ModelFile.load(path).model.namedParameters.map { ($0.name, $0.parameter.value.scalars) }
}

/// The largest difference between the parameters of two model files, and the largest value.
func largestDifference(_ a: String, _ b: String) throws -> (difference: Float, magnitude: Float) {
    var difference: Float = 0, magnitude: Float = 0
    // Dropout's mask counter is a parameter too, but not a weight.
    for (left, right) in zip(try parameters(a), try parameters(b)) where !left.name.hasSuffix("draws") {
        #expect(left.name == right.name && left.values.count == right.values.count)
        for (x, y) in zip(left.values, right.values) {
            difference = max(difference, abs(x - y))
            magnitude = max(magnitude, abs(x))
        }
    }
    return (difference, magnitude)
}

/// 12,800 labelled 28×28 images as IDX files (200 steps of 64): the first of Fashion-MNIST's
/// training set when it is installed, otherwise ten seeded patterns with noise.
func imagesForTwoHundredSteps(in scratch: Scratch) throws -> (images: String, labels: String, source: String) {
    let count = 12_800
    var pixels = [UInt8](), labels = [UInt8]()
    var source = "Fashion-MNIST's first 12,800 training images"
    if let (train, _) = try? FashionMNIST.load() {
        pixels = train.features.scalars.prefix(count * 784).map { UInt8(max(0, min(255, $0.rounded()))) }
        labels = train.targets.scalars.prefix(count).map { UInt8($0) }
    } else {
        source = "12,800 seeded synthetic images (Fashion-MNIST is not installed)"
        var generator = SeededRandomGenerator(seed: 17)
        for index in 0..<count {
            let label = index % 10
            labels.append(UInt8(label))
            for row in 0..<28 {
                for column in 0..<28 {
                    let stripe = (row + label * column) % 10 < 3 ? 160.0 : 40.0
                    pixels.append(UInt8(max(0, min(255, stripe + 40 * generator.nextNormal()))))
                }
            }
        }
    }
    func header(_ magic: UInt32, _ dimensions: [UInt32]) -> [UInt8] {
        ([magic] + dimensions).flatMap { value in (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    }
    let images = scratch.path("images-idx3-ubyte"), labelFile = scratch.path("labels-idx1-ubyte")
    try Data(header(0x0803, [UInt32(count), 28, 28]) + pixels).write(to: URL(fileURLWithPath: images))
    try Data(header(0x0801, [UInt32(count)]) + labels).write(to: URL(fileURLWithPath: labelFile))
    return (images, labelFile, source)
}

/// A seeded CSV of `count` samples of 16 features in 4 classes.
func classesCSV(count: Int, in scratch: Scratch) throws -> String {
    var generator = SeededRandomGenerator(seed: 5)
    var text = (0..<16).map { "x\($0)" }.joined(separator: ",") + ",label\n"
    for index in 0..<count {
        let label = index % 4
        text += (0..<16).map { String(format: "%.4f", Double(($0 + label) % 4) + generator.nextNormal()) }.joined(separator: ",") + ",\(label)\n"
    }
    let path = scratch.path("classes.csv")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// `nn train`'s result lines without the training time and the saved file's name.
func withoutTimesAndPaths(_ output: String) -> [String] {
    output.split(separator: "\n").filter { !$0.hasPrefix("saved ") }.map {
        $0.replacingOccurrences(of: #"in [0-9.e+-]+ s"#, with: "in … s", options: .regularExpression)
    }
}

@Suite(
    .serialized,
    .enabled(
        if: Executables.missing == nil,
        "needs mpirun (Debian: openmpi-bin, libopenmpi-dev) and, in Distributed/, the release builds of nn-distributed and nn (swift build -c release && swift build -c release --product nn; .ci/run does both)"
    )
)
struct DistributedTrainingTests {
    /// Two processes with 32 samples each of every global batch of 64, against `nn train`
    /// alone with batches of 64, for 200 steps.
    ///
    /// The MLP ends with the same weights to float rounding. The CNN's training is chaotic in
    /// `Float`: a learning rate one ulp larger or smaller moves `nn train`'s own weights by
    /// 0.05–0.09 after 200 steps (measured here every run), so the two-process run is held to
    /// three times the larger of the two (one perturbation alone is a noisy yardstick: 0.049
    /// against a two-process difference of 0.139 on 2026-12-07), and to the same loss and
    /// accuracy. `DataParallelTests` in swift-nn shows the same network shape agreeing to 1e-15
    /// in `Double`.
    @Test func twoProcessesOfThirtyTwoTrainWhatOneProcessOfSixtyFourTrains() throws {
        let scratch = try Scratch()
        let data = try imagesForTwoHundredSteps(in: scratch)
        let common =
            ["--format", "idx", "--data", data.images, "--labels", data.labels, "--test-fraction", "0"]
            + ["--batch-size", "64", "--epochs", "1", "--seed", "7", "--optimizer", "adam", "--json"]
        struct Report: Decodable {
            var trainLoss: Double
            var trainAccuracy: Double
        }
        func train(_ name: String, layers: [String], together: Bool, extra: [String] = []) throws -> Report {
            let arguments = common + layers + extra + ["--save", scratch.path(name)]
            let ran = together ? try mpirun(processes: 2, arguments) : try run(Executables.nn, ["train"] + arguments)
            try #require(ran.status == 0 && !ran.timedOut, "\(ran.errors)")
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Report.self, from: Data(ran.output.utf8))
        }
        func compare(_ name: String, layers: [String]) throws -> (difference: Float, alone: Report, together: Report) {
            let alone = try train("\(name)-alone", layers: layers, together: false)
            let together = try train("\(name)-together", layers: layers, together: true)
            let (difference, magnitude) = try largestDifference(scratch.path("\(name)-alone"), scratch.path("\(name)-together"))
            print(
                "\(name), 200 steps on \(data.source): largest weight difference \(difference) (largest weight \(magnitude)); training loss \(alone.trainLoss) alone, \(together.trainLoss) in two processes"
            )
            return (difference, alone, together)
        }

        let mlp = try compare("MLP 784-256-128-10", layers: ["--layers", "784,256,128,10", "--activation", "relu"])
        #expect(mlp.difference < 1e-5)
        #expect(abs(mlp.alone.trainLoss - mlp.together.trainLoss) < 1e-5)
        #expect(mlp.alone.trainAccuracy == mlp.together.trainAccuracy)

        let cnnLayers = ["--layers", "conv 32 3x3 same, pool 2, conv 64 3x3 same, pool 2, flatten, dense 128, dropout 0.3, dense 10"]
        let cnn = try compare("the README's CNN", layers: cnnLayers)
        var yardstick: Float = 1e-5
        for (side, rate) in [("above", "0.00100000012"), ("below", "0.000999999931")] {
            _ = try train("the README's CNN-one-ulp-\(side)", layers: cnnLayers, together: false, extra: ["--lr", rate])
            let moved = try largestDifference(scratch.path("the README's CNN-alone"), scratch.path("the README's CNN-one-ulp-\(side)")).difference
            print("the README's CNN alone, learning rate one ulp \(side) 0.001: largest weight difference \(moved)")
            yardstick = max(yardstick, moved)
        }
        #expect(cnn.difference <= 3 * yardstick)
        #expect(abs(cnn.alone.trainLoss - cnn.together.trainLoss) < 0.005)
        #expect(abs(cnn.alone.trainAccuracy - cnn.together.trainAccuracy) < 0.005)
    }

    /// A two-process run checkpointed after epoch 2 and resumed by two processes to epoch 4
    /// ends with the same bits as an uninterrupted two-process run of 4 epochs.
    @Test func aResumedTwoProcessRunIsBitIdenticalToAnUninterruptedOne() throws {
        let scratch = try Scratch()
        let csv = try classesCSV(count: 1_000, in: scratch)
        let common = [
            "--data", csv, "--layers", "16,32,4", "--batch-size", "48", "--optimizer", "adam", "--seed", "3",
            "--validation-fraction", "0.1", "--quiet",
        ]
        let straight = try mpirun(processes: 2, common + ["--epochs", "4", "--save", scratch.path("straight.safetensors")])
        #expect(straight.status == 0, "\(straight.errors)")
        let first = try mpirun(processes: 2, common + ["--epochs", "2", "--checkpoint", scratch.path("run.ckpt")])
        #expect(first.status == 0, "\(first.errors)")
        let resumed = try mpirun(
            processes: 2, common + ["--epochs", "4", "--resume", scratch.path("run.ckpt"), "--save", scratch.path("resumed.safetensors")])
        #expect(resumed.status == 0, "\(resumed.errors)")
        let a = try parameters(scratch.path("straight.safetensors")), b = try parameters(scratch.path("resumed.safetensors"))
        #expect(a.map(\.name) == b.map(\.name))
        #expect(zip(a, b).allSatisfy { $0.values.map(\.bitPattern) == $1.values.map(\.bitPattern) })
        #expect(withoutTimesAndPaths(straight.output) == withoutTimesAndPaths(resumed.output))
    }

    /// One process killed in the middle of an epoch: the other ends within a bounded time,
    /// with a message; a restart from the last checkpoint completes the run, with the bits of
    /// an uninterrupted run.
    @Test func aKilledProcessEndsTheRunAndARestartFromTheCheckpointCompletesIt() throws {
        let scratch = try Scratch()
        let csv = try classesCSV(count: 4_000, in: scratch)
        let checkpoint = scratch.path("run.ckpt")
        let common = ["--data", csv, "--layers", "16,256,256,4", "--batch-size", "16", "--optimizer", "adam", "--seed", "9", "--quiet"]
        let launched = try Running(
            Executables.mpirun ?? "mpirun",
            Executables.mpirunArguments(processes: 2) + [Executables.distributed, "train"] + common + [
                "--epochs", "400", "--checkpoint", checkpoint, "--save", scratch.path("interrupted.safetensors"),
            ])
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && launched.process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.1)   // into the next epoch
        let ranks = launched.ranks()
        try #require(ranks[1] != nil, "rank 1 not found among mpirun's children: \(ranks)")
        kill(ranks[1]!, SIGKILL)
        let killed = Date()
        let ended = launched.wait(timeout: 90)
        let seconds = Date().timeIntervalSince(killed)
        print(
            "killed process 1: mpirun ended \(String(format: "%.2f", seconds)) s later with status \(ended.status); it said: \(ended.errors.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("---") }.prefix(3).joined(separator: " / "))"
        )
        #expect(!ended.timedOut)
        #expect(seconds < 60)
        #expect(ended.status != 0)
        #expect(ended.errors.contains("signal 9") || ended.errors.contains("Killed") || ended.errors.contains("killed"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("interrupted.safetensors")))

        // Restart from the last checkpoint, to a shorter end so that the test is quick.
        let saved = try ModelFile.load(checkpoint).metadata
        let epochsDone = Int(saved["epoch"] ?? "") ?? 0
        let end = epochsDone + 2
        let restarted = try mpirun(
            processes: 2, common + ["--epochs", "\(end)", "--resume", checkpoint, "--save", scratch.path("restarted.safetensors")])
        #expect(restarted.status == 0, "\(restarted.errors)")
        let straight = try mpirun(processes: 2, common + ["--epochs", "\(end)", "--save", scratch.path("straight.safetensors")])
        #expect(straight.status == 0, "\(straight.errors)")
        let a = try parameters(scratch.path("straight.safetensors")), b = try parameters(scratch.path("restarted.safetensors"))
        #expect(zip(a, b).allSatisfy { $0.values.map(\.bitPattern) == $1.values.map(\.bitPattern) })
    }

    /// A process that stops answering (SIGSTOP) makes the other report it after `--timeout`.
    @Test func aProcessThatHangsIsReportedAfterTheTimeout() throws {
        let scratch = try Scratch()
        let csv = try classesCSV(count: 2_000, in: scratch)
        let checkpoint = scratch.path("run.ckpt")
        let launched = try Running(
            Executables.mpirun ?? "mpirun",
            Executables.mpirunArguments(processes: 2) + [Executables.distributed, "train", "--timeout", "2"] + [
                "--data", csv, "--layers", "16,64,4", "--batch-size", "16", "--epochs", "1000", "--seed", "1", "--quiet", "--checkpoint",
                checkpoint,
            ])
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && launched.process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let ranks = launched.ranks()
        try #require(ranks[1] != nil, "rank 1 not found among mpirun's children: \(ranks)")
        kill(ranks[1]!, SIGSTOP)
        let stopped = Date()
        let ended = launched.wait(timeout: 60)
        if ended.timedOut { kill(ranks[1]!, SIGKILL) }
        print("stopped process 1: mpirun ended \(String(format: "%.2f", Date().timeIntervalSince(stopped))) s later")
        #expect(!ended.timedOut)
        #expect(ended.status != 0)
        // Whichever collective operation process 0 was in (a step's allreduce, an epoch's check).
        let report = ended.errors.split(separator: "\n").first { $0.hasPrefix("nn-distributed: process 0 of 2: MPI_") }
        #expect(
            report?.contains("has waited more than 2.0 seconds for the other processes (one has stopped or hangs); stopping") == true,
            "\(ended.errors)")
    }

    /// Processes given different data (mpirun's `:` syntax) all stop at once, naming it.
    @Test func processesWithDifferentDataStopAtOnceNamingTheDifference() throws {
        let scratch = try Scratch()
        let big = try classesCSV(count: 200, in: scratch)
        let small = scratch.path("small.csv")
        let lines = try String(contentsOfFile: big, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(151).joined(separator: "\n") + "\n").write(toFile: small, atomically: true, encoding: .utf8)
        var arguments = Executables.mpirunArguments(processes: 1)
        let options = ["--layers", "16,8,4", "--batch-size", "32", "--epochs", "2", "--test-fraction", "0"]
        arguments +=
            [Executables.distributed, "train", "--data", big] + options + [":", "-np", "1", Executables.distributed, "train", "--data", small]
            + options
        let ran = try run(Executables.mpirun ?? "mpirun", arguments, timeout: 60)
        #expect(!ran.timedOut)
        #expect(ran.status == 1)
        #expect(ran.errors.contains("nn-distributed: process 0 of 2: the processes disagree on the training samples: 200, 150 (processes 0 to 1)"))
        #expect(ran.errors.contains("nn-distributed: process 1 of 2: the processes disagree on the training samples: 200, 150 (processes 0 to 1)"))
    }

    @Test func badArgumentsAreOneLinePerProcessAndStatusTwo() throws {
        let ran = try mpirun(processes: 2, ["--data", "/nonexistent.csv", "--epochs", "many"], timeout: 60)
        #expect(ran.status == 2)
        #expect(ran.errors.contains("nn-distributed: process 0 of 2: "))
        #expect(ran.errors.contains("--epochs"))
        let timeout = try run(Executables.distributed, ["train", "--timeout", "-1"], timeout: 30)
        #expect(timeout.status == 2)
        #expect(timeout.errors == "nn-distributed: --timeout needs a number of seconds from 0.001 to 86400, got '-1'\n")
        let command = try run(Executables.distributed, ["fit"], timeout: 30)
        #expect(command.status == 2)
    }

    /// The README's code, run here as one process (MPI starts as a singleton in the test
    /// process), and shown verbatim in the README.
    @Test func theReadmeExampleTrainsAndSaves() throws {
        let scratch = try Scratch()
        let path = scratch.path("model.safetensors")
        var generator = SeededRandomGenerator(seed: 3)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 8, activation: Tanh(), generator: &generator),
            Dense<Float, Identity>(inputSize: 8, outputSize: 2, activation: Identity(), generator: &generator))
        let data = try InMemoryDataset(
            features: Tensor<Float>(shape: [256, 2], scalars: (0..<512).map { Float(($0 * 37) % 101) / 50 - 1 }),
            targets: Tensor<Float>((0..<256).map { Float(((($0 * 2) * 37) % 101) < 50 ? 0 : 1) }))
        // README MPI example begins
        let group = try MPIProcessGroup()   // MPI_Init: this process's rank, and how many mpirun started
        var trainer = Trainer(
            model: model, loss: CrossEntropy(), optimizer: .adam(learningRate: 1e-2),
            schedule: ShuffledBatches(size: 64), seed: 7, metrics: [Accuracy()])   // 64: the global batch
        trainer.reducer = group.reducer()
        try trainer.fit(data, epochs: 20)   // every process: the same seed, the same data
        if group.rank == 0 { try ModelFile.save(trainer.model, to: path) }
        group.finish()
        // README MPI example ends
        #expect(group.processCount == 1)
        #expect(trainer.history.epochs.count == 20)
        #expect(trainer.history.last!.metrics["accuracy"]! > 0.9)
        #expect(FileManager.default.fileExists(atPath: path))

        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let begin = try #require(lines.firstIndex { $0.hasSuffix("// README MPI example begins") })
        let end = try #require(lines.firstIndex { $0.hasSuffix("// README MPI example ends") })
        let shown = lines[(begin + 1)..<end].map { String($0.dropFirst(8)) }.joined(separator: "\n")
        let readme = try String(contentsOf: Executables.package.deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```swift\nimport NN\nimport NNDistributed\n\n" + shown + "\n```"))
    }
}
