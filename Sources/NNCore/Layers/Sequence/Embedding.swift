/// A lookup table from token ids to vectors (PyTorch's `nn.Embedding`, Keras's `Embedding`):
/// a batch of ids `[batch, time]`, held in the tensor's scalar type, becomes `[batch, time,
/// dimension]`, row `id` of `weight` for each id.
///
/// Ids must be whole numbers in `0..<vocabulary`: ``checkInput(_:)`` says which one is not
/// (the `Trainer` calls it on every batch); ``forward(_:)`` traps on such an id, as a
/// programmer error. Backward adds each position's gradient into the row of its id only
/// (rows of ids that were not used are not touched) and returns a zero gradient for the ids,
/// which are not differentiable. `weight` starts as N(0, 1) draws, as in PyTorch.
public struct Embedding<Scalar: TensorScalar>: Layer {
    /// The vectors, one row per id: `[vocabulary, dimension]`.
    public var weight: Parameter<Scalar>

    /// The ids of the last forward, until backward has used them.
    private var cachedIds: [Int] = []
    private var hasForward = false
    private var inputGradient = Tensor<Scalar>(zeros: [0])
    private var output = Tensor<Scalar>(zeros: [0])

    /// The number of ids.
    public var vocabulary: Int { weight.value.shape[0] }
    /// The length of each vector.
    public var dimension: Int { weight.value.shape[1] }

    /// Creates a table with N(0, 1) vectors drawn from `generator`.
    /// - Parameters:
    ///   - vocabulary: the number of ids (positive).
    ///   - dimension: the length of each vector (positive).
    ///   - generator: where the vectors are drawn from.
    public init(vocabulary: Int, dimension: Int, generator: inout SeededRandomGenerator) {
        precondition(vocabulary > 0 && dimension > 0, "Embedding: sizes must be positive, got \(vocabulary)×\(dimension)")
        let values = (0..<(vocabulary * dimension)).map { _ in Scalar(generator.nextNormal()) }
        weight = Parameter(Tensor(uncheckedShape: [vocabulary, dimension], scalars: values))
    }

    /// Creates a table with exactly the given vectors, `[vocabulary, dimension]`.
    /// - Throws: `TensorError.shapeMismatch` unless `weight` is a non-empty matrix.
    public init(weight: Tensor<Scalar>) throws(TensorError) {
        guard weight.rank == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
            throw .shapeMismatch(context: "Embedding weight", expected: [-1, -1], actual: weight.shape)
        }
        self.weight = Parameter(weight)
    }

    /// Checks that every value of `input` is a whole number in `0..<vocabulary`.
    /// - Throws: ``TensorError/invalidValue(context:index:value:expected:)`` naming the first that is not.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func checkInput(_ input: Tensor<Scalar>) throws(TensorError) {
        let vocabulary = Scalar(self.vocabulary)
        let bad = input.withUnsafeBufferPointer { ids in
            ids.firstIndex { !($0 >= 0 && $0 < vocabulary && $0 == $0.rounded(.towardZero)) }
        }
        if let bad {
            throw .invalidValue(
                context: "Embedding of \(self.vocabulary) ids", index: bad, value: Double(input[flat: bad]),
                expected: "a whole number in 0..<\(self.vocabulary)")
        }
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var copy = self
        return copy.forward(input)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        do { try checkInput(input) } catch { preconditionFailure("Embedding.forward: \(error) (call checkInput first for data from outside)") }
        let dimension = dimension
        cachedIds.removeAll(keepingCapacity: true)
        input.withUnsafeBufferPointer { ids in
            for id in ids { cachedIds.append(Int(id)) }
        }
        if output.rank != input.rank + 1 || !output.shape.starts(with: input.shape) || output.shape.last != dimension {
            output.resizeForOverwrite(shape: input.shape + [dimension])
        }
        weight.value.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { out in
                for (position, id) in cachedIds.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: table[(id * dimension)..<((id + 1) * dimension)])
                    _ = UnsafeMutableBufferPointer(rebasing: out[(position * dimension)..<((position + 1) * dimension)])
                        .update(fromContentsOf: row)
                }
            }
        }
        inputGradient.resizeForOverwrite(toShapeOf: input)
        hasForward = true
        return output
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        accumulateParameterGradients(outputGradient)
        inputGradient.setToZero()
        return inputGradient
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        precondition(hasForward, "Embedding.backward needs a forward first")
        hasForward = false
        let dimension = dimension
        precondition(
            outputGradient.scalarCount == cachedIds.count * dimension,
            "Embedding.backward: gradient shape \(outputGradient.shape) for \(cachedIds.count) ids of \(dimension) values")
        guard weight.isTrainable else { return }
        outputGradient.withUnsafeBufferPointer { gradient in
            weight.gradient.withUnsafeMutableBufferPointer { table in
                for (position, id) in cachedIds.enumerated() {
                    for k in 0..<dimension { table[id * dimension + k] += gradient[position * dimension + k] }
                }
            }
        }
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("weight", &weight)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        guard inputShape.count == 1 else {
            throw .shapeMismatch(context: "Embedding input (one id per time step)", expected: [-1], actual: inputShape)
        }
        return inputShape + [dimension]
    }
}
