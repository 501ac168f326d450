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
/// The layer is generic over its activation, so the element-wise work is compiled for the
/// activation you choose, including one you write yourself.
public struct Dense<Scalar: TensorScalar, ActivationFunction: Activation>: Layer {
    /// The weights, shaped `[inputSize, outputSize]`.
    public var weight: Parameter<Scalar>
    /// The biases, shaped `[outputSize]`.
    public var bias: Parameter<Scalar>
    /// The activation applied to `X·W + b`.
    public var activation: ActivationFunction

    /// What the last `forward` saw and produced, for `backward`.
    private var cache: (input: Tensor<Scalar>, preActivation: Tensor<Scalar>, output: Tensor<Scalar>)?

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
        activation(affine(input))
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let preActivation = affine(input)
        let output = activation(preActivation)
        cache = (input, preActivation, output)
        return output
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let (input, preActivation, output) = cache else {
            preconditionFailure("Dense.backward called before forward")
        }
        precondition(outputGradient.shape == output.shape,
                     "Dense.backward: gradient shape \(outputGradient.shape), output shape \(output.shape)")
        let rows = output.sampleCount
        let (inputs, outputs) = (inputSize, outputSize)

        var delta = outputGradient
        preActivation.withUnsafeBufferPointer { z in
            output.withUnsafeBufferPointer { a in
                delta.withUnsafeMutableBufferPointer { d in
                    Scalar.multiplyByDerivative(of: activation, input: z, output: a, gradient: d)
                }
            }
        }

        var inputGradient = Tensor<Scalar>(zeros: input.shape)
        delta.withUnsafeBufferPointer { d in
            if weight.isTrainable {
                input.withUnsafeBufferPointer { x in
                    weight.gradient.withUnsafeMutableBufferPointer { dW in
                        Scalar.matrixMultiply(x, transposed: true, d, transposed: false, into: dW,
                                              m: inputs, n: outputs, k: rows, accumulate: true)
                    }
                }
            }
            if bias.isTrainable {
                bias.gradient.withUnsafeMutableBufferPointer { db in
                    Scalar.accumulateColumnSums(of: d, into: db, columns: outputs)
                }
            }
            weight.value.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dX in
                    Scalar.matrixMultiply(d, transposed: false, w, transposed: true, into: dX,
                                          m: rows, n: inputs, k: outputs, accumulate: false)
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
        guard inputShape.reduce(1, *) == inputSize else {
            throw .shapeMismatch(context: "Dense(\(inputSize)→\(outputSize)) input", expected: [inputSize], actual: inputShape)
        }
        return [outputSize]
    }

    /// `input · weight + bias`, shaped `[batch, outputSize]`.
    private func affine(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank >= 1 && input.featureCount == inputSize,
                     "Dense(\(inputSize)→\(outputSize)): input shape \(input.shape) has \(input.featureCount) features per sample")
        let rows = input.rank == 1 ? 1 : input.sampleCount
        var result = Tensor<Scalar>(zeros: [rows, outputSize])
        let (inputs, outputs) = (inputSize, outputSize)
        input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
                bias.value.withUnsafeBufferPointer { b in
                    result.withUnsafeMutableBufferPointer { z in
                        Scalar.matrixMultiply(x, transposed: false, w, transposed: false, into: z,
                                              m: rows, n: outputs, k: inputs, accumulate: false)
                        Scalar.addRowVector(b, to: z, columns: outputs)
                    }
                }
            }
        }
        return result
    }
}
