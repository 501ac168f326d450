import Foundation

/// The time this process spent in collective operations (waiting for the others included),
/// and how many there were.
public final class CommunicationTiming: @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: UInt64 = 0
    private var count = 0
    private var bytes = 0

    /// Seconds spent in collective operations so far.
    public var seconds: Double {
        lock.withLock { Double(nanoseconds) / 1e9 }
    }

    /// Collective operations so far.
    public var operations: Int {
        lock.withLock { count }
    }

    /// Bytes of gradients (and their statistics) this process sent into reductions so far.
    public var reducedBytes: Int {
        lock.withLock { bytes }
    }

    func add(nanoseconds elapsed: UInt64) {
        lock.withLock {
            nanoseconds += elapsed
            count += 1
        }
    }

    func add(reducedBytes added: Int) {
        lock.withLock { bytes += added }
    }
}
