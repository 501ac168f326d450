extension Kernels {
    /// Values per thread below which an element-wise pass stays on one thread: handing a part
    /// to a helper costs a few microseconds, as long as a pass over this many values.
    static let elementwiseValuesPerThread = 1 << 15

    /// Runs `body` over consecutive blocks of `0..<count` that together cover it, shared
    /// between up to `threads` threads when the pass is large enough to repay them. Blocks
    /// start at multiples of 64 values, so a vectorised kernel groups the values of each
    /// block as it would group the whole buffer's: every thread count gives the same bits.
    /// - Parameters:
    ///   - count: the number of values of the pass.
    ///   - threads: the most threads to use (the caller's included); `nil`,
    ///     `KernelThreads.count`, read only for a pass large enough to share.
    ///   - body: the work of one block; each block must write only its own values.
    /// - Returns: the number of threads that shared the blocks.
    @discardableResult
    static func forEachElementwiseBlock(
        count: Int, threads: Int? = nil, _ body: (Range<Int>) -> Void
    ) -> Int {
        // The thread count is read (an atomic load) only for a pass large enough to share.
        let parts =
            count < 2 * elementwiseValuesPerThread ? 1 : Swift.min(threads ?? KernelThreads.count, count / elementwiseValuesPerThread)
        guard parts > 1 else {
            body(0..<count)
            return 1
        }
        return KernelWorkers.shared.run(parts: parts, threads: parts) { part in
            body(PackedProductPart.share(part, of: parts, length: count, step: 64))
        }
    }
}
