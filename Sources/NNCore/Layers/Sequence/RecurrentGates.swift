/// The recurrences a ``Recurrent`` layer can run, and the arithmetic of one time step of each
/// on a batch of rows: the gates' nonlinearities forward, their derivatives backward. The
/// matrix products around them are ``RecurrentCore``'s.
public enum RecurrentKind: String, Sendable, Codable {
    /// `h′ = tanh(x·W_ih + b_ih + h·W_hh + b_hh)`.
    case simple
    /// Gates i, f, g, o (PyTorch's order).
    case lstm
    /// Gates r, z, n (PyTorch's order).
    case gru

    /// The number of gates, each `hidden` wide.
    public var gateCount: Int {
        switch self {
        case .simple: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// The number of state vectors a step carries: h, and c for the LSTM.
    public var stateCount: Int { self == .lstm ? 2 : 1 }
}

/// Element-wise step arithmetic; pointers address `rows × width` blocks, row-major.
enum RecurrentGates<Scalar: TensorScalar> {
    /// σ(x) in place: the vectorised kernel for Float, libm's exp for Double.
    static func sigmoid(_ values: UnsafeMutablePointer<Scalar>, count: Int) {
        if Scalar.self == Float.self {
            let floats = UnsafeMutableRawPointer(values).assumingMemoryBound(to: Float.self)
            Kernels.sigmoid(floats, into: floats, count: count)
        } else {
            for i in 0..<count { values[i] = 1 / (1 + Scalar.exp(-values[i])) }
        }
    }

    /// tanh(x) in place.
    static func tanh(_ values: UnsafeMutablePointer<Scalar>, count: Int) {
        let buffer = UnsafeMutableBufferPointer(start: values, count: count)
        Scalar.activate(Tanh(), UnsafeBufferPointer(buffer), into: buffer)
    }

    /// LSTM forward for one step: `gates` holds the pre-activations of i, f, g, o per row and
    /// is left holding σ(i), σ(f), tanh(g), σ(o); writes `c′ = f·c + i·g`, `tanh(c′)` and `h′ = o·tanh(c′)`.
    static func lstmForward(
        gates: UnsafeMutablePointer<Scalar>, cell: UnsafePointer<Scalar>, nextCell: UnsafeMutablePointer<Scalar>,
        cellTanh: UnsafeMutablePointer<Scalar>, nextHidden: UnsafeMutablePointer<Scalar>, rows: Int, hidden: Int
    ) {
        for row in 0..<rows {
            let g = gates + row * 4 * hidden, r = row * hidden
            sigmoid(g, count: 2 * hidden)
            tanh(g + 2 * hidden, count: hidden)
            sigmoid(g + 3 * hidden, count: hidden)
            for j in 0..<hidden {
                nextCell[r + j] = g[hidden + j] * cell[r + j] + g[j] * g[2 * hidden + j]
            }
            for j in 0..<hidden { cellTanh[r + j] = nextCell[r + j] }
            tanh(cellTanh + r, count: hidden)
            for j in 0..<hidden { nextHidden[r + j] = g[3 * hidden + j] * cellTanh[r + j] }
        }
    }

    /// LSTM backward for one step. `hiddenGradient` is dL/dh′ (all uses of h′), `cellGradient`
    /// dL/dc′ from the next step; writes the pre-activation gradients of i, f, g, o into
    /// `gateGradient` and replaces `cellGradient` with dL/dc.
    static func lstmBackward(
        gates: UnsafePointer<Scalar>, cell: UnsafePointer<Scalar>, cellTanh: UnsafePointer<Scalar>,
        hiddenGradient: UnsafePointer<Scalar>, cellGradient: UnsafeMutablePointer<Scalar>,
        gateGradient: UnsafeMutablePointer<Scalar>, rows: Int, hidden: Int
    ) {
        for row in 0..<rows {
            let g = gates + row * 4 * hidden, d = gateGradient + row * 4 * hidden, r = row * hidden
            for j in 0..<hidden {
                let (i, f, candidate, o) = (g[j], g[hidden + j], g[2 * hidden + j], g[3 * hidden + j])
                let t = cellTanh[r + j], dh = hiddenGradient[r + j]
                let dc = cellGradient[r + j] + dh * o * (1 - t * t)
                d[j] = dc * candidate * i * (1 - i)
                d[hidden + j] = dc * cell[r + j] * f * (1 - f)
                d[2 * hidden + j] = dc * i * (1 - candidate * candidate)
                d[3 * hidden + j] = dh * t * o * (1 - o)
                cellGradient[r + j] = dc * f
            }
        }
    }

    /// GRU forward for one step: `gates` holds the input pre-activations of r, z, n and
    /// `recurrent` the recurrent ones (`h·W_hh + b_hh`); `gates` is left holding r, z, n and
    /// `h′ = (1 − z)·n + z·h` is written.
    static func gruForward(
        gates: UnsafeMutablePointer<Scalar>, recurrent: UnsafePointer<Scalar>, previousHidden: UnsafePointer<Scalar>,
        nextHidden: UnsafeMutablePointer<Scalar>, rows: Int, hidden: Int
    ) {
        for row in 0..<rows {
            let g = gates + row * 3 * hidden, h = recurrent + row * 3 * hidden, r = row * hidden
            for j in 0..<(2 * hidden) { g[j] += h[j] }
            sigmoid(g, count: 2 * hidden)
            for j in 0..<hidden { g[2 * hidden + j] += g[j] * h[2 * hidden + j] }
            tanh(g + 2 * hidden, count: hidden)
            for j in 0..<hidden {
                let z = g[hidden + j]
                nextHidden[r + j] = (1 - z) * g[2 * hidden + j] + z * previousHidden[r + j]
            }
        }
    }

    /// GRU backward for one step: from dL/dh′ writes the input pre-activation gradients
    /// (`gateGradient`) and the recurrent ones (`recurrentGradient`), and replaces
    /// `hiddenGradient` with the part of dL/dh that does not go through `W_hh` (`dh′·z`).
    static func gruBackward(
        gates: UnsafePointer<Scalar>, recurrent: UnsafePointer<Scalar>, previousHidden: UnsafePointer<Scalar>,
        hiddenGradient: UnsafeMutablePointer<Scalar>, gateGradient: UnsafeMutablePointer<Scalar>,
        recurrentGradient: UnsafeMutablePointer<Scalar>, rows: Int, hidden: Int
    ) {
        for row in 0..<rows {
            let g = gates + row * 3 * hidden, h = recurrent + row * 3 * hidden, r = row * hidden
            let dx = gateGradient + row * 3 * hidden, dr = recurrentGradient + row * 3 * hidden
            for j in 0..<hidden {
                let (reset, update, candidate) = (g[j], g[hidden + j], g[2 * hidden + j])
                let dh = hiddenGradient[r + j]
                let dCandidate = dh * (1 - update) * (1 - candidate * candidate)
                let dUpdate = dh * (previousHidden[r + j] - candidate) * update * (1 - update)
                let dReset = dCandidate * h[2 * hidden + j] * reset * (1 - reset)
                dx[j] = dReset
                dr[j] = dReset
                dx[hidden + j] = dUpdate
                dr[hidden + j] = dUpdate
                dx[2 * hidden + j] = dCandidate
                dr[2 * hidden + j] = dCandidate * reset
                hiddenGradient[r + j] = dh * update
            }
        }
    }
}
