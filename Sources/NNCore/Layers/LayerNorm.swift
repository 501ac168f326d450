/// Layer normalisation over the last axis (PyTorch's `nn.LayerNorm(features)`, Keras's
/// `LayerNormalization(axis=-1)`): each sample's values along that axis — a dense output, one
/// time step of a sequence `[batch, time, features]`, one pixel's channels — are normalised by
/// their own mean and (biased) variance, `y = γ·(x − μ)/√(σ² + ε) + β`, the same in training
/// and inference (no running statistics). γ (`weight`, initially 1) and β (`bias`, initially 0)
/// have one value per feature; ε is 1e-5 by default, as in PyTorch.
///
/// Backward, per row, with `x̂` the normalised input and `g = γ·dy`:
/// `dx = (g − mean(g) − x̂·mean(g·x̂)) / √(σ² + ε)`, `dγ += Σ dy·x̂`, `dβ += Σ dy`.
/// Statistics are accumulated in Double; the buffers are kept from one step to the next.
public struct LayerNorm<Scalar: TensorScalar>: Layer {
    /// The scale γ, one per feature (initially 1).
    public var weight: Parameter<Scalar>
    /// The shift β, one per feature (initially 0).
    public var bias: Parameter<Scalar>
    /// Added to the variance before the square root.
    public let epsilon: Double

    /// The last forward's normalised input x̂ and each row's 1/√(σ² + ε), for backward.
    private var normalized = Tensor<Scalar>(zeros: [0])
    private var inverseDeviation: [Double] = []
    private var hasForward = false
    private var inputGradient = Tensor<Scalar>(zeros: [0])

    /// Features normalised together: the size of the input's last axis.
    public var features: Int { weight.value.scalarCount }

    /// Creates a layer normalisation over a last axis of `features` values.
    /// - Parameters:
    ///   - features: the size of the last axis (positive).
    ///   - epsilon: added to the variance (positive).
    public init(features: Int, epsilon: Double = 1e-5) {
        precondition(features > 0 && epsilon > 0, "LayerNorm: features \(features) > 0, epsilon \(epsilon) > 0")
        weight = Parameter(Tensor(repeating: 1, shape: [features]))
        bias = Parameter(Tensor(zeros: [features]))
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var copy = self
        return copy.forward(input)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let features = features
        precondition(
            input.rank >= 2 && input.shape.last == features,
            "LayerNorm of \(features) features: input shape \(input.shape) (the last axis must be \(features))")
        let rows = input.scalarCount / features
        normalized.resizeForOverwrite(toShapeOf: input)
        if inverseDeviation.count != rows { inverseDeviation = [Double](repeating: 0, count: rows) }
        var output = input
        let epsilon = epsilon
        input.withUnsafeBufferPointer { x in
            normalized.withUnsafeMutableBufferPointer { n in
                output.withUnsafeMutableBufferPointer { y in
                    weight.value.withUnsafeBufferPointer { gamma in
                        bias.value.withUnsafeBufferPointer { beta in
                            for row in 0..<rows {
                                let start = row * features
                                var mean = 0.0
                                for i in start..<(start + features) { mean += Double(x[i]) }
                                mean /= Double(features)
                                var variance = 0.0
                                for i in start..<(start + features) {
                                    let deviation = Double(x[i]) - mean
                                    variance += deviation * deviation
                                }
                                let inverse = 1 / (variance / Double(features) + epsilon).squareRoot()
                                inverseDeviation[row] = inverse
                                for feature in 0..<features {
                                    let value = (Double(x[start + feature]) - mean) * inverse
                                    n[start + feature] = Scalar(value)
                                    y[start + feature] = Scalar(value * Double(gamma[feature]) + Double(beta[feature]))
                                }
                            }
                        }
                    }
                }
            }
        }
        hasForward = true
        return output
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(hasForward, "LayerNorm.backward needs a forward first")
        precondition(
            outputGradient.shape == normalized.shape,
            "LayerNorm.backward: gradient shape \(outputGradient.shape), output shape \(normalized.shape)")
        hasForward = false
        let features = features
        let rows = normalized.scalarCount / features
        inputGradient.resizeForOverwrite(toShapeOf: outputGradient)
        let (trainsWeight, trainsBias) = (weight.isTrainable, bias.isTrainable)
        outputGradient.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { n in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    weight.value.withUnsafeBufferPointer { gamma in
                        weight.gradient.withUnsafeMutableBufferPointer { dGamma in
                            bias.gradient.withUnsafeMutableBufferPointer { dBeta in
                                for row in 0..<rows {
                                    let start = row * features
                                    var (sum, sumTimesNormalized) = (0.0, 0.0)
                                    for feature in 0..<features {
                                        let g = Double(gamma[feature]) * Double(dy[start + feature])
                                        sum += g
                                        sumTimesNormalized += g * Double(n[start + feature])
                                        if trainsWeight { dGamma[feature] += dy[start + feature] * n[start + feature] }
                                        if trainsBias { dBeta[feature] += dy[start + feature] }
                                    }
                                    let (meanG, meanGN) = (sum / Double(features), sumTimesNormalized / Double(features))
                                    let inverse = inverseDeviation[row]
                                    for feature in 0..<features {
                                        let g = Double(gamma[feature]) * Double(dy[start + feature])
                                        dx[start + feature] = Scalar((g - meanG - Double(n[start + feature]) * meanGN) * inverse)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("weight", &weight)
        try visit("bias", &bias)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        guard inputShape.last == features else {
            throw .shapeMismatch(
                context: "LayerNorm of \(features) features (the input's last axis)",
                expected: Array(inputShape.dropLast()) + [features], actual: inputShape)
        }
        return inputShape
    }
}
