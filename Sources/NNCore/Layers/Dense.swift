/// A fully connected layer: `output = activation(input · weight + bias)`.
///
/// `weight` is shaped `[inputSize, outputSize]` (row = input unit, column = output unit)
/// and `bias` `[outputSize]`, so a batch `X` of shape `[batch, inputSize]` maps to
/// `Z = X·W + b` and `A = f(Z)`. Backward is two matrix products and a column sum:
///
/// - δ = dLoss/dA ⊙ f′(Z)
/// - dLoss/dW += Xᵀ·δ,  dLoss/db += Σ_rows δ
/// - dLoss/dX = δ·Wᵀ
///
/// A sequence `[batch, time, inputSize]` is mapped step by step to `[batch, time, outputSize]`,
/// every step with the same weights (as Keras's `Dense` and PyTorch's `Linear` treat a last
/// axis); any other input is flattened to `[batch, inputSize]` (an image after convolutions).
///
/// The layer is generic over its activation, so the element-wise work is compiled for the
/// activation you choose, including one you write yourself.
public struct Dense<Scalar: TensorScalar, ActivationFunction: Activation>: Layer {
    /// The weights, shaped `[inputSize, outputSize]`.
    public var weight: Parameter<Scalar>
    /// The biases, shaped `[outputSize]`.
    public var bias: Parameter<Scalar>
    /// The activation applied to `X·W + b`.
    public var activation: ActivationFunction

    /// The buffers and arithmetic of training steps (see ``DenseStep``).
    private var step = DenseStep<Scalar>()

    /// The number of input features.
    public var inputSize: Int { weight.value.shape[0] }
    /// The number of output units.
    public var outputSize: Int { weight.value.shape[1] }

    /// Creates a layer with weights drawn by `weightInitializer` and biases set by
    /// `biasInitializer` (zero by default), from `generator`.
    public init(
        inputSize: Int, outputSize: Int, activation: ActivationFunction,
        weightInitializer: WeightInitializer = .glorotUniform,
        biasInitializer: WeightInitializer = .constant(0),
        generator: inout SeededRandomGenerator
    ) {
        precondition(inputSize > 0 && outputSize > 0, "Dense: sizes must be positive, got \(inputSize)→\(outputSize)")
        let weights: [Scalar] = weightInitializer.values(
            count: inputSize * outputSize, fanIn: inputSize, fanOut: outputSize, generator: &generator)
        let biases: [Scalar] = biasInitializer.values(
            count: outputSize, fanIn: inputSize, fanOut: outputSize, generator: &generator)
        self.weight = Parameter(Tensor(uncheckedShape: [inputSize, outputSize], scalars: weights))
        self.bias = Parameter(Tensor(biases))
        self.activation = activation
    }

    /// Creates a layer with exactly the given weights (`[inputSize, outputSize]`) and biases (`[outputSize]`).
    /// - Throws: `TensorError.shapeMismatch` if the shapes do not fit together.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>, activation: ActivationFunction) throws(TensorError) {
        guard weight.rank == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
            throw .shapeMismatch(context: "Dense weight", expected: [-1, -1], actual: weight.shape)
        }
        guard bias.shape == [weight.shape[1]] else {
            throw .shapeMismatch(context: "Dense bias", expected: [weight.shape[1]], actual: bias.shape)
        }
        self.weight = Parameter(weight)
        self.bias = Parameter(bias)
        self.activation = activation
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        DenseStep.infer(input, weight: weight.value, bias: bias.value, activation: activation)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        denseForward(&step, input, weight: weight.value, bias: bias.value, activation: activation)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        denseBackward(&step, outputGradient, weight: &weight, bias: &bias, activation: activation, needsInputGradient: true)
            ?? Tensor(zeros: [0])
    }

    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        _ = denseBackward(&step, outputGradient, weight: &weight, bias: &bias, activation: activation, needsInputGradient: false)
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("weight", &weight)
        try visit("bias", &bias)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        if inputShape.count == 2 && inputShape[1] == inputSize { return [inputShape[0], outputSize] }
        guard TensorLimits.checkedProduct(inputShape) == inputSize else {
            throw .shapeMismatch(context: "Dense(\(inputSize)→\(outputSize)) input", expected: [inputSize], actual: inputShape)
        }
        return [outputSize]
    }
}
