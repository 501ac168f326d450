import Synchronization

/// Reusable, 64-byte-aligned buffers for the intermediate values of an inference call (a
/// layer's pre-activations, a convolution's im2col rows), which nobody sees after the call.
///
/// A layer called as a function cannot keep buffers between calls (it is a value, and may be
/// called from several threads at once), so each call takes a buffer from a small shared pool
/// and gives it back: after the first call nothing is allocated, zeroed or page-faulted for
/// these values (a fresh `malloc` of a megabyte is an `mmap`, and a page fault per page).
final class InferenceScratch: @unchecked Sendable {
    private var storage: UnsafeMutableRawPointer
    private(set) var byteCapacity = 0

    /// The largest buffer the pool keeps after a call: a call on a huge batch (a convolution's
    /// im2col rows grow with it) gives its memory back rather than holding it for ever. 64 MiB
    /// keeps the im2col rows of the README's CNN at the trainer's evaluation batch of 256.
    static let retainedBytes = 1 << 26

    private init() {
        storage = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Gives the buffer's memory back, keeping a minimal one.
    private func shrink() {
        storage.deallocate()
        storage = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        byteCapacity = 0
    }

    /// The largest buffer in the pool now (for tests).
    static var largestPooledBuffer: Int { pool.withLock { $0.map(\.byteCapacity).max() ?? 0 } }

    private static let pool = Mutex<[InferenceScratch]>([])

    /// Runs `body` with `count` uninitialised values of `T` that nobody else is using; `body`
    /// must write each value before reading it. Nested calls get distinct buffers.
    /// - Parameters:
    ///   - type: the element type (trivial: `Float` or `Double`).
    ///   - count: how many values.
    ///   - body: the work, given the buffer.
    static func withBuffer<T, R>(
        of type: T.Type, count: Int, _ body: (UnsafeMutableBufferPointer<T>) -> R
    ) -> R {
        let scratch = pool.withLock { $0.popLast() } ?? InferenceScratch()
        defer {
            if scratch.byteCapacity > retainedBytes { scratch.shrink() }
            pool.withLock { $0.append(scratch) }
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        precondition(count >= 0 && !overflow, "InferenceScratch: \(count) values do not fit in memory")
        if bytes > scratch.byteCapacity {
            scratch.storage.deallocate()
            scratch.storage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            scratch.byteCapacity = bytes
        }
        let values = scratch.storage.bindMemory(to: T.self, capacity: count)
        return body(UnsafeMutableBufferPointer(start: values, count: count))
    }
}
