/// Batch normalisation over the last axis (features of a dense layer's output, channels of a
/// channels-last image): `y = γ·(x − μ)/√(σ² + ε) + β`.
///
/// In training mode μ and σ² are the batch's (over every sample and, for images, every pixel),
/// and the running statistics move toward them: `running ← (1 − momentum)·running +
/// momentum·batch`, with the unbiased variance, as in PyTorch (momentum 0.1, ε 1e-5 by
/// default). In inference mode the running statistics are used. The running statistics are
/// parameters that are never trained (`running_mean`, `running_var`), so they are saved with
/// the model and in checkpoints; `weight` (γ) and `bias` (β) are trained.
///
/// A training batch with one value per feature (one sample of a dense layer's output, as a
/// shuffled data set's last batch can be) is normalised by its own statistics as Keras does:
/// σ² = 0, so x̂ = 0, the output is β and no gradient reaches the input. The running
/// statistics are left unchanged by such a batch, since one value has no unbiased variance
/// (PyTorch raises an error instead).
///
/// Backward in training mode differentiates through the batch statistics:
/// `dx = γ/(N·σ̂) · (N·dy − Σdy − x̂·Σ(dy·x̂))`, with `x̂` the normalised input.
public struct BatchNorm<Scalar: TensorScalar>: Layer {
    /// The scale γ, one per feature (initially 1).
    public var weight: Parameter<Scalar>
    /// The shift β, one per feature (initially 0).
    public var bias: Parameter<Scalar>
    /// The running mean, used in inference mode (initially 0; not trained).
    public private(set) var runningMean: Parameter<Scalar>
    /// The running variance, used in inference mode (initially 1; not trained).
    public private(set) var runningVariance: Parameter<Scalar>
    /// How far each training batch moves the running statistics.
    public let momentum: Double
    /// Added to the variance before the square root.
    public let epsilon: Double
    /// Training (batch statistics) or inference (running statistics).
    public private(set) var mode: LayerMode = .training

    /// The last forward's normalised input x̂, 1/√(σ² + ε) per feature, and whether it used
    /// the batch's statistics.
    private var cached: (normalized: Tensor<Scalar>, inverseDeviation: [Double], batchStatistics: Bool)?

    /// Features (or channels) normalised: the size of the input's last axis.
    public var features: Int { weight.value.scalarCount }

    /// Creates a batch normalisation of `features` features (channels).
    public init(features: Int, momentum: Double = 0.1, epsilon: Double = 1e-5) {
        precondition(
            features > 0 && momentum >= 0 && momentum <= 1 && epsilon > 0,
            "BatchNorm: features \(features) > 0, momentum \(momentum) in [0, 1], epsilon \(epsilon) > 0")
        weight = Parameter(Tensor(repeating: 1, shape: [features]))
        bias = Parameter(Tensor(zeros: [features]))
        runningMean = Parameter(Tensor(zeros: [features]), isTrainable: false)
        runningVariance = Parameter(Tensor(repeating: 1, shape: [features]), isTrainable: false)
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public mutating func setMode(_ mode: LayerMode) { self.mode = mode }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var copy = self
        return copy.normalize(input, updatingRunningStatistics: false)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        normalize(input, updatingRunningStatistics: true)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let (normalized, inverseDeviation, batchStatistics) = cached else {
            preconditionFailure("BatchNorm.backward needs a forward first")
        }
        cached = nil
        precondition(
            outputGradient.shape == normalized.shape,
            "BatchNorm.backward: gradient shape \(outputGradient.shape), output shape \(normalized.shape)")
        let features = features
        let rows = normalized.scalarCount / features
        var sumGradient = [Double](repeating: 0, count: features), sumGradientTimesNormalized = sumGradient
        Self.columnSums(outputGradient, normalized, features: features, into: &sumGradient, &sumGradientTimesNormalized)
        if weight.isTrainable {
            for feature in 0..<features { weight.gradient[flat: feature] += Scalar(sumGradientTimesNormalized[feature]) }
        }
        if bias.isTrainable {
            for feature in 0..<features { bias.gradient[flat: feature] += Scalar(sumGradient[feature]) }
        }
        let gamma = weight.value.scalars.map { Double($0) }
        var coefficients = (scale: [Double](repeating: 0, count: features), shift: sumGradient, slope: sumGradient)
        for feature in 0..<features {
            if batchStatistics {
                // dx = γσ̂⁻¹ (dy − Σdy/N − x̂ Σ(dy x̂)/N)
                coefficients.scale[feature] = gamma[feature] * inverseDeviation[feature]
                coefficients.shift[feature] = sumGradient[feature] / Double(rows)
                coefficients.slope[feature] = sumGradientTimesNormalized[feature] / Double(rows)
            } else {
                // Fixed statistics: dx = γσ̂⁻¹ dy.
                coefficients.scale[feature] = gamma[feature] * inverseDeviation[feature]
                (coefficients.shift[feature], coefficients.slope[feature]) = (0, 0)
            }
        }
        return Self.inputGradient(outputGradient, normalized, features: features, coefficients)
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("weight", &weight)
        try visit("bias", &bias)
        try visit("running_mean", &runningMean)
        try visit("running_var", &runningVariance)
        // Statistics, never trained (even after `unfreeze()`).
        (runningMean.isTrainable, runningVariance.isTrainable) = (false, false)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        guard inputShape.last == features else {
            throw .shapeMismatch(
                context: "BatchNorm of \(features) features (the input's last axis)",
                expected: Array(inputShape.dropLast()) + [features], actual: inputShape)
        }
        return inputShape
    }

    /// Normalises `input` with the batch's statistics (training) or the running ones, caching
    /// x̂ for backward.
    private mutating func normalize(_ input: Tensor<Scalar>, updatingRunningStatistics: Bool) -> Tensor<Scalar> {
        let features = features
        precondition(
            input.rank >= 2 && input.shape.last == features,
            "BatchNorm of \(features) features: input shape \(input.shape) (the last axis must be \(features))")
        let rows = input.scalarCount / features
        var mean: [Double], variance: [Double]
        let batchStatistics = mode == .training
        if batchStatistics {
            (mean, variance) = Self.statistics(input, features: features)
            if updatingRunningStatistics && rows > 1 {
                let unbiased = Double(rows) / Double(rows - 1)
                for feature in 0..<features {
                    runningMean.value[flat: feature] = Scalar((1 - momentum) * Double(runningMean.value[flat: feature]) + momentum * mean[feature])
                    runningVariance.value[flat: feature] = Scalar(
                        (1 - momentum) * Double(runningVariance.value[flat: feature]) + momentum * variance[feature] * unbiased)
                }
            }
        } else {
            mean = runningMean.value.scalars.map { Double($0) }
            variance = runningVariance.value.scalars.map { Double($0) }
        }
        let inverseDeviation = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let (normalized, output) = Self.normalizeAndScale(
            input, features: features, mean: mean, inverseDeviation: inverseDeviation,
            gamma: weight.value, beta: bias.value)
        cached = (normalized, inverseDeviation, batchStatistics)
        return output
    }

    /// Per-feature mean and (biased) variance over every other axis, accumulated in Double.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func statistics(_ input: Tensor<Scalar>, features: Int) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: features), variance = mean
        let rows = input.scalarCount / features
        input.withUnsafeBufferPointer { x in
            for row in 0..<rows { for feature in 0..<features { mean[feature] += Double(x[row * features + feature]) } }
            for feature in 0..<features { mean[feature] /= Double(rows) }
            for row in 0..<rows {
                for feature in 0..<features {
                    let centred = Double(x[row * features + feature]) - mean[feature]
                    variance[feature] += centred * centred
                }
            }
        }
        for feature in 0..<features { variance[feature] /= Double(rows) }
        return (mean, variance)
    }

    /// x̂ = (x − μ)·σ̂⁻¹ and y = γ·x̂ + β.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func normalizeAndScale(
        _ input: Tensor<Scalar>, features: Int, mean: [Double], inverseDeviation: [Double],
        gamma: Tensor<Scalar>, beta: Tensor<Scalar>
    ) -> (normalized: Tensor<Scalar>, output: Tensor<Scalar>) {
        var normalized = input, output = input
        let rows = input.scalarCount / features
        let shift = mean.map { Scalar($0) }, scale = inverseDeviation.map { Scalar($0) }
        let g = gamma.scalars, b = beta.scalars
        normalized.withUnsafeMutableBufferPointer { n in
            output.withUnsafeMutableBufferPointer { y in
                for row in 0..<rows {
                    for feature in 0..<features {
                        let index = row * features + feature
                        n[index] = (n[index] - shift[feature]) * scale[feature]
                        y[index] = g[feature] * n[index] + b[feature]
                    }
                }
            }
        }
        return (normalized, output)
    }

    /// Σ dy and Σ dy·x̂ per feature, in Double.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func columnSums(
        _ gradient: Tensor<Scalar>, _ normalized: Tensor<Scalar>, features: Int,
        into sumGradient: inout [Double], _ sumGradientTimesNormalized: inout [Double]
    ) {
        let rows = gradient.scalarCount / features
        gradient.withUnsafeBufferPointer { g in
            normalized.withUnsafeBufferPointer { n in
                for row in 0..<rows {
                    for feature in 0..<features {
                        let index = row * features + feature
                        sumGradient[feature] += Double(g[index])
                        sumGradientTimesNormalized[feature] += Double(g[index]) * Double(n[index])
                    }
                }
            }
        }
    }

    /// dx = scale·(dy − shift − x̂·slope), per feature.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func inputGradient(
        _ gradient: Tensor<Scalar>, _ normalized: Tensor<Scalar>, features: Int,
        _ coefficients: (scale: [Double], shift: [Double], slope: [Double])
    ) -> Tensor<Scalar> {
        var result = gradient
        let rows = gradient.scalarCount / features
        let scale = coefficients.scale.map { Scalar($0) }, shift = coefficients.shift.map { Scalar($0) }
        let slope = coefficients.slope.map { Scalar($0) }
        normalized.withUnsafeBufferPointer { n in
            result.withUnsafeMutableBufferPointer { dx in
                for row in 0..<rows {
                    for feature in 0..<features {
                        let index = row * features + feature
                        dx[index] = scale[feature] * (dx[index] - shift[feature] - n[index] * slope[feature])
                    }
                }
            }
        }
        return result
    }
}
