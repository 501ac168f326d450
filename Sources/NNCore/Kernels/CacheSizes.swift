#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sizes of this CPU's data caches, as the operating system reports them, for the
/// kernels' choices between a blocked and a streaming loop.
enum CacheSizes {
    /// Bytes of one core's level-2 cache (512 KiB when the system does not say).
    static let levelTwo: Int = {
        let fallback = 512 * 1024
        #if canImport(Glibc)
            let reported = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
            return reported > 0 ? reported : fallback
        #elseif canImport(Darwin)
            var bytes = 0
            var size = MemoryLayout<Int>.size
            return sysctlbyname("hw.l2cachesize", &bytes, &size, nil, 0) == 0 && bytes > 0 ? bytes : fallback
        #else
            return fallback
        #endif
    }()
}
