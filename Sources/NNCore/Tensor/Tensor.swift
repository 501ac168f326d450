/// An n-dimensional array of scalars in contiguous row-major storage.
///
/// A tensor is a value: copies share storage until one of them is mutated. A batch of
/// samples is shaped `[batch, features...]`; a dense layer's weight is `[inputs, outputs]`.
///
/// ```swift
/// let x = try Tensor<Double>([[0.05, 0.10]])   // shape [1, 2]
/// let w = Tensor<Float>(zeros: [784, 64])
/// ```
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable, CustomStringConvertible {
    /// The size of each dimension, outermost first.
    public internal(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count` is the product of `shape`.
    public internal(set) var scalars: [Scalar] {
        @inlinable get { storage }
        _modify { yield &storage }
        set { storage = newValue }
    }
    /// The storage behind `scalars`, visible to inlinable code: the buffer accessors below are
    /// inlined into other modules' specialised code (called unspecialised across a module
    /// boundary, each call looked up generic metadata: an eighth of a small network's step).
    @usableFromInline var storage: [Scalar]

    /// Creates a tensor from a shape and its elements in row-major order.
    /// - Throws: `TensorError` if a dimension is negative or the count does not match.
    public init(shape: [Int], scalars: [Scalar]) throws(TensorError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidShape(shape) }
        // With a zero dimension the product is 0 whatever the others are; bounding the others
        // too keeps `featureCount` of an empty batch from overflowing.
        guard TensorLimits.checkedProduct(shape, zerosCountAsOne: true) != nil else {
            throw .tooLarge(shape: shape, limit: TensorLimits.maximumScalarCount)
        }
        guard TensorLimits.checkedProduct(shape) == scalars.count else {
            throw .scalarCountMismatch(shape: shape, scalarCount: scalars.count)
        }
        self.shape = shape
        self.storage = scalars
    }

    /// Creates a tensor whose shape and count the caller has already checked.
    @usableFromInline
    init(uncheckedShape shape: [Int], scalars: [Scalar]) {
        assert(shape.reduce(1, *) == scalars.count)
        self.shape = shape
        self.storage = scalars
    }

    /// Creates a tensor of the given shape filled with `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.init(uncheckedShape: shape, scalars: Scalar.array(repeating: value, count: shape.reduce(1, *)))
    }

    /// Creates a tensor of the given shape filled with zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// Creates a one-dimensional tensor.
    public init(_ vector: [Scalar]) {
        self.init(uncheckedShape: [vector.count], scalars: vector)
    }

    /// Creates a matrix (shape `[rows, columns]`) from nested arrays.
    /// - Throws: `TensorError.raggedRows` if the rows differ in length.
    public init(_ rows: [[Scalar]]) throws(TensorError) {
        let columns = rows.first?.count ?? 0
        var scalars: [Scalar] = []
        scalars.reserveCapacity(rows.count * columns)
        for (index, row) in rows.enumerated() {
            guard row.count == columns else {
                throw .raggedRows(row: index, expected: columns, actual: row.count)
            }
            scalars.append(contentsOf: row)
        }
        self.init(uncheckedShape: [rows.count, columns], scalars: scalars)
    }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The number of elements.
    @inlinable public var scalarCount: Int { storage.count }

    /// The size of the first dimension (the batch size of a batch of samples).
    public var sampleCount: Int { shape.first ?? 1 }

    /// The number of elements in one sample: the product of every dimension but the first.
    @inlinable public var featureCount: Int {
        var product = 1
        for index in shape.indices.dropFirst() { product *= shape[index] }
        return product
    }

    /// The element at a row-major position.
    public subscript(flat index: Int) -> Scalar {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// The element at `indices`, one per dimension.
    public subscript(indices: Int...) -> Scalar {
        get { scalars[flatIndex(indices)] }
        set { scalars[flatIndex(indices)] = newValue }
    }

    private func flatIndex(_ indices: [Int]) -> Int {
        precondition(
            indices.count == shape.count,
            "Tensor: \(indices.count) indices for a rank-\(shape.count) tensor")
        var flat = 0
        for (index, size) in zip(indices, shape) {
            precondition(index >= 0 && index < size, "Tensor: index \(indices) out of range for shape \(shape)")
            flat = flat * size + index
        }
        return flat
    }

    /// The rows of a matrix as nested arrays (a tensor of higher rank is read as
    /// `[shape[0], featureCount]`).
    public var rows: [[Scalar]] {
        let width = featureCount
        guard width > 0 else { return Array(repeating: [], count: sampleCount) }
        return stride(from: 0, to: scalars.count, by: width).map { Array(scalars[$0..<($0 + width)]) }
    }

    /// The same elements under a new shape with the same element count.
    public func reshaped(to newShape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(shape: newShape, scalars: scalars)
    }

    /// The same values converted to another scalar type.
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(uncheckedShape: shape, scalars: scalars.map { Other($0) })
    }

    /// Calls `body` with the elements' contiguous storage.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements' contiguous storage, for writing.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// Sets every element to zero, keeping the storage.
    @inlinable
    public mutating func setToZero() {
        // All-zero bits are +0 for IEEE floats; a byte fill avoids a generic per-element loop
        // (this runs through `any Layer`, unspecialised).
        withUnsafeMutableBufferPointer { _ = UnsafeMutableRawBufferPointer($0).initializeMemory(as: UInt8.self, repeating: 0) }
    }

    public var description: String {
        "Tensor<\(Scalar.self)>(shape: \(shape), scalars: \(scalars.count <= 16 ? "\(scalars)" : "\(scalars.prefix(16))…"))"
    }
}
