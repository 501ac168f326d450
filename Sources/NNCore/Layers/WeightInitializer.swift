/// How a layer's initial weights are drawn. Every variant draws from a
/// ``SeededRandomGenerator``, so the same seed gives the same network.
///
/// `fanIn` and `fanOut` are the layer's input and output sizes (for a convolution, times the
/// kernel's area). The normal variants are untruncated, as PyTorch's `nn.init` draws them;
/// Keras truncates its normal initialisers at two standard deviations.
public enum WeightInitializer: Sendable, Equatable, Codable {
    /// Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)) (Glorot & Bengio,
    /// 2010). Keras's default; PyTorch's `xavier_uniform_`.
    case glorotUniform
    /// Glorot (Xavier) normal: N(0, 2 / (fanIn + fanOut)); PyTorch's `xavier_normal_`.
    case glorotNormal
    /// He (Kaiming) uniform: U(−a, a) with a = √(6 / fanIn), for ReLU networks (He et al.,
    /// 2015); Keras's `HeUniform`, PyTorch's `kaiming_uniform_` with its default gain √2.
    case heUniform
    /// He (Kaiming) normal: N(0, 2 / fanIn); PyTorch's `kaiming_normal_`.
    case heNormal
    /// LeCun uniform: U(−a, a) with a = √(3 / fanIn), the variance 1 / fanIn of LeCun et al.'s
    /// "Efficient BackProp" (1998); Keras's `LecunUniform`.
    case lecunUniform
    /// LeCun normal: N(0, 1 / fanIn) (LeCun et al., 1998), as used with SELU networks.
    case lecunNormal
    /// PyTorch's default for `nn.Linear` weights and biases: U(−a, a) with a = √(1 / fanIn)
    /// (`kaiming_uniform_` with a = √5 for the weights, the same bound for the biases).
    case pytorchLinear
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
        case .lecunUniform: return uniform((3 / fanIn).squareRoot())
        case .lecunNormal: return normal((1 / fanIn).squareRoot())
        case .pytorchLinear: return uniform((1 / fanIn).squareRoot())
        case .uniform(let lower, let upper):
            return (0..<count).map { _ in T(lower + (upper - lower) * generator.nextUniform()) }
        case .constant(let value): return T.array(repeating: T(value), count: count)
        }
    }
}
