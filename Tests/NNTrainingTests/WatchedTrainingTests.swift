import Foundation
import NN
import Testing

/// Training watched on validation data: records, restoring the best epoch, checkpoints that
/// carry the callbacks, fine-tuning.
@Suite struct WatchedTrainingTests {
    typealias FloatTrainer = Trainer<Sequential<Float>, CrossEntropy, GradientOptimizer>

    /// A small training set and a larger validation set of the same blobs: a wide network
    /// with a high learning rate overfits the first, so the validation loss turns up.
    func data() throws -> (train: InMemoryDataset<Float>, validation: InMemoryDataset<Float>) {
        let all = try blobs(count: 140, seed: 21)
        let converted = try InMemoryDataset(features: all.features.converted(), targets: all.targets.converted() as Tensor<Float>)
        return (converted.subset(Array(0..<20)), converted.subset(Array(20..<140)))
    }

    func makeTrainer(callbacks: [any TrainingCallback] = []) -> FloatTrainer {
        var generator = SeededRandomGenerator(seed: 4)
        let model = Sequential<Float>(
            Dense<Float, Tanh>(inputSize: 2, outputSize: 32, activation: Tanh(), generator: &generator),
            Dense<Float, Identity>(inputSize: 32, outputSize: 2, activation: Identity(), generator: &generator))
        return Trainer(
            model: model, loss: CrossEntropy(), optimizer: .adam(learningRate: 0.05), schedule: ShuffledBatches(size: 5), seed: 9,
            metrics: [Accuracy()], callbacks: callbacks)
    }

    func bits(_ trainer: FloatTrainer) -> [UInt32] {
        trainer.model.namedParameters.flatMap { $0.parameter.value.scalars.map(\.bitPattern) }
    }

    @Test func everyRecordHoldsTheValidationScoresOfThatEpoch() throws {
        let (train, validation) = try data()
        var trainer = makeTrainer()
        var scored: [(loss: Double, metrics: [String: Double])] = []
        for epoch in 1...4 {
            try trainer.fit(train, epochs: epoch, validation: validation)
            scored.append(try trainer.evaluate(validation))
        }
        let records = trainer.history.epochs
        #expect(records.map(\.validationLoss) == scored.map(\.loss))
        #expect(records.map(\.validationMetrics) == scored.map(\.metrics))
        #expect(records[0].value(named: "val_accuracy") == scored[0].metrics["accuracy"])
        #expect(records[0].valueNames == ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        #expect(trainer.history.csv.hasPrefix("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds\n"))
        // The history round-trips through JSON, and a history written before validation reads.
        let decoded = try JSONFormat.decoder().decode(TrainingHistory.self, from: Data(trainer.history.json.utf8))
        #expect(decoded.epochs.map(\.validationLoss) == records.map(\.validationLoss))
        let old = #"{"epochs":[{"epoch":1,"loss":0.5,"metrics":{},"seconds":0}]}"#
        #expect(try JSONFormat.decoder().decode(TrainingHistory.self, from: Data(old.utf8)).epochs[0].validationLoss == nil)
    }

    @Test func restoringTheBestEpochIsBitExact() throws {
        let (train, validation) = try data()
        var watched = makeTrainer(callbacks: [EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true)])
        try watched.fit(train, epochs: 60, validation: validation)
        let stopper = try #require(watched.callbacks.first as? EarlyStopping)
        let losses = watched.history.epochs.compactMap(\.validationLoss)
        #expect(watched.history.stopReason != nil, "the validation loss should turn up within 60 epochs")
        #expect(losses.count == stopper.bestEpoch + 3)
        #expect(losses[stopper.bestEpoch - 1] == losses.min())
        // A run of exactly the best epoch's length gives the model the stopped run ends with.
        var straight = makeTrainer()
        try straight.fit(train, epochs: stopper.bestEpoch, validation: validation)
        #expect(bits(watched) == bits(straight))
        #expect(try watched.evaluate(validation).loss == losses[stopper.bestEpoch - 1])
    }

    @Test func aMonitorTheRunDoesNotProduceIsRefusedBeforeTraining() throws {
        let (train, _) = try data()
        var trainer = makeTrainer(callbacks: [EarlyStopping(monitor: "val_loss", patience: 2)])
        #expect(throws: TrainingError.unknownMonitor(name: "val_loss", available: ["loss", "accuracy", "learning_rate"])) {
            try trainer.fit(train, epochs: 3)
        }
        #expect(trainer.history.epochs.isEmpty)
    }

    /// Early stopping with the best weights, the plateau rule and the best model kept, all
    /// with state: a run checkpointed and resumed ends exactly as an uninterrupted one.
    @Test func resumingWithEveryCallbackIsBitExact() throws {
        let (train, validation) = try data()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func callbacks(_ best: String) -> [any TrainingCallback] {
            [
                ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, minDelta: 0),
                EarlyStopping(monitor: "val_loss", patience: 4, restoreBestWeights: true),
                ModelCheckpoint(path: best, monitor: "val_loss"),
            ]
        }
        var straight = makeTrainer(callbacks: callbacks(folder + "/best-straight.safetensors"))
        try straight.fit(train, epochs: 60, validation: validation)
        let plateau = try #require(straight.callbacks.first as? ReduceLROnPlateau)
        #expect(plateau.reductions >= 1, "the plateau rule should lower the rate at least once")
        #expect(straight.history.stopReason != nil)
        let stoppedAfter = straight.history.epochs.count
        // Interrupted after a reduction and before the stop: the checkpoint must carry the
        // lowered rate, the waits and the best weights.
        let reducedAt = try #require(straight.history.epochs.firstIndex { $0.learningRate != 0.05 })
        let interruptAt = Swift.min(reducedAt + 1, stoppedAfter - 1)
        // The checkpoint is written inside fit, as a killed run leaves it: when fit returns,
        // early stopping has already put the best weights back.
        var first = makeTrainer(callbacks: callbacks(folder + "/best-resumed.safetensors"))
        first.checkpointing = (folder + "/run.ckpt", 1)
        try first.fit(train, epochs: interruptAt, validation: validation)
        var resumed = makeTrainer(callbacks: callbacks(folder + "/best-resumed.safetensors"))
        try resumed.restoreCheckpoint(from: folder + "/run.ckpt")
        #expect(resumed.optimizer.learningRates == first.optimizer.learningRates)
        try resumed.fit(train, epochs: 60, validation: validation)

        #expect(bits(resumed) == bits(straight))
        #expect(resumed.history.epochs.map(\.validationLoss) == straight.history.epochs.map(\.validationLoss))
        #expect(resumed.history.epochs.map(\.learningRate) == straight.history.epochs.map(\.learningRate))
        #expect(resumed.history.stopReason == straight.history.stopReason)
        let bestStraight = FileManager.default.contents(atPath: folder + "/best-straight.safetensors")
        #expect(bestStraight != nil && bestStraight == FileManager.default.contents(atPath: folder + "/best-resumed.safetensors"))
        // The checkpoint still loads as a model (its callback tensors are not parameters).
        #expect(try ModelFile.load(folder + "/run.ckpt", as: Float.self).model.namedParameters.count == 4)
    }

    @Test func frozenLayersStayBitIdenticalAndKeepNoState() throws {
        let (train, validation) = try data()
        var trainer = makeTrainer()
        trainer.model.freezeLayers([0])
        let before = trainer.model.namedParameters.filter { $0.name.hasPrefix("layers.0.") }.map(\.parameter.value.scalars)
        try trainer.fit(train, epochs: 5, validation: validation)
        let after = trainer.model.namedParameters.filter { $0.name.hasPrefix("layers.0.") }.map(\.parameter.value.scalars)
        #expect(before.map { $0.map(\.bitPattern) } == after.map { $0.map(\.bitPattern) })
        #expect(Set(trainer.optimizer.checkpointState.parameters.keys) == ["layers.1.weight", "layers.1.bias"])
    }

    @Test func aNewHeadHasTheNewOutputsAndTheBodyIsKept() throws {
        var trainer = makeTrainer()
        let body = trainer.model.namedParameters.filter { $0.name.hasPrefix("layers.0.") }.map(\.parameter.value)
        var generator = SeededRandomGenerator(seed: 1)
        #expect(trainer.model.replaceHead(outputSize: 5, generator: &generator) == 1)
        #expect(try trainer.model.outputShape(forInputShape: [2]) == [5])
        #expect(trainer.model.namedParameters.filter { $0.name.hasPrefix("layers.0.") }.map(\.parameter.value) == body)
        var noDense = Sequential<Float>(Flatten<Float>())
        #expect(noDense.replaceHead(outputSize: 3, generator: &generator) == nil)
    }
}
