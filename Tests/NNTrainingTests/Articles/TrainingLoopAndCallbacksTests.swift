import Foundation
import NN
import Testing

// The code of the article "Training loop and callbacks" (NNTraining's catalog).

// docc snippet begins
/// Two overlapping clouds of points in the plane, classes 0 and 1: 20 samples to train on and
/// 120 to validate with. So few training samples let a wide network overfit them.
func twoCloudsOfPoints() throws -> (train: InMemoryDataset<Float>, validation: InMemoryDataset<Float>) {
    var generator = SeededRandomGenerator(seed: 21)
    var features: [Float] = [], labels: [Float] = []
    for index in 0..<140 {
        let center = index % 2 == 0 ? -1.0 : 1.0
        features += [Float(center + 0.8 * generator.nextNormal()), Float(center + 0.8 * generator.nextNormal())]
        labels.append(Float(index % 2))
    }
    let all = try InMemoryDataset(features: Tensor(shape: [140, 2], scalars: features), targets: Tensor(labels))
    return (all.subset(Array(0..<20)), all.subset(Array(20..<140)))
}

/// A 2 → 32 → 2 classifier and its trainer: Adam, shuffled batches of 5, accuracy measured.
func cloudTrainer(callbacks: [any TrainingCallback] = []) -> Trainer<Sequential<Float>, CrossEntropy, GradientOptimizer> {
    var generator = SeededRandomGenerator(seed: 4)
    let model = Sequential<Float>(
        Dense<Float, Tanh>(inputSize: 2, outputSize: 32, activation: Tanh(), generator: &generator),
        Dense<Float, Identity>(inputSize: 32, outputSize: 2, activation: Identity(), generator: &generator))
    return Trainer(
        model: model, loss: CrossEntropy(), optimizer: .adam(learningRate: 0.05), schedule: ShuffledBatches(size: 5), seed: 9,
        metrics: [Accuracy()], callbacks: callbacks)
}
// docc snippet ends

// docc snippet begins
/// Stops at the first epoch whose validation loss is not lower than the epoch before, and
/// puts back the weights of that better epoch. It also notes every epoch it is shown.
struct StopWhenValidationLossTurnsUp: TrainingCallback {
    private(set) var epochsSeen: [Int] = []
    private var previousLoss = Double.infinity
    private var previousWeights: [String: StoredTensor]?

    // Checked before the first epoch: a run without validation data is refused.
    var monitoredName: String? { "val_loss" }

    mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        epochsSeen.append(record.epoch)
        guard let loss = record.validationLoss else { return .continue }
        if loss >= previousLoss, let previousWeights {
            do { try control.restoreParameters(previousWeights) } catch {
                throw .callback("cannot put back the weights of epoch \(record.epoch - 1): \(error)")
            }
            return .stop(reason: "val_loss turned up at epoch \(record.epoch)")
        }
        previousLoss = loss
        previousWeights = control.parameterSnapshot()
        return .continue
    }

    // What a checkpoint keeps, so that a resumed run stops where an uninterrupted one would.
    var checkpointState: CallbackState? {
        CallbackState(identity: "val_loss turns up", values: ["previous_loss": previousLoss], snapshot: previousWeights)
    }

    mutating func restore(_ state: CallbackState) throws(CallbackStateError) {
        previousLoss = try state.value("previous_loss")
        previousWeights = state.snapshot
    }
}
// docc snippet ends

@Suite struct TrainingLoopAndCallbacksTests {
    @Test func fitRecordsEveryEpochWithItsValidationScores() throws {
        // docc snippet begins
        let (train, validation) = try twoCloudsOfPoints()
        var trainer = cloudTrainer(callbacks: [ProgressReport(every: 5)])
        let history = try trainer.fit(train, epochs: 10, validation: validation)

        let last = history.last!
        print(last.epoch, last.loss, last.metrics["accuracy"]!, last.validationLoss!, last.value(named: "val_accuracy")!)
        let (loss, metrics) = try trainer.evaluate(validation)   // the same model, scored again
        // docc snippet ends
        #expect(history.epochs.map(\.epoch) == Array(1...10))
        #expect(history.stopReason == nil)
        #expect(history.epochs.allSatisfy { $0.validationLoss != nil && $0.validationMetrics["accuracy"] != nil })
        #expect(last.valueNames == ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        #expect(last.learningRate == 0.05)
        #expect(loss == last.validationLoss && metrics["accuracy"] == last.value(named: "val_accuracy"))
        #expect(trainer.history == history)
    }

    @Test func earlyStoppingEndsBeforeTheEpochLimitWithTheBestWeights() throws {
        // docc snippet begins
        let (train, validation) = try twoCloudsOfPoints()
        var trainer = cloudTrainer(callbacks: [EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true)])
        let history = try trainer.fit(train, epochs: 60, validation: validation)

        let stopper = trainer.callbacks[0] as! EarlyStopping   // the trainer's copy, with what it learnt
        print(history.epochs.count, "epochs;", history.stopReason ?? "never stopped", "; best epoch", stopper.bestEpoch)
        // docc snippet ends
        let losses = history.epochs.compactMap(\.validationLoss)
        #expect(history.stopReason != nil)
        #expect(history.epochs.count < 60)
        #expect(history.epochs.count == stopper.bestEpoch + 3)
        #expect(losses[stopper.bestEpoch - 1] == losses.min())
        // The model ends with the best epoch's weights: it scores that epoch's validation loss.
        #expect(try trainer.evaluate(validation).loss == losses[stopper.bestEpoch - 1])
    }

    @Test func theShippedCallbacksWorkTogether() throws {
        // docc snippet begins
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clouds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (train, validation) = try twoCloudsOfPoints()
        var trainer = cloudTrainer(callbacks: [
            ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, minDelta: 0),
            EarlyStopping(monitor: "val_loss", patience: 4, restoreBestWeights: true),
            ModelCheckpoint(path: folder + "/best.safetensors", monitor: "val_loss"),
            TensorBoardLog(directory: folder + "/runs"),   // then: tensorboard --logdir <folder>/runs
        ])
        let history = try trainer.fit(train, epochs: 60, validation: validation)
        try history.write(to: folder + "/history.csv")
        print(history.epochs.map { $0.learningRate! })   // lowered after each plateau
        // docc snippet ends
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plateau = try #require(trainer.callbacks[0] as? ReduceLROnPlateau)
        #expect(plateau.reductions >= 1)
        #expect(history.epochs.last!.learningRate! < 0.05)
        #expect(history.stopReason != nil)
        #expect(FileManager.default.fileExists(atPath: folder + "/best.safetensors"))
        #expect(FileManager.default.fileExists(atPath: folder + "/runs/train"))
        #expect(FileManager.default.fileExists(atPath: folder + "/runs/validation"))
        let csv = try String(contentsOfFile: folder + "/history.csv", encoding: .utf8)
        #expect(csv.hasPrefix("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds\n"))
        #expect(csv.split(separator: "\n").count == history.epochs.count + 1)
    }

    @Test func aCustomCallbackSeesEveryEpochAndStops() throws {
        // docc snippet begins
        let (train, validation) = try twoCloudsOfPoints()
        var trainer = cloudTrainer(callbacks: [StopWhenValidationLossTurnsUp()])
        let history = try trainer.fit(train, epochs: 60, validation: validation)

        let watcher = trainer.callbacks[0] as! StopWhenValidationLossTurnsUp
        print(history.stopReason ?? "never stopped", "after seeing epochs", watcher.epochsSeen)
        // docc snippet ends
        let losses = history.epochs.compactMap(\.validationLoss)
        #expect(watcher.epochsSeen == Array(1...history.epochs.count))
        #expect(history.epochs.count < 60)
        #expect(history.stopReason == "val_loss turned up at epoch \(history.epochs.count)")
        #expect(losses.count >= 2 && losses[losses.count - 1] >= losses[losses.count - 2])
        #expect(zip(losses.dropLast(), losses.dropLast().dropFirst()).allSatisfy { $1 < $0 })
        // The callback put back the weights of the epoch before: they score that epoch's loss.
        #expect(try trainer.evaluate(validation).loss == losses[losses.count - 2])
    }

    @Test func aCustomCallbackIsRefusedWithoutTheValueItWatches() throws {
        let (train, _) = try twoCloudsOfPoints()
        var trainer = cloudTrainer(callbacks: [StopWhenValidationLossTurnsUp()])
        #expect(throws: TrainingError.unknownMonitor(name: "val_loss", available: ["loss", "accuracy", "learning_rate"])) {
            try trainer.fit(train, epochs: 3)
        }
        #expect(trainer.history.epochs.isEmpty)
    }

    @Test func theSameSeedsGiveTheSameRunInOneCallOrInParts() throws {
        // docc snippet begins
        let (train, _) = try twoCloudsOfPoints()
        var once = cloudTrainer(), inParts = cloudTrainer()
        try once.fit(train, epochs: 6)
        try inParts.fit(train, epochs: 3)
        try inParts.fit(train, epochs: 6)   // `epochs` is the total: this trains epochs 4 to 6
        print(once.model.stateDictionary == inParts.model.stateDictionary)
        // docc snippet ends
        #expect(inParts.history.epochs.map(\.epoch) == Array(1...6))
        #expect(once.model.stateDictionary == inParts.model.stateDictionary)
        #expect(once.history.epochs.map(\.loss) == inParts.history.epochs.map(\.loss))
        #expect(once.generator == inParts.generator)
    }
}
