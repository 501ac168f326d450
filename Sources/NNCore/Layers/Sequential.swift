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
    /// For each layer, the names its parameters were last visited under, local and qualified
    /// (`"weight"`, `"layers.0.weight"`): building the qualified names on every visit (twice a
    /// training step) costs more than the update of a tiny layer, and comparing is cheap.
    private var qualifiedNames: [[(local: String, qualified: String)]] = []

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

    /// Backward down to the first layer with parameters, which only accumulates its parameter
    /// gradients: nobody needs dLoss/dInput of the data, nor the gradient that layers without
    /// parameters in front of it (a `Reshape` before a convolution) would pass down.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        guard !layers.isEmpty else { return }
        var first = 0
        while first < layers.count - 1 && !Self.hasParameters(&layers[first]) { first += 1 }
        var gradient = outputGradient
        for index in layers.indices.dropFirst(first + 1).reversed() { gradient = layers[index].backward(gradient) }
        layers[first].accumulateParameterGradients(gradient)
    }

    /// Whether `layer` has a parameter (trainable or frozen).
    private static func hasParameters(_ layer: inout any Layer<Scalar>) -> Bool {
        var found = false
        layer.visitParameters { _, _ in found = true }
        return found
    }

    /// Zeroes every gradient through the specialised traversal: the provided version, generic
    /// over the model, looked up the parameters' type metadata for each parameter it visited
    /// (5% of a step of the sin lesson).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func zeroGradients() {
        visitParameters { _, parameter in parameter.zeroGradient() }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        var names: [[(local: String, qualified: String)]] = []
        swap(&names, &qualifiedNames)   // taken out while the layers are visited, and unshared
        defer { swap(&names, &qualifiedNames) }
        if names.count != layers.count { names = Array(repeating: [], count: layers.count) }
        for index in layers.indices {
            var position = 0
            try layers[index].visitParameters { name, parameter in
                if position == names[index].count || names[index][position].local != name {
                    names[index].removeSubrange(position...)
                    names[index].append((name, "layers.\(index).\(name)"))
                }
                position += 1
                try visit(names[index][position - 1].qualified, &parameter)
            }
        }
    }

    public mutating func setMode(_ mode: LayerMode) {
        for index in layers.indices { layers[index].setMode(mode) }
    }

    /// Passes the shard on to every layer.
    public mutating func setBatchShard(_ shard: BatchShard?) {
        for index in layers.indices { layers[index].setBatchShard(shard) }
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        var shape = inputShape
        for layer in layers { shape = try layer.outputShape(forInputShape: shape) }
        return shape
    }

    public func checkParameterValues() throws(TensorError) {
        for layer in layers { try layer.checkParameterValues() }
    }

    /// Checks `input` against the first layer (the one that reads it). Specialised: the
    /// trainer calls it on every step, and unspecialised code looked up the metadata of
    /// `any Layer<Scalar>` each time (8.5% of a step of the sin lesson under `perf`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func checkInput(_ input: Tensor<Scalar>) throws(TensorError) {
        // Borrowed from the array's buffer: `layers.first` copied the layer out of the array
        // (an allocation on every training step), and `layers[0]` its existential (a retain).
        try layers.withUnsafeBufferPointer { layers throws(TensorError) in
            guard !layers.isEmpty else { return }
            try layers[0].checkInput(input)
        }
    }
}
