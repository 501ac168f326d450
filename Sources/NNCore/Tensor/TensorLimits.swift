/// The largest tensors swift-nn will make, and the checked arithmetic that keeps every size
/// read from a file or an argument below them.
///
/// One tensor holds at most ``maximumScalarCount`` elements (2³¹ − 1, 8 GiB of `Float`): the
/// C kernels index matrices with 32-bit integers, and nothing a CPU trains in reasonable
/// time is larger. Sizes are multiplied with overflow checks, so an absurd shape such as
/// `[2⁶², 4]` is an error, never a trap.
public enum TensorLimits {
    /// The most elements one tensor may hold.
    public static let maximumScalarCount = Int(Int32.max)

    /// The number of elements of a tensor shaped `shape`.
    /// - Throws: ``TensorError/invalidShape(_:)`` for a negative dimension,
    ///   ``TensorError/tooLarge(shape:limit:)`` when the product exceeds ``maximumScalarCount``.
    public static func scalarCount(of shape: [Int]) throws(TensorError) -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidShape(shape) }
        guard let count = checkedProduct(shape), count <= maximumScalarCount else {
            throw .tooLarge(shape: shape, limit: maximumScalarCount)
        }
        return count
    }

    /// The product of non-negative `factors`, or `nil` if it overflows `Int`.
    /// - Parameters:
    ///   - factors: the numbers to multiply.
    ///   - zerosCountAsOne: whether a zero factor counts as 1, to bound the other factors of a
    ///     shape with an empty dimension (whose product is 0 whatever they are).
    public static func checkedProduct(_ factors: [Int], zerosCountAsOne: Bool = false) -> Int? {
        // A zero anywhere makes the product zero, whatever the other factors are.
        if !zerosCountAsOne && factors.contains(0) { return 0 }
        var product = 1
        for factor in factors where factor != 0 {
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = result
        }
        return product
    }
}
