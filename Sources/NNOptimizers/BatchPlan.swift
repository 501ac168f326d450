import NNCore

/// The steps of one epoch: sample indices in the order they are used, cut into consecutive
/// batches of ``batchSize`` (the last one may be smaller).
///
/// A plan is a collection of batches; each batch is a slice of ``order``, so walking the plan
/// allocates nothing. A schedule refills the trainer's plan in place every epoch, reusing its
/// storage.
public struct BatchPlan: RandomAccessCollection, Sendable, Equatable {
    /// Every sample index of the epoch, in the order used.
    public private(set) var order: [Int] = []
    /// Samples per batch (every batch but possibly the last).
    public private(set) var batchSize = 1
    /// The number of batches.
    public private(set) var endIndex = 0
    /// Whether `order` is 0, 1, 2, … as `setInOrder` leaves it (not part of equality).
    private var orderIsIdentity = false

    /// An empty plan: no batches.
    public init() {}

    /// Plans are equal when they give the same batches.
    public static func == (lhs: BatchPlan, rhs: BatchPlan) -> Bool {
        lhs.order == rhs.order && lhs.batchSize == rhs.batchSize && lhs.endIndex == rhs.endIndex
    }

    /// A plan over the given order, in batches of `batchSize`.
    public init(order: [Int], batchSize: Int, dropLast: Bool = false) {
        self.order = order
        setBatches(size: batchSize, dropLast: dropLast)
    }

    public var startIndex: Int { 0 }

    /// The sample indices of batch `position`.
    public subscript(position: Int) -> ArraySlice<Int> {
        precondition(position >= 0 && position < endIndex, "BatchPlan: batch \(position) out of 0..<\(endIndex)")
        let start = position * batchSize
        return order[start..<(start + Swift.min(batchSize, order.count - start))]
    }

    /// Refills the plan with `0..<sampleCount` in order, in batches of `size`.
    public mutating func setInOrder(sampleCount: Int, batchSize size: Int, dropLast: Bool = false) {
        // The same plan every epoch for an in-order schedule: kept when it is already there
        // (for full-batch descent on a few samples, rebuilding it was a tenth of the update).
        if !(orderIsIdentity && order.count == sampleCount) { setOrderToIdentity(sampleCount: sampleCount) }
        setBatches(size: size, dropLast: dropLast)
    }

    /// Refills the plan with `0..<sampleCount` in a random order (Fisher–Yates, drawn from
    /// `generator`), in batches of `size`.
    public mutating func setShuffled(
        sampleCount: Int, batchSize size: Int, dropLast: Bool = false,
        generator: inout SeededRandomGenerator
    ) {
        setOrderToIdentity(sampleCount: sampleCount)
        generator.shuffle(&order)
        orderIsIdentity = false
        setBatches(size: size, dropLast: dropLast)
    }

    /// Refills the plan with `steps` single-sample batches, each drawn uniformly from
    /// `0..<sampleCount` with replacement.
    public mutating func setRandomSamples(steps: Int, sampleCount: Int, generator: inout SeededRandomGenerator) {
        order.removeAll(keepingCapacity: true)
        orderIsIdentity = false
        if sampleCount > 0 {
            for _ in 0..<steps { order.append(generator.nextIndex(below: sampleCount)) }
        }
        setBatches(size: 1, dropLast: false)
    }

    /// `order = 0..<sampleCount`, in the storage it already has.
    private mutating func setOrderToIdentity(sampleCount: Int) {
        precondition(sampleCount >= 0, "BatchPlan: negative sample count \(sampleCount)")
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: 0..<sampleCount)
        orderIsIdentity = true
    }

    private mutating func setBatches(size: Int, dropLast: Bool) {
        precondition(size > 0, "BatchPlan: batch size must be positive, got \(size)")
        batchSize = size
        // Not (count + size − 1) / size: a batch size near Int.max must not overflow.
        endIndex = order.count / size + (dropLast || order.count % size == 0 ? 0 : 1)
    }
}
