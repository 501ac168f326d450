/// Forward and backward through time for a ``Recurrent`` layer, specialised for `Float` and
/// `Double` (the layer is reached through `any Layer`, so its own methods run unspecialised).
///
/// Everything runs time-major: the input is transposed once to rows `t·batch + b`, so each
/// step's rows are contiguous. The input product of every step is one matrix product
/// `[time·batch, input]·[input, gates·hidden]`; each step adds one recurrent product
/// `[batch, hidden]·[hidden, gates·hidden]`. Backward walks the steps in reverse carrying
/// dL/dh (and dL/dc), keeps every step's pre-activation gradients, and then forms the weight
/// gradients and dL/dInput with one product each over all steps.
struct RecurrentCore<Scalar: TensorScalar>: Sendable {
    let kind: RecurrentKind
    private var scratch = RecurrentScratch<Scalar>()
    private var output = Tensor<Scalar>(zeros: [0])
    private(set) var inputGradient = Tensor<Scalar>(zeros: [0])
    /// The shape of the last forward, while backward may use it.
    private var batch = 0, steps = 0, returnsSequences = false, hasForward = false

    init(kind: RecurrentKind) { self.kind = kind }

    /// The scratch space, copied first if another copy of the layer shares it.
    private mutating func uniqueScratch() -> RecurrentScratch<Scalar> {
        if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.copy() }
        return scratch
    }

    /// The outputs for `input` (`[batch, time, inputSize]`): every step's hidden state
    /// (`[batch, time, hidden]`) when `returnSequences`, else the last one (`[batch, hidden]`).
    /// - Parameters:
    ///   - weights: `W_ih` `[input, G·hidden]`, `W_hh` `[hidden, G·hidden]`, `b_ih`, `b_hh` `[G·hidden]`.
    ///   - initialState: `[stateCount, hidden]`: h₀ (and the LSTM's c₀), the same for every sample.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func forward(
        _ input: Tensor<Scalar>, inputWeight: Tensor<Scalar>, recurrentWeight: Tensor<Scalar>, inputBias: Tensor<Scalar>,
        recurrentBias: Tensor<Scalar>, initialState: Tensor<Scalar>, returnSequences: Bool
    ) -> Tensor<Scalar> {
        let (inputs, hidden, width) = (inputWeight.shape[0], recurrentWeight.shape[0], inputWeight.shape[1])
        precondition(
            input.rank == 3 && input.shape[2] == inputs && input.shape[1] > 0,
            "\(kind) of \(inputs) inputs: input shape \(input.shape), expected [batch, time (> 0), \(inputs)]")
        let (batch, steps) = (input.shape[0], input.shape[1])
        let rows = batch * steps
        let scratch = uniqueScratch()
        let x = scratch.input.reserve(rows * inputs)
        let gates = scratch.gates.reserve(rows * width)
        let states = scratch.hidden.reserve((rows + batch) * hidden)
        input.withUnsafeBufferPointer { source in
            for b in 0..<batch {
                for t in 0..<steps {
                    (x + (t * batch + b) * inputs).update(from: source.baseAddress! + (b * steps + t) * inputs, count: inputs)
                }
            }
        }
        // The input product of every step, with the biases that are added outside the gates.
        let bias = scratch.bias.reserve(width)
        inputBias.withUnsafeBufferPointer { bi in
            recurrentBias.withUnsafeBufferPointer { bh in
                for j in 0..<width { bias[j] = kind == .gru ? bi[j] : bi[j] + bh[j] }
            }
        }
        inputWeight.withUnsafeBufferPointer { w in
            Scalar.affine(
                UnsafeBufferPointer(start: x, count: rows * inputs), w, bias: UnsafeBufferPointer(start: bias, count: width),
                into: UnsafeMutableBufferPointer(start: gates, count: rows * width), m: rows, n: width, k: inputs)
        }
        initialState.withUnsafeBufferPointer { state in
            for b in 0..<batch { (states + b * hidden).update(from: state.baseAddress!, count: hidden) }
        }
        let cells = kind == .lstm ? scratch.cell.reserve((rows + batch) * hidden) : states
        let cellTanh = kind == .lstm ? scratch.cellTanh.reserve(rows * hidden) : states
        let recurrent = kind == .gru ? scratch.recurrent.reserve(rows * width) : gates
        if kind == .lstm {
            initialState.withUnsafeBufferPointer { state in
                for b in 0..<batch { (cells + b * hidden).update(from: state.baseAddress! + hidden, count: hidden) }
            }
        }
        recurrentWeight.withUnsafeBufferPointer { w in
            recurrentBias.withUnsafeBufferPointer { bh in
                let packed = Self.packForSteps(w, transposed: false, k: hidden, n: width, rows: batch, into: &scratch.packedRecurrentWeight)
                for t in 0..<steps {
                    let previous = UnsafeBufferPointer(start: states + t * batch * hidden, count: batch * hidden)
                    let next = states + (t + 1) * batch * hidden
                    let stepGates = gates + t * batch * width
                    switch kind {
                    case .simple, .lstm:
                        Self.stepProduct(
                            previous.baseAddress!, w, transposed: false, packed: packed, into: stepGates, m: batch, n: width, k: hidden,
                            accumulate: true)
                    case .gru:
                        Self.stepProduct(
                            previous.baseAddress!, w, transposed: false, packed: packed, into: recurrent + t * batch * width, m: batch,
                            n: width, k: hidden, accumulate: false, bias: bh.baseAddress)
                    }
                    switch kind {
                    case .simple:
                        RecurrentGates.tanh(stepGates, count: batch * hidden)
                        next.update(from: stepGates, count: batch * hidden)
                    case .lstm:
                        RecurrentGates.lstmForward(
                            gates: stepGates, cell: cells + t * batch * hidden, nextCell: cells + (t + 1) * batch * hidden,
                            cellTanh: cellTanh + t * batch * hidden, nextHidden: next, rows: batch, hidden: hidden)
                    case .gru:
                        RecurrentGates.gruForward(
                            gates: stepGates, recurrent: recurrent + t * batch * width, previousHidden: previous.baseAddress!,
                            nextHidden: next, rows: batch, hidden: hidden)
                    }
                }
            }
        }
        if returnSequences {
            output.resizeForOverwrite(shape: [batch, steps, hidden])
            output.withUnsafeMutableBufferPointer { out in
                for t in 0..<steps {
                    for b in 0..<batch {
                        (out.baseAddress! + (b * steps + t) * hidden).update(from: states + ((t + 1) * batch + b) * hidden, count: hidden)
                    }
                }
            }
        } else {
            output.resizeForOverwrite(rows: batch, columns: hidden)
            output.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: states + steps * batch * hidden, count: batch * hidden) }
        }
        (self.batch, self.steps, self.returnsSequences, hasForward) = (batch, steps, returnSequences, true)
        return output
    }

    /// Backpropagates dL/dOutput of the last forward through time: accumulates the gradients of
    /// the trainable parameters and, when `needsInputGradient`, writes ``inputGradient``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func backward(
        _ outputGradient: Tensor<Scalar>, inputWeight: inout Parameter<Scalar>, recurrentWeight: inout Parameter<Scalar>,
        inputBias: inout Parameter<Scalar>, recurrentBias: inout Parameter<Scalar>, initialState: inout Parameter<Scalar>,
        needsInputGradient: Bool
    ) {
        precondition(hasForward, "\(kind).backward needs a forward first (each forward allows one backward)")
        hasForward = false
        precondition(
            outputGradient.shape == output.shape,
            "\(kind).backward: gradient shape \(outputGradient.shape), output shape \(output.shape)")
        let (inputs, hidden, width) = (inputWeight.value.shape[0], recurrentWeight.value.shape[0], inputWeight.value.shape[1])
        let (batch, steps) = (batch, steps)
        let rows = batch * steps
        let scratch = uniqueScratch()
        let (x, gates, states) = (scratch.input.base!, scratch.gates.base!, scratch.hidden.base!)
        let gateGradient = scratch.gateGradient.reserve(rows * width)
        let recurrentGradient = kind == .gru ? scratch.recurrentGradient.reserve(rows * width) : gateGradient
        let dh = scratch.hiddenGradient.reserve(batch * hidden)
        let dc = scratch.cellGradient.reserve(batch * hidden)
        dh.update(repeating: 0, count: batch * hidden)
        dc.update(repeating: 0, count: batch * hidden)
        outputGradient.withUnsafeBufferPointer { dy in
            recurrentWeight.value.withUnsafeBufferPointer { w in
                let packed = Self.packForSteps(w, transposed: true, k: width, n: hidden, rows: batch, into: &scratch.packedRecurrentWeight)
                for t in (0..<steps).reversed() {
                    if returnsSequences {
                        for b in 0..<batch {
                            for j in 0..<hidden { dh[b * hidden + j] += dy[(b * steps + t) * hidden + j] }
                        }
                    } else if t == steps - 1 {
                        for i in 0..<(batch * hidden) { dh[i] += dy[i] }
                    }
                    let stepGradient = gateGradient + t * batch * width
                    switch kind {
                    case .simple:
                        RecurrentGates.simpleBackward(
                            hiddenGradient: dh, nextHidden: states + (t + 1) * batch * hidden, gateGradient: stepGradient, count: batch * hidden)
                    case .lstm:
                        RecurrentGates.lstmBackward(
                            gates: gates + t * batch * width, cell: scratch.cell.base! + t * batch * hidden,
                            cellTanh: scratch.cellTanh.base! + t * batch * hidden, hiddenGradient: dh, cellGradient: dc,
                            gateGradient: stepGradient, rows: batch, hidden: hidden)
                    case .gru:
                        RecurrentGates.gruBackward(
                            gates: gates + t * batch * width, recurrent: scratch.recurrent.base! + t * batch * width,
                            previousHidden: states + t * batch * hidden, hiddenGradient: dh, gateGradient: stepGradient,
                            recurrentGradient: recurrentGradient + t * batch * width, rows: batch, hidden: hidden)
                    }
                    // dL/dh of the step before: through W_hh (plus, for the GRU, h's direct path).
                    Self.stepProduct(
                        recurrentGradient + t * batch * width, w, transposed: true, packed: packed, into: dh, m: batch, n: hidden,
                        k: width, accumulate: kind == .gru)
                }
            }
        }
        let allGates = UnsafeBufferPointer(start: gateGradient, count: rows * width)
        let allRecurrent = UnsafeBufferPointer(start: recurrentGradient, count: rows * width)
        if inputWeight.isTrainable {
            inputWeight.gradient.withUnsafeMutableBufferPointer { dW in
                Scalar.matrixMultiply(
                    UnsafeBufferPointer(start: x, count: rows * inputs), transposed: true, allGates, transposed: false, into: dW,
                    m: inputs, n: width, k: rows, accumulate: true)
            }
        }
        if recurrentWeight.isTrainable {
            recurrentWeight.gradient.withUnsafeMutableBufferPointer { dW in
                Scalar.matrixMultiply(
                    UnsafeBufferPointer(start: states, count: rows * hidden), transposed: true, allRecurrent, transposed: false,
                    into: dW, m: hidden, n: width, k: rows, accumulate: true)
            }
        }
        // The LSTM's and the simple RNN's two biases are added together: they get the same
        // gradient, summed once.
        let biasGradient = UnsafeMutableBufferPointer(start: scratch.bias.reserve(width), count: width)
        biasGradient.update(repeating: 0)
        Scalar.accumulateColumnSums(of: allGates, into: biasGradient, columns: width)
        if inputBias.isTrainable {
            inputBias.gradient.withUnsafeMutableBufferPointer { Scalar.addScaled(UnsafeBufferPointer(biasGradient), by: 1, to: $0) }
        }
        if kind == .gru {
            biasGradient.update(repeating: 0)
            Scalar.accumulateColumnSums(of: allRecurrent, into: biasGradient, columns: width)
        }
        if recurrentBias.isTrainable {
            recurrentBias.gradient.withUnsafeMutableBufferPointer { Scalar.addScaled(UnsafeBufferPointer(biasGradient), by: 1, to: $0) }
        }
        if initialState.isTrainable {
            initialState.gradient.withUnsafeMutableBufferPointer { d in
                for b in 0..<batch {
                    for j in 0..<hidden {
                        d[j] += dh[b * hidden + j]
                        if kind == .lstm { d[hidden + j] += dc[b * hidden + j] }
                    }
                }
            }
        }
        guard needsInputGradient else { return }
        let dx = scratch.inputGradient.reserve(rows * inputs)
        inputWeight.value.withUnsafeBufferPointer { w in
            Scalar.matrixMultiply(
                allGates, transposed: false, w, transposed: true, into: UnsafeMutableBufferPointer(start: dx, count: rows * inputs),
                m: rows, n: inputs, k: width, accumulate: false)
        }
        inputGradient.resizeForOverwrite(shape: [batch, steps, inputs])
        inputGradient.withUnsafeMutableBufferPointer { out in
            for b in 0..<batch {
                for t in 0..<steps {
                    (out.baseAddress! + (b * steps + t) * inputs).update(from: dx + (t * batch + b) * inputs, count: inputs)
                }
            }
        }
    }

    /// op(`w`) packed for the packed product, once for all the steps, when the scalar is Float
    /// and the product is one the packed kernel runs (`rows` of at least 4); otherwise `nil`.
    private static func packForSteps(
        _ w: UnsafeBufferPointer<Scalar>, transposed: Bool, k: Int, n: Int, rows: Int,
        into buffer: inout RecurrentScratch<Scalar>.Buffer
    ) -> UnsafeMutablePointer<Scalar>? {
        guard Scalar.self == Float.self, rows >= 4, let count = Kernels.packedRightOperandCount(k: k, n: n) else { return nil }
        let packed = buffer.reserve(count)
        Kernels.packRightOperand(
            UnsafeRawPointer(w.baseAddress!).assumingMemoryBound(to: Float.self), transposed: transposed, k: k, n: n,
            into: UnsafeMutableRawPointer(packed).assumingMemoryBound(to: Float.self))
        return packed
    }

    /// `c = a·op(w) (+ bias)`, or `c += a·op(w)` when `accumulate`, for one step's `m` rows,
    /// with op(w) prepacked when `packed` is given.
    private static func stepProduct(
        _ a: UnsafePointer<Scalar>, _ w: UnsafeBufferPointer<Scalar>, transposed: Bool, packed: UnsafeMutablePointer<Scalar>?,
        into c: UnsafeMutablePointer<Scalar>, m: Int, n: Int, k: Int, accumulate: Bool, bias: UnsafePointer<Scalar>? = nil
    ) {
        if let packed {
            func float(_ pointer: UnsafePointer<Scalar>) -> UnsafePointer<Float> { UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self) }
            Kernels.matrixMultiplyFloat(
                float(a), false, float(w.baseAddress!), transposed, UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), m: m,
                n: n, k: k, accumulate: accumulate, bias: bias.map(float), packedB: float(packed))
            return
        }
        let output = UnsafeMutableBufferPointer(start: c, count: m * n), input = UnsafeBufferPointer(start: a, count: m * k)
        if let bias {
            Scalar.affine(input, w, bias: UnsafeBufferPointer(start: bias, count: n), into: output, m: m, n: n, k: k)
        } else {
            Scalar.matrixMultiply(input, transposed: false, w, transposed: transposed, into: output, m: m, n: n, k: k, accumulate: accumulate)
        }
    }
}
