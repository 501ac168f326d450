import Foundation
import NN
import Testing

/// A control that records what callbacks do: the learning rates they set, and snapshots that
/// carry the epoch they were taken at (set by the test before each epoch).
struct RecordingControl: TrainingControl {
    var learningRates: [Double]
    var epoch = 0
    var restored: [String: StoredTensor]?
    var saves: [(path: String, metadata: [String: String])] = []

    func parameterSnapshot() -> [String: StoredTensor] {
        ["epoch": StoredTensor(float64: [Double(epoch)], shape: [1])]
    }

    mutating func restoreParameters(_ snapshot: [String: StoredTensor]) throws(ModelFileError) { restored = snapshot }

    func predict(_ inputs: [Double], sampleShape: [Int]) throws(TensorError) -> [Double] { inputs }

    func saveModel(to path: String, metadata: [String: String]) throws(ModelFileError) {}
}

/// Runs `callback` over epochs whose record holds `values` under `name` (`val_loss` goes
/// in the validation loss, anything else in the metrics); returns the epoch it stopped
/// after (nil if it did not) and the control.
func drive(
    _ callback: inout some TrainingCallback, name: String, values: [Double], learningRates: [Double] = [1]
) throws -> (stoppedAfter: Int?, control: RecordingControl, rates: [[Double]]) {
    var control = RecordingControl(learningRates: learningRates)
    var history = TrainingHistory()
    var rates: [[Double]] = []
    for (index, value) in values.enumerated() {
        control.epoch = index + 1
        var record = EpochRecord(epoch: index + 1, loss: 0, learningRate: control.learningRates.first)
        if name == "val_loss" { record.validationLoss = value } else { record.metrics[name] = value }
        history.epochs.append(record)
        let decision = try callback.epochEnded(record, history: history, totalEpochs: values.count, control: &control)
        rates.append(control.learningRates)
        if case .stop = decision {
            try callback.trainingEnded(history: history, control: &control)
            return (index + 1, control, rates)
        }
    }
    try callback.trainingEnded(history: history, control: &control)
    return (nil, control, rates)
}

@Suite struct EarlyStoppingRuleTests {
    /// Keras's rule: improvement means better than the best by more than minDelta; the wait
    /// count grows every epoch and is reset by an improvement; stop once it reaches patience.
    @Test func stopsExactlyPatienceEpochsAfterTheLastImprovement() throws {
        // Epoch:          1    2    3     4     5      6
        let losses = [1.0, 0.9, 0.95, 0.92, 0.889, 0.95]
        // minDelta 0: epoch 5 (0.889 < 0.9) improves, so 3 more epochs would be needed: no stop in 6.
        var plain = EarlyStopping(monitor: "val_loss", patience: 3)
        #expect(try drive(&plain, name: "val_loss", values: losses).stoppedAfter == nil)
        #expect(plain.bestEpoch == 5 && plain.wait == 1)
        // minDelta 0.015: 0.889 is not below 0.9 − 0.015, so epochs 3, 4, 5 wait: stop after 5.
        var strict = EarlyStopping(monitor: "val_loss", minDelta: 0.015, patience: 3)
        #expect(try drive(&strict, name: "val_loss", values: losses).stoppedAfter == 5)
        #expect(strict.bestEpoch == 2 && strict.best == 0.9 && strict.stoppedEpoch == 5)
        // Patience 0 stops at the first epoch that does not improve, but never after the first.
        var impatient = EarlyStopping(monitor: "val_loss", patience: 0)
        #expect(try drive(&impatient, name: "val_loss", values: losses).stoppedAfter == 3)
        // An equal value is not an improvement (the comparison is strict, as in Keras).
        var flat = EarlyStopping(monitor: "val_loss", patience: 2)
        #expect(try drive(&flat, name: "val_loss", values: [0.5, 0.5, 0.5, 0.5]).stoppedAfter == 3)
    }

    @Test func theDirectionFollowsTheNameOrTheMode() throws {
        // "score" has no "loss" in it: higher is better.
        var rising = EarlyStopping(monitor: "score", patience: 1)
        #expect(try drive(&rising, name: "score", values: [0.1, 0.2, 0.3, 0.25, 0.2]).stoppedAfter == 4)
        var falling = EarlyStopping(monitor: "score", patience: 1, mode: .min)
        #expect(try drive(&falling, name: "score", values: [0.1, 0.2, 0.3, 0.25, 0.2]).stoppedAfter == 2)
        #expect(MonitorMode.inferred(for: "val_loss") == .min && MonitorMode.inferred(for: "val_accuracy") == .max)
    }

    @Test func restoresTheBestEpochsSnapshot() throws {
        var callback = EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true)
        let (stopped, control, _) = try drive(&callback, name: "val_loss", values: [0.8, 0.5, 0.7, 0.6, 0.9])
        #expect(stopped == 4)
        #expect(control.restored?["epoch"]?.float64OrFloat32Values() == [2])
        // Not stopped early, the best weights are restored all the same (Keras 3).
        var unstopped = EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true)
        let run = try drive(&unstopped, name: "val_loss", values: [0.8, 0.5, 0.7])
        #expect(run.stoppedAfter == nil && run.control.restored?["epoch"]?.float64OrFloat32Values() == [2])
        // Without the option nothing is restored.
        var plain = EarlyStopping(monitor: "val_loss", patience: 2)
        #expect(try drive(&plain, name: "val_loss", values: [0.8, 0.5, 0.7, 0.6, 0.9]).control.restored == nil)
    }

    @Test func startFromEpochIgnoresTheWarmUp() throws {
        // The first two epochs are not watched: the best is epoch 3's 2.0, not epoch 1's 0.1.
        var callback = EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true, startFromEpoch: 2)
        let (stopped, control, _) = try drive(&callback, name: "val_loss", values: [0.1, 5, 2, 3, 4, 1])
        #expect(stopped == 5)
        #expect(callback.bestEpoch == 3 && callback.best == 2)
        #expect(control.restored?["epoch"]?.float64OrFloat32Values() == [3])
    }

    @Test func aBaselineMustBeBeatenBeforeTheWaitStartsAgain() throws {
        // Improving epochs never stop training, but below the baseline they do not reset the
        // count: epoch 3 is the third epoch of waiting.
        let values = [0.5, 0.6, 0.55, 0.58]
        var withBaseline = EarlyStopping(monitor: "accuracy", patience: 2, baseline: 0.9)
        #expect(try drive(&withBaseline, name: "accuracy", values: values).stoppedAfter == 3)
        var without = EarlyStopping(monitor: "accuracy", patience: 2)
        #expect(try drive(&without, name: "accuracy", values: values).stoppedAfter == 4)
    }

    @Test func theTargetFormStillStopsOnReachingTheTarget() throws {
        var callback = EarlyStopping(metric: "accuracy", target: 0.85)
        #expect(try drive(&callback, name: "accuracy", values: [0.5, 0.84, 0.85, 0.9]).stoppedAfter == 3)
        #expect(callback.goal == .atLeast && EarlyStopping(metric: "loss", target: 0.1).goal == .atMost)
    }
}

@Suite struct ReduceLROnPlateauRuleTests {
    /// The learning rates Keras's rule gives, derived by hand (factor 0.5, patience 2,
    /// cooldown 1, minLR 0.1, minDelta 0.01, starting at 1):
    ///
    /// | epoch | val_loss | what happens | rate after |
    /// |---|---|---|---|
    /// | 1 | 1.0 | best 1.0 | 1 |
    /// | 2 | 0.995 | not below 0.99: wait 1 | 1 |
    /// | 3 | 0.99 | not below 0.99: wait 2 = patience → × 0.5, cooldown 1, wait 0 | 0.5 |
    /// | 4 | 0.98 | cooldown 1 → 0; below 0.99: best 0.98 | 0.5 |
    /// | 5 | 0.985 | wait 1 | 0.5 |
    /// | 6 | 0.975 | not below 0.97: wait 2 → 0.25, cooldown 1 | 0.25 |
    /// | 7 | 0.99 | cooldown → 0 (wait 0), then out of cooldown: wait 1 | 0.25 |
    /// | 8 | 0.99 | wait 2 → 0.125, cooldown 1 | 0.125 |
    /// | 9 | 0.99 | cooldown → 0, wait 1 | 0.125 |
    /// | 10 | 0.99 | wait 2 → max(0.0625, 0.1) = 0.1 | 0.1 |
    /// | 11 | 0.99 | cooldown → 0, wait 1 | 0.1 |
    /// | 12 | 0.99 | wait 2, but 0.1 is not above the minimum: unchanged | 0.1 |
    @Test func followsKerassRuleOnAScriptedSequence() throws {
        let losses = [1.0, 0.995, 0.99, 0.98, 0.985, 0.975, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99]
        var callback = ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2, minDelta: 0.01, cooldown: 1, minLR: 0.1)
        let (_, _, rates) = try drive(&callback, name: "val_loss", values: losses, learningRates: [1, 0.4])
        #expect(rates.map { $0[0] } == [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1, 0.1, 0.1])
        // A group's rate is lowered alongside, each to its own floor of minLR.
        #expect(rates.map { $0[1] } == [0.4, 0.4, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
        #expect(callback.reductions == 4 && callback.wait == 2)
    }

    @Test func keepsItsStateThroughACheckpointState() throws {
        var callback = ReduceLROnPlateau(monitor: "accuracy", factor: 0.5, patience: 1, cooldown: 2)
        _ = try drive(&callback, name: "accuracy", values: [0.5, 0.4])
        var copy = ReduceLROnPlateau(monitor: "accuracy", factor: 0.5, patience: 1, cooldown: 2)
        try copy.restore(try #require(callback.checkpointState))
        #expect(copy.best == callback.best && copy.wait == callback.wait)
        #expect(copy.cooldownCounter == 2 && copy.reductions == 1)
        #expect(throws: CallbackStateError.self) { try copy.restore(CallbackState(values: ["best": 1, "wait": -1])) }
    }
}

@Suite struct ModelCheckpointRuleTests {
    @Test func savesOnlyWhenTheValueImproves() throws {
        final class Saves: @unchecked Sendable { var epochs: [String] = [] }
        struct SavingControl: TrainingControl {
            let saves: Saves
            var learningRates: [Double] = []
            func parameterSnapshot() -> [String: StoredTensor] { [:] }
            mutating func restoreParameters(_ snapshot: [String: StoredTensor]) throws(ModelFileError) {}
            func predict(_ inputs: [Double], sampleShape: [Int]) throws(TensorError) -> [Double] { [] }
            func saveModel(to path: String, metadata: [String: String]) throws(ModelFileError) { saves.epochs.append(metadata["epoch"] ?? "") }
        }
        let saves = Saves()
        var control = SavingControl(saves: saves)
        var callback = ModelCheckpoint(path: "unused", monitor: "val_loss")
        for (index, value) in [0.5, 0.6, 0.4, 0.4, 0.3].enumerated() {
            let record = EpochRecord(epoch: index + 1, loss: 0, validationLoss: value)
            _ = try callback.epochEnded(record, history: TrainingHistory(), totalEpochs: 5, control: &control)
        }
        #expect(saves.epochs == ["1", "3", "5"])
        #expect(callback.savedEpoch == 5 && callback.best == 0.3)
    }
}
