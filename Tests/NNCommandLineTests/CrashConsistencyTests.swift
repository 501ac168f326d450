import Foundation
import NN
import Testing

/// `kill -9` of `nn train --checkpoint` while it is writing a checkpoint: the checkpoint on
/// disk always loads, resuming from it ends with the uninterrupted run's model byte for
/// byte, and the killed writer's temporary file is gone once the next save succeeds.
@Suite struct CrashConsistencyTests {
    static let binary = CrashHuntTests.binary

    @Test(
        .enabled(if: CrashHuntTests.binaryExists, "no release binary at .build/release/nn (swift build -c release builds it; .ci/run does)"),
        .timeLimit(.minutes(5)))
    func killedDuringSavesResumesToTheSameModel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SeededRandomGenerator(seed: 8)
        let rows = (0..<240).map { "\(generator.nextUniform()),\(generator.nextUniform()),\($0 % 3)" }
        let data = folder + "/data.csv"
        try Data((["a,b,label"] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: data))
        // Adam's two moments per weight make a checkpoint of 5 MB: a save (written, flushed,
        // renamed) lasts long enough to be caught in the middle.
        let epochs = 16
        let common = ["train", "--data", data, "--layers", "2,512,512,3", "--optimizer", "adam", "--batch-size", "64", "--seed", "3", "--quiet"]
        let reference = folder + "/reference.safetensors"
        #expect(try run(common + ["--epochs", "\(epochs)", "--save", reference]) == 0)
        let expected = try #require(FileManager.default.contents(atPath: reference))

        var killsDuringSave = 0, attempt = 0
        while killsDuringSave < 10 && attempt < 40 {
            attempt += 1
            let runFolder = folder + "/run-\(attempt)"
            try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
            let checkpoint = runFolder + "/run.ckpt", model = runFolder + "/model.safetensors"
            let process = try start(common + ["--epochs", "\(epochs)", "--checkpoint", checkpoint, "--save", model])
            // Wait for a save after the first one (a checkpoint exists and a temporary file is
            // being written next to it), then kill without warning.
            let deadline = Date().addingTimeInterval(60)
            var caught = false
            while process.isRunning && Date() < deadline {
                if FileManager.default.fileExists(atPath: checkpoint), temporaries(in: runFolder).count > 0 {
                    kill(process.processIdentifier, SIGKILL)
                    caught = true
                    break
                }
                usleep(200)
            }
            process.waitUntilExit()
            guard caught, process.terminationReason == .uncaughtSignal else { continue }   // finished before a save was caught
            // The kill may land just after the rename; only a temporary file left behind shows
            // that the save was cut short.
            if temporaries(in: runFolder).count == 1 { killsDuringSave += 1 }
            // The checkpoint on disk is the previous complete one: it loads and resumes.
            #expect(try run(["inspect", checkpoint]) == 0, "attempt \(attempt): the checkpoint does not load")
            #expect(try run(common + ["--epochs", "\(epochs)", "--resume", checkpoint, "--checkpoint", checkpoint, "--save", model]) == 0)
            #expect(
                FileManager.default.contents(atPath: model) == expected, "attempt \(attempt): the resumed model differs from the uninterrupted one")
            #expect(temporaries(in: runFolder).isEmpty, "attempt \(attempt): \(temporaries(in: runFolder)) left after the next save")
        }
        print(
            "crash consistency: \(killsDuringSave) kills during a checkpoint save in \(attempt) runs, every killed run resumed to the uninterrupted model byte for byte"
        )
        #expect(killsDuringSave >= 10)
    }

    /// The temporary files of atomic writes in `folder`.
    func temporaries(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".run.ckpt.tmp-") }
    }

    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs to the end and returns the exit status.
    func run(_ arguments: [String]) throws -> Int32 {
        let process = try start(arguments)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
