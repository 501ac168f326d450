/// The arithmetic of a ``Dense`` layer and the tensors one training step writes.
///
/// It is generic over the scalar type only, and specialised for `Float` and `Double`: a
/// `Dense` is reached through `any Layer`, so its own methods run unspecialised, and generic
/// code that touches tensors looks up type metadata at run time — for a tiny network, most of
/// a step's time. The activation is passed as an existential, which costs one dynamic call
/// per batch, not per element (its buffer methods are compiled for its concrete type).
///
/// The buffers are kept from step to step. `backward` releases the cached input, so the
/// previous layer's output storage is unshared again and the next step overwrites every buffer
/// in place instead of allocating.
struct DenseStep<Scalar: TensorScalar>: Sendable {
    /// The input of the last `forward`, until `backward` has used it (for a convolution's
    /// windows, its padded images).
    private var cachedInput: Tensor<Scalar>?
    /// The windows of the last `forward`, when it read a convolution's rows from its padded
    /// images (`cachedInput`) instead of taking written-out rows.
    private var cachedWindows: PaddedWindows?
    /// `input · weight + bias` of the last `forward`.
    private var preActivation = Tensor<Scalar>(zeros: [0])
    /// `activation(preActivation)`, returned by `forward`.
    private var output = Tensor<Scalar>(zeros: [0])
    /// dLoss/dPreActivation of the last `backward`.
    private(set) var delta = Tensor<Scalar>(zeros: [0])
    /// dLoss/dInput of the last `backward` that computed it (for a convolution's windows,
    /// dLoss/dRows: a row per window, which the layer adds back onto the pixels).
    private(set) var inputGradient = Tensor<Scalar>(zeros: [0])

    /// `activation(input · weight + bias)`, caching nothing.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func infer(
        _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>,
        activation: any Activation
    ) -> Tensor<Scalar> {
        let (rows, shape) = layout(of: input, weight: weight)
        let scalars = input.withUnsafeBufferPointer { x in
            infer(rows: x, count: rows, weight: weight, bias: bias, activation: activation)
        }
        return Tensor(uncheckedShape: shape, scalars: scalars)
    }

    /// `activation(x · weight + bias)` for `count` rows `x` of `weight.shape[0]` values, row
    /// by row in a new array. The pre-activations live in a pooled scratch and the result is
    /// written straight into the array, never zeroed first: a call allocates only its result.
    /// - Parameters:
    ///   - x: the rows, one after another.
    ///   - count: how many rows.
    ///   - weight: `[inputs, outputs]`.
    ///   - bias: `[outputs]`.
    ///   - activation: applied to each pre-activation.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func infer(
        rows x: UnsafeBufferPointer<Scalar>, count rows: Int, weight: Tensor<Scalar>, bias: Tensor<Scalar>,
        activation: any Activation
    ) -> [Scalar] {
        let (inputs, outputs) = (weight.shape[0], weight.shape[1])
        let count = rows * outputs
        return InferenceScratch.withBuffer(of: Scalar.self, count: count) { z in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in Scalar.affine(x, w, bias: b, into: z, m: rows, n: outputs, k: inputs) }
            }
            return [Scalar](unsafeUninitializedCapacity: count) { a, initialized in
                activate(activation, UnsafeBufferPointer(z), into: a)
                initialized = count
            }
        }
    }

    /// `activation(input · weight + bias)`, caching what ``backward`` needs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func forward(
        _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>,
        activation: any Activation
    ) -> Tensor<Scalar> {
        Self.affine(input, weight: weight, bias: bias, into: &preActivation)
        Self.activate(preActivation, into: &output, activation: activation)
        (cachedInput, cachedWindows) = (input, nil)
        return output
    }

    /// `activation(rows · weight + bias)` for the im2col rows `windows` of the padded images
    /// `padded` (single precision), caching what ``backward`` needs; the result has a row per
    /// window.
    /// - Parameters:
    ///   - windows: where the rows lie in `padded`.
    ///   - padded: the padded images.
    ///   - weight: `[windowSize, filters]`.
    ///   - bias: `[filters]`.
    ///   - activation: applied to each pre-activation.
    @_specialize(where Scalar == Float)
    mutating func forward(
        windows: PaddedWindows, padded: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>, activation: any Activation
    ) -> Tensor<Scalar> {
        preActivation.resizeForOverwrite(rows: windows.rowCount, columns: weight.shape[1])
        windows.multiply(padded, by: weight, bias: bias, into: &preActivation)
        Self.activate(preActivation, into: &output, activation: activation)
        (cachedInput, cachedWindows) = (padded, windows)
        return output
    }

    /// Accumulates dW and db for the last forward and, when `needsInputGradient`, writes dX
    /// into ``inputGradient``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func backward(
        _ outputGradient: Tensor<Scalar>, weight: inout Parameter<Scalar>, bias: inout Parameter<Scalar>,
        activation: any Activation, needsInputGradient: Bool
    ) {
        guard let input = cachedInput else {
            preconditionFailure("Dense.backward needs a forward first (each forward allows one backward)")
        }
        cachedInput = nil
        precondition(
            outputGradient.shape == output.shape,
            "Dense.backward: gradient shape \(outputGradient.shape), output shape \(output.shape)")
        let (inputs, outputs) = (weight.value.shape[0], weight.value.shape[1])
        let rows = output.scalarCount / outputs
        let windows = cachedWindows
        cachedWindows = nil
        if windows == nil && input.rank == 2 && output.rank == 2 && rows * outputs < 2 * Kernels.elementwiseValuesPerThread {
            Self.backwardOfSmallBatch(
                outputGradient, input: input, preActivation: preActivation, output: output, delta: &delta,
                inputGradient: &inputGradient, rows: rows, weight: &weight, bias: &bias, activation: activation,
                needsInputGradient: needsInputGradient)
            return
        }

        delta.resizeForOverwrite(toShapeOf: output)
        outputGradient.withUnsafeBufferPointer { g in
            preActivation.withUnsafeBufferPointer { z in
                output.withUnsafeBufferPointer { a in
                    delta.withUnsafeMutableBufferPointer { d in Self.delta(activation, outputGradient: g, input: z, output: a, into: d) }
                }
            }
        }

        delta.withUnsafeBufferPointer { d in
            if weight.isTrainable, let windows {
                windows.accumulateWeightGradient(input, delta: d, into: &weight.gradient)
            } else if weight.isTrainable {
                input.withUnsafeBufferPointer { x in
                    weight.gradient.withUnsafeMutableBufferPointer { dW in
                        Scalar.matrixMultiply(
                            x, transposed: true, d, transposed: false, into: dW,
                            m: inputs, n: outputs, k: rows, accumulate: true)
                    }
                }
            }
            if bias.isTrainable {
                bias.gradient.withUnsafeMutableBufferPointer { db in
                    Scalar.accumulateColumnSums(of: d, into: db, columns: outputs)
                }
            }
            guard needsInputGradient else { return }
            if windows == nil {
                inputGradient.resizeForOverwrite(toShapeOf: input)
            } else {
                inputGradient.resizeForOverwrite(rows: rows, columns: inputs)
            }
            weight.value.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dX in
                    Scalar.matrixMultiply(
                        d, transposed: false, w, transposed: true, into: dX,
                        m: rows, n: inputs, k: outputs, accumulate: false)
                }
            }
        }
    }

    /// ``backward(_:weight:bias:activation:needsInputGradient:)`` for a `[rows, inputs]` batch
    /// whose δ is too small to share between threads (a per-sample step): one pass that holds
    /// every buffer once, with the same kernels in the same order, so the same bits. (Static,
    /// with the buffers as arguments: reached through `self`, every buffer a closure held was
    /// retained and released: 16 atomic operations more per step of the sin lesson.)
    /// - Parameters:
    ///   - outputGradient: dLoss/dOutput, shaped like `output`.
    ///   - input: the forward's input, `[rows, inputs]`.
    ///   - preActivation: the forward's `input · weight + bias`.
    ///   - output: the forward's output.
    ///   - delta: receives dLoss/dPreActivation.
    ///   - inputGradient: receives dLoss/dInput when `needsInputGradient`.
    ///   - rows: the batch's rows.
    ///   - weight: the weights, whose gradient is accumulated.
    ///   - bias: the biases, whose gradient is accumulated.
    ///   - activation: the forward's activation.
    ///   - needsInputGradient: whether to write dLoss/dInput into ``inputGradient``.
    private static func backwardOfSmallBatch(
        _ outputGradient: Tensor<Scalar>, input: Tensor<Scalar>, preActivation: Tensor<Scalar>, output: Tensor<Scalar>,
        delta: inout Tensor<Scalar>, inputGradient: inout Tensor<Scalar>, rows: Int, weight: inout Parameter<Scalar>,
        bias: inout Parameter<Scalar>, activation: any Activation, needsInputGradient: Bool
    ) {
        let (inputs, outputs) = (weight.value.shape[0], weight.value.shape[1])
        delta.resizeForOverwrite(rows: rows, columns: outputs)
        if needsInputGradient { inputGradient.resizeForOverwrite(rows: rows, columns: inputs) }
        let (trainsWeight, trainsBias) = (weight.isTrainable, bias.isTrainable)
        outputGradient.withUnsafeBufferPointer { g in
            preActivation.withUnsafeBufferPointer { z in
                output.withUnsafeBufferPointer { a in
                    delta.withUnsafeMutableBufferPointer { d in
                        _ = d.update(fromContentsOf: g)
                        Scalar.multiplyByDerivative(of: activation, input: z, output: a, gradient: d)
                        let d = UnsafeBufferPointer(d)
                        if trainsWeight {
                            input.withUnsafeBufferPointer { x in
                                weight.gradient.withUnsafeMutableBufferPointer { dW in
                                    Scalar.matrixMultiply(
                                        x, transposed: true, d, transposed: false, into: dW,
                                        m: inputs, n: outputs, k: rows, accumulate: true)
                                }
                            }
                        }
                        if trainsBias {
                            bias.gradient.withUnsafeMutableBufferPointer { db in
                                Scalar.accumulateColumnSums(of: d, into: db, columns: outputs)
                            }
                        }
                        guard needsInputGradient else { return }
                        weight.value.withUnsafeBufferPointer { w in
                            inputGradient.withUnsafeMutableBufferPointer { dX in
                                Scalar.matrixMultiply(
                                    d, transposed: false, w, transposed: true, into: dX,
                                    m: rows, n: inputs, k: outputs, accumulate: false)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The rows `input` holds for `weight` and the shape of the result: a sequence
    /// `[batch, time, inputs]` is mapped step by step; anything else is flattened to
    /// `[batch, inputs]`.
    private static func layout(of input: Tensor<Scalar>, weight: Tensor<Scalar>) -> (rows: Int, shape: [Int]) {
        let (inputs, outputs) = (weight.shape[0], weight.shape[1])
        let perStep = input.rank == 3 && input.shape[2] == inputs
        precondition(
            perStep || (input.rank >= 1 && input.featureCount == inputs),
            "Dense(\(inputs)→\(outputs)): input shape \(input.shape) has \(input.featureCount) features per sample")
        if perStep { return (input.shape[0] * input.shape[1], [input.shape[0], input.shape[1], outputs]) }
        let rows = input.rank == 1 ? 1 : input.sampleCount
        return (rows, [rows, outputs])
    }

    /// Writes `input · weight + bias` into `result`, shaped `[batch, outputs]`.
    private static func affine(
        _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>,
        into result: inout Tensor<Scalar>
    ) {
        let (inputs, outputs) = (weight.shape[0], weight.shape[1])
        let perStep = input.rank == 3 && input.shape[2] == inputs
        let rows: Int
        if perStep {
            rows = input.shape[0] * input.shape[1]
            result.resizeForOverwrite(input.shape[0], input.shape[1], outputs)
        } else {
            precondition(
                input.rank >= 1 && input.featureCount == inputs,
                "Dense(\(inputs)→\(outputs)): input shape \(input.shape) has \(input.featureCount) features per sample")
            rows = input.rank == 1 ? 1 : input.sampleCount
            result.resizeForOverwrite(rows: rows, columns: outputs)
        }
        input.withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    result.withUnsafeMutableBufferPointer { z in
                        Scalar.affine(x, w, bias: b, into: z, m: rows, n: outputs, k: inputs)
                    }
                }
            }
        }
    }

    /// Writes `activation(preActivation)` into `output`, shaped like `preActivation`.
    private static func activate(
        _ preActivation: Tensor<Scalar>, into output: inout Tensor<Scalar>,
        activation: any Activation
    ) {
        output.resizeForOverwrite(toShapeOf: preActivation)
        preActivation.withUnsafeBufferPointer { z in
            output.withUnsafeMutableBufferPointer { a in activate(activation, z, into: a) }
        }
    }

    /// `delta[i] = outputGradient[i] · activation′ at (input[i], output[i])`, shared between
    /// threads when the buffers are large (an element-wise map: any split gives the same bits).
    /// - Parameters:
    ///   - activation: the forward's activation.
    ///   - outputGradient: dLoss/dOutput.
    ///   - input: the forward's pre-activations.
    ///   - output: the forward's activations.
    ///   - delta: receives dLoss/dPreActivation.
    static func delta(
        _ activation: any Activation, outputGradient: UnsafeBufferPointer<Scalar>, input: UnsafeBufferPointer<Scalar>,
        output: UnsafeBufferPointer<Scalar>, into delta: UnsafeMutableBufferPointer<Scalar>
    ) {
        _ = Kernels.forEachElementwiseBlock(count: delta.count) { block in
            let gradient = UnsafeMutableBufferPointer(rebasing: delta[block])
            _ = gradient.update(fromContentsOf: UnsafeBufferPointer(rebasing: outputGradient[block]))
            Scalar.multiplyByDerivative(
                of: activation, input: UnsafeBufferPointer(rebasing: input[block]),
                output: UnsafeBufferPointer(rebasing: output[block]), gradient: gradient)
        }
    }

    /// `output[i] = activation(input[i])`, shared between threads when the buffers are large
    /// (an element-wise map: any split gives the same bits).
    static func activate(
        _ activation: any Activation, _ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>
    ) {
        _ = Kernels.forEachElementwiseBlock(count: output.count) { block in
            Scalar.activate(
                activation, UnsafeBufferPointer(rebasing: input[block]), into: UnsafeMutableBufferPointer(rebasing: output[block]))
        }
    }
}

// Dense and Conv2D run unspecialised (they are reached through `any Layer`), and calling a
// method of `DenseStep<Scalar>` from there passes that type's metadata, which the runtime
// finds in a hash table on every call (4.5% of a step of the sin lesson). These functions are
// generic over the scalar alone, which the caller already holds, and call the methods from
// specialised code.

/// ``DenseStep/forward(_:weight:bias:activation:)`` of `step`.
/// - Parameters:
///   - step: the layer's buffers.
///   - input: the batch.
///   - weight: `[inputs, outputs]`.
///   - bias: `[outputs]`.
///   - activation: applied to each pre-activation.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func denseForward<Scalar: TensorScalar>(
    _ step: inout DenseStep<Scalar>, _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>,
    activation: any Activation
) -> Tensor<Scalar> {
    step.forward(input, weight: weight, bias: bias, activation: activation)
}

/// ``DenseStep/forward(windows:padded:weight:bias:activation:)`` of `step`.
/// - Parameters:
///   - step: the layer's buffers.
///   - windows: where the im2col rows lie in `padded`.
///   - padded: the padded images.
///   - weight: `[windowSize, filters]`.
///   - bias: `[filters]`.
///   - activation: applied to each pre-activation.
@_specialize(where Scalar == Float)
func denseForward<Scalar: TensorScalar>(
    _ step: inout DenseStep<Scalar>, windows: PaddedWindows, padded: Tensor<Scalar>, weight: Tensor<Scalar>,
    bias: Tensor<Scalar>, activation: any Activation
) -> Tensor<Scalar> {
    step.forward(windows: windows, padded: padded, weight: weight, bias: bias, activation: activation)
}

/// ``DenseStep/backward(_:weight:bias:activation:needsInputGradient:)`` of `step`; returns
/// dLoss/dInput when `needsInputGradient`.
/// - Parameters:
///   - step: the layer's buffers.
///   - outputGradient: dLoss/dOutput of the last forward.
///   - weight: the weights, whose gradient is accumulated.
///   - bias: the biases, whose gradient is accumulated.
///   - activation: the forward's activation.
///   - needsInputGradient: whether to compute dLoss/dInput.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func denseBackward<Scalar: TensorScalar>(
    _ step: inout DenseStep<Scalar>, _ outputGradient: Tensor<Scalar>, weight: inout Parameter<Scalar>,
    bias: inout Parameter<Scalar>, activation: any Activation, needsInputGradient: Bool
) -> Tensor<Scalar>? {
    step.backward(outputGradient, weight: &weight, bias: &bias, activation: activation, needsInputGradient: needsInputGradient)
    return needsInputGradient ? step.inputGradient : nil
}
