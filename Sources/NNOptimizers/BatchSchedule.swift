import NNCore

/// Which samples form each training step of an epoch: the difference between batch,
/// stochastic and mini-batch gradient descent.
///
/// All randomness comes from the generator the trainer passes in, which it seeds from the
/// user's seed, so the same seed always gives the same batches.
public protocol BatchSchedule: Sendable {
    /// The batches of one epoch, as lists of sample indices, for a data set of `sampleCount`.
    func batches(sampleCount: Int, generator: inout SeededRandomGenerator) -> [[Int]]
}

/// Every sample in one batch, in order: one update per epoch (batch gradient descent).
public struct FullBatch: BatchSchedule {
    /// Creates the schedule.
    public init() {}

    public func batches(sampleCount: Int, generator: inout SeededRandomGenerator) -> [[Int]] {
        sampleCount > 0 ? [Array(0..<sampleCount)] : []
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

    public func batches(sampleCount: Int, generator: inout SeededRandomGenerator) -> [[Int]] {
        chunk(Array(0..<sampleCount), size: size, dropLast: dropLast)
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

    public func batches(sampleCount: Int, generator: inout SeededRandomGenerator) -> [[Int]] {
        var order = Array(0..<sampleCount)
        generator.shuffle(&order)
        return chunk(order, size: size, dropLast: dropLast)
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

    public func batches(sampleCount: Int, generator: inout SeededRandomGenerator) -> [[Int]] {
        guard sampleCount > 0 else { return [] }
        return (0..<(stepsPerEpoch ?? sampleCount)).map { _ in [generator.nextIndex(below: sampleCount)] }
    }
}

private func chunk(_ indices: [Int], size: Int, dropLast: Bool) -> [[Int]] {
    stride(from: 0, to: indices.count, by: size).compactMap { start in
        let end = Swift.min(start + size, indices.count)
        return dropLast && end - start < size ? nil : Array(indices[start..<end])
    }
}
