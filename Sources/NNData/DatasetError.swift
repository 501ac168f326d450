/// Why data cannot form a data set.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Features and targets hold different numbers of samples.
    case sampleCountMismatch(features: Int, targets: Int)
    /// Features or targets have no sample dimension.
    case missingSampleDimension(what: String, shape: [Int])

    public var description: String {
        switch self {
        case .sampleCountMismatch(let features, let targets):
            return "\(features) feature samples but \(targets) targets"
        case .missingSampleDimension(let what, let shape):
            return "\(what) of shape \(shape) have no sample dimension; expected [samples, ...]"
        }
    }
}
