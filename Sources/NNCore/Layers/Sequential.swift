/// Layers applied one after another; its parameters are named `layers.<index>.<name>`.
///
/// ```swift
/// var generator = SeededRandomGenerator(seed: 1)
/// var model = Sequential<Float>(
///     Dense<Float, ReLU>(inputSize: 784, outputSize: 64, activation: ReLU(), generator: &generator),
///     Dense<Float, Identity>(inputSize: 64, outputSize: 10, activation: Identity(), generator: &generator))
/// ```
///
/// Layers are stored as `any Layer`: dispatch costs one call per layer, while each layer's
/// element-wise work runs in code specialised for its own types.
public struct Sequential<Scalar: TensorScalar>: Layer {
    /// The layers, first applied first.
    public var layers: [any Layer<Scalar>]
    /// `"layers.<index>."` for each index, built once: formatting the index on every
    /// parameter visit (every training step) would cost more than the update of a tiny layer.
    private var namePrefixes: [String] = []

    /// Creates a model from an array of layers.
    public init(_ layers: [any Layer<Scalar>]) {
        self.layers = layers
    }

    /// Creates a model from layers listed in order.
    public init(_ layers: any Layer<Scalar>...) {
        self.layers = layers
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layers.reduce(input) { activations, layer in layer(activations) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var activations = input
        for index in layers.indices { activations = layers[index].forward(activations) }
        return activations
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        var gradient = outputGradient
        for index in layers.indices.reversed() { gradient = layers[index].backward(gradient) }
        return gradient
    }

    /// Backward through every layer but the first, which only accumulates its parameter
    /// gradients: nobody needs dLoss/dInput of the data.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        guard !layers.isEmpty else { return }
        var gradient = outputGradient
        for index in layers.indices.dropFirst().reversed() { gradient = layers[index].backward(gradient) }
        layers[0].accumulateParameterGradients(gradient)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        if namePrefixes.count != layers.count { namePrefixes = layers.indices.map { "layers.\($0)." } }
        for index in layers.indices {
            let prefix = namePrefixes[index]
            try layers[index].visitParameters { name, parameter in
                try visit(prefix + name, &parameter)
            }
        }
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        var shape = inputShape
        for layer in layers { shape = try layer.outputShape(forInputShape: shape) }
        return shape
    }
}
