/// A differentiable transformation of a batch, trained by explicit backpropagation.
///
/// The contract:
/// - ``callAsFunction(_:)`` is inference: it computes the output and caches nothing.
/// - ``forward(_:)`` computes the same output and caches what ``backward(_:)`` needs.
/// - ``backward(_:)`` takes dLoss/dOutput for the last forward batch, *adds* dLoss/dParameter
///   into each trainable parameter's gradient, and returns dLoss/dInput. Each forward allows
///   one backward: a layer may release what it cached once it has been used (as PyTorch frees
///   a graph after `backward()`), so that its buffers can be reused by the next step.
/// - ``accumulateParameterGradients(_:)`` is backward for a caller that does not need
///   dLoss/dInput (the first layer of a model, whose input is data); a layer may skip that work.
///   A ``Sequential`` calls it on its first layer with parameters and calls no backward on the
///   layers without parameters in front of it: a layer's backward is for its gradients only.
/// - ``visitParameters(_:)`` visits every parameter with a stable name (`weight`, `bias`,
///   `layers.0.weight`); composite layers prefix their children's names.
/// - ``setMode(_:)`` switches between training and inference behaviour (``LayerMode``);
///   composite layers pass it on to their children.
///
/// Inputs are batches shaped `[batch, features...]`; shapes exclude the batch dimension
/// in ``outputShape(forInputShape:)``.
public protocol Layer<Scalar>: Sendable {
    /// The element type of the tensors this layer reads and writes.
    associatedtype Scalar: TensorScalar

    /// The output for `input`, without caching anything (inference).
    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar>

    /// The output for `input`, caching what ``backward(_:)`` needs (training).
    mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar>

    /// Backpropagates dLoss/dOutput of the last ``forward(_:)``: accumulates parameter
    /// gradients and returns dLoss/dInput.
    mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar>

    /// Backpropagates dLoss/dOutput of the last ``forward(_:)`` into the parameter gradients
    /// only, for a caller that does not need dLoss/dInput.
    mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>)

    /// Calls `visit` with each parameter and its name, in a fixed order.
    mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows

    /// Sets every parameter's gradient to zero. Provided (through ``visitParameters(_:)``);
    /// a container overrides it to run specialised code.
    mutating func zeroGradients()

    /// Switches the layer (and any layers it contains) to `mode`.
    mutating func setMode(_ mode: LayerMode)

    /// Tells the layer (and any layers it contains) that the batches it is given next are one
    /// process's rows of larger global batches (data-parallel training), or, with `nil`, whole
    /// batches again. Only layers that draw random values per sample need it.
    mutating func setBatchShard(_ shard: BatchShard?)

    /// The shape of one output sample for one input sample of `inputShape`.
    /// - Throws: `TensorError.shapeMismatch` if the layer cannot take that input.
    func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int]

    /// Checks that the parameters hold values this layer can use, after they were loaded from
    /// a file: a layer that keeps a counter or statistics in a parameter (dropout's mask count)
    /// rejects values no training could have produced. Composite layers check their children.
    /// - Throws: ``TensorError/invalidConfiguration(layer:reason:)`` naming the value.
    func checkParameterValues() throws(TensorError)

    /// Checks that `input` holds values this layer can take, beyond its shape: ``Embedding``
    /// checks that its ids are whole numbers in range. Composite layers check their first
    /// layer. Call it on data from outside before ``forward(_:)``, which traps on such values.
    /// - Throws: ``TensorError/invalidValue(context:index:value:expected:)`` naming the value.
    func checkInput(_ input: Tensor<Scalar>) throws(TensorError)
}

extension Layer {
    /// By default, ``backward(_:)`` with its result dropped.
    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        _ = backward(outputGradient)
    }

    /// A layer that behaves the same in every mode ignores it.
    public mutating func setMode(_ mode: LayerMode) {}

    /// A layer that treats every sample on its own ignores it.
    public mutating func setBatchShard(_ shard: BatchShard?) {}

    /// By default any values are usable (weights may be anything, even if not finite).
    public func checkParameterValues() throws(TensorError) {}

    /// By default any finite or non-finite value is accepted.
    public func checkInput(_ input: Tensor<Scalar>) throws(TensorError) {}

    /// A layer without parameters visits nothing.
    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {}
}
