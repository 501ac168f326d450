/// How a dense layer's initial weights are drawn. Every variant draws from a
/// ``SeededRandomGenerator``, so the same seed gives the same network.
///
/// `fanIn` and `fanOut` are the layer's input and output sizes.
public enum WeightInitializer: Sendable, Equatable, Codable {
    /// Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)). Keras's default.
    case glorotUniform
    /// Glorot (Xavier) normal: N(0, 2 / (fanIn + fanOut)).
    case glorotNormal
    /// He (Kaiming) uniform: U(−a, a) with a = √(6 / fanIn), for ReLU networks.
    case heUniform
    /// He (Kaiming) normal: N(0, 2 / fanIn).
    case heNormal
    /// LeCun uniform, U(−a, a) with a = √(1 / fanIn): what PyTorch's `nn.Linear` uses by default
    /// for its weights and its biases.
    case lecunUniform
    /// Uniform in `[lower, upper)`.
    case uniform(lower: Double, upper: Double)
    /// Every value the same (zero for the usual bias).
    case constant(Double)

    /// Draws `count` values for a layer with the given fans.
    public func values<T: TensorScalar>(
        count: Int, fanIn: Int, fanOut: Int, generator: inout SeededRandomGenerator
    ) -> [T] {
        func uniform(_ limit: Double) -> [T] {
            (0..<count).map { _ in T(-limit + 2 * limit * generator.nextUniform()) }
        }
        func normal(_ standardDeviation: Double) -> [T] {
            (0..<count).map { _ in T(standardDeviation * generator.nextNormal()) }
        }
        let fanIn = Double(Swift.max(fanIn, 1)), fanOut = Double(Swift.max(fanOut, 1))
        switch self {
        case .glorotUniform: return uniform((6 / (fanIn + fanOut)).squareRoot())
        case .glorotNormal: return normal((2 / (fanIn + fanOut)).squareRoot())
        case .heUniform: return uniform((6 / fanIn).squareRoot())
        case .heNormal: return normal((2 / fanIn).squareRoot())
        case .lecunUniform: return uniform((1 / fanIn).squareRoot())
        case .uniform(let lower, let upper):
            return (0..<count).map { _ in T(lower + (upper - lower) * generator.nextUniform()) }
        case .constant(let value): return T.array(repeating: T(value), count: count)
        }
    }
}
