import Foundation
import NN

/// `nn train`: trains a dense or convolutional network on a data file or folder, with
/// validation, early stopping, a learning rate lowered on plateaus, the best model kept,
/// fine-tuning from a saved model, checkpoints, resume, logs and a saved model.
enum TrainCommand {
    /// What `--json` prints.
    struct Report: Encodable {
        var epochsRun: Int
        var trainLoss: Double?
        var trainAccuracy: Double?
        var validationLoss: Double?
        var validationAccuracy: Double?
        var bestEpoch: Int?
        var testLoss: Double?
        var testAccuracy: Double?
        var trainSeconds: Double
        var stopReason: String?
    }

    static var usage: String { TrainOptions.usage }

    /// Runs `nn train` with `arguments`; with a `reducer`, as one of the processes that train
    /// together (process 0 alone prints progress and results and writes files).
    static func run(_ arguments: [String], output: inout some CommandOutput, reducer: (any GradientReducer)? = nil) throws -> Int32 {
        var options = try TrainOptions.parse(arguments)
        options.data.task = options.loss.map { $0 == "mse" ? .regression : .classification }
        if let reducer, reducer.rank != 0 { options.quiet = true }
        var data = try TrainingData.load(options.data)
        if let note = data.note, !options.quiet { output.writeError("nn train: \(note)") }
        let names = options.producedNames(classification: data.isClassification)
        if options.monitor != nil, !names.contains(options.monitoredName) {
            throw CommandLineError("nn train: --monitor \(options.monitoredName): this run produces \(names.joined(separator: ", "))")
        }
        if options.targetAccuracy != nil && !data.isClassification {
            throw CommandLineError(
                "nn train: --target-accuracy needs class labels; \(options.data.path) has values to fit (watch the loss with --early-stopping)")
        }
        let validation = try ValidationData.prepare(options, data: &data)
        let lossName = options.loss ?? (data.isClassification || data.text != nil ? "cross-entropy" : "mse")
        if data.text != nil {
            // Padded steps of a line's last window are not scored.
            let loss = CrossEntropy(ignoreIndex: CharacterCorpus.ignoredTarget)
            try train(options, data, validation: validation, loss: loss, lossName: lossName, reducer: reducer, output: &output)
        } else if lossName == "cross-entropy" {
            try train(options, data, validation: validation, loss: CrossEntropy(), lossName: lossName, reducer: reducer, output: &output)
        } else {
            try train(options, data, validation: validation, loss: MeanSquaredError(), lossName: lossName, reducer: reducer, output: &output)
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

    /// The network to train: from `--init` (checked against `--layers` if given), else built
    /// from `--layers`; then `--freeze`.
    private static func model(_ options: TrainOptions, _ data: TrainingData, lossName: String, batch: Int) throws -> Sequential<Float> {
        let inputs = data.train.features.featureCount
        let outputs = lossName == "cross-entropy" ? data.classCount : data.train.targets.featureCount
        var described: Sequential<Float>?
        do {
            if let text = data.text {
                let list = try options.layerList ?? LayerList("embedding 32, lstm 128, dense \(text.vocabulary.count)")
                described = try list.build(
                    inputCount: text.context, imageShape: nil, outputs: text.vocabulary.count, outputSteps: text.context,
                    vocabulary: text.vocabulary.count, activation: options.activation, seed: options.seed, batch: batch)
            } else if let list = options.layerList {
                described = try list.build(
                    inputCount: inputs, imageShape: data.imageShape, outputs: outputs, activation: options.activation,
                    seed: options.seed, batch: batch)
            } else if options.layers != nil || options.initialModel == nil {
                let sizes = options.layers ?? [inputs, 64, outputs]
                guard sizes.first == inputs else {
                    throw CommandLineError("--layers starts with \(sizes[0]) inputs, but \(options.data.path) has \(inputs) features per sample")
                }
                guard sizes.last == outputs else {
                    throw CommandLineError(
                        "--layers ends with \(sizes[sizes.count - 1]) outputs, but \(outputsReason(data, lossName: lossName, outputs: outputs))")
                }
                described = try ModelSpecification(sizes: sizes, activation: options.activation).build(seed: options.seed, batch: batch)
            }
        } catch let error as CommandLineError { throw CommandLineError("nn train: \(error.message)") }
        var model: Sequential<Float>
        if let path = options.initialModel {
            model = try InitialModel.load(
                path, options: options, inputs: inputs, outputs: outputs, inputScale: data.inputScale, batch: batch, described: described,
                outputsReason: outputsReason(data, lossName: lossName, outputs: outputs))
        } else if let described {
            model = described
        } else {
            throw CommandLineError("nn train: give --layers or --init MODEL")
        }
        if !options.freeze.isEmpty { try InitialModel.freeze(options.freeze, in: &model) }
        return model
    }

    /// The callbacks the options ask for, progress last (it prints the epoch's record). A
    /// process that is not the `lead` of processes training together keeps only those that
    /// decide (early stopping, the plateau rule), which every process needs, and none that
    /// write or print.
    private static func callbacks(
        _ options: TrainOptions, modelMetadata: [String: String], data: TrainingData, lead: Bool
    ) -> [any TrainingCallback] {
        var callbacks: [any TrainingCallback] = []
        if let target = options.targetAccuracy { callbacks.append(EarlyStopping(metric: "accuracy", target: target)) }
        if let patience = options.patience {
            callbacks.append(
                EarlyStopping(
                    monitor: options.monitoredName, minDelta: options.minDelta ?? 0, patience: patience, restoreBestWeights: options.restoreBest))
        }
        if let (factor, patience) = options.plateau {
            callbacks.append(
                ReduceLROnPlateau(monitor: options.monitoredName, factor: factor, patience: patience, minDelta: options.minDelta ?? 1e-4))
        }
        guard lead else { return callbacks }
        if let path = options.saveBest { callbacks.append(ModelCheckpoint(path: path, monitor: options.monitoredName, metadata: modelMetadata)) }
        if let folder = options.tensorboard { callbacks.append(TensorBoardLog(directory: folder, logEveryStep: options.logEveryStep)) }
        if options.animate != nil, let recorder = FitAnimation.Recorder(data: data.train) {
            callbacks.append(recorder)
        }
        if !options.quiet {
            // Progress goes to standard error, so standard output holds only the results.
            if isatty(STDERR_FILENO) == 1 && options.reportEvery == nil {
                callbacks.append(ProgressBar())
            } else {
                callbacks.append(ProgressReport(every: options.reportEvery ?? 1) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            }
        }
        return callbacks
    }

    private static func train<L: Loss>(
        _ options: TrainOptions, _ data: TrainingData, validation: InMemoryDataset<Float>?, loss: L, lossName: String,
        reducer: (any GradientReducer)?, output: inout some CommandOutput
    ) throws {
        let lead = reducer?.rank ?? 0 == 0
        if options.animate != nil && (data.train.features.featureCount != 1 || data.isClassification) {
            throw CommandLineError(
                "nn train: --animate draws the fit of one input to one value; this data has \(data.train.features.featureCount) features\(data.isClassification ? " and class labels" : "")"
            )
        }
        // Training batches, and the test and validation parts scored in batches of 256.
        let scored = Swift.max(data.test?.count ?? 0, validation?.count ?? 0)
        let batch = Swift.max(Swift.min(options.batchSize ?? data.train.count, data.train.count), Swift.min(scored, 256))
        let model = try self.model(options, data, lossName: lossName, batch: batch)
        var metadata = ["input_shape": "[\(data.train.features.featureCount)]", "input_scale": "\(data.inputScale)", "loss": lossName]
        if let names = data.classNames { metadata["class_names"] = try jsonLine(names) }
        if let text = data.text {
            metadata["task"] = "next-character"
            metadata["vocabulary"] = try jsonLine(text.vocabulary.characters.map(String.init))
            metadata["context"] = "\(text.context)"
        }

        let schedule: any BatchSchedule = options.batchSize.map { ShuffledBatches(size: $0) } ?? FullBatch()
        var trainer = Trainer(
            model: model, loss: loss, optimizer: optimizer(options), schedule: schedule, seed: options.seed,
            metrics: data.isClassification ? [Accuracy()] : [], callbacks: callbacks(options, modelMetadata: metadata, data: data, lead: lead))
        trainer.reducer = reducer
        if let resume = options.resume {
            let given = trainer.optimizer.learningRates
            try trainer.restoreCheckpoint(from: resume)
            if trainer.optimizer.learningRates != given && !options.quiet {
                output.writeError(
                    "nn train: --resume: the learning rates come from the checkpoint, as the run left them (\(trainer.optimizer.learningRates.map { "\($0)" }.joined(separator: ", "))), not from the options (\(given.map { "\($0)" }.joined(separator: ", ")))"
                )
            }
        }

        trainer.checkpointing = lead ? options.checkpoint.map { ($0, options.checkpointEvery) } : nil
        if let validation {
            try trainer.fit(data.train, epochs: options.epochs, validation: validation)
        } else {
            try trainer.fit(data.train, epochs: options.epochs)
        }
        // The processes' models are the same: process 0 saves, scores and reports.
        guard lead else { return }

        if let save = options.save { try ModelFile.save(trainer.model, to: save, metadata: metadata) }
        if let history = options.history { try trainer.history.write(to: history) }
        let bestEpoch = trainer.callbacks.compactMap {
            ($0 as? EarlyStopping).flatMap { $0.patience != nil && $0.bestEpoch > 0 ? $0.bestEpoch : nil }
        }
        .first
        if let path = options.plot {
            try plot(
                trainer.history, classification: data.isClassification, best: options.restoreBest ? bestEpoch : nil, options: options, to: path)
        }
        if let path = options.animate, let recorder = trainer.callbacks.lazy.compactMap({ $0 as? FitAnimation.Recorder }).first {
            let name = (options.data.path as NSString).lastPathComponent
            try FitAnimation.write(
                recorder, title: "Fitting \(name): \(trainer.history.epochs.count) epochs", xLabel: "input", yLabel: "target", to: path)
        }

        let evaluation = try data.test.map { try trainer.evaluate($0) }
        // With the best weights restored, the validation figures are the final model's.
        let scoredValidation = try validation.map { try trainer.evaluate($0) }
        let last = trainer.history.last
        let report = Report(
            epochsRun: trainer.history.epochs.count, trainLoss: last?.loss, trainAccuracy: last?.metrics["accuracy"],
            validationLoss: scoredValidation?.loss, validationAccuracy: scoredValidation?.metrics["accuracy"],
            bestEpoch: bestEpoch, testLoss: evaluation?.loss, testAccuracy: evaluation?.metrics["accuracy"],
            trainSeconds: trainer.history.epochs.reduce(0) { $0 + $1.seconds }, stopReason: trainer.history.stopReason)
        if options.json {
            output.write(try jsonLine(report))
        } else {
            write(report, restored: options.restoreBest, saved: options.save, perCharacter: data.text != nil, output: &output)
        }
    }

    private static func write(_ report: Report, restored: Bool, saved: String?, perCharacter: Bool, output: inout some CommandOutput) {
        let unit = perCharacter ? " nats per character" : ""
        if let reason = report.stopReason { output.write("stopped early: \(reason)") }
        var summary = "trained \(report.epochsRun) epochs in \(significant(report.trainSeconds, 3)) s"
        if let loss = report.trainLoss { summary += ": training loss \(significant(loss, 6))\(unit)" }
        if let accuracy = report.trainAccuracy { summary += ", accuracy \(significant(accuracy, 4))" }
        output.write(summary)
        if let loss = report.validationLoss {
            var line = ""
            if restored, let best = report.bestEpoch { line = "restored the weights of epoch \(best): " }
            line += "validation loss \(significant(loss, 6))\(unit)"
            if let accuracy = report.validationAccuracy { line += ", validation accuracy \(significant(accuracy, 4))" }
            output.write(line)
        }
        if let testLoss = report.testLoss {
            output.write("test loss \(significant(testLoss, 6))" + (report.testAccuracy.map { ", test accuracy \(significant($0, 4))" } ?? ""))
        }
        if let saved { output.write("saved \(saved)") }
    }

    /// Training (and validation) loss and accuracy per epoch.
    private static func plot(_ history: TrainingHistory, classification: Bool, best: Int?, options: TrainOptions, to path: String) throws {
        let epochs = history.epochs
        var curves = [("training loss", epochs.map(\.loss))]
        let validating = epochs.contains { $0.validationLoss != nil }
        if validating { curves.append(("validation loss", epochs.map { $0.validationLoss ?? .nan })) }
        if classification {
            curves.append(("training accuracy", epochs.map { $0.metrics["accuracy"] ?? .nan }))
            if validating { curves.append(("validation accuracy", epochs.map { $0.validationMetrics["accuracy"] ?? .nan })) }
        }
        try DemoCommand.plotCurves(
            curves, title: "Training on \((options.data.path as NSString).lastPathComponent)", yLabel: "loss / accuracy",
            mark: best.map { ($0, "best epoch (restored)") }, to: path)
    }

    /// Why the data needs `outputs` outputs: what was assumed about its labels, and how to change it.
    private static func outputsReason(_ data: TrainingData, lossName: String, outputs: Int) -> String {
        if lossName == "cross-entropy" { return "the labels are \(outputs) classes, so the network needs \(outputs) outputs" }
        let how = data.isClassification ? "" : " (whole-number labels 0, 1, … would be classes; or give --loss cross-entropy)"
        return "the labels are fitted as values (--loss mse), so the network needs \(outputs) output\(outputs == 1 ? "" : "s")\(how)"
    }

    private static func optimizer(_ options: TrainOptions) -> GradientOptimizer {
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
        optimizer.clipping = options.clipNorm.map { .byGlobalNorm($0) }
        return optimizer
    }
}
