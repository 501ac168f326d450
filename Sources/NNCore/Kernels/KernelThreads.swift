import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many threads the matrix-product kernel may use.
///
/// The default is the number of online processors, or `NN_THREADS` from the environment
/// when it is set (as `OMP_NUM_THREADS` is for OpenMP libraries). Today the kernel splits a
/// product into at most two parts, the calling thread's and one persistent helper's, so any
/// value above 2 behaves as 2. Products too small to repay a second thread run on the
/// caller's thread whatever the setting.
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

    /// The number of threads products may use, at least 1 (values below are clamped; values
    /// above 2 use two threads, the most the kernel splits a product into).
    public static var count: Int {
        get { storage.load(ordering: .relaxed) }
        set { storage.store(max(1, newValue), ordering: .relaxed) }
    }

    private static var defaultCount: Int {
        if let text = getenv("NN_THREADS"), let value = Int(String(cString: text)), value > 0 {
            return value
        }
        return available
    }
}
