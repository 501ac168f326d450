import CMPI
import NNCore
import NNTraining

/// A ``GradientReducer`` over MPI: each step's trainable gradients are gathered into one
/// reused buffer (scaled by this process's weight, followed by the weight and the step's
/// statistics), summed over every process with in-place `MPI_Allreduce` calls of at most
/// `bucketBytes` each, divided by the total weight and written back.
///
/// The sum is MPI's: Open MPI gives every process the same bits (with two processes
/// `a + b = b + a` exactly), which the trainer checks after every epoch.
public struct MPIReducer: GradientReducer {
    /// This process's rank.
    public var rank: Int { group.rank }
    /// The processes of the run.
    public var processCount: Int { group.processCount }
    /// The process group the reducer communicates in.
    public let group: MPIProcessGroup
    /// The largest single reduction, in bytes.
    public let bucketBytes: Int
    /// The gathering buffers, kept from step to step (one per precision).
    private let buffers = Buffers()

    init(group: MPIProcessGroup, bucketBytes: Int) {
        precondition(bucketBytes >= 8, "MPIReducer: a bucket of \(bucketBytes) bytes")
        (self.group, self.bucketBytes) = (group, bucketBytes)
    }

    /// Gathers every process's values (`MPI_Allgather`) and throws, naming the first value
    /// that differs and each process's figure, unless all are the same.
    public func checkAgreement(_ values: [(name: String, value: Int)]) throws(TrainingError) {
        let mine = values.map { Int64($0.value) }
        var everyone = [Int64](repeating: 0, count: mine.count * processCount)
        try run("MPI_Allgather (checking that the processes agree)") {
            mine.withUnsafeBufferPointer { send in
                everyone.withUnsafeMutableBufferPointer { receive in
                    MPI_Allgather(
                        send.baseAddress, Int32(mine.count), nn_mpi_int64(), receive.baseAddress, Int32(mine.count), nn_mpi_int64(),
                        nn_mpi_comm_world())
                }
            }
        }
        for (index, named) in values.enumerated() {
            let theirs = (0..<processCount).map { everyone[$0 * mine.count + index] }
            if Set(theirs).count > 1 {
                throw .distributed(
                    "the processes disagree on the \(named.name): \(theirs.map(String.init).joined(separator: ", ")) (processes 0 to \(processCount - 1))"
                )
            }
        }
    }

    /// Sends process 0's parameters to every process (`MPI_Bcast`, in buckets).
    public func broadcastParameters<Model: Layer>(of model: inout Model) throws(TrainingError) {
        var flat = buffers.take(Model.Scalar.self)
        defer { buffers.put(flat) }
        flat.gather(.allValues, of: &model)
        let perBucket = Self.bucketCount(bucketBytes, of: Model.Scalar.self)
        var start = 0
        while start < flat.values.count {
            let count = Swift.min(perBucket, flat.values.count - start)
            try run("MPI_Bcast (process 0's parameters)") {
                flat.values.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return nn_mpi_success() }
                    return MPI_Bcast(base + start, Int32(count), Self.datatype(Model.Scalar.self), 0, nn_mpi_comm_world())
                }
            }
            start += count
        }
        flat.scatter(.allValues, into: &model)
    }

    /// Sums the weighted gradients, the weights and `statistics` over every process in one
    /// buffer (`MPI_Allreduce` in place, in buckets), then divides by the total weight.
    public func reduceGradients<Model: Layer>(of model: inout Model, weight: Double?, statistics: inout [Double]) throws(TrainingError) {
        var flat = buffers.take(Model.Scalar.self)
        defer { buffers.put(flat) }
        flat.gather(.trainableGradients, of: &model, scaledBy: Model.Scalar(weight ?? 1), extraSlots: 1 + statistics.count)
        let gradients = flat.values.count - 1 - statistics.count
        flat.values[gradients] = Model.Scalar(weight ?? 0)
        for (index, value) in statistics.enumerated() { flat.values[gradients + 1 + index] = Model.Scalar(value) }
        try allreduceInPlace(&flat.values)
        let totalWeight = flat.values[gradients]
        flat.scatter(.trainableGradients, into: &model, scaledBy: weight == nil || totalWeight == 0 ? 1 : 1 / totalWeight)
        for index in statistics.indices { statistics[index] = Double(flat.values[gradients + 1 + index]) }
    }

    /// Sums `values` over every process (`MPI_Allreduce` in place).
    public func sum(_ values: inout [Double]) throws(TrainingError) {
        try allreduceInPlace(&values)
    }

    /// Sums `values` over every process, in place, in buckets of at most ``bucketBytes``.
    private func allreduceInPlace<Scalar: TensorScalar>(_ values: inout [Scalar]) throws(TrainingError) {
        let perBucket = Self.bucketCount(bucketBytes, of: Scalar.self)
        let datatype = Self.datatype(Scalar.self)
        group.timing.add(reducedBytes: values.count * MemoryLayout<Scalar>.stride)
        var start = 0
        while start < values.count {
            let count = Swift.min(perBucket, values.count - start)
            try run("MPI_Allreduce (the step's gradients)") {
                values.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return nn_mpi_success() }
                    return MPI_Allreduce(nn_mpi_in_place(), base + start, Int32(count), datatype, nn_mpi_sum(), nn_mpi_comm_world())
                }
            }
            start += count
        }
    }

    /// The scalars of one bucket: at most `bytes`, and what MPI's `int` count can say.
    private static func bucketCount<Scalar>(_ bytes: Int, of _: Scalar.Type) -> Int {
        Swift.max(1, Swift.min(bytes / MemoryLayout<Scalar>.stride, Int(Int32.max)))
    }

    private func run(_ name: String, _ operation: () -> Int32) throws(TrainingError) {
        do { try group.collective(name, operation) } catch { throw .distributed(error.description) }
    }

    private static func datatype<Scalar: TensorScalar>(_: Scalar.Type) -> MPI_Datatype {
        Scalar.self == Float.self ? nn_mpi_float() : nn_mpi_double()
    }

    /// The gathering buffers: taken out for a step and put back, so that the one in use is
    /// never shared (and never copied).
    private final class Buffers: @unchecked Sendable {
        private var float = FlatParameters<Float>()
        private var double = FlatParameters<Double>()

        func take<Scalar: TensorScalar>(_: Scalar.Type) -> FlatParameters<Scalar> {
            if Scalar.self == Float.self, let buffer = float as? FlatParameters<Scalar> {
                float = FlatParameters()
                return buffer
            }
            if let buffer = double as? FlatParameters<Scalar> {
                double = FlatParameters()
                return buffer
            }
            return FlatParameters()
        }

        func put<Scalar: TensorScalar>(_ buffer: FlatParameters<Scalar>) {
            if let buffer = buffer as? FlatParameters<Float> {
                float = buffer
            } else if let buffer = buffer as? FlatParameters<Double> {
                double = buffer
            }
        }
    }
}
