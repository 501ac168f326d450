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
    /// The loss on the validation data after the epoch, in inference mode, if there is
    /// validation data (``value(named:)`` calls it `val_loss`, as Keras does).
    public var validationLoss: Double?
    /// The metrics on the validation data, by name (`val_accuracy` for ``value(named:)``).
    public var validationMetrics: [String: Double]
    /// The optimiser's base learning rate at the start of the epoch, if it has one.
    public var learningRate: Double?
    /// Wall-clock seconds spent on the epoch (validation included).
    public var seconds: Double

    /// Creates a record.
    /// - Parameters:
    ///   - epoch: the epoch's number, counting from 1.
    ///   - loss: the training loss.
    ///   - metrics: the training metrics, by name.
    ///   - validationLoss: the validation loss, if there was validation data.
    ///   - validationMetrics: the validation metrics, by name.
    ///   - learningRate: the base learning rate the epoch started with.
    ///   - seconds: the epoch's wall-clock time.
    public init(
        epoch: Int, loss: Double, metrics: [String: Double] = [:], validationLoss: Double? = nil,
        validationMetrics: [String: Double] = [:], learningRate: Double? = nil, seconds: Double = 0
    ) {
        self.epoch = epoch
        self.loss = loss
        self.metrics = metrics
        self.validationLoss = validationLoss
        self.validationMetrics = validationMetrics
        self.learningRate = learningRate
        self.seconds = seconds
    }

    private enum CodingKeys: String, CodingKey {
        case epoch, loss, metrics, validationLoss, validationMetrics, learningRate, seconds
    }

    /// Reads a record; records written before validation existed have none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try container.decode(Int.self, forKey: .epoch)
        loss = try container.decode(Double.self, forKey: .loss)
        metrics = try container.decode([String: Double].self, forKey: .metrics)
        validationLoss = try container.decodeIfPresent(Double.self, forKey: .validationLoss)
        validationMetrics = try container.decodeIfPresent([String: Double].self, forKey: .validationMetrics) ?? [:]
        learningRate = try container.decodeIfPresent(Double.self, forKey: .learningRate)
        seconds = try container.decode(Double.self, forKey: .seconds)
    }

    /// Writes the record; the validation values only when there are some, so that a history
    /// without validation reads as before.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epoch, forKey: .epoch)
        try container.encode(loss, forKey: .loss)
        try container.encode(metrics, forKey: .metrics)
        try container.encodeIfPresent(validationLoss, forKey: .validationLoss)
        if !validationMetrics.isEmpty { try container.encode(validationMetrics, forKey: .validationMetrics) }
        try container.encodeIfPresent(learningRate, forKey: .learningRate)
        try container.encode(seconds, forKey: .seconds)
    }

    /// A value of the record by the name Keras gives it: `loss`, a training metric's name
    /// (`accuracy`), `val_loss`, `val_` and a metric's name (`val_accuracy`), or
    /// `learning_rate`; `nil` if the record has no such value.
    public func value(named name: String) -> Double? {
        switch name {
        case "loss": return loss
        case "val_loss": return validationLoss
        case "learning_rate": return learningRate
        default:
            if name.hasPrefix("val_") { return validationMetrics[String(name.dropFirst(4))] }
            return metrics[name]
        }
    }

    /// Every name ``value(named:)`` answers for this record, training values first.
    public var valueNames: [String] {
        var names = ["loss"] + metrics.keys.sorted()
        if validationLoss != nil { names += ["val_loss"] + validationMetrics.keys.sorted().map { "val_" + $0 } }
        if learningRate != nil { names.append("learning_rate") }
        return names
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

    /// One line per epoch: `epoch,loss,<metrics in name order>,val_loss,val_<metrics>,learning_rate,seconds`
    /// (the validation columns when some epoch has validation values; an empty field where an
    /// epoch has no such value).
    public var csv: String {
        let names = Set(epochs.flatMap(\.metrics.keys)).sorted()
        var validation: [String] = []
        if epochs.contains(where: { $0.validationLoss != nil }) {
            validation = ["val_loss"] + Set(epochs.flatMap(\.validationMetrics.keys)).sorted().map { "val_" + $0 }
        }
        let header = (["epoch", "loss"] + names + validation + ["learning_rate", "seconds"]).joined(separator: ",")
        let rows = epochs.map { record in
            ([String(record.epoch), "\(record.loss)"] + (names + validation).map { record.value(named: $0).map { "\($0)" } ?? "" }
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
