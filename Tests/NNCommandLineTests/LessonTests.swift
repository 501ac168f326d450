import Foundation
import NN
import Testing

@testable import NNCommandLine

/// A folder like the handwritten-characters exercise: `DIR/<1..12>/<1..perClass>.bmp`, 28×28.
/// Each class is a stroke of its own (six horizontal, six vertical bars) drawn with a random
/// shift of up to two pixels and noise, so the classes are learnable but not identical.
func makeCharacterFolder(perClass: Int, seed: UInt64) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-characters-\(UUID().uuidString)").path
    var generator = SeededRandomGenerator(seed: seed)
    for label in 1...12 {
        try FileManager.default.createDirectory(atPath: "\(root)/\(label)", withIntermediateDirectories: true)
        for index in 1...perClass {
            let shift = generator.nextIndex(below: 5) - 2
            var pixels = (0..<784).map { _ in Float(generator.nextUniform() * 60) }
            for step in 4..<24 {
                let line = (label <= 6 ? 3 + 4 * (label - 1) : 3 + 4 * (label - 7)) + shift
                let (row, column) = label <= 6 ? (line, step) : (step, line)
                for thickness in 0..<2
                where (0..<28).contains(row + (label <= 6 ? thickness : 0)) && (0..<28).contains(column + (label <= 6 ? 0 : thickness)) {
                    pixels[(row + (label <= 6 ? thickness : 0)) * 28 + column + (label <= 6 ? 0 : thickness)] = 255
                }
            }
            try Data(BMPImage(width: 28, height: 28, pixels: pixels).encoded()).write(to: URL(fileURLWithPath: "\(root)/\(label)/\(index).bmp"))
        }
    }
    return root
}

@Suite struct LessonTests {
    /// The handwritten-characters lesson's command, on a generated 12 × 620 folder: it trains,
    /// stops early at the target, prints the test accuracy, and `nn evaluate` agrees. (The
    /// release binary when it is built: per-sample training takes minutes in a debug build.)
    @Test func handwrittenCharactersEndToEnd() throws {
        let root = try makeCharacterFolder(perClass: 620, seed: 1)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let model = root + "/model.safetensors"
        let report = try json(
            nnOptimized(
                "train", "--data", root, "--format", "image-folder", "--train-per-class", "450",
                "--layers", "784,64,12", "--activation", "tanh", "--loss", "cross-entropy", "--lr", "0.005",
                "--batch-size", "1", "--epochs", "50", "--target-accuracy", "0.85", "--save", model, "--quiet", "--json"))
        let epochs = try #require(report["epochs_run"] as? Int)
        let testAccuracy = try #require(report["test_accuracy"] as? Double)
        #expect(epochs < 50, "stopped early")
        #expect((report["train_accuracy"] as? Double ?? 0) >= 0.85)
        #expect(report["stop_reason"] != nil)
        #expect(testAccuracy > 0.8)
        let evaluation = try json(
            nnOptimized("evaluate", "--model", model, "--data", root, "--format", "image-folder", "--train-per-class", "450", "--json"))
        #expect(evaluation["samples"] as? Int == 12 * 170)
        #expect(abs((evaluation["accuracy"] as? Double ?? -1) - testAccuracy) < 1e-12)
        #expect(abs((evaluation["loss"] as? Double ?? -1) - (report["test_loss"] as! Double)) < 1e-6)
        let matrix = try #require(evaluation["confusion_matrix"] as? [[Int]])
        #expect(matrix.count == 12 && matrix.allSatisfy { $0.reduce(0, +) == 170 })
        #expect(evaluation["class_names"] as? [String] == (1...12).map(String.init))
    }

    @Test func trainingPlotsAndQuietRuns() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plot = folder + "/curves.svg"
        let result = nn("train", "--data", csv, "--layers", "2,8,3", "--epochs", "5", "--quiet", "--plot", plot)
        #expect(result.status == 0 && result.output.lines.count == 2)   // the summary and the test result
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.contains(">training loss<") && svg.contains(">training accuracy<") && svg.components(separatedBy: "<polyline").count == 3)
    }

    @Test func theProgressBarShowsEpochBatchLossAccuracyRateAndETA() {
        let bar = ProgressBar { _ in }
        let line = bar.line(
            BatchProgress(
                epoch: 3, totalEpochs: 20, batch: 469, batchCount: 938, samples: 30016, samplesPerEpoch: 60000,
                loss: 0.30124, accuracy: 0.8912, seconds: 2.5))
        // ETA: (29,984 + 17 × 60,000) samples ÷ 12,006 per s.
        #expect(line == "epoch 3/20 [=========>          ] 469/938  loss 0.3012  accuracy 0.891  12006 samples/s  ETA 1m27s")
    }

    @Test func missingFilesStopBeforeTraining() {
        let result = nn("train", "--data", "/nonexistent/data.csv")
        #expect(result.status == 2 && result.output.errors == ["nn: nn train: --data /nonexistent/data.csv: no such file or folder"])
        let evaluate = nn("evaluate", "--data", "x.csv")
        #expect(evaluate.status == 2 && evaluate.output.errors == ["nn: nn evaluate: --model FILE is required"])
    }
}
