import CMPI
import Foundation

/// This process's place among the processes `mpirun` started: MPI initialised once, its rank
/// and the number of processes, and the end (finalise, or abort every process).
///
/// ```swift
/// let group = try MPIProcessGroup()
/// var trainer = Trainer(...)
/// trainer.reducer = group.reducer()
/// try trainer.fit(data, epochs: 10)
/// group.finish()
/// ```
public final class MPIProcessGroup: @unchecked Sendable {
    /// This process's rank in `MPI_COMM_WORLD`, in `0..<processCount`.
    public let rank: Int
    /// The processes `mpirun` started (one when the program runs on its own).
    public let processCount: Int
    /// How long one collective operation may wait for the other processes.
    public let timeout: Duration
    /// The time spent in collective operations, shared by every reducer of this group.
    public let timing = CommunicationTiming()
    private let watchdog: CollectiveWatchdog
    private nonisolated(unsafe) static var initialised = false

    /// Initialises MPI (once per process) and makes its errors return codes, so that a failed
    /// operation is a thrown error rather than an abort without a word.
    /// - Parameter timeout: how long a collective operation may wait for the other processes
    ///   before this process reports it and exits (a process that hangs rather than ends).
    /// - Throws: ``MPIError`` if MPI cannot start or was started before.
    public init(timeout: Duration = .seconds(300)) throws(MPIError) {
        guard !Self.initialised else { throw MPIError("MPI is already initialised in this process (create one MPIProcessGroup)") }
        Self.initialised = true
        try MPIError.check(MPI_Init(nil, nil), "MPI_Init")
        try MPIError.check(MPI_Comm_set_errhandler(nn_mpi_comm_world(), nn_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try MPIError.check(MPI_Comm_rank(nn_mpi_comm_world(), &rank), "MPI_Comm_rank")
        try MPIError.check(MPI_Comm_size(nn_mpi_comm_world(), &size), "MPI_Comm_size")
        (self.rank, processCount, self.timeout) = (Int(rank), Int(size), timeout)
        watchdog = CollectiveWatchdog(rank: Int(rank), processCount: Int(size), timeout: timeout)
    }

    /// A gradient reducer over every process of the group.
    /// - Parameter bucketBytes: the largest single message; larger gradients are reduced in
    ///   several operations of at most this size.
    public func reducer(bucketBytes: Int = 16 << 20) -> MPIReducer {
        MPIReducer(group: self, bucketBytes: bucketBytes)
    }

    /// Runs one collective operation, timed and watched: if it waits longer than ``timeout``
    /// for the others, this process says so on standard error and exits with status 1.
    func collective(_ name: String, _ operation: () -> Int32) throws(MPIError) {
        let started = DispatchTime.now().uptimeNanoseconds
        watchdog.begin(name)
        let code = operation()
        watchdog.end()
        timing.add(nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
        try MPIError.check(code, name)
    }

    /// Ends MPI normally: every process must call it, after its last collective operation.
    public func finish() {
        watchdog.stop()
        MPI_Finalize()
    }

    /// Stops every process of the run at once with `status` (after an error in this one, so
    /// that the others do not wait for it).
    public func abort(status: Int32) -> Never {
        watchdog.stop()
        MPI_Abort(nn_mpi_comm_world(), status)
        exit(status)
    }
}
