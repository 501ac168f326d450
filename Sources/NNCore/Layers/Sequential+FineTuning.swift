/// Moving a trained model to a new task: a new head, layers frozen.
///
/// ```swift
/// // model: a trained Sequential<Float>, e.g. loaded with NNIO's ModelFile.load
/// model.replaceHead(outputSize: 5, generator: &generator)   // five new classes
/// model.freezeLayers(0..<2)                                  // keep the first two layers
/// ```
extension Sequential {
    /// The position of the last layer whose outputs can be resized (the last dense layer),
    /// if there is one.
    public var headIndex: Int? {
        layers.lastIndex { $0 is any OutputResizable<Scalar> }
    }

    /// Replaces the last dense layer (see ``headIndex``) with a fresh one of `outputSize`
    /// outputs, keeping every other layer as it is (layers after it, such as a softmax, stay).
    /// - Parameters:
    ///   - outputSize: the new number of outputs, positive.
    ///   - generator: the source of the new layer's parameters.
    /// - Returns: the position of the layer replaced, or `nil` if the model has no layer
    ///   whose outputs can be resized (nothing changes then).
    @discardableResult
    public mutating func replaceHead(outputSize: Int, generator: inout SeededRandomGenerator) -> Int? {
        precondition(outputSize > 0, "Sequential.replaceHead: the output size must be positive")
        guard let index = headIndex, let head = layers[index] as? any OutputResizable<Scalar> else { return nil }
        layers[index] = head.resized(outputSize: outputSize, generator: &generator)
        return index
    }

    /// Freezes every parameter of the layers at `indices` (see ``Layer/freeze(where:)``):
    /// optimisers leave them unchanged and keep no state for them.
    /// - Parameter indices: positions in ``layers``; a position outside them is a programmer
    ///   error.
    public mutating func freezeLayers(_ indices: some Sequence<Int>) {
        for index in indices {
            precondition(layers.indices.contains(index), "Sequential.freezeLayers: there is no layer \(index)")
            layers[index].freeze()
        }
    }
}
