/// What a callback tells the trainer after an epoch.
public enum TrainingDecision: Sendable, Equatable {
    /// Go on to the next epoch.
    case `continue`
    /// Stop now, for the given reason (recorded in the history).
    case stop(reason: String)
}

/// Where training stands after a step, for live progress displays.
public struct BatchProgress: Sendable, Equatable {
    /// The epoch, counting from 1, and how many there will be.
    public var epoch: Int, totalEpochs: Int
    /// The step within the epoch, counting from 1, and how many the epoch has.
    public var batch: Int, batchCount: Int
    /// Samples seen so far in this epoch and in the epoch as a whole.
    public var samples: Int, samplesPerEpoch: Int
    /// The running training loss and accuracy (if measured) over the epoch so far.
    public var loss: Double, accuracy: Double?
    /// Seconds since this epoch started.
    public var seconds: Double

    /// Creates a progress value.
    public init(
        epoch: Int, totalEpochs: Int, batch: Int, batchCount: Int, samples: Int, samplesPerEpoch: Int,
        loss: Double, accuracy: Double?, seconds: Double
    ) {
        (self.epoch, self.totalEpochs, self.batch, self.batchCount) = (epoch, totalEpochs, batch, batchCount)
        (self.samples, self.samplesPerEpoch, self.loss, self.accuracy, self.seconds) = (samples, samplesPerEpoch, loss, accuracy, seconds)
    }
}

/// Code that runs after every epoch (reporting, early stopping) and, if it wants, after
/// every step (live progress).
public protocol TrainingCallback {
    /// Called with the record of the epoch just finished and the history so far (which
    /// already ends with `record`); returns whether training goes on.
    mutating func epochEnded(_ record: EpochRecord, history: TrainingHistory, totalEpochs: Int) -> TrainingDecision

    /// Called after every step. The default does nothing.
    mutating func batchEnded(_ progress: BatchProgress)
}

extension TrainingCallback {
    public mutating func batchEnded(_ progress: BatchProgress) {}
}

/// Writes one line every `interval` epochs (and after the last), such as
/// `epoch 100/10000  loss 0.0123  accuracy 0.9500`.
public struct ProgressReport: TrainingCallback {
    /// Epochs between reports.
    public var interval: Int
    private let write: (String) -> Void

    /// Creates a report every `interval` epochs, written with `write` (standard output by default).
    public init(every interval: Int, write: @escaping (String) -> Void = { print($0) }) {
        precondition(interval > 0, "ProgressReport: interval must be positive")
        self.interval = interval
        self.write = write
    }

    public mutating func epochEnded(_ record: EpochRecord, history: TrainingHistory, totalEpochs: Int) -> TrainingDecision {
        if record.epoch % interval == 0 || record.epoch == totalEpochs {
            let metrics = record.metrics.keys.sorted().map { "  \($0) \(formatted(record.metrics[$0]!))" }.joined()
            write("epoch \(record.epoch)/\(totalEpochs)  loss \(formatted(record.loss))\(metrics)")
        }
        return .continue
    }

    private func formatted(_ value: Double) -> String {
        let rounded = (value * 1e6).rounded() / 1e6
        return "\(rounded)"
    }
}

/// Stops training once a metric (or `"loss"`) reaches a target, e.g. once training
/// accuracy is at least 0.85, or the loss at most 0.01.
public struct EarlyStopping: TrainingCallback {
    /// Which way the metric must go.
    public enum Goal: Sendable, Equatable {
        /// Stop when the value is at least the target (accuracy).
        case atLeast
        /// Stop when the value is at most the target (loss).
        case atMost
    }

    /// The metric's name, or `"loss"` for the training loss.
    public var metric: String
    /// The value to reach.
    public var target: Double
    /// Whether reaching means rising to or falling to the target.
    public var goal: Goal

    /// Creates the callback; the goal defaults to `.atMost` for `"loss"` and `.atLeast` otherwise.
    public init(metric: String, target: Double, goal: Goal? = nil) {
        self.metric = metric
        self.target = target
        self.goal = goal ?? (metric == "loss" ? .atMost : .atLeast)
    }

    public mutating func epochEnded(_ record: EpochRecord, history: TrainingHistory, totalEpochs: Int) -> TrainingDecision {
        guard let value = metric == "loss" ? record.loss : record.metrics[metric] else { return .continue }
        let reached = goal == .atLeast ? value >= target : value <= target
        return reached
            ? .stop(reason: "\(metric) \(value) reached the target \(goal == .atLeast ? "≥" : "≤") \(target) at epoch \(record.epoch)")
            : .continue
    }
}
