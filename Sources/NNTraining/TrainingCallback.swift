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

/// Code that runs after every epoch (reporting, early stopping, lowering the learning rate,
/// keeping the best model) and, if it wants, after every step (live progress).
///
/// A callback implements one of the two `epochEnded` methods: the short one when it only
/// reads the record, the one with a ``TrainingControl`` when it acts on the run (takes or
/// restores the model's parameters, changes the learning rates, saves the model). A callback
/// that learns something across epochs (a best value, a count of epochs without improvement)
/// gives it to checkpoints through ``checkpointState`` so that a resumed run behaves as an
/// uninterrupted one.
public protocol TrainingCallback {
    /// Called with the record of the epoch just finished and the history so far (which
    /// already ends with `record`); returns whether training goes on. The default goes on.
    mutating func epochEnded(_ record: EpochRecord, history: TrainingHistory, totalEpochs: Int) -> TrainingDecision

    /// As the short `epochEnded`, with `control` over the run. The default calls the short one.
    /// - Parameters:
    ///   - record: the epoch just finished.
    ///   - history: every epoch so far, ending with `record`.
    ///   - totalEpochs: the epochs the run asks for.
    ///   - control: the model's parameters, the learning rates, saving.
    /// - Throws: ``TrainingError/callback(_:)`` when the callback cannot do its work (a model
    ///   it cannot save); training stops with that error.
    mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision

    /// Called once when ``Trainer/fit(_:epochs:)`` starts, before the first epoch it trains
    /// (`history` holds the epochs trained before, by earlier calls or a checkpoint). The
    /// default does nothing.
    /// - Parameters:
    ///   - history: every epoch trained so far.
    ///   - totalEpochs: the epochs the run asks for.
    ///   - control: the model's parameters, the learning rates, saving.
    mutating func trainingBegan(history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl) throws(TrainingError)

    /// Called once when ``Trainer/fit(_:epochs:)`` ends, stopped early or not (not when it
    /// throws). The default does nothing.
    /// - Parameters:
    ///   - history: every epoch trained.
    ///   - control: the model's parameters, the learning rates, saving.
    mutating func trainingEnded(history: TrainingHistory, control: inout some TrainingControl) throws(TrainingError)

    /// Called after every step. The default does nothing.
    mutating func batchEnded(_ progress: BatchProgress)

    /// The name of the record value the callback watches (see ``EpochRecord/value(named:)``),
    /// checked before training starts to be one the run produces. The default is `nil`.
    var monitoredName: String? { get }

    /// What the callback has learnt so far, for a checkpoint, or `nil` (the default) if
    /// nothing.
    var checkpointState: CallbackState? { get }

    /// Takes back what ``checkpointState`` gave, from a checkpoint.
    /// - Throws: ``CallbackStateError`` if the state is not one this callback could have
    ///   given. The default accepts anything and does nothing.
    mutating func restore(_ state: CallbackState) throws(CallbackStateError)
}

extension TrainingCallback {
    public mutating func epochEnded(_ record: EpochRecord, history: TrainingHistory, totalEpochs: Int) -> TrainingDecision {
        .continue
    }

    public mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        epochEnded(record, history: history, totalEpochs: totalEpochs)
    }

    public mutating func trainingBegan(history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl) throws(TrainingError) {}

    public mutating func trainingEnded(history: TrainingHistory, control: inout some TrainingControl) throws(TrainingError) {}

    public mutating func batchEnded(_ progress: BatchProgress) {}

    public var monitoredName: String? { nil }

    public var checkpointState: CallbackState? { nil }

    public mutating func restore(_ state: CallbackState) throws(CallbackStateError) {}
}

/// Writes one line every `interval` epochs (and after the last), such as
/// `epoch 100/10000  loss 0.0123  accuracy 0.95  val_loss 0.0211  val_accuracy 0.93`.
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
            let values = record.valueNames.filter { $0 != "loss" && $0 != "learning_rate" }
                .compactMap { name in record.value(named: name).map { "  \(name) \(formatted($0))" } }.joined()
            write("epoch \(record.epoch)/\(totalEpochs)  loss \(formatted(record.loss))\(values)")
        }
        return .continue
    }

    private func formatted(_ value: Double) -> String {
        let rounded = (value * 1e6).rounded() / 1e6
        return "\(rounded)"
    }
}
