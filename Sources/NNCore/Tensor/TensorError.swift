/// What is wrong with data handed to a tensor, a layer or a loss.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A shape has a negative dimension.
    case invalidShape([Int])
    /// The number of scalars does not match the product of the shape.
    case scalarCountMismatch(shape: [Int], scalarCount: Int)
    /// Row `row` of nested arrays has `actual` elements where `expected` were required.
    case raggedRows(row: Int, expected: Int, actual: Int)
    /// `context` required `expected` but was given `actual`.
    case shapeMismatch(context: String, expected: [Int], actual: [Int])
    /// A tensor of `shape` would hold more than `limit` elements (see ``TensorLimits``).
    case tooLarge(shape: [Int], limit: Int)
    /// A layer's settings cannot work, whatever its input (`reason` says why).
    case invalidConfiguration(layer: String, reason: String)
    /// `context` was given `value` at flat position `index` of its input, where it needed `expected`.
    case invalidValue(context: String, index: Int, value: Double, expected: String)

    public var description: String {
        switch self {
        case .invalidShape(let shape):
            return "invalid shape \(shape): dimensions must be zero or positive"
        case .scalarCountMismatch(let shape, let count):
            let needed = TensorLimits.checkedProduct(shape).map(String.init) ?? "more than \(Int.max)"
            return "shape \(shape) needs \(needed) scalars, got \(count)"
        case .raggedRows(let row, let expected, let actual):
            return "row \(row) has \(actual) elements, expected \(expected) like row 0"
        case .shapeMismatch(let context, let expected, let actual):
            return "\(context): expected shape \(expected), got \(actual)"
        case .tooLarge(let shape, let limit):
            return "shape \(shape) is too large: a tensor holds at most \(limit) elements"
        case .invalidConfiguration(let layer, let reason):
            return "\(layer): \(reason)"
        case .invalidValue(let context, let index, let value, let expected):
            return "\(context): input value \(value) at position \(index) is not \(expected)"
        }
    }
}
