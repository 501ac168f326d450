import Foundation
import NNIO

/// What one epoch of training produced.
public struct EpochRecord: Sendable, Codable, Equatable {
    /// The epoch's number, counting from 1.
    public var epoch: Int
    /// The training loss: the batch losses of the epoch averaged, weighted by batch size.
    public var loss: Double
    /// The metrics over the epoch's training batches, by name (e.g. `"accuracy"`).
    public var metrics: [String: Double]
    /// The optimiser's base learning rate at the start of the epoch, if it has one.
    public var learningRate: Double?
    /// Wall-clock seconds spent on the epoch.
    public var seconds: Double

    /// Creates a record.
    public init(epoch: Int, loss: Double, metrics: [String: Double] = [:], learningRate: Double? = nil, seconds: Double = 0) {
        self.epoch = epoch
        self.loss = loss
        self.metrics = metrics
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// The records of every epoch trained so far, and why training stopped early, if it did.
public struct TrainingHistory: Sendable, Codable, Equatable {
    /// One record per epoch, in order.
    public var epochs: [EpochRecord] = []
    /// The reason a callback gave for stopping before the requested number of epochs.
    public var stopReason: String?

    /// Creates an empty history.
    public init() {}

    /// The last epoch's record.
    public var last: EpochRecord? { epochs.last }

    /// One line per epoch: `epoch,loss,<metrics in name order>,learning_rate,seconds`.
    public var csv: String {
        let names = Set(epochs.flatMap(\.metrics.keys)).sorted()
        let header = (["epoch", "loss"] + names + ["learning_rate", "seconds"]).joined(separator: ",")
        let rows = epochs.map { record in
            ([String(record.epoch), "\(record.loss)"] + names.map { record.metrics[$0].map { "\($0)" } ?? "" }
                + [record.learningRate.map { "\($0)" } ?? "", "\(record.seconds)"]).joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    /// The history as JSON (sorted keys, snake_case): `{"epochs": [...], "stop_reason": ...}`.
    public var json: String {
        // Every field is a number, string or dictionary of numbers, and a number that is not
        // finite becomes null (JSONFormat), so encoding cannot fail.
        try! JSONFormat.string(self)
    }

    /// Writes the history atomically, as CSV if `path` ends in `.csv`, else as JSON.
    public func write(to path: String) throws(FileWriteError) {
        let text = path.lowercased().hasSuffix(".csv") ? csv : json + "\n"
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }
}
