/// The recurrences a ``Recurrent`` layer can run, and the arithmetic of one time step of each
/// on a batch of rows: the gates' nonlinearities forward, their derivatives backward. The
/// matrix products around them are `RecurrentCore`'s.
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

    /// `count` values from `pointer` into lanes (the rest zero).
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Scalar>, _ count: Int) -> Scalar.Lanes {
        if count == Scalar.Lanes.scalarCount { return UnsafeRawPointer(pointer).loadUnaligned(as: Scalar.Lanes.self) }
        var lanes = Scalar.Lanes()
        for k in 0..<count { lanes[k] = pointer[k] }
        return lanes
    }

    /// The first `count` lanes of `lanes` to `pointer`.
    @inline(__always)
    static func store(_ lanes: Scalar.Lanes, _ pointer: UnsafeMutablePointer<Scalar>, _ count: Int) {
        if count == Scalar.Lanes.scalarCount {
            UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: Scalar.Lanes.self)
            return
        }
        for k in 0..<count { pointer[k] = lanes[k] }
    }

    /// The lanes of one vector.
    static var width: Int { Scalar.Lanes.scalarCount }

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
            for j in stride(from: 0, to: hidden, by: width) {
                let n = Swift.min(width, hidden - j)
                let c = load(g + hidden + j, n) * load(cell + r + j, n) + load(g + j, n) * load(g + 2 * hidden + j, n)
                store(c, nextCell + r + j, n)
                store(c, cellTanh + r + j, n)
            }
            tanh(cellTanh + r, count: hidden)
            for j in stride(from: 0, to: hidden, by: width) {
                let n = Swift.min(width, hidden - j)
                store(load(g + 3 * hidden + j, n) * load(cellTanh + r + j, n), nextHidden + r + j, n)
            }
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
            for j in stride(from: 0, to: hidden, by: width) {
                let n = Swift.min(width, hidden - j)
                let (i, f) = (load(g + j, n), load(g + hidden + j, n))
                let (candidate, o) = (load(g + 2 * hidden + j, n), load(g + 3 * hidden + j, n))
                let t = load(cellTanh + r + j, n), dh = load(hiddenGradient + r + j, n)
                let dc = load(cellGradient + r + j, n) + dh * o * (1 - t * t)
                store(dc * candidate * i * (1 - i), d + j, n)
                store(dc * load(cell + r + j, n) * f * (1 - f), d + hidden + j, n)
                store(dc * i * (1 - candidate * candidate), d + 2 * hidden + j, n)
                store(dh * t * o * (1 - o), d + 3 * hidden + j, n)
                store(dc * f, cellGradient + r + j, n)
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
            for j in stride(from: 0, to: 2 * hidden, by: width) {
                let n = Swift.min(width, 2 * hidden - j)
                store(load(g + j, n) + load(h + j, n), g + j, n)
            }
            sigmoid(g, count: 2 * hidden)
            for j in stride(from: 0, to: hidden, by: width) {
                let n = Swift.min(width, hidden - j)
                store(load(g + 2 * hidden + j, n) + load(g + j, n) * load(h + 2 * hidden + j, n), g + 2 * hidden + j, n)
            }
            tanh(g + 2 * hidden, count: hidden)
            for j in stride(from: 0, to: hidden, by: width) {
                let n = Swift.min(width, hidden - j)
                let z = load(g + hidden + j, n)
                store((1 - z) * load(g + 2 * hidden + j, n) + z * load(previousHidden + r + j, n), nextHidden + r + j, n)
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
            for j in stride(from: 0, to: hidden, by: width) {
                let n = Swift.min(width, hidden - j)
                let (reset, update, candidate) = (load(g + j, n), load(g + hidden + j, n), load(g + 2 * hidden + j, n))
                let dh = load(hiddenGradient + r + j, n)
                let dCandidate = dh * (1 - update) * (1 - candidate * candidate)
                let dUpdate = dh * (load(previousHidden + r + j, n) - candidate) * update * (1 - update)
                let dReset = dCandidate * load(h + 2 * hidden + j, n) * reset * (1 - reset)
                store(dReset, dx + j, n)
                store(dReset, dr + j, n)
                store(dUpdate, dx + hidden + j, n)
                store(dUpdate, dr + hidden + j, n)
                store(dCandidate, dx + 2 * hidden + j, n)
                store(dCandidate * reset, dr + 2 * hidden + j, n)
                store(dh * update, hiddenGradient + r + j, n)
            }
        }
    }

    /// Simple RNN backward for one step: dL/d(pre-activation) = dL/dh′·(1 − h′²).
    static func simpleBackward(
        hiddenGradient: UnsafePointer<Scalar>, nextHidden: UnsafePointer<Scalar>, gateGradient: UnsafeMutablePointer<Scalar>, count: Int
    ) {
        for j in stride(from: 0, to: count, by: width) {
            let n = Swift.min(width, count - j)
            let h = load(nextHidden + j, n)
            store(load(hiddenGradient + j, n) * (1 - h * h), gateGradient + j, n)
        }
    }
}
