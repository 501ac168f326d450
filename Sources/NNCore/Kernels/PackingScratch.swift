import Synchronization

/// Reusable, 64-byte-aligned buffers for packed panels of A and B.
///
/// Products take a scratch from a small shared pool and give it back, so a training loop
/// in steady state allocates nothing for packing (a fresh `malloc` of this size is an
/// `mmap` and a page fault per page, every call).
final class PackingScratch: @unchecked Sendable {
    private(set) var packedA: UnsafeMutablePointer<Float>
    private(set) var packedB: UnsafeMutablePointer<Float>
    private var capacityA = 0, capacityB = 0

    private init() {
        packedA = Self.allocate(0)
        packedB = Self.allocate(0)
    }

    /// Makes room for `a` floats of packed A and `b` floats of packed B.
    func reserve(a: Int, b: Int) {
        if a > capacityA {
            packedA.deallocate()
            packedA = Self.allocate(a)
            capacityA = a
        }
        if b > capacityB {
            packedB.deallocate()
            packedB = Self.allocate(b)
            capacityB = b
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }

    private static let pool = Mutex<[PackingScratch]>([])

    /// Runs `body` with a scratch nobody else is using.
    static func withScratch<R>(_ body: (PackingScratch) -> R) -> R {
        let scratch = pool.withLock { $0.popLast() } ?? PackingScratch()
        defer { pool.withLock { $0.append(scratch) } }
        return body(scratch)
    }
}
