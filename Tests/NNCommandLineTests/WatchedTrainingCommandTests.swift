import Foundation
import NN
import Testing

@testable import NNCommandLine

/// `nn train` watched on validation data, stopped early, with the best model kept, and
/// started from a saved model (fine-tuning).
@Suite struct WatchedTrainingCommandTests {
    /// The tensors of a safetensors file (its metadata left out).
    func tensors(_ path: String) throws -> [String: StoredTensor] {
        try Safetensors.read(path).tensors
    }

    @Test func validationEarlyStoppingAndTheBestModel() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try json(
            nn(
                "train", "--data", csv, "--layers", "2,32,3", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "8", "--epochs", "300",
                "--validation-fraction", "0.25", "--early-stopping", "2", "--restore-best", "--save-best", folder + "/best.safetensors",
                "--save", folder + "/final.safetensors", "--history", folder + "/history.json", "--json"))
        let best = try #require(report["best_epoch"] as? Int)
        let epochs = try #require(report["epochs_run"] as? Int)
        #expect(report["stop_reason"] is String && epochs < 300 && epochs >= best + 2)
        // The history has the validation values; the best epoch has the lowest val_loss.
        let history = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/history.json"))) as? [String: Any])
        let records = try #require(history["epochs"] as? [[String: Any]])
        let losses = records.compactMap { $0["validation_loss"] as? Double }
        #expect(losses.count == epochs && losses[best - 1] == losses.min())
        // The final model is the best epoch's: the same tensors as the file --save-best wrote
        // at that epoch, and its validation loss is that epoch's.
        #expect(try tensors(folder + "/final.safetensors") == tensors(folder + "/best.safetensors"))
        #expect(try Safetensors.read(folder + "/best.safetensors").metadata["epoch"] == String(best))
        #expect(report["validation_loss"] as? Double == losses[best - 1])
    }

    /// Killed after epoch 3 and resumed: with early stopping (best weights kept), the plateau
    /// rule and the best model, the run ends with the files of an uninterrupted one.
    @Test func resumingWithTheWatchingOptionsGivesByteIdenticalFiles() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = [
            "train", "--data", csv, "--layers", "2,32,3", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "8", "--epochs", "40",
            "--validation-fraction", "0.25", "--early-stopping", "4", "--restore-best", "--reduce-lr-on-plateau", "0.5,1", "--json",
        ]
        let straight = try json(
            nn(common + ["--save", folder + "/straight.safetensors", "--save-best", folder + "/best-straight.safetensors"]))
        let stopped = try #require(straight["epochs_run"] as? Int)
        #expect(stopped > 4 && stopped < 40, "early stopping should end the run between epochs 4 and 40")
        // The first part: a checkpoint every epoch; stopped after epoch 3 as if killed.
        let partial = common.map { $0 == "40" ? "3" : $0 }
        #expect(nn(partial + ["--checkpoint", folder + "/run.ckpt", "--save-best", folder + "/best-resumed.safetensors"]).status == 0)
        let resumed = try json(
            nn(
                common + [
                    "--resume", folder + "/run.ckpt", "--save", folder + "/resumed.safetensors", "--save-best", folder + "/best-resumed.safetensors",
                ]))
        #expect(resumed["epochs_run"] as? Int == stopped && resumed["best_epoch"] as? Int == straight["best_epoch"] as? Int)
        for name in ["", "best-"] {
            let a = FileManager.default.contents(atPath: folder + "/\(name)straight.safetensors")
            #expect(a != nil && a == FileManager.default.contents(atPath: folder + "/\(name)resumed.safetensors"), "\(name)model")
        }
    }

    /// A resumed run that early stopping had ended trains no more, and ends with its model;
    /// resuming with other watching options is refused, naming the callback.
    @Test func aStoppedRunStaysStoppedAndItsStateGoesOnlyToItsOwnCallback() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = [
            "train", "--data", csv, "--layers", "2,32,3", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "8", "--epochs", "40",
            "--validation-fraction", "0.25", "--early-stopping", "2", "--restore-best", "--json",
        ]
        let first = try json(nn(common + ["--checkpoint", folder + "/c.ckpt", "--save", folder + "/first.safetensors"]))
        let stopped = try #require(first["epochs_run"] as? Int)
        #expect(stopped < 40)
        let again = try json(nn(common + ["--resume", folder + "/c.ckpt", "--save", folder + "/again.safetensors"]))
        #expect(again["epochs_run"] as? Int == stopped && again["stop_reason"] as? String == first["stop_reason"] as? String)
        let a = FileManager.default.contents(atPath: folder + "/first.safetensors")
        #expect(a != nil && a == FileManager.default.contents(atPath: folder + "/again.safetensors"))
        let other = nn(common.map { $0 == "--restore-best" ? "--quiet" : $0 } + ["--monitor", "val_accuracy", "--resume", folder + "/c.ckpt"])
        #expect(other.status == 1)
        #expect(other.output.errors.first?.contains("callback EarlyStopping#0 kept the state of 'val_loss min, patience, best weights'") == true)
    }

    @Test func targetAccuracyNeedsClassesAndANewHeadMustFitInMemory() throws {
        let folder = try makeTemporaryFolder("nn-regression")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = folder + "/values.csv"
        try Data((["label,x"] + (0..<20).map { "\(Double($0) / 7),\($0)" }).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: csv))
        let target = nn("train", "--data", csv, "--loss", "mse", "--layers", "1,4,1", "--target-accuracy", "0.9")
        #expect(target.status == 2 && target.output.errors.first?.hasPrefix("nn: nn train: --target-accuracy needs class labels") == true)

        // A file whose few weights ask for a huge activation (1×1 image, padding 20000):
        // refused before any batch is allocated.
        var generator = SeededRandomGenerator(seed: 1)
        let crafted = Sequential<Float>(
            Reshape([1, 1, 1]),
            Conv2D<Float, ReLU>(channels: 1, filters: 1, kernelSize: 1, padding: .zeros(20000), activation: ReLU(), generator: &generator),
            MaxPool2D(size: 40001), Flatten(),
            Dense<Float, Identity>(inputSize: 1, outputSize: 1, activation: Identity(), generator: &generator))
        try ModelFile.save(crafted, to: folder + "/crafted.safetensors", metadata: ["input_scale": "1.0"])
        let huge = nn("train", "--data", csv, "--loss", "mse", "--init", folder + "/crafted.safetensors", "--epochs", "1")
        #expect(huge.status == 1 && huge.output.errors.count == 1, "\(huge.output.errors)")
        #expect(huge.output.errors.first?.contains("crafted.safetensors") == true)
    }

    @Test func validationDataOfItsOwn() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try json(
            nn("train", "--data", csv, "--layers", "2,8,3", "--epochs", "3", "--validation-data", csv, "--test-fraction", "0", "--json"))
        #expect(report["validation_loss"] is Double && report["validation_accuracy"] is Double)
        let plateau = try json(
            nn("train", "--data", csv, "--layers", "2,8,3", "--epochs", "3", "--reduce-lr-on-plateau", "0.5,1", "--monitor", "loss", "--json"))
        #expect(plateau["epochs_run"] as? Int == 3)
    }

    @Test func startingFromASavedModel() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let a = folder + "/a.safetensors"
        let trained = try json(nn("train", "--data", csv, "--layers", "2,16,3", "--epochs", "5", "--lr", "0.1", "--save", a, "--json"))
        // Before any epoch, the model scores as the saved one does (same test split).
        let untouched = try json(nn("train", "--data", csv, "--init", a, "--epochs", "0", "--json"))
        let evaluated = try json(nn("evaluate", "--model", a, "--data", csv, "--json"))
        #expect(untouched["epochs_run"] as? Int == 0)
        #expect(untouched["test_loss"] as? Double == trained["test_loss"] as? Double)
        #expect(untouched["test_loss"] as? Double == evaluated["loss"] as? Double)
        // Training goes on from it; a --layers that agrees is accepted, one that does not is named.
        #expect(nn("train", "--data", csv, "--init", a, "--layers", "2,16,3", "--epochs", "2", "--json").status == 0)
        let disagreeing = nn("train", "--data", csv, "--init", a, "--layers", "2,8,3", "--epochs", "2")
        #expect(disagreeing.status == 2)
        #expect(disagreeing.output.errors.first?.contains("disagrees with --init \(a) at layer 0") == true)

        // Frozen: the first layer's tensors are bit-identical and the checkpoint has no state for them.
        let b = folder + "/b.safetensors", checkpoint = folder + "/b.ckpt"
        #expect(
            nn("train", "--data", csv, "--init", a, "--freeze", "0", "--optimizer", "adam", "--epochs", "3", "--save", b, "--checkpoint", checkpoint)
                .status == 0)
        let (before, after) = (try tensors(a), try tensors(b))
        #expect(before["layers.0.weight"] == after["layers.0.weight"] && before["layers.0.bias"] == after["layers.0.bias"])
        #expect(before["layers.1.weight"] != after["layers.1.weight"])
        let state = try tensors(checkpoint).keys.filter { $0.hasPrefix("optimizer/") }.sorted()
        #expect(state == ["optimizer/layers.1.bias", "optimizer/layers.1.weight"])
    }

    @Test func aNewHeadForDataWithOtherClasses() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let a = folder + "/a.safetensors"
        #expect(nn("train", "--data", csv, "--layers", "2,16,3", "--epochs", "3", "--save", a).status == 0)
        // Two of the three classes, as a data set of its own.
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").filter { !$0.hasSuffix(",blue") }
        let twoClasses = folder + "/two.csv"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: twoClasses))
        let refused = nn("train", "--data", twoClasses, "--init", a, "--epochs", "1")
        #expect(refused.status == 2 && refused.output.errors.first?.contains("(give --replace-head 2 for a new last layer)") == true)
        let b = folder + "/b.safetensors"
        #expect(
            nn("train", "--data", twoClasses, "--init", a, "--replace-head", "2", "--freeze", "layers.0", "--epochs", "3", "--save", b).status == 0)
        let (before, after) = (try tensors(a), try tensors(b))
        #expect(after["layers.1.weight"]?.shape == [16, 2] && after["layers.0.weight"] == before["layers.0.weight"])
        let wrongSize = nn("train", "--data", twoClasses, "--init", a, "--replace-head", "3", "--epochs", "1")
        #expect(
            wrongSize.status == 2 && wrongSize.output.errors.first?.hasPrefix("nn: nn train: --replace-head 3, but the labels are 2 classes") == true)
    }

    @Test func badWatchingAndFineTuningOptionsAreOneLineBeforeTraining() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.safetensors", checkpoint = folder + "/m.ckpt"
        #expect(nn("train", "--data", csv, "--layers", "2,4,3", "--epochs", "1", "--save", model, "--checkpoint", checkpoint).status == 0)
        let base = ["train", "--data", csv, "--epochs", "1"]
        let cases: [([String], String)] = [
            (["--early-stopping", "2", "--monitor", "bogus"], "nn: nn train: --monitor bogus: this run produces loss, accuracy, learning_rate"),
            (
                ["--early-stopping", "2", "--monitor", "val_loss"],
                "nn: nn train: --monitor val_loss: this run produces loss, accuracy, learning_rate"
            ),
            (
                ["--validation-fraction", "0.001"],
                "nn: nn train: --validation-fraction 0.001 leaves class 0 (blue), with 43 training samples, empty in the validation part"
            ),
            (["--validation-fraction", "1"], "nn: nn train: --validation-fraction expects a number between 0 and 1 (both excluded)"),
            (["--init", checkpoint], "nn: nn train: --init \(checkpoint) is a training checkpoint"),
            (["--init", csv], "nn: nn train: --init \(csv) is not a model file swift-nn can read"),
            (
                ["--init", model, "--freeze", "7"],
                "nn: nn train: --freeze 7: the model has no such layer or parameter (its layers with parameters: 0, 1)"
            ),
            (["--init", model, "--freeze", "layers.0.weights"], "nn: nn train: --freeze layers.0.weights: the model has no such layer"),
            (["--restore-best"], "nn: nn train: --restore-best needs --early-stopping PATIENCE"),
            (["--replace-head", "2"], "nn: nn train: --replace-head N replaces the last dense layer of the model given with --init MODEL"),
            (["--monitor", "loss"], "nn: nn train: --monitor names the value"),
            (["--reduce-lr-on-plateau", "2"], "nn: nn train: --reduce-lr-on-plateau expects FACTOR[,PATIENCE]"),
            (["--reduce-lr-on-plateau", "0.5,x"], "nn: nn train: --reduce-lr-on-plateau expects FACTOR[,PATIENCE]"),
            (["--log-every-step"], "nn: nn train: --log-every-step needs --tensorboard DIR"),
            (["--tensorboard", csv], "nn: nn train: --tensorboard \(csv) is a file"),
            (["--animate", folder + "/a.svg"], "nn: nn train: --animate draws the fit of one input to one value"),
            (["--epochs", "0"], "nn: nn train: --epochs expects an integer in 1...10000000"),
            (["--init", model, "--resume", checkpoint], "nn: nn train: give --init (start from a model) or --resume"),
            (["--validation-data", folder + "/none.csv"], "nn: nn train: --validation-data \(folder)/none.csv: no such file or folder"),
            (["--min-delta", "0.1"], "nn: nn train: --min-delta is the smallest improvement --early-stopping and --reduce-lr-on-plateau count"),
            (["--tensorboard", folder + "/no/logs"], "nn: nn train: --tensorboard \(folder)/no/logs: the folder \(folder)/no does not exist"),
            (["--tensorboard", ""], "nn: nn train: --tensorboard needs a folder name"),
        ]
        for (extra, message) in cases {
            let result = nn(base.filter { !(extra.contains("--epochs") && ($0 == "--epochs" || $0 == "1")) } + extra)
            #expect(result.status == 2, "\(extra)")
            #expect(result.output.errors.count == 1 && result.output.errors.first?.hasPrefix(message) == true, "\(extra): \(result.output.errors)")
        }
    }
}

@Suite struct TensorBoardReaderTests {
    /// The project's venv python, if it imports TensorBoard's reader (`.ci/python-venv.sh`
    /// installs it).
    static let python = PythonVenv.python(importing: "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator")

    /// `nn train --tensorboard` read back by the `tensorboard` package's own reader: the
    /// tags, steps and values are the history's (in single precision, as the format keeps them).
    @Test(.enabled(if: python != nil, "no .build/python-venv whose python imports tensorboard (bash .ci/python-venv.sh installs it; .ci/run does)"))
    func tensorBoardReadsTheLogs() throws {
        let (folder, csv) = try threeClassCSV()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let logs = folder + "/logs", history = folder + "/history.json"
        #expect(
            nn(
                "train", "--data", csv, "--layers", "2,8,3", "--epochs", "4", "--validation-fraction", "0.2", "--tensorboard", logs,
                "--log-every-step", "--history", history, "--quiet"
            ).status == 0)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [root.appendingPathComponent("Tests/Python/read_tensorboard.py").path, logs]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let read = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [String: [String: [[Double]]]]])
        let scalars = try #require(read["scalars"]), histograms = try #require(read["histograms"])
        let records = try JSONFormat.decoder().decode(TrainingHistory.self, from: Data(contentsOf: URL(fileURLWithPath: history))).epochs

        // As single-precision numbers: what the format holds (and JSONSerialization may read
        // the digits Python prints an ulp off in double precision).
        func series(_ run: String, _ tag: String) -> [[Float]] { (scalars[run]?[tag] ?? []).map { $0.map { Float($0) } } }
        let steps = records.map { Float($0.epoch) }
        #expect(series("train", "epoch_loss") == zip(steps, records).map { [$0, Float($1.loss)] })
        #expect(series("train", "epoch_accuracy") == zip(steps, records).map { [$0, Float($1.metrics["accuracy"]!)] })
        #expect(series("train", "epoch_learning_rate") == zip(steps, records).map { [$0, Float($1.learningRate!)] })
        #expect(series("validation", "epoch_loss") == zip(steps, records).map { [$0, Float($1.validationLoss!)] })
        #expect(series("validation", "epoch_accuracy") == zip(steps, records).map { [$0, Float($1.validationMetrics["accuracy"]!)] })
        #expect(series("train", "batch_loss").count == records.count * 3)   // 96 training samples, batches of 32
        #expect(Set(scalars["train"]?.keys.map { $0 } ?? []) == ["epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss"])
        // A histogram of each of the four parameters per epoch, counting all its values.
        #expect(histograms["train"]?["layers.0.weight"] == steps.map { [Double($0), 16] })
        #expect(histograms["train"]?.count == 4)
    }
}
