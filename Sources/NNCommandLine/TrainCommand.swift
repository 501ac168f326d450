import Foundation
import NN

/// `nn train`: trains a dense network on a data file or folder, with checkpoints, resume,
/// early stopping and a saved model.
enum TrainCommand {
    /// Everything the command line says about a run.
    struct Options {
        var data = TrainingData.Options(path: "")
        var layers: [Int]?
        /// `--layers` in the layer-list syntax (`conv 32 3x3, pool 2, flatten, dense 10`).
        var layerList: LayerList?
        var activation = "relu"
        var loss: String?
        var optimizer = "sgd"
        var learningRate: Double?
        var weightLearningRate: Double?
        var biasLearningRate: Double?
        var batchSize: Int?   // nil: the whole data set in one batch
        var epochs = 10
        var seed: UInt64 = 1
        var targetAccuracy: Double?
        var save: String?
        var checkpoint: String?
        var checkpointEvery = 1
        var resume: String?
        var history: String?
        var reportEvery: Int?
        var json = false
        var quiet = false
        var plot: String?
    }

    /// What `--json` prints.
    struct Report: Encodable {
        var epochsRun: Int
        var trainLoss: Double
        var trainAccuracy: Double?
        var testLoss: Double?
        var testAccuracy: Double?
        var trainSeconds: Double
        var stopReason: String?
    }

    static let usage = """
          train --data PATH         train a dense network
              [--format csv|idx|image-folder|fashion-mnist] [--labels FILE] [--label COLUMN]
              [--layers 784,64,10 | --layers "conv 32 3x3, pool 2, flatten, dense 128, dense 10"]
              [--activation relu|sigmoid|tanh|leaky-relu|softplus|gelu|identity]
              [--loss mse|cross-entropy] [--optimizer sgd|momentum|adam|fixed-step] [--lr R]
              [--weight-lr R] [--bias-lr R] [--batch-size N|all] [--epochs N] [--seed N]
              [--test-fraction F | --train-per-class N] [--target-accuracy A] [--report-every K]
              [--save MODEL.safetensors] [--checkpoint FILE [--checkpoint-every N]] [--resume FILE]
              [--history FILE.csv|FILE.json] [--plot FILE.svg] [--quiet] [--json]
        """

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var options = try parse(arguments)
        options.data.task = options.loss.map { $0 == "mse" ? .regression : .classification }
        let data = try TrainingData.load(options.data)
        if let note = data.note, !options.quiet { output.writeError("nn train: \(note)") }
        let lossName = options.loss ?? (data.isClassification ? "cross-entropy" : "mse")
        if lossName == "cross-entropy" {
            try train(options, data, loss: CrossEntropy(), lossName: lossName, output: &output)
        } else {
            try train(options, data, loss: MeanSquaredError(), lossName: lossName, output: &output)
        }
        return 0
    }

    /// The data options `nn train` and `nn evaluate` share: `--data`, `--format`, `--labels`,
    /// `--label`, `--test-fraction`, `--train-per-class`, `--seed` (for the split).
    static func dataOptions(_ reader: inout ArgumentReader) throws(CommandLineError) -> TrainingData.Options {
        guard let path = try reader.value("--data") else { throw CommandLineError("\(reader.command): --data PATH is required (see 'nn help')") }
        var data = TrainingData.Options(path: path)
        data.format = try reader.choice("--format", from: TrainingData.Format.allCases.map(\.rawValue), default: nil)
            .map { TrainingData.Format(rawValue: $0)! }
        data.labels = try reader.value("--labels")
        data.labelColumn = try reader.value("--label")
        data.testFraction = try reader.fraction("--test-fraction")
        data.trainPerClass = try reader.optionalInteger("--train-per-class", in: 1...Int.max)
        if data.testFraction != nil && data.trainPerClass != nil {
            throw CommandLineError("\(reader.command): give --test-fraction or --train-per-class, not both")
        }
        data.seed = UInt64(try reader.integer("--seed", default: 1, in: 0...Int.max))
        return data
    }

    static func parse(_ arguments: [String]) throws(CommandLineError) -> Options {
        var reader = ArgumentReader(arguments, command: "nn train")
        var options = Options()
        options.data = try dataOptions(&reader)
        options.seed = options.data.seed
        if let layers = try reader.value("--layers") {
            if LayerList.isLayerList(layers) {
                do { options.layerList = try LayerList(layers) } catch { throw CommandLineError("nn train: \(error.message)") }
            } else {
                options.layers = try ModelSpecification.sizes(layers)
            }
        }
        options.activation = try reader.choice("--activation", from: ModelSpecification.activations, default: "relu")!
        options.loss = try reader.choice("--loss", from: ["mse", "cross-entropy"], default: nil)
        options.optimizer = try reader.choice("--optimizer", from: ["sgd", "momentum", "adam", "fixed-step"], default: "sgd")!
        options.learningRate = try reader.positiveNumber("--lr")
        options.weightLearningRate = try reader.positiveNumber("--weight-lr")
        options.biasLearningRate = try reader.positiveNumber("--bias-lr")
        if let batch = try reader.value("--batch-size") {
            guard batch == "all" || (Int(batch) ?? 0) > 0 else {
                throw CommandLineError("nn train: --batch-size expects a positive integer or 'all', got '\(batch)'")
            }
            options.batchSize = Int(batch)
        } else {
            options.batchSize = 32
        }
        options.epochs = try reader.integer("--epochs", default: 10, in: 1...10_000_000)
        options.targetAccuracy = try reader.fraction("--target-accuracy")
        options.save = try reader.outputPath("--save")
        options.checkpoint = try reader.outputPath("--checkpoint")
        options.checkpointEvery = try reader.integer("--checkpoint-every", default: 1, in: 1...Int.max)
        options.resume = try reader.value("--resume")
        options.history = try reader.outputPath("--history")
        options.reportEvery = try reader.optionalInteger("--report-every", in: 1...Int.max)
        options.json = reader.flag("--json")
        options.quiet = reader.flag("--quiet")
        options.plot = try reader.outputPath("--plot")
        try reader.finish()
        try checkPathsExist(options)
        return options
    }

    /// Files named on the command line must exist before any work starts (exit status 2).
    static func checkPathsExist(_ options: Options) throws(CommandLineError) {
        var named = [("--data", options.data.path)]
        if let labels = options.data.labels { named.append(("--labels", labels)) }
        if let resume = options.resume { named.append(("--resume", resume)) }
        for (option, path) in named where !FileManager.default.fileExists(atPath: path) {
            throw CommandLineError("nn train: \(option) \(path): no such file or folder")
        }
    }

    private static func train<L: Loss>(
        _ options: Options, _ data: TrainingData, loss: L, lossName: String, output: inout some CommandOutput
    ) throws {
        let inputs = data.train.features.featureCount
        let outputs = lossName == "cross-entropy" ? data.classCount : data.train.targets.featureCount
        let model: Sequential<Float>
        // Training batches, and the test part scored in batches of 256 at the end.
        let batch = Swift.max(Swift.min(options.batchSize ?? data.train.count, data.train.count), Swift.min(data.test?.count ?? 0, 256))
        do {
            if let list = options.layerList {
                model = try list.build(
                    inputCount: inputs, imageShape: data.imageShape, outputs: outputs, activation: options.activation,
                    seed: options.seed, batch: batch)
            } else {
                let sizes = options.layers ?? [inputs, 64, outputs]
                guard sizes.first == inputs else {
                    throw CommandLineError("--layers starts with \(sizes[0]) inputs, but \(options.data.path) has \(inputs) features per sample")
                }
                guard sizes.last == outputs else {
                    throw CommandLineError(
                        "--layers ends with \(sizes[sizes.count - 1]) outputs, but \(outputsReason(data, lossName: lossName, outputs: outputs))")
                }
                model = try ModelSpecification(sizes: sizes, activation: options.activation).build(seed: options.seed, batch: batch)
            }
        } catch let error as CommandLineError { throw CommandLineError("nn train: \(error.message)") }
        var callbacks: [any TrainingCallback] = []
        if let target = options.targetAccuracy { callbacks.append(EarlyStopping(metric: "accuracy", target: target)) }
        if !options.quiet {
            // Progress goes to standard error, so standard output holds only the results.
            if isatty(STDERR_FILENO) == 1 && options.reportEvery == nil {
                callbacks.append(ProgressBar())
            } else {
                callbacks.append(ProgressReport(every: options.reportEvery ?? 1) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            }
        }
        let schedule: any BatchSchedule = options.batchSize.map { ShuffledBatches(size: $0) } ?? FullBatch()
        var trainer = Trainer(
            model: model, loss: loss, optimizer: optimizer(options), schedule: schedule, seed: options.seed,
            metrics: data.isClassification ? [Accuracy()] : [], callbacks: callbacks)
        if let resume = options.resume { try trainer.restoreCheckpoint(from: resume) }

        trainer.checkpointing = options.checkpoint.map { ($0, options.checkpointEvery) }
        try trainer.fit(data.train, epochs: options.epochs)

        if let save = options.save {
            var metadata = ["input_shape": "[\(inputs)]", "input_scale": "\(data.inputScale)", "loss": lossName]
            if let names = data.classNames { metadata["class_names"] = try jsonLine(names) }
            try ModelFile.save(trainer.model, to: save, metadata: metadata)
        }
        if let history = options.history { try trainer.history.write(to: history) }
        if let plot = options.plot {
            var curves = [("training loss", trainer.history.epochs.map(\.loss))]
            if data.isClassification { curves.append(("training accuracy", trainer.history.epochs.map { $0.metrics["accuracy"] ?? 0 })) }
            try DemoCommand.plotCurves(
                curves, title: "Training on \((options.data.path as NSString).lastPathComponent)", yLabel: "loss / accuracy", to: plot)
        }

        let evaluation = try data.test.map { try trainer.evaluate($0) }
        let last = trainer.history.last
        let report = Report(
            epochsRun: trainer.history.epochs.count, trainLoss: last?.loss ?? .nan, trainAccuracy: last?.metrics["accuracy"],
            testLoss: evaluation?.loss, testAccuracy: evaluation?.metrics["accuracy"],
            trainSeconds: trainer.history.epochs.reduce(0) { $0 + $1.seconds }, stopReason: trainer.history.stopReason)
        if options.json {
            output.write(try jsonLine(report))
        } else {
            if let reason = report.stopReason { output.write("stopped early: \(reason)") }
            var summary =
                "trained \(report.epochsRun) epochs in \(significant(report.trainSeconds, 3)) s: training loss \(significant(report.trainLoss, 6))"
            if let accuracy = report.trainAccuracy { summary += ", accuracy \(significant(accuracy, 4))" }
            output.write(summary)
            if let testLoss = report.testLoss {
                output.write("test loss \(significant(testLoss, 6))" + (report.testAccuracy.map { ", test accuracy \(significant($0, 4))" } ?? ""))
            }
            if let save = options.save { output.write("saved \(save)") }
        }
    }

    /// Why the data needs `outputs` outputs: what was assumed about its labels, and how to change it.
    private static func outputsReason(_ data: TrainingData, lossName: String, outputs: Int) -> String {
        if lossName == "cross-entropy" { return "the labels are \(outputs) classes, so the network needs \(outputs) outputs" }
        let how = data.isClassification ? "" : " (whole-number labels 0, 1, … would be classes; or give --loss cross-entropy)"
        return "the labels are fitted as values (--loss mse), so the network needs \(outputs) output\(outputs == 1 ? "" : "s")\(how)"
    }

    private static func optimizer(_ options: Options) -> GradientOptimizer {
        let rate = options.learningRate ?? (options.optimizer == "adam" ? 1e-3 : 0.01)
        var optimizer: GradientOptimizer
        switch options.optimizer {
        case "momentum": optimizer = .gradientDescent(learningRate: rate, momentum: 0.9)
        case "adam": optimizer = .adam(learningRate: rate)
        case "fixed-step": optimizer = .fixedStep(rate)
        default: optimizer = .gradientDescent(learningRate: rate)
        }
        var groups: [ParameterGroup] = []
        if let weight = options.weightLearningRate { groups.append(ParameterGroup(.suffix("weight"), learningRate: weight)) }
        if let bias = options.biasLearningRate { groups.append(ParameterGroup(.suffix("bias"), learningRate: bias)) }
        optimizer.groups = groups
        return optimizer
    }
}
