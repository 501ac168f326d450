/// The rows of a global batch that one process trains on in data-parallel training: rows
/// `offset ..< offset + count` of a batch of `globalCount` samples.
///
/// A layer whose randomness is drawn per value (``Dropout``) draws as for the whole global
/// batch and keeps its own rows, so that several processes together compute what one process
/// computes on the whole batch.
public struct BatchShard: Sendable, Equatable {
    /// The first row of the global batch this process holds.
    public let offset: Int
    /// The rows this process holds.
    public let count: Int
    /// The samples of the whole batch, over every process.
    public let globalCount: Int

    /// The rows process `rank` of `processCount` takes from a global batch of `globalCount`
    /// samples: contiguous parts in rank order, `⌊globalCount·rank / processCount⌋` up to
    /// `⌊globalCount·(rank + 1) / processCount⌋`, so that sizes differ by at most one and a
    /// batch smaller than `processCount` leaves some processes an empty part.
    /// - Parameters:
    ///   - globalCount: the samples of the batch (not negative).
    ///   - rank: the process, in `0..<processCount`.
    ///   - processCount: the processes sharing the batch (at least one).
    public init(rowsOf globalCount: Int, rank: Int, processCount: Int) {
        precondition(
            globalCount >= 0 && processCount > 0 && (0..<processCount).contains(rank),
            "BatchShard: batch \(globalCount), rank \(rank) of \(processCount)")
        // Full-width products: globalCount · rank cannot overflow.
        func boundary(_ part: Int) -> Int {
            processCount.dividingFullWidth(globalCount.multipliedFullWidth(by: part)).quotient
        }
        let start = boundary(rank)
        (offset, count, self.globalCount) = (start, boundary(rank + 1) - start, globalCount)
    }
}
