import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A persistent helper thread that runs one part of a matrix product while the caller runs
/// another.
///
/// Why persistent, and why it spins before sleeping: handing two parts of under ~100 µs to
/// `DispatchQueue.concurrentPerform` ran both on one thread in most calls (measured for the
/// performance issue), and waking a sleeping thread costs tens of microseconds. The worker
/// therefore polls for new work for a short while after each job (back-to-back products of
/// a training step start within microseconds), then sleeps on a condition variable, so an
/// idle program does not burn a core.
///
/// A job is a plain value (pointers and sizes): handing one over allocates nothing.
final class KernelWorker: @unchecked Sendable {
    /// Submitted jobs, counted; the worker runs a job when this passes `completed`.
    private let submitted = Atomic<Int>(0)
    /// Finished jobs, counted.
    private let completed = Atomic<Int>(0)
    /// Held by the thread that is using this worker (only one at a time).
    private let busy = Atomic<Bool>(false)
    private var mutex = pthread_mutex_t()
    private var wakeUp = pthread_cond_t()
    /// The job to run; written before `submitted` is raised, read after it is observed.
    private var job = PackedProductPart.empty

    /// The shared helper thread (one fewer than `KernelThreads.available`, at most one, as
    /// the kernel splits work into at most two parts).
    static let shared: KernelWorker? = KernelThreads.available > 1 ? KernelWorker() : nil

    private init() {
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
                let worker = Unmanaged<KernelWorker>.fromOpaque(context!).takeUnretainedValue()
                worker.run()
                return nil
            }, context)
        precondition(result == 0, "KernelWorker: pthread_create failed (\(result))")
        pthread_detach(thread)
    }

    /// Claims the worker for one product; returns false if another thread is using it (the
    /// caller then runs everything itself).
    func tryClaim() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    /// Starts `part` on the worker thread. Only the claiming thread calls this.
    func start(_ part: PackedProductPart) {
        job = part
        submitted.add(1, ordering: .releasing)
        pthread_mutex_lock(&mutex)
        pthread_cond_signal(&wakeUp)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits for the started part to finish and releases the worker.
    func finishAndRelease() {
        let target = submitted.load(ordering: .relaxed)
        while completed.load(ordering: .acquiring) != target {}
        busy.store(false, ordering: .releasing)
    }

    private func run() {
        var seen = 0
        while true {
            var spins = 0
            while submitted.load(ordering: .acquiring) == seen && spins < 200_000 { spins += 1 }
            if submitted.load(ordering: .acquiring) == seen {
                pthread_mutex_lock(&mutex)
                while submitted.load(ordering: .acquiring) == seen { pthread_cond_wait(&wakeUp, &mutex) }
                pthread_mutex_unlock(&mutex)
            }
            seen = submitted.load(ordering: .acquiring)
            job.run()
            completed.store(seen, ordering: .releasing)
        }
    }
}
