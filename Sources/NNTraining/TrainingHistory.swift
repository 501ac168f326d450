/// What one epoch of training produced.
public struct EpochRecord: Sendable, Codable, Equatable {
    /// The epoch's number, counting from 1.
    public var epoch: Int
    /// The training loss: the batch losses of the epoch averaged, weighted by batch size.
    public var loss: Double
    /// The metrics over the epoch's training batches, by name (e.g. `"accuracy"`).
    public var metrics: [String: Double]
    /// Wall-clock seconds spent on the epoch.
    public var seconds: Double

    /// Creates a record.
    public init(epoch: Int, loss: Double, metrics: [String: Double] = [:], seconds: Double = 0) {
        self.epoch = epoch
        self.loss = loss
        self.metrics = metrics
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
}
