import NNCore

/// Which samples form each training step of an epoch: the difference between batch,
/// stochastic and mini-batch gradient descent.
///
/// All randomness comes from the generator the trainer passes in, which it seeds from the
/// user's seed, so the same seed always gives the same batches.
public protocol BatchSchedule: Sendable {
    /// Refills `plan` with the batches of one epoch over a data set of `sampleCount` samples.
    ///
    /// The trainer passes the same plan every epoch, so refilling it in place (with
    /// ``BatchPlan/setInOrder(sampleCount:batchSize:dropLast:)`` and its siblings) allocates nothing.
    func plan(_ plan: inout BatchPlan, sampleCount: Int, generator: inout SeededRandomGenerator)
}

extension BatchSchedule {
    /// The batches of one epoch, as lists of sample indices, for a data set of `sampleCount`.
    public func batches(sampleCount: Int, generator: inout SeededRandomGenerator) -> [[Int]] {
        var plan = BatchPlan()
        self.plan(&plan, sampleCount: sampleCount, generator: &generator)
        return plan.map(Array.init)
    }
}

/// Every sample in one batch, in order: one update per epoch (batch gradient descent).
public struct FullBatch: BatchSchedule {
    /// Creates the schedule.
    public init() {}

    public func plan(_ plan: inout BatchPlan, sampleCount: Int, generator: inout SeededRandomGenerator) {
        plan.setInOrder(sampleCount: sampleCount, batchSize: Swift.max(sampleCount, 1))
    }
}

/// Consecutive batches of `size` samples in the data set's order, never shuffled.
public struct InOrderBatches: BatchSchedule {
    /// Samples per batch.
    public var size: Int
    /// Whether a smaller last batch is dropped rather than used.
    public var dropLast: Bool

    /// Creates the schedule.
    public init(size: Int, dropLast: Bool = false) {
        precondition(size > 0, "InOrderBatches: size must be positive")
        self.size = size
        self.dropLast = dropLast
    }

    public func plan(_ plan: inout BatchPlan, sampleCount: Int, generator: inout SeededRandomGenerator) {
        plan.setInOrder(sampleCount: sampleCount, batchSize: size, dropLast: dropLast)
    }
}

/// Batches of `size` samples from a fresh random permutation every epoch (mini-batch
/// gradient descent; with size 1, stochastic descent over a shuffled epoch).
public struct ShuffledBatches: BatchSchedule {
    /// Samples per batch.
    public var size: Int
    /// Whether a smaller last batch is dropped rather than used.
    public var dropLast: Bool

    /// Creates the schedule.
    public init(size: Int, dropLast: Bool = false) {
        precondition(size > 0, "ShuffledBatches: size must be positive")
        self.size = size
        self.dropLast = dropLast
    }

    public func plan(_ plan: inout BatchPlan, sampleCount: Int, generator: inout SeededRandomGenerator) {
        plan.setShuffled(sampleCount: sampleCount, batchSize: size, dropLast: dropLast, generator: &generator)
    }
}

/// One sample drawn uniformly at random, with replacement, per step; an epoch is
/// `stepsPerEpoch` steps (the data set's size by default). Classic stochastic descent.
public struct RandomSamples: BatchSchedule {
    /// Steps per epoch, or `nil` for one per sample.
    public var stepsPerEpoch: Int?

    /// Creates the schedule.
    public init(stepsPerEpoch: Int? = nil) {
        precondition(stepsPerEpoch.map { $0 > 0 } ?? true, "RandomSamples: steps per epoch must be positive")
        self.stepsPerEpoch = stepsPerEpoch
    }

    public func plan(_ plan: inout BatchPlan, sampleCount: Int, generator: inout SeededRandomGenerator) {
        plan.setRandomSamples(steps: stepsPerEpoch ?? sampleCount, sampleCount: sampleCount, generator: &generator)
    }
}
