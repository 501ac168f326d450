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

    public var description: String {
        switch self {
        case .invalidShape(let shape):
            return "invalid shape \(shape): dimensions must be zero or positive"
        case .scalarCountMismatch(let shape, let count):
            return "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(count)"
        case .raggedRows(let row, let expected, let actual):
            return "row \(row) has \(actual) elements, expected \(expected) like row 0"
        case .shapeMismatch(let context, let expected, let actual):
            return "\(context): expected shape \(expected), got \(actual)"
        }
    }
}
