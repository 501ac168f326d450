import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many threads the kernels may use: matrix products, optimiser updates and the image
/// layers' passes over a batch.
///
/// The default is the number of online processors, or `NN_THREADS` from the environment
/// when it is set (as `OMP_NUM_THREADS` is for OpenMP libraries). A pass is split between the
/// calling thread and up to `count − 1` persistent helpers (at most 255), and only as far as
/// its size repays: a product of fewer than 2¹⁷ multiply-adds per thread uses fewer threads,
/// a small one the caller's alone. Results are the same bits for every setting.
///
/// ```swift
/// KernelThreads.count = 1   // single-threaded, e.g. to benchmark against one core
/// ```
public enum KernelThreads {
    private static let storage = Atomic<Int>(defaultCount)

    /// The instruction set the single-precision matrix kernels were chosen for on this CPU:
    /// `"AVX-512"`, `"AVX2+FMA"` or `"baseline"` (SSE2 on x86-64, NEON on arm64).
    public static var instructionSet: String { Kernels.instructionSetName }

    /// The number of processors online.
    public static let available: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// The number of threads the kernels may use, from 1 to ``maximum`` (values outside are clamped).
    public static var count: Int {
        get { storage.load(ordering: .relaxed) }
        set { storage.store(min(max(1, newValue), maximum), ordering: .relaxed) }
    }

    /// The most threads the kernels use (the caller and 255 helpers); larger values are clamped.
    public static let maximum = KernelWorkers.maximumHelpers + 1

    private static var defaultCount: Int {
        if let text = getenv("NN_THREADS"), let value = Int(String(cString: text)), value > 0 {
            return min(value, maximum)
        }
        return available
    }
}

extension KernelThreads {
    /// Runs `body(part)` for every `part` in `0..<parts`, spread over up to `count` threads (the
    /// caller's and the kernels' persistent helpers), and returns when all have finished.
    ///
    /// For a pass of your own as heavy as a product (a custom optimiser's update, a layer's
    /// loop over a batch). Each part must write only its own output and compute it the same
    /// way on any thread, so that results do not depend on the thread count. A call made
    /// while another pass holds the helpers (from another thread, or from inside a part) runs
    /// its parts on the calling thread. Nothing is allocated.
    /// - Parameters:
    ///   - parts: how many parts; at most this many threads are used.
    ///   - threads: the most threads to use, the caller's included (by default `count`).
    ///   - body: the work of one part.
    /// - Returns: the number of threads that shared the parts.
    @discardableResult
    public static func run(parts: Int, threads: Int = count, _ body: (Int) -> Void) -> Int {
        guard parts > 0 else { return 1 }
        return KernelWorkers.shared.run(parts: parts, threads: threads, body)
    }

    /// Runs `body` over consecutive ranges that together cover `0..<elements`, one per thread
    /// (up to `threads`, and only as many as give each at least `minimumPerThread` elements),
    /// each range a multiple of `alignment` long but the last: an element-wise pass (an
    /// optimiser's update) split so that vector loops see whole vectors.
    /// - Parameters:
    ///   - elements: how many elements the pass covers.
    ///   - alignment: the multiple every range but the last is cut at.
    ///   - minimumPerThread: the fewest elements worth a thread of their own.
    ///   - threads: the most threads to use, the caller's included (by default `count`).
    ///   - body: the work on one range.
    /// - Returns: the number of threads that shared the ranges.
    @discardableResult
    public static func forEachRange(
        of elements: Int, alignment: Int = 16, minimumPerThread: Int, threads: Int = count, _ body: (Range<Int>) -> Void
    ) -> Int {
        let parts = Swift.min(threads, elements / Swift.max(1, minimumPerThread))
        guard parts > 1 else {
            body(0..<Swift.max(0, elements))
            return 1
        }
        // Rounded up twice, so that `parts` ranges reach the end.
        let step = Swift.max(1, alignment)
        let chunk = ((elements + parts - 1) / parts + step - 1) / step * step
        return run(parts: parts, threads: threads) { part in
            let start = part * chunk
            guard start < elements else { return }
            body(start..<Swift.min(start + chunk, elements))
        }
    }
}
