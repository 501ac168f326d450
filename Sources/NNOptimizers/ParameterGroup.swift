/// Which parameters a ``ParameterGroup`` covers, by their traversal names.
public enum ParameterSelector: Sendable, Equatable, Codable {
    /// Names ending with the string, e.g. `"bias"` or `"weight"`.
    case suffix(String)
    /// Names starting with the string, e.g. `"layers.0."`.
    case prefix(String)
    /// Exactly these names.
    case names([String])

    /// Whether `name` is selected.
    public func matches(_ name: String) -> Bool {
        switch self {
        case .suffix(let suffix): return name.hasSuffix(suffix)
        case .prefix(let prefix): return name.hasPrefix(prefix)
        case .names(let names): return names.contains(name)
        }
    }
}

/// Settings that differ for some parameters, such as a learning rate for biases that is not
/// the weights' (the classic sin-fitting lesson's `w_learning_rate` and `b_learning_rate`).
/// The first group whose selector matches a parameter's name applies to it.
public struct ParameterGroup: Sendable, Equatable, Codable {
    /// The parameters this group covers.
    public var selector: ParameterSelector
    /// Their learning rate, or `nil` for the optimiser's.
    public var learningRate: Double?
    /// Their L2 weight decay, or `nil` for the optimiser's.
    public var weightDecay: Double?

    /// Creates a group.
    public init(_ selector: ParameterSelector, learningRate: Double? = nil, weightDecay: Double? = nil) {
        self.selector = selector
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}
