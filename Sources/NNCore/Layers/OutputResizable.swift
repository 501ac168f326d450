/// A layer whose number of outputs can be chosen anew, with fresh parameters: the head a
/// trained model is given when it moves to a task with other classes (transfer learning).
public protocol OutputResizable<Scalar>: Layer {
    /// The number of inputs.
    var inputSize: Int { get }
    /// The number of outputs.
    var outputSize: Int { get }

    /// A layer of the same kind, inputs and activation, with `outputSize` outputs and its
    /// parameters initialised afresh from `generator`.
    /// - Parameters:
    ///   - outputSize: the number of outputs, positive.
    ///   - generator: the source of the new parameters.
    func resized(outputSize: Int, generator: inout SeededRandomGenerator) -> Self
}

extension Dense: OutputResizable {
    /// A dense layer with the same inputs and activation and `outputSize` outputs: weights
    /// drawn as the layer lists draw them (He uniform before ReLU, leaky ReLU and GELU,
    /// Glorot uniform otherwise), biases zero.
    /// - Parameters:
    ///   - outputSize: the number of outputs, positive.
    ///   - generator: the source of the new weights.
    public func resized(outputSize: Int, generator: inout SeededRandomGenerator) -> Dense {
        let reluLike = activation is ReLU || activation is LeakyReLU || activation is GELU
        return Dense(
            inputSize: inputSize, outputSize: outputSize, activation: activation,
            weightInitializer: reluLike ? .heUniform : .glorotUniform, generator: &generator)
    }
}
