import NNCore

/// Why a loss cannot score a batch.
public enum LossError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The loss `loss` cannot compare a prediction of this shape with a target of that shape.
    case shapeMismatch(loss: String, prediction: [Int], target: [Int])
    /// Sample `sample` has class index `value`, which is not an integer in `0..<classCount`.
    case invalidClassIndex(sample: Int, value: Double, classCount: Int)
    /// Element `index` of the target is `value`, outside the allowed `range`.
    case targetOutOfRange(index: Int, value: Double, range: ClosedRange<Double>)

    public var description: String {
        switch self {
        case .shapeMismatch(let loss, let prediction, let target):
            return "\(loss): prediction shape \(prediction) does not fit target shape \(target)"
        case .invalidClassIndex(let sample, let value, let classCount):
            return "sample \(sample): class index \(value) is not an integer in 0..<\(classCount)"
        case .targetOutOfRange(let index, let value, let range):
            return "target element \(index) is \(value), expected a value in \(range)"
        }
    }
}
