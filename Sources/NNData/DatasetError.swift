/// Why data cannot form a data set.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Features and targets hold different numbers of samples.
    case sampleCountMismatch(features: Int, targets: Int)
    /// Features or targets have no sample dimension.
    case missingSampleDimension(what: String, shape: [Int])
    /// The operation needs one class index per sample, but the targets are shaped otherwise.
    case notClassIndices(targetShape: [Int])
    /// Sample `sample` (counting from 0; the description counts from 1) has target `value`,
    /// not an integer in `0..<classCount`.
    case invalidClassIndex(sample: Int, value: Double, classCount: Int)
    /// Class `classIndex` has `available` samples, fewer than the `requested`.
    case notEnoughSamples(classIndex: Int, available: Int, requested: Int)
    /// A split would leave class `classIndex` (with `available` samples) without any in the
    /// part named `part` (`"training"` or `"validation"`).
    case emptyClassInSplit(classIndex: Int, available: Int, part: String)
    /// Two data sets to be joined have samples of different shapes (`what`: features or targets).
    case sampleShapeMismatch(what: String, first: [Int], second: [Int])

    /// Text holds characters (listed) that the vocabulary does not have.
    case unknownCharacters([String])

    public var description: String {
        switch self {
        case .unknownCharacters(let characters):
            let listed = characters.prefix(10).map { "'\($0)' (U+\(String($0.unicodeScalars.first?.value ?? 0, radix: 16, uppercase: true)))" }
            return
                "the character\(characters.count == 1 ? "" : "s") \(listed.joined(separator: ", "))\(characters.count > 10 ? "…" : "") \(characters.count == 1 ? "is" : "are") not in the vocabulary"
        case .sampleCountMismatch(let features, let targets):
            return "\(features) feature samples but \(targets) targets"
        case .missingSampleDimension(let what, let shape):
            return "\(what) of shape \(shape) have no sample dimension; expected [samples, ...]"
        case .notClassIndices(let targetShape):
            return "targets of shape \(targetShape) per sample are not class indices (one non-negative integer per sample)"
        case .invalidClassIndex(let sample, let value, let classCount):
            return "sample \(sample + 1): target \(value) is not a class index (a whole number in 0..<\(classCount))"
        case .notEnoughSamples(let classIndex, let available, let requested):
            return "class \(classIndex) has \(available) samples, fewer than the \(requested) requested"
        case .emptyClassInSplit(let classIndex, let available, let part):
            return "class \(classIndex) has \(available) sample\(available == 1 ? "" : "s"): the split leaves none of them in the \(part) part"
        case .sampleShapeMismatch(let what, let first, let second):
            return "\(what) of one sample are shaped \(first) in the first data set and \(second) in the second"
        }
    }
}
