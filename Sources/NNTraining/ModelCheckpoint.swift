/// Saves the model after the epochs where a watched value improves (Keras's
/// `ModelCheckpoint(save_best_only=True)`), or after every epoch.
///
/// ```swift
/// ModelCheckpoint(path: "best.safetensors", monitor: "val_loss")
/// ```
///
/// Each save is a model file (not a checkpoint) written atomically over the last, so the
/// file always holds one whole model: the best epoch's so far (the last epoch's when
/// ``saveBestOnly`` is off). The model is saved in inference mode, ready for `nn predict`.
public struct ModelCheckpoint: TrainingCallback {
    /// Where the model is written.
    public var path: String
    /// The record value watched.
    public var monitor: String
    /// Which way the value improves.
    public var mode: MonitorMode
    /// Whether to save only when the value improves (otherwise after every epoch).
    public var saveBestOnly: Bool
    /// Entries added to the file's metadata (input shape, class names).
    public var metadata: [String: String]

    /// The best value watched so far.
    public private(set) var best: Double
    /// The epoch last saved (0 before any).
    public private(set) var savedEpoch = 0

    /// Creates the callback.
    /// - Parameters:
    ///   - path: where the model is written.
    ///   - monitor: the record value watched.
    ///   - mode: which way the value improves; inferred from the name if `nil`.
    ///   - saveBestOnly: whether to save only when the value improves.
    ///   - metadata: entries added to the file's metadata.
    public init(
        path: String, monitor: String = "val_loss", mode: MonitorMode? = nil, saveBestOnly: Bool = true,
        metadata: [String: String] = [:]
    ) {
        self.path = path
        self.monitor = monitor
        self.mode = mode ?? MonitorMode.inferred(for: monitor)
        self.saveBestOnly = saveBestOnly
        self.metadata = metadata
        self.best = self.mode.worst
    }

    public var monitoredName: String? { saveBestOnly ? monitor : nil }

    public mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        if saveBestOnly {
            guard let current = record.value(named: monitor), mode.improves(current, on: best) else { return .continue }
            best = current
        }
        var metadata = self.metadata
        metadata["epoch"] = String(record.epoch)
        if saveBestOnly { metadata["monitor"] = "\(monitor)=\(best)" }
        do { try control.saveModel(to: path, metadata: metadata) } catch {
            throw .callback("cannot save the best model: \(error)")
        }
        savedEpoch = record.epoch
        return .continue
    }

    public var checkpointState: CallbackState? {
        CallbackState(identity: "\(monitor) \(mode.rawValue)", values: ["best": best, "saved_epoch": Double(savedEpoch)])
    }

    public mutating func restore(_ state: CallbackState) throws(CallbackStateError) {
        let best = try state.value("best")
        guard !best.isNaN else { throw CallbackStateError("'best' is NaN") }
        (self.best, self.savedEpoch) = (best, try state.count("saved_epoch"))
    }
}
