import Foundation
import NNIO

/// Writes TensorBoard event files, as Keras's `TensorBoard` callback lays them out:
/// `DIR/train/` holds `epoch_loss`, `epoch_<metric>` and `epoch_learning_rate` per epoch,
/// `batch_loss` after every step when ``logEveryStep`` is on (the running mean over the
/// epoch so far, as Keras logs it), and a histogram per epoch of every tensor of the model
/// (its parameters and statistics such as batch normalisation's running means, tagged with
/// their names, `layers.0.weight`); `DIR/validation/` holds `epoch_loss` and
/// `epoch_<metric>` of the validation data. The step of an epoch's values is its number;
/// the step of a batch value counts steps from the start of training.
///
/// ```swift
/// trainer.callbacks.append(TensorBoardLog(directory: "runs/mlp"))
/// // then: tensorboard --logdir runs
/// ```
///
/// Each run writes new files (`events.out.tfevents.<seconds>.<host>.<process>.<microseconds>`),
/// appended to once per epoch with whole records. A log is the one file swift-nn does not
/// write atomically: TensorBoard reads it while it grows, and a run killed in the middle
/// leaves every epoch before it readable (and the files stay).
public struct TensorBoardLog: TrainingCallback {
    /// The folder the `train` and `validation` folders go in.
    public var directory: String
    /// Whether the training loss of every step is written too.
    public var logEveryStep: Bool
    /// Whether a histogram of every parameter is written after each epoch.
    public var histograms: Bool

    /// Both files, opened when the first values are written.
    private var files: [String: EventFile] = [:]
    /// Batch values waiting for the end of their epoch.
    private var pendingSteps: [TensorBoardEvent] = []
    private var stepsBefore = 0

    /// Creates the callback; nothing is written before the first epoch ends.
    /// - Parameters:
    ///   - directory: the folder the `train` and `validation` folders go in.
    ///   - logEveryStep: whether the training loss of every step is written too.
    ///   - histograms: whether a histogram of every parameter is written after each epoch.
    public init(directory: String, logEveryStep: Bool = false, histograms: Bool = true) {
        self.directory = directory
        self.logEveryStep = logEveryStep
        self.histograms = histograms
    }

    public mutating func batchEnded(_ progress: BatchProgress) {
        guard logEveryStep else { return }
        let step = Int64((progress.epoch - 1) * progress.batchCount + progress.batch)
        pendingSteps.append(TensorBoardEvent(wallTime: Self.now, step: step, values: [("batch_loss", .scalar(Float(progress.loss)))]))
    }

    public mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        let step = Int64(record.epoch), time = Self.now
        var train: [(tag: String, value: TensorBoardEvent.Value)] = [("epoch_loss", .scalar(Float(record.loss)))]
        for name in record.metrics.keys.sorted() { train.append(("epoch_" + name, .scalar(Float(record.metrics[name]!)))) }
        if let rate = record.learningRate { train.append(("epoch_learning_rate", .scalar(Float(rate)))) }
        if histograms {
            for (name, tensor) in control.parameterSnapshot().sorted(by: { $0.key < $1.key }) {
                train.append((name, .histogram(TensorBoardEvent.Histogram(tensor.float64OrFloat32Values()))))
            }
        }
        let events = pendingSteps + [TensorBoardEvent(wallTime: time, step: step, values: train)]
        pendingSteps.removeAll(keepingCapacity: true)
        try append(events, to: "train")
        if let loss = record.validationLoss {
            var validation: [(tag: String, value: TensorBoardEvent.Value)] = [("epoch_loss", .scalar(Float(loss)))]
            for name in record.validationMetrics.keys.sorted() {
                validation.append(("epoch_" + name, .scalar(Float(record.validationMetrics[name]!))))
            }
            try append([TensorBoardEvent(wallTime: time, step: step, values: validation)], to: "validation")
        }
        return .continue
    }

    public mutating func trainingEnded(history: TrainingHistory, control: inout some TrainingControl) throws(TrainingError) {
        for file in files.values { try? file.handle.close() }
        files = [:]
    }

    /// Appends events to the run's file in `folder`, creating it (with the version event) first.
    private mutating func append(_ events: [TensorBoardEvent], to folder: String) throws(TrainingError) {
        do {
            if files[folder] == nil { files[folder] = try EventFile(folder: URL(fileURLWithPath: directory).appendingPathComponent(folder)) }
            try files[folder]!.handle.write(contentsOf: Data(events.flatMap(\.record)))
        } catch {
            throw .callback("TensorBoardLog cannot write to \(directory)/\(folder): \(error.localizedDescription)")
        }
    }

    private static var now: Double { Date().timeIntervalSince1970 }

    /// An event file being appended to.
    private struct EventFile {
        let handle: FileHandle

        init(folder: URL) throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
            let now = Date().timeIntervalSince1970
            // The microseconds tell apart two logs a process starts in the same second.
            let name = "events.out.tfevents.\(Int(now)).\(host).\(getpid()).\(Int(now * 1e6) % 1_000_000)"
            let url = folder.appendingPathComponent(name)
            let version = TensorBoardEvent(wallTime: TensorBoardLog.now, step: 0, fileVersion: "brain.Event:2").record
            guard FileManager.default.createFile(atPath: url.path, contents: Data(version)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        }
    }
}
