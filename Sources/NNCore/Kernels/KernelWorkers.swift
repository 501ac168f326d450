import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Persistent helper threads that run the parts of one heavy pass (a matrix product, an
/// optimiser update, an image layer's batch) alongside the calling thread.
///
/// Why persistent, and why they spin before sleeping: handing parts of under ~100 µs to
/// `DispatchQueue.concurrentPerform` ran them on one thread in most calls (measured for the
/// first performance issue), and waking a sleeping thread costs tens of microseconds. A
/// helper therefore polls for new work for a short while after each job (back-to-back passes
/// of a training step start within microseconds), then sleeps on a condition variable, so an
/// idle program does not burn a core.
///
/// Parts are handed out from a shared counter, so a helper that starts late takes fewer. Each
/// part must write its own disjoint output and compute it the same way whichever thread runs
/// it: the results are then the same bits for every thread count.
///
/// One pass at a time uses the helpers: a pass started while another runs (from another
/// thread, or from inside a part) runs on its caller's thread alone. Handing work over
/// allocates nothing; helpers are created the first time a pass asks for them.
final class KernelWorkers: @unchecked Sendable {
    /// The most helper threads ever created, whatever `KernelThreads.count` says.
    static let maximumHelpers = 255

    /// The helpers of the process.
    static let shared = KernelWorkers()

    /// Held by the thread whose pass is using the helpers.
    private let busy = Atomic<Bool>(false)
    private var helpers: [Helper] = []
    /// The current pass: its body, its number of parts, and the next part to hand out.
    private var body: ((Int) -> Void)? = nil
    private var parts = 0
    private let nextPart = Atomic<Int>(0)

    private init() {}

    /// Runs `body(part)` for every `part` in `0..<parts`, on up to `threads` threads (the
    /// caller's included), and returns when all have finished.
    /// - Parameters:
    ///   - parts: the number of parts; each must write its own disjoint output.
    ///   - threads: the most threads to use (the caller's included).
    ///   - body: the work of one part.
    /// - Returns: the number of threads that shared the parts (1 when the helpers were busy).
    @discardableResult
    func run(parts: Int, threads: Int, _ body: (Int) -> Void) -> Int {
        let wanted = Swift.min(threads, parts) - 1
        guard wanted > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(part) }
            return 1
        }
        defer { busy.store(false, ordering: .releasing) }
        var used = Swift.min(wanted, Self.maximumHelpers)
        while helpers.count < used {
            // A process limit may refuse a thread: the pass then runs on the helpers it has.
            guard let helper = Helper(pool: self, spins: helpers.count + 1 < KernelThreads.available) else { break }
            helpers.append(helper)
        }
        used = Swift.min(used, helpers.count)
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            self.parts = parts
            nextPart.store(0, ordering: .relaxed)
            for helper in helpers[0..<used] { helper.start() }
            runParts()
            for helper in helpers[0..<used] { helper.waitUntilDone() }
            self.body = nil
        }
        return used + 1
    }

    /// Takes parts of the current pass until none is left (the caller and every helper).
    fileprivate func runParts() {
        guard let body else { return }
        while true {
            let part = nextPart.wrappingAdd(1, ordering: .relaxed).oldValue
            guard part < parts else { return }
            body(part)
        }
    }
}

/// One helper thread and its mailbox.
private final class Helper: @unchecked Sendable {
    /// Passes submitted to this helper, counted; it runs one when this passes `completed`.
    private let submitted = Atomic<Int>(0)
    /// Passes it has finished, counted.
    private let completed = Atomic<Int>(0)
    private var mutex = pthread_mutex_t()
    private var wakeUp = pthread_cond_t()
    private unowned let pool: KernelWorkers
    /// How long the helper polls for a next pass before it sleeps: zero for helpers beyond
    /// the processors' count, which would only take turns with the threads doing work.
    private let spinLimit: Int

    /// Starts a helper thread for `pool`; `spins` tells whether it polls before sleeping. Nil
    /// when the system refuses a new thread.
    init?(pool: KernelWorkers, spins: Bool) {
        self.pool = pool
        self.spinLimit = spins ? 200_000 : 0
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wakeUp, nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t? = nil
        #endif
        let result = pthread_create(
            &thread, nil,
            { context in
                let helper = Unmanaged<Helper>.fromOpaque(context!).takeUnretainedValue()
                helper.loop()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Helper>.fromOpaque(context).release()
            return nil
        }
        pthread_detach(thread)
    }

    /// Wakes the helper for the pool's current pass.
    func start() {
        submitted.add(1, ordering: .releasing)
        pthread_mutex_lock(&mutex)
        pthread_cond_signal(&wakeUp)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits for the helper to finish the current pass. Yields the processor while it waits
    /// long, so that more threads than cores (a test of 8 threads on 2 cores) still progress.
    func waitUntilDone() {
        let target = submitted.load(ordering: .relaxed)
        var spins = 0
        while completed.load(ordering: .acquiring) != target {
            spins += 1
            if spins > 1000 { sched_yield() }
        }
    }

    private func loop() {
        var seen = 0
        while true {
            var spins = 0
            while submitted.load(ordering: .acquiring) == seen && spins < spinLimit { spins += 1 }
            if submitted.load(ordering: .acquiring) == seen {
                pthread_mutex_lock(&mutex)
                while submitted.load(ordering: .acquiring) == seen { pthread_cond_wait(&wakeUp, &mutex) }
                pthread_mutex_unlock(&mutex)
            }
            seen = submitted.load(ordering: .acquiring)
            pool.runParts()
            completed.store(seen, ordering: .releasing)
        }
    }
}
