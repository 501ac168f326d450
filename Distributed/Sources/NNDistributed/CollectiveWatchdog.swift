import Foundation

/// A thread that watches collective operations: one that waits longer than the timeout for
/// the other processes (one of them hangs, or is stopped) makes this process say so and exit,
/// and `mpirun` then ends the others. It makes no MPI call itself: MPI runs on one thread.
final class CollectiveWatchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var operation: String?
    private var started: UInt64 = 0
    private var stopped = false
    private let rank: Int, processCount: Int, timeout: Duration

    init(rank: Int, processCount: Int, timeout: Duration) {
        (self.rank, self.processCount, self.timeout) = (rank, processCount, timeout)
        guard processCount > 1 else { return }
        let thread = Thread { [self] in watch() }
        thread.name = "nn-distributed watchdog"
        thread.start()
    }

    func begin(_ name: String) {
        lock.withLock { (operation, started) = (name, DispatchTime.now().uptimeNanoseconds) }
    }

    func end() {
        lock.withLock { operation = nil }
    }

    func stop() {
        lock.withLock { stopped = true }
    }

    private func watch() {
        let limit = UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
        let pause = max(0.05, min(1, Double(limit) / 1e9 / 10))
        while true {
            Thread.sleep(forTimeInterval: pause)
            let (waiting, since, done) = lock.withLock { (operation, started, stopped) }
            if done { return }
            guard let waiting, DispatchTime.now().uptimeNanoseconds - since > limit else { continue }
            let line =
                "nn-distributed: process \(rank) of \(processCount): \(waiting) has waited more than \(timeout) for the other processes (one has stopped or hangs); stopping\n"
            FileHandle.standardError.write(Data(line.utf8))
            _exit(1)
        }
    }
}
