import NNCore

/// Combines the work of processes that train one model together (data parallelism, as
/// PyTorch's `DistributedDataParallel`): given one to a ``Trainer``, every process trains its
/// own rows of each global batch (``/NNCore/BatchShard``), and the reducer hands each process the
/// gradient of the whole batch between backward and the optimiser step. Every process then
/// takes the same step and the models stay equal.
///
/// Every method is collective: each process calls it at the same point, in the same order,
/// with values of the same count. An implementation over MPI is `MPIReducer`, in the
/// `NNDistributed` package (`Distributed/`); a trainer without a reducer does none of this.
public protocol GradientReducer {
    /// This process's index, in `0..<processCount`. Process 0 alone writes files.
    var rank: Int { get }

    /// The processes training together (at least one).
    var processCount: Int { get }

    /// Throws, on every process, unless every process passes the same values (the model's
    /// size, the data's size, the seed's state): processes that disagree stop at once with
    /// an error naming the value, instead of waiting for each other.
    /// - Parameter values: named values, in the same order on every process.
    mutating func checkAgreement(_ values: [(name: String, value: Int)]) throws(TrainingError)

    /// Makes every parameter of `model`, trainable or not, equal to process 0's.
    mutating func broadcastParameters<Model: Layer>(of model: inout Model) throws(TrainingError)

    /// Replaces every trainable parameter's gradient by the whole batch's, combined over the
    /// processes, and sums `statistics` over them in the same message.
    ///
    /// With a `weight` (the number of terms this process's loss is a mean of), each gradient
    /// becomes `Σₚ weightₚ · gradientₚ / Σₚ weightₚ`, the mean over every process's terms
    /// (zero when no process has any). Without one (a loss that is a sum), `Σₚ gradientₚ`.
    /// - Parameters:
    ///   - model: the model whose gradients are combined.
    ///   - weight: what this process's gradient weighs, or `nil` for a summed loss.
    ///   - statistics: values summed element-wise over the processes, in place.
    mutating func reduceGradients<Model: Layer>(of model: inout Model, weight: Double?, statistics: inout [Double]) throws(TrainingError)

    /// Sums `values` element-wise over the processes, in place.
    mutating func sum(_ values: inout [Double]) throws(TrainingError)
}
