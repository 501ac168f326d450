/// The layers of a ``Sequential`` made only of ``Dense`` layers, held without existential
/// boxes: the trainer runs its steps on this form.
///
/// A ``Sequential`` keeps its layers as `any Layer`, and each call reaches a ``Dense``
/// through a box and a witness table, in code that is not specialised for its scalar type;
/// for a small network (the lessons), that dispatch and the per-parameter traversal of the
/// layers' names were most of a training step, and ``DenseStep``'s tensors, each checked for
/// its shape and uniqueness and retained while in use, most of the rest. Here the layers'
/// intermediate values live in one raw scratch, and each pass runs compiled for `Float` and
/// `Double`, with the same kernels as ``DenseStep`` and the same arguments in the same order:
/// every step gives the bits ``Sequential`` gives. It takes batches shaped `[rows, inputs]`.
///
/// ``take(from:)`` moves the parameters out of the model (its layers keep empty ones) and
/// ``restore(_:into:)`` moves them back; between the two, the model must not be used. A copy
/// of a chain shares its scratch: only one copy may run steps.
package struct DenseChain<Scalar: TensorScalar>: Layer {
    /// Each layer's weights, `[inputs, outputs]`.
    private var weights: [Parameter<Scalar>]
    /// Each layer's biases, `[outputs]`.
    private var biases: [Parameter<Scalar>]
    /// Each layer's activation.
    private let activations: [any Activation]
    /// The model's names of each layer's weight and bias (`layers.0.weight`, ...).
    private let names: [(weight: String, bias: String)]
    /// The width of the input, then of each layer's output.
    private let widths: [Int]
    /// The values of the last `forward`'s input (its storage only, one reference fewer than
    /// the tensor), until a backward pass has used them.
    private var cachedInput: [Scalar]?
    /// The last layer's activations, returned by `forward`.
    private var output = Tensor<Scalar>(zeros: [0])
    /// dLoss/dInput of the last `backward`.
    private var inputGradient = Tensor<Scalar>(zeros: [0])
    /// Every layer's pre-activations, activations, δ and input gradient. A copy of the chain
    /// shares it until its next `forward`, which gives the copy a scratch of its own.
    private var scratch = DenseChainScratch<Scalar>()

    /// Whether ``take(from:)`` can take `model`: a ``Sequential`` of ``Dense`` layers only,
    /// the first taking samples shaped `sampleShape`.
    /// - Parameters:
    ///   - model: the model.
    ///   - sampleShape: the shape of one sample of the data it will train on.
    package static func canHold<Model: Layer<Scalar>>(_ model: Model, samplesShaped sampleShape: [Int]) -> Bool {
        guard let sequential = model as? Sequential<Scalar>, let first = sequential.layers.first as? any DenseChainLink else { return false }
        return sampleShape == [first.chainInputSize] && sequential.layers.allSatisfy { $0 is any DenseChainLink }
    }

    /// Moves the parameters of `model` into a chain, or returns `nil` (leaving the model as it
    /// was) if the model is not a ``Sequential`` of ``Dense`` layers only.
    /// - Parameter model: the model; its layers hold empty parameters until ``restore(_:into:)``.
    package static func take<Model: Layer<Scalar>>(from model: inout Model) -> DenseChain? {
        guard let sequential = model as? Sequential<Scalar>, !sequential.layers.isEmpty else { return nil }
        var activations: [any Activation] = []
        var widths: [Int] = []
        for layer in sequential.layers {
            guard let dense = layer as? any DenseChainLink else { return nil }
            if widths.isEmpty { widths.append(dense.chainInputSize) }
            widths.append(dense.chainOutputSize)
            activations.append(dense.chainActivation)
        }
        var parameters: [Parameter<Scalar>] = []
        var parameterNames: [String] = []
        model.visitParameters { name, parameter in
            parameterNames.append(name)
            parameters.append(Parameter(Tensor(zeros: [0])))
            swap(&parameter, &parameters[parameters.count - 1])
        }
        let count = activations.count
        precondition(parameters.count == 2 * count, "DenseChain: \(parameters.count) parameters for \(count) dense layers")
        return DenseChain(
            weights: (0..<count).map { parameters[2 * $0] }, biases: (0..<count).map { parameters[2 * $0 + 1] },
            activations: activations, names: (0..<count).map { (parameterNames[2 * $0], parameterNames[2 * $0 + 1]) },
            widths: widths)
    }

    /// Creates a chain of the given layers.
    private init(
        weights: [Parameter<Scalar>], biases: [Parameter<Scalar>], activations: [any Activation],
        names: [(weight: String, bias: String)], widths: [Int]
    ) {
        self.weights = weights
        self.biases = biases
        self.activations = activations
        self.names = names
        self.widths = widths
    }

    /// Moves the parameters of `chain`, if it is a chain ``take(from:)`` made, back into
    /// `model`, the model they were taken from, and sets `chain` to `nil`.
    /// - Parameters:
    ///   - chain: the chain, held as a layer.
    ///   - model: the model given to ``take(from:)``.
    package static func restore<Model: Layer<Scalar>>(_ chain: inout (any Layer<Scalar>)?, into model: inout Model) {
        guard var taken = chain as? DenseChain else { return }
        chain = nil
        var index = 0
        model.visitParameters { _, parameter in
            if index % 2 == 0 {
                swap(&parameter, &taken.weights[index / 2])
            } else {
                swap(&parameter, &taken.biases[index / 2])
            }
            index += 1
        }
    }

    /// The chain's output for `input`, caching nothing (the layers' inference).
    package func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var activations = input
        for index in weights.indices {
            activations = DenseStep.infer(
                activations, weight: weights[index].value, bias: biases[index].value, activation: self.activations[index])
        }
        return activations
    }

    /// Every layer's forward pass on a batch shaped `[rows, inputs]` (see
    /// ``checkInput(_:)``), keeping what the backward pass needs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(
            input.rank == 2 && input.shape[1] == widths[0], "DenseChain: input shape \(input.shape), expected [rows, \(widths[0])]")
        let rows = input.shape[0]
        if !isKnownUniquelyReferenced(&scratch) { scratch = DenseChainScratch() }
        scratch.prepare(rows: rows, widths: widths)
        forwardPasses(input, rows: rows)
        // Copied out of the scratch after the passes: written during them, `output` (a part
        // of `self` in use) made every array passed with it be retained and released.
        let last = scratch.activations(of: weights.count - 1)
        output.resizeForOverwrite(rows: rows, columns: widths[widths.count - 1])
        _ = output.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: UnsafeBufferPointer(last)) }
        cachedInput = input.storage
        return output
    }

    /// ``forward(_:)``'s passes, into the scratch (prepared for `rows`). Not mutating, so
    /// that `self`'s arrays are read where they lie: passed as arguments from the mutating
    /// `forward`, each was retained and released.
    /// - Parameters:
    ///   - input: the batch, `[rows, widths[0]]`.
    ///   - rows: the batch's rows.
    private func forwardPasses(_ input: Tensor<Scalar>, rows: Int) {
        // The parameters are reached through the arrays' buffers: an element read from an
        // array was a copy of its tensor, two retains and releases each.
        input.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { weights in
                biases.withUnsafeBufferPointer { biases in
                    var layerInput = x
                    for layer in weights.indices {
                        let (inputs, outputs) = (widths[layer], widths[layer + 1])
                        let (z, a) = (scratch.preActivations(of: layer), scratch.activations(of: layer))
                        weights[layer].value.storage.withUnsafeBufferPointer { w in
                            biases[layer].value.storage.withUnsafeBufferPointer { b in
                                Scalar.affine(layerInput, w, bias: b, into: z, m: rows, n: outputs, k: inputs)
                            }
                        }
                        DenseStep.activate(activations[layer], UnsafeBufferPointer(z), into: a)
                        layerInput = UnsafeBufferPointer(a)
                    }
                }
            }
        }
    }

    /// Every layer's backward pass for the last forward; returns dLoss/dInput.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        backward(outputGradient, needsInputGradient: true)
        return inputGradient
    }

    /// Every layer's parameter gradients for the last forward, without dLoss/dInput.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        backward(outputGradient, needsInputGradient: false)
    }

    /// Accumulates every layer's parameter gradients for the last forward, last layer first,
    /// and writes dLoss/dInput into `inputGradient` when `needsInputGradient`.
    private mutating func backward(_ outputGradient: Tensor<Scalar>, needsInputGradient: Bool) {
        guard let input = cachedInput.take() else {
            preconditionFailure("DenseChain.backward needs a forward first (each forward allows one backward)")
        }
        precondition(
            outputGradient.shape == output.shape,
            "DenseChain.backward: gradient shape \(outputGradient.shape), output shape \(output.shape)")
        let rows = output.shape[0]
        if needsInputGradient { inputGradient.resizeForOverwrite(rows: rows, columns: widths[0]) }
        Self.backward(
            outputGradient, input: input, rows: rows, weights: &weights, biases: &biases, activations: activations, widths: widths,
            scratch: scratch, inputGradient: &inputGradient, needsInputGradient: needsInputGradient)
    }

    /// The backward passes of ``backward(_:needsInputGradient:)``, with the arrays as
    /// arguments (read through `self` while its gradients are written, each was retained and
    /// released).
    /// - Parameters:
    ///   - outputGradient: dLoss/dOutput of the last layer.
    ///   - input: the values of the forward's input, `[rows, widths[0]]`.
    ///   - rows: the batch's rows.
    ///   - weights: each layer's weights, whose gradients are accumulated.
    ///   - biases: each layer's biases, whose gradients are accumulated.
    ///   - activations: each layer's activation.
    ///   - widths: the width of the input, then of each layer's output.
    ///   - scratch: the forward's intermediate values.
    ///   - inputGradient: receives dLoss/dInput when `needsInputGradient`.
    ///   - needsInputGradient: whether to compute dLoss/dInput.
    private static func backward(
        _ outputGradient: Tensor<Scalar>, input: [Scalar], rows: Int, weights: inout [Parameter<Scalar>],
        biases: inout [Parameter<Scalar>], activations: [any Activation], widths: [Int], scratch: DenseChainScratch<Scalar>,
        inputGradient: inout Tensor<Scalar>, needsInputGradient: Bool
    ) {
        let last = weights.count - 1
        input.withUnsafeBufferPointer { x in
            outputGradient.withUnsafeBufferPointer { g in
                func passes(writingInputGradientInto dX: UnsafeMutableBufferPointer<Scalar>) {
                    var layerOutputGradient = g
                    for layer in stride(from: last, through: 0, by: -1) {
                        let (inputs, outputs) = (widths[layer], widths[layer + 1])
                        let d = scratch.deltas(of: layer)
                        DenseStep.delta(
                            activations[layer], outputGradient: layerOutputGradient,
                            input: UnsafeBufferPointer(scratch.preActivations(of: layer)),
                            output: UnsafeBufferPointer(scratch.activations(of: layer)), into: d)
                        let delta = UnsafeBufferPointer(d)
                        let layerInput = layer == 0 ? x : UnsafeBufferPointer(scratch.activations(of: layer - 1))
                        if weights[layer].isTrainable {
                            weights[layer].gradient.withUnsafeMutableBufferPointer { dW in
                                Scalar.matrixMultiply(
                                    layerInput, transposed: true, delta, transposed: false, into: dW,
                                    m: inputs, n: outputs, k: rows, accumulate: true)
                            }
                        }
                        if biases[layer].isTrainable {
                            biases[layer].gradient.withUnsafeMutableBufferPointer { db in
                                Scalar.accumulateColumnSums(of: delta, into: db, columns: outputs)
                            }
                        }
                        guard layer > 0 || needsInputGradient else { break }
                        let layerInputGradient = layer == 0 ? dX : scratch.inputGradients(of: layer)
                        weights[layer].value.storage.withUnsafeBufferPointer { w in
                            Scalar.matrixMultiply(
                                delta, transposed: false, w, transposed: true, into: layerInputGradient,
                                m: rows, n: inputs, k: outputs, accumulate: false)
                        }
                        layerOutputGradient = UnsafeBufferPointer(layerInputGradient)
                    }
                }
                // Without one, the empty tensor is not touched: asking an empty array for its
                // buffer to write made it create a new one, every step.
                if needsInputGradient {
                    inputGradient.withUnsafeMutableBufferPointer { passes(writingInputGradientInto: $0) }
                } else {
                    passes(writingInputGradientInto: UnsafeMutableBufferPointer(start: nil, count: 0))
                }
            }
        }
    }

    /// Every layer's weight then bias, under the names the model gave them.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        for index in weights.indices {
            try visit(names[index].weight, &weights[index])
            try visit(names[index].bias, &biases[index])
        }
    }

    /// Sets every parameter's gradient to zero.
    package mutating func zeroGradients() {
        for index in weights.indices {
            weights[index].zeroGradient()
            biases[index].zeroGradient()
        }
    }

    /// Accepts a batch shaped `[rows, inputs]`, the only layout the chain's passes take (a
    /// ``Dense`` would also flatten other layouts; the trainer checks the same before each
    /// step and trains the model itself on any other).
    /// - Throws: `TensorError.shapeMismatch` for any other shape.
    package func checkInput(_ input: Tensor<Scalar>) throws(TensorError) {
        guard input.rank == 2, input.shape[1] == widths[0] else {
            throw .shapeMismatch(context: "DenseChain input", expected: [-1, widths[0]], actual: input.shape)
        }
    }

    /// The output shape of the layers in turn, as ``Dense`` computes it.
    package func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        var shape = inputShape
        for index in weights.indices {
            shape = try Dense(weight: weights[index].value, bias: biases[index].value, activation: Identity())
                .outputShape(forInputShape: shape)
        }
        return shape
    }
}

/// The intermediate values of a ``DenseChain``'s steps, in one raw allocation: each layer's
/// pre-activations, activations, δ and (all but the first layer's) input gradient, for a
/// batch of `rows` rows.
///
/// A class, so that the chain's passes write it without the uniqueness checks and retains of
/// an array; the chain that owns it is the only writer (`@unchecked Sendable` on that ground).
final class DenseChainScratch<Scalar: TensorScalar>: @unchecked Sendable {
    /// Where each layer's buffers start, and their length.
    private struct Layout {
        var preActivations = 0, activations = 0, deltas = 0, inputGradients = 0
        var outputCount = 0, inputCount = 0
    }

    // Unchecked: only the owning chain's passes touch them, one at a time (checked, every
    // read of them began and ended a dynamic access, 2% of a lesson step).
    @exclusivity(unchecked) private var storage = UnsafeMutablePointer<Scalar>.allocate(capacity: 1)
    @exclusivity(unchecked) private var capacity = 1
    @exclusivity(unchecked) private var layouts: [Layout] = []
    @exclusivity(unchecked) private var rows = -1

    /// Lays out the buffers for `rows` rows of a chain of the given widths (input first),
    /// growing the allocation if needed.
    func prepare(rows: Int, widths: [Int]) {
        guard rows != self.rows || layouts.count != widths.count - 1 else { return }
        var end = 0
        func place(_ count: Int) -> Int {
            defer { end += count }
            return end
        }
        // Rewritten in place: a new array would be an allocation on the steps where the batch
        // size changes (an epoch's short last batch).
        if layouts.count != widths.count - 1 { layouts = Array(repeating: Layout(), count: widths.count - 1) }
        for layer in layouts.indices {
            let (inputCount, outputCount) = (rows * widths[layer], rows * widths[layer + 1])
            var layout = Layout(outputCount: outputCount, inputCount: inputCount)
            layout.preActivations = place(outputCount)
            layout.activations = place(outputCount)
            layout.deltas = place(outputCount)
            layout.inputGradients = place(layer == 0 ? 0 : inputCount)
            layouts[layer] = layout
        }
        if end > capacity {
            storage.deallocate()
            storage = .allocate(capacity: end)
            storage.initialize(repeating: 0, count: end)
            capacity = end
        }
        self.rows = rows
    }

    /// Layer `layer`'s pre-activations, `[rows, outputs]`.
    func preActivations(of layer: Int) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: storage + layouts[layer].preActivations, count: layouts[layer].outputCount)
    }

    /// Layer `layer`'s activations, `[rows, outputs]`.
    func activations(of layer: Int) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: storage + layouts[layer].activations, count: layouts[layer].outputCount)
    }

    /// Layer `layer`'s δ = dLoss/dPreActivations, `[rows, outputs]`.
    func deltas(of layer: Int) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: storage + layouts[layer].deltas, count: layouts[layer].outputCount)
    }

    /// Layer `layer`'s dLoss/dInput, `[rows, inputs]` (not the first layer's).
    func inputGradients(of layer: Int) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: storage + layouts[layer].inputGradients, count: layouts[layer].inputCount)
    }

    deinit { storage.deallocate() }
}

/// A layer that ``DenseChain`` can hold: ``Dense``, whose parameters are its `weight` then its
/// `bias`, and whose arithmetic is ``DenseStep``'s with this activation.
package protocol DenseChainLink {
    /// The layer's activation.
    var chainActivation: any Activation { get }
    /// The layer's number of inputs.
    var chainInputSize: Int { get }
    /// The layer's number of outputs.
    var chainOutputSize: Int { get }
}

extension Dense: DenseChainLink {
    /// The layer's activation, for a ``DenseChain``.
    package var chainActivation: any Activation { activation }
    /// The layer's number of inputs, for a ``DenseChain``.
    package var chainInputSize: Int { inputSize }
    /// The layer's number of outputs, for a ``DenseChain``.
    package var chainOutputSize: Int { outputSize }
}
