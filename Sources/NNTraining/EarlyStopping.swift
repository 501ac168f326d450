import NNIO

/// Stops training when a watched value stops improving (Keras's `EarlyStopping`), or once it
/// reaches a target.
///
/// ```swift
/// // Stop after 3 epochs without a lower validation loss; end with the best epoch's weights.
/// EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true)
/// // Stop once training accuracy is at least 0.85.
/// EarlyStopping(metric: "accuracy", target: 0.85)
/// ```
///
/// The patience rule is Keras's: from epoch ``startFromEpoch`` + 1 on, every epoch adds one
/// to a wait count; an epoch whose value improves on the best so far by more than
/// ``minDelta`` becomes the best and, if it also improves on ``baseline`` (when one is
/// given), sets the count back to 0. Training stops after an epoch that did not improve once
/// the count reaches ``patience`` — so with `patience` 3 it stops 3 epochs after the last
/// improvement — but never after the first epoch. With ``restoreBestWeights`` the model
/// ends, when `fit` returns, bit-identical to the model at the end of the best epoch
/// (stopped early or not; if no epoch improved, the first watched epoch's). Checkpoints that
/// ``Trainer/checkpointing`` writes during `fit` hold the last epoch's weights and the best
/// ones beside them, so a resumed run ends as an uninterrupted one; a checkpoint saved by
/// hand after `fit` returned holds the restored weights. The callback's state lasts across
/// calls of `fit` (unlike Keras, which starts it again at each): a run trained in parts, or
/// resumed, counts its waits as one run.
public struct EarlyStopping: TrainingCallback {
    /// Which way the target form's value must go.
    public enum Goal: Sendable, Equatable {
        /// Stop when the value is at least the target (accuracy).
        case atLeast
        /// Stop when the value is at most the target (loss).
        case atMost
    }

    /// The record value watched (see ``EpochRecord/value(named:)``): `"loss"`, `"accuracy"`,
    /// `"val_loss"`, `"val_accuracy"`.
    public var metric: String
    /// Which way the value improves.
    public var mode: MonitorMode
    /// For the target form, the value that stops training once reached.
    public var target: Double?
    /// For the patience form, the epochs without improvement after which training stops.
    public var patience: Int?
    /// The smallest change that counts as an improvement (its sign is ignored).
    public var minDelta: Double
    /// A value the watched value must improve on before the wait count starts again.
    public var baseline: Double?
    /// Whether the model ends with the best epoch's weights.
    public var restoreBestWeights: Bool
    /// Epochs at the start that are not watched (a warm-up).
    public var startFromEpoch: Int

    /// The best value watched so far (the mode's worst before any).
    public private(set) var best: Double
    /// The epoch that gave ``best`` (0 before any).
    public private(set) var bestEpoch = 0
    /// Epochs since the last improvement that also beat the baseline.
    public private(set) var wait = 0
    /// The epoch after which this callback stopped training (0 if it did not).
    public private(set) var stoppedEpoch = 0
    private var bestWeights: [String: StoredTensor]?

    /// Whether reaching the target means rising to it or falling to it.
    public var goal: Goal { mode == .min ? .atMost : .atLeast }

    /// Stops when `metric` reaches `target`: the goal defaults to `.atMost` for names that
    /// contain `loss` and `.atLeast` otherwise.
    /// - Parameters:
    ///   - metric: the record value watched.
    ///   - target: the value to reach.
    ///   - goal: whether reaching means rising to or falling to the target.
    public init(metric: String, target: Double, goal: Goal? = nil) {
        self.metric = metric
        self.target = target
        self.mode = goal.map { $0 == .atMost ? .min : .max } ?? MonitorMode.inferred(for: metric)
        self.minDelta = 0
        self.restoreBestWeights = false
        self.startFromEpoch = 0
        self.best = mode.worst
    }

    /// Stops after `patience` epochs without an improvement of more than `minDelta`.
    /// - Parameters:
    ///   - monitor: the record value watched (`"val_loss"` by default, as in Keras).
    ///   - minDelta: the smallest change that counts as an improvement.
    ///   - patience: epochs without improvement before stopping (0: the first that does not improve).
    ///   - mode: which way the value improves; inferred from the name if `nil`.
    ///   - baseline: a value to beat before the wait count starts again.
    ///   - restoreBestWeights: whether the model ends with the best epoch's weights.
    ///   - startFromEpoch: epochs at the start that are not watched.
    public init(
        monitor: String = "val_loss", minDelta: Double = 0, patience: Int, mode: MonitorMode? = nil,
        baseline: Double? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0
    ) {
        precondition(patience >= 0, "EarlyStopping: patience must not be negative")
        precondition(minDelta.isFinite, "EarlyStopping: minDelta must be finite")
        precondition(startFromEpoch >= 0, "EarlyStopping: startFromEpoch must not be negative")
        self.metric = monitor
        self.mode = mode ?? MonitorMode.inferred(for: monitor)
        self.patience = patience
        self.minDelta = minDelta
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
        self.best = self.mode.worst
    }

    public var monitoredName: String? { metric }

    public mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        guard let current = record.value(named: metric) else { return .continue }
        if let target {
            let reached = mode == .max ? current >= target : current <= target
            if reached {
                stoppedEpoch = record.epoch
                return .stop(reason: "\(metric) \(current) reached the target \(mode == .max ? "≥" : "≤") \(target) at epoch \(record.epoch)")
            }
        }
        guard let patience, record.epoch > startFromEpoch else { return .continue }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = control.parameterSnapshot()
            bestEpoch = record.epoch
        }
        wait += 1
        if mode.improves(current, on: best, minDelta: minDelta) {
            best = current
            bestEpoch = record.epoch
            if restoreBestWeights { bestWeights = control.parameterSnapshot() }
            if baseline.map({ mode.improves(current, on: $0, minDelta: minDelta) }) ?? true { wait = 0 }
            return .continue
        }
        guard wait >= patience && record.epoch > 1 else { return .continue }
        stoppedEpoch = record.epoch
        let best = bestEpoch > 0 ? "; the best was \(self.best) at epoch \(bestEpoch)" : ""
        return .stop(reason: "\(metric) did not improve for \(wait) epoch\(wait == 1 ? "" : "s") (patience \(patience))\(best)")
    }

    public mutating func trainingEnded(history: TrainingHistory, control: inout some TrainingControl) throws(TrainingError) {
        guard restoreBestWeights, let bestWeights else { return }
        do { try control.restoreParameters(bestWeights) } catch {
            throw .callback("EarlyStopping cannot restore the weights of epoch \(bestEpoch): \(error)")
        }
    }

    public var checkpointState: CallbackState? {
        CallbackState(
            identity: "\(metric) \(mode.rawValue), " + (target.map { "target \($0)" } ?? "patience") + (restoreBestWeights ? ", best weights" : ""),
            values: ["best": best, "best_epoch": Double(bestEpoch), "wait": Double(wait), "stopped_epoch": Double(stoppedEpoch)],
            snapshot: bestWeights)
    }

    public mutating func restore(_ state: CallbackState) throws(CallbackStateError) {
        let best = try state.value("best")
        let (bestEpoch, wait, stoppedEpoch) = (try state.count("best_epoch"), try state.count("wait"), try state.count("stopped_epoch"))
        guard !best.isNaN else { throw CallbackStateError("'best' is NaN") }
        if restoreBestWeights && bestEpoch > 0 && state.snapshot == nil {
            throw CallbackStateError("it restores the best weights, but the checkpoint holds none")
        }
        (self.best, self.bestEpoch, self.wait, self.stoppedEpoch) = (best, bestEpoch, wait, stoppedEpoch)
        bestWeights = restoreBestWeights ? state.snapshot : nil
    }
}
