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
                // The samples of a batch do not meet until the weight gradients: each group of
                // rows runs every step on its own thread.
                Self.forEachRowGroup(batch: batch, product: width * hidden) { group, threads in
                    let m = group.count
                    for t in 0..<steps {
                        let row = t * batch + group.lowerBound
                        let previous = states + row * hidden, next = states + (row + batch) * hidden
                        let stepGates = gates + row * width
                        switch kind {
                        case .simple, .lstm:
                            Self.stepProduct(
                                previous, w, transposed: false, packed: packed, into: stepGates, m: m, n: width, k: hidden, accumulate: true,
                                threads: threads)
                        case .gru:
                            Self.stepProduct(
                                previous, w, transposed: false, packed: packed, into: recurrent + row * width, m: m, n: width, k: hidden,
                                accumulate: false, bias: bh.baseAddress, threads: threads)
                        }
                        switch kind {
                        case .simple:
                            RecurrentGates.tanh(stepGates, count: m * hidden)
                            next.update(from: stepGates, count: m * hidden)
                        case .lstm:
                            RecurrentGates.lstmForward(
                                gates: stepGates, cell: cells + row * hidden, nextCell: cells + (row + batch) * hidden,
                                cellTanh: cellTanh + row * hidden, nextHidden: next, rows: m, hidden: hidden)
                        case .gru:
                            RecurrentGates.gruForward(
                                gates: stepGates, recurrent: recurrent + row * width, previousHidden: previous, nextHidden: next, rows: m,
                                hidden: hidden)
                        }
                    }
                }
            }
        }
        if returnSequences {
            output.resizeForOverwrite(batch, steps, hidden)
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
        // (Unused by the kinds that do not have them: any valid pointer.)
        let cells = kind == .lstm ? scratch.cell.base! : states, cellTanh = kind == .lstm ? scratch.cellTanh.base! : states
        let recurrent = kind == .gru ? scratch.recurrent.base! : gates
        let gateGradient = scratch.gateGradient.reserve(rows * width)
        let recurrentGradient = kind == .gru ? scratch.recurrentGradient.reserve(rows * width) : gateGradient
        let dh = scratch.hiddenGradient.reserve(batch * hidden)
        let dc = scratch.cellGradient.reserve(batch * hidden)
        dh.update(repeating: 0, count: batch * hidden)
        dc.update(repeating: 0, count: batch * hidden)
        outputGradient.withUnsafeBufferPointer { dy in
            recurrentWeight.value.withUnsafeBufferPointer { w in
                let packed = Self.packForSteps(w, transposed: true, k: width, n: hidden, rows: batch, into: &scratch.packedRecurrentWeight)
                Self.forEachRowGroup(batch: batch, product: width * hidden) { group, threads in
                    let m = group.count
                    let dh = dh + group.lowerBound * hidden, dc = dc + group.lowerBound * hidden
                    for t in (0..<steps).reversed() {
                        if returnsSequences {
                            for (offset, b) in group.enumerated() {
                                for j in 0..<hidden { dh[offset * hidden + j] += dy[(b * steps + t) * hidden + j] }
                            }
                        } else if t == steps - 1 {
                            for i in 0..<(m * hidden) { dh[i] += dy[group.lowerBound * hidden + i] }
                        }
                        let row = t * batch + group.lowerBound
                        let stepGradient = gateGradient + row * width
                        switch kind {
                        case .simple:
                            RecurrentGates.simpleBackward(
                                hiddenGradient: dh, nextHidden: states + (row + batch) * hidden, gateGradient: stepGradient, count: m * hidden)
                        case .lstm:
                            RecurrentGates.lstmBackward(
                                gates: gates + row * width, cell: cells + row * hidden, cellTanh: cellTanh + row * hidden, hiddenGradient: dh,
                                cellGradient: dc, gateGradient: stepGradient, rows: m, hidden: hidden)
                        case .gru:
                            RecurrentGates.gruBackward(
                                gates: gates + row * width, recurrent: recurrent + row * width, previousHidden: states + row * hidden,
                                hiddenGradient: dh, gateGradient: stepGradient, recurrentGradient: recurrentGradient + row * width, rows: m,
                                hidden: hidden)
                        }
                        // dL/dh of the step before: through W_hh (plus, for the GRU, h's direct path).
                        Self.stepProduct(
                            recurrentGradient + row * width, w, transposed: true, packed: packed, into: dh, m: m, n: hidden, k: width,
                            accumulate: kind == .gru, threads: threads)
                    }
                }
            }
        }
        let allGates = UnsafeBufferPointer(start: gateGradient, count: rows * width)
        let allRecurrent = UnsafeBufferPointer(start: recurrentGradient, count: rows * width)
        // The weight gradients: Xᵀ·dG and Hᵀ·dG over every step. The LSTM's and simple RNN's
        // dG is the same in both, packed once for the two products.
        let bothTrainable = inputWeight.isTrainable && recurrentWeight.isTrainable && kind != .gru
        let packedGates =
            bothTrainable ? Self.packForSteps(allGates, transposed: false, k: rows, n: width, rows: hidden, into: &scratch.packedGateGradient) : nil
        if inputWeight.isTrainable {
            inputWeight.gradient.withUnsafeMutableBufferPointer { dW in
                Self.transposedProduct(x, allGates, packed: packedGates, into: dW.baseAddress!, m: inputs, n: width, k: rows)
            }
        }
        if recurrentWeight.isTrainable {
            recurrentWeight.gradient.withUnsafeMutableBufferPointer { dW in
                Self.transposedProduct(states, allRecurrent, packed: packedGates, into: dW.baseAddress!, m: hidden, n: width, k: rows)
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
        inputGradient.resizeForOverwrite(batch, steps, inputs)
        inputGradient.withUnsafeMutableBufferPointer { out in
            for b in 0..<batch {
                for t in 0..<steps {
                    (out.baseAddress! + (b * steps + t) * inputs).update(from: dx + (t * batch + b) * inputs, count: inputs)
                }
            }
        }
    }

    /// Runs `body` on groups of the batch's rows, one group per thread. Groups are cut only
    /// where every group's step product (`rows × product` multiply-adds) stays on the packed
    /// kernel, as the whole batch's does, so each row gets the same bits for any thread count.
    /// `body` also gets the threads its products may use: all of them for a single group.
    private static func forEachRowGroup(batch: Int, product: Int, _ body: (_ rows: Range<Int>, _ threads: Int) -> Void) {
        let fewestRows = Swift.max(8, (Kernels.packingThreshold + product - 1) / Swift.max(product, 1))
        let groups = Swift.min(KernelThreads.count, batch / fewestRows)
        guard groups > 1, Scalar.self == Float.self else {
            body(0..<batch, KernelThreads.count)
            return
        }
        KernelThreads.run(parts: groups) { group in
            body((group * batch / groups)..<((group + 1) * batch / groups), 1)
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

    /// `c += aᵀ·b` (`a` is `k × m`, `b` is `k × n`), with `b` prepacked when `packed` is given.
    private static func transposedProduct(
        _ a: UnsafePointer<Scalar>, _ b: UnsafeBufferPointer<Scalar>, packed: UnsafeMutablePointer<Scalar>?,
        into c: UnsafeMutablePointer<Scalar>, m: Int, n: Int, k: Int
    ) {
        if let packed {
            func float(_ pointer: UnsafePointer<Scalar>) -> UnsafePointer<Float> { UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self) }
            Kernels.matrixMultiplyFloat(
                float(a), true, float(b.baseAddress!), false, UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), m: m, n: n,
                k: k, accumulate: true, packedB: float(packed))
            return
        }
        Scalar.matrixMultiply(
            UnsafeBufferPointer(start: a, count: m * k), transposed: true, b, transposed: false,
            into: UnsafeMutableBufferPointer(start: c, count: m * n), m: m, n: n, k: k, accumulate: true)
    }

    /// `c = a·op(w) (+ bias)`, or `c += a·op(w)` when `accumulate`, for one step's `m` rows,
    /// with op(w) prepacked when `packed` is given (then on up to `threads` threads).
    private static func stepProduct(
        _ a: UnsafePointer<Scalar>, _ w: UnsafeBufferPointer<Scalar>, transposed: Bool, packed: UnsafeMutablePointer<Scalar>?,
        into c: UnsafeMutablePointer<Scalar>, m: Int, n: Int, k: Int, accumulate: Bool, bias: UnsafePointer<Scalar>? = nil,
        threads: Int
    ) {
        if let packed {
            func float(_ pointer: UnsafePointer<Scalar>) -> UnsafePointer<Float> { UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self) }
            Kernels.matrixMultiplyFloat(
                float(a), false, float(w.baseAddress!), transposed, UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), m: m,
                n: n, k: k, accumulate: accumulate, bias: bias.map(float), packedB: float(packed), threads: threads)
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
