/// How a convolution or pooling window treats the image border.
public enum Padding: Sendable, Equatable, Codable {
    /// No padding: windows lie wholly inside the image (`out = ⌊(in − k) / stride⌋ + 1`).
    case valid
    /// Zero padding so that `out = ⌈in / stride⌉` (TensorFlow's `"same"`; with stride 1 the
    /// output is as large as the input). An odd total puts the extra row or column at the
    /// bottom or right.
    case same
    /// `n` rows and columns of zeros on every side (PyTorch's `padding=n`).
    case zeros(Int)
}

extension Padding {
    /// Encoded as `"valid"`, `"same"` or the number of zeros (as in a Keras or PyTorch config).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let amount = try? container.decode(Int.self) {
            guard amount >= 0 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "padding \(amount) is negative")
            }
            self = .zeros(amount)
            return
        }
        switch try container.decode(String.self) {
        case "valid": self = .valid
        case "same": self = .same
        case let other:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "padding '\(other)' is not \"valid\", \"same\" or a number")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .valid: try container.encode("valid")
        case .same: try container.encode("same")
        case .zeros(let amount): try container.encode(amount)
        }
    }
}
