/// Inverted dropout: in training mode each value is zeroed with probability `rate` and the
/// survivors are scaled by `1 / (1 − rate)`, so the expected output equals the input and
/// inference needs no rescaling; in inference mode the layer passes its input through.
///
/// Mask number *n* is drawn from a generator seeded by `seed` and *n*: the same seed gives the
/// same masks. The count of masks drawn is kept as a non-trainable parameter, `draws`, so it
/// is saved with the model and in checkpoints, and a resumed run draws the masks an
/// uninterrupted one would have (PyTorch keeps such counters as buffers). In training mode,
/// ``callAsFunction(_:)`` applies the mask the next ``forward(_:)`` will draw, so both compute
/// the same function; each forward then counts one more draw.
///
/// Given a ``BatchShard`` (data-parallel training), the mask is drawn as for the whole
/// global batch and this process's rows are kept, so that the processes together apply the
/// mask one process would apply to the whole batch.
public struct Dropout<Scalar: TensorScalar>: Layer {
    /// The probability of zeroing a value, in `[0, 1)`.
    public let rate: Double
    /// The seed the masks are drawn from.
    public let seed: UInt64
    /// Training (masks applied) or inference (identity).
    public private(set) var mode: LayerMode = .training

    /// Masks drawn so far, as `[low, high]` 24-bit halves (exact in `Float`).
    private var draws = Parameter<Scalar>(Tensor(zeros: [2]), isTrainable: false)
    /// The last forward's mask: `0` or `1 / (1 − rate)` per value.
    private var mask: Tensor<Scalar>?
    /// The rows of the global batch this process's batches are, if they are a part of one.
    private var shard: BatchShard?

    /// Creates a dropout layer that zeroes values with probability `rate` (in `[0, 1)`).
    public init(rate: Double, seed: UInt64 = 0) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate \(rate) is not in [0, 1)")
        (self.rate, self.seed) = (rate, seed)
    }

    public mutating func setMode(_ mode: LayerMode) { self.mode = mode }

    /// An empty part (a process with no rows in this step) runs no forward; it counts the
    /// draw the other processes make, so that the masks stay in step.
    public mutating func setBatchShard(_ shard: BatchShard?) {
        self.shard = shard
        if let shard, shard.count == 0, mode == .training, rate > 0 { countDraw() }
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        guard mode == .training, rate > 0 else { return input }
        var generator = nextGenerator
        return Self.apply(Self.mask(shapedLike: input, rate: rate, shard: shard, generator: &generator), to: input)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        guard mode == .training, rate > 0 else {
            mask = nil
            return input
        }
        var generator = nextGenerator
        let mask = Self.mask(shapedLike: input, rate: rate, shard: shard, generator: &generator)
        self.mask = mask
        countDraw()
        return Self.apply(mask, to: input)
    }

    /// Counts one more mask drawn.
    private mutating func countDraw() {
        let count = drawCount + 1
        draws.value[flat: 0] = Scalar(Double(count % (1 << 24)))
        draws.value[flat: 1] = Scalar(Double(count >> 24))
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let mask else { return outputGradient }
        precondition(outputGradient.shape == mask.shape, "Dropout.backward: gradient shape \(outputGradient.shape), output shape \(mask.shape)")
        return Self.apply(mask, to: outputGradient)
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("draws", &draws)
        draws.isTrainable = false   // a counter, never trained (even after `unfreeze()`)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }

    /// The mask count's two halves must be whole numbers in `0..<2²⁴`, as forward writes them.
    public func checkParameterValues() throws(TensorError) {
        for index in 0..<2 {
            let half = draws.value[flat: index]
            guard half >= 0, half < Scalar(1 << 24), half == half.rounded() else {
                throw .invalidConfiguration(
                    layer: "Dropout", reason: "draws[\(index)] is \(half), not a whole number in 0..<\(1 << 24) (a count of masks)")
            }
        }
    }

    /// Masks drawn so far.
    public var drawCount: Int {
        Int(draws.value[flat: 0]) + Int(draws.value[flat: 1]) << 24
    }

    /// The generator of the next mask: seeded by `seed` and the draw number.
    private var nextGenerator: SeededRandomGenerator {
        SeededRandomGenerator(seed: seed ^ (UInt64(drawCount) &* 0x9E37_79B9_7F4A_7C15))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func mask(
        shapedLike input: Tensor<Scalar>, rate: Double, shard: BatchShard?, generator: inout SeededRandomGenerator
    ) -> Tensor<Scalar> {
        let keep = Scalar(1 / (1 - rate))
        var mask = Tensor<Scalar>(zeros: input.shape)
        if let shard {
            precondition(shard.count == input.sampleCount, "Dropout: a batch of \(input.sampleCount) samples, but its shard has \(shard.count) rows")
            // The values of the rows before this process's, as the whole batch would draw them.
            for _ in 0..<(shard.offset * input.featureCount) { _ = generator.next() }
        }
        mask.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = generator.nextUniform() < rate ? 0 : keep }
        }
        return mask
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func apply(_ mask: Tensor<Scalar>, to values: Tensor<Scalar>) -> Tensor<Scalar> {
        var result = values
        mask.withUnsafeBufferPointer { m in
            result.withUnsafeMutableBufferPointer { r in
                for index in r.indices { r[index] *= m[index] }
            }
        }
        return result
    }
}
