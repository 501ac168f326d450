/// The working memory of a recurrent layer: the values one forward through time keeps for
/// backward, and backward's running gradients. Buffers only grow, so once a batch shape has
/// been seen a training step allocates nothing.
///
/// A reference type so that the time loop can work on plain pointers; the layer that owns it
/// copies it before writing when it is shared (``RecurrentCore`` does), so layers keep value
/// semantics.
final class RecurrentScratch<Scalar: TensorScalar>: @unchecked Sendable {
    /// One grow-only buffer.
    struct Buffer {
        private(set) var base: UnsafeMutablePointer<Scalar>? = nil
        private(set) var capacity = 0

        /// Makes room for `count` values (their contents are then undefined) and returns the start.
        mutating func reserve(_ count: Int) -> UnsafeMutablePointer<Scalar> {
            if count > capacity || base == nil {
                base?.deallocate()
                base = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(count, 1))
                capacity = Swift.max(count, 1)
            }
            return base!
        }

        /// A buffer of the same capacity and contents.
        func copy() -> Buffer {
            var copy = Buffer()
            guard let base else { return copy }
            copy.reserve(capacity).update(from: base, count: capacity)
            return copy
        }

        func free() { base?.deallocate() }
    }

    /// The input, time-major: row `t·batch + b` is sample `b` at step `t`.
    var input = Buffer()
    /// The gates after their nonlinearities, time-major, `gateCount·hidden` per row.
    var gates = Buffer()
    /// The hidden states, time-major, with the initial state as step 0: `(time + 1)·batch` rows.
    var hidden = Buffer()
    /// The LSTM's cell states, laid out as ``hidden``.
    var cell = Buffer()
    /// The LSTM's `tanh(c)` of each step, time-major.
    var cellTanh = Buffer()
    /// The GRU's recurrent product of each step, `h·W_hh + b_hh`, time-major.
    var recurrent = Buffer()
    /// The input and recurrent biases added together (LSTM and simple RNN).
    var bias = Buffer()
    /// dLoss/d(input pre-activations), time-major.
    var gateGradient = Buffer()
    /// The GRU's dLoss/d(recurrent pre-activations), time-major.
    var recurrentGradient = Buffer()
    /// dLoss/dh and, for the LSTM, dLoss/dc, carried from step to step backwards.
    var hiddenGradient = Buffer(), cellGradient = Buffer()
    /// dLoss/dInput, time-major.
    var inputGradient = Buffer()
    /// `W_hh` (forward) or its transpose (backward) packed once for every step's product.
    var packedRecurrentWeight = Buffer()
    /// The LSTM's and simple RNN's dL/d(pre-activations) packed once for both weight gradients.
    var packedGateGradient = Buffer()

    init() {}

    private var all: [Buffer] {
        [
            input, gates, hidden, cell, cellTanh, recurrent, bias, gateGradient, recurrentGradient, hiddenGradient, cellGradient, inputGradient,
            packedRecurrentWeight, packedGateGradient,
        ]
    }

    /// A scratch space with the same contents.
    func copy() -> RecurrentScratch {
        let copy = RecurrentScratch()
        (copy.input, copy.gates, copy.hidden, copy.cell) = (input.copy(), gates.copy(), hidden.copy(), cell.copy())
        (copy.cellTanh, copy.recurrent, copy.bias) = (cellTanh.copy(), recurrent.copy(), bias.copy())
        (copy.gateGradient, copy.recurrentGradient) = (gateGradient.copy(), recurrentGradient.copy())
        (copy.hiddenGradient, copy.cellGradient, copy.inputGradient) = (hiddenGradient.copy(), cellGradient.copy(), inputGradient.copy())
        (copy.packedRecurrentWeight, copy.packedGateGradient) = (packedRecurrentWeight.copy(), packedGateGradient.copy())
        return copy
    }

    deinit {
        for buffer in all { buffer.free() }
    }
}
