/// Gives each sample a new shape with the same number of values, e.g. `[784]` → `[28, 28, 1]`
/// to feed flattened images to a convolution. The values do not move (storage is row-major).
public struct Reshape<Scalar: TensorScalar>: Layer {
    /// The shape of one output sample.
    public let sampleShape: [Int]
    /// The input shape of the last forward, for backward.
    private var inputShape: [Int]?

    /// The number of values in one sample.
    private let sampleScalarCount: Int

    /// Creates a layer that reshapes each sample to `sampleShape` (every dimension positive,
    /// the product within ``TensorLimits``: check shapes from files or arguments with
    /// ``TensorLimits/scalarCount(of:)`` first).
    public init(_ sampleShape: [Int]) {
        let count = (try? TensorLimits.scalarCount(of: sampleShape)) ?? 0
        precondition(
            !sampleShape.isEmpty && sampleShape.allSatisfy { $0 > 0 } && count > 0,
            "Reshape: dimensions must be positive and hold at most \(TensorLimits.maximumScalarCount) values, got \(sampleShape)")
        self.sampleShape = sampleShape
        sampleScalarCount = count
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(
            input.featureCount == sampleScalarCount,
            "Reshape to \(sampleShape): input samples \(Array(input.shape.dropFirst())) hold \(input.featureCount) values")
        return Tensor(uncheckedShape: [input.sampleCount] + sampleShape, scalars: input.scalars)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        inputShape = input.shape
        return self(input)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let shape = inputShape else { preconditionFailure("Reshape.backward needs a forward first") }
        precondition(
            outputGradient.scalarCount == shape.reduce(1, *), "Reshape.backward: gradient shape \(outputGradient.shape), input shape \(shape)")
        return Tensor(uncheckedShape: shape, scalars: outputGradient.scalars)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        guard TensorLimits.checkedProduct(inputShape) == sampleScalarCount else {
            throw .shapeMismatch(context: "Reshape to \(sampleShape)", expected: sampleShape, actual: inputShape)
        }
        return sampleShape
    }
}
