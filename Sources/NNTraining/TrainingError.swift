import NNCore
import NNIO
import NNLosses

/// Why training cannot start or go on.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model cannot take the data's samples.
    case modelRejectsData(TensorError)
    /// The loss cannot compare the model's outputs with the data's targets.
    case lossRejectsData(LossError)
    /// The data set has no samples.
    case emptyDataset
    /// The loss became NaN or infinite (a learning rate too large, or bad data).
    case nonFiniteLoss(epoch: Int, step: Int, value: Double)
    /// A checkpoint could not be written.
    case checkpoint(ModelFileError)
    /// A callback watches a value the run does not produce (see ``EpochRecord/value(named:)``).
    case unknownMonitor(name: String, available: [String])
    /// A callback could not do its work (a model it could not save, weights it could not restore).
    case callback(String)
    /// Processes training together (see ``GradientReducer``) disagree, cannot reach each
    /// other, or one of them could not go on.
    case distributed(String)

    public var description: String {
        switch self {
        case .modelRejectsData(let error): return "the model does not fit the data: \(error)"
        case .lossRejectsData(let error): return "the loss does not fit the model and data: \(error)"
        case .emptyDataset: return "the data set has no samples"
        case .nonFiniteLoss(let epoch, let step, let value):
            return "the loss became \(value) at epoch \(epoch), step \(step); try a smaller learning rate or check the data"
        case .checkpoint(let error): return "cannot save the checkpoint: \(error)"
        case .unknownMonitor(let name, let available):
            return "a callback watches '\(name)', which this run does not produce (it produces \(available.joined(separator: ", ")))"
        case .callback(let message): return message
        case .distributed(let message): return message
        }
    }
}
