/// Which recurrence a ``Recurrent`` layer runs: a type with no values, so that `LSTM`, `GRU`
/// and `SimpleRNN` are distinct layer types (with their own names in model files).
public protocol RecurrentCell: Sendable {
    /// The recurrence.
    static var kind: RecurrentKind { get }
}

/// PyTorch's `nn.RNN` with `tanh`: `h′ = tanh(x·W_ih + b_ih + h·W_hh + b_hh)`, one gate.
public enum SimpleRNNCell: RecurrentCell {
    public static var kind: RecurrentKind { .simple }
}

/// PyTorch's `nn.LSTM`, gates in the order i, f, g, o along the `4·hidden` axis:
/// `i = σ(x·W_ii + b_ii + h·W_hi + b_hi)`, f and o likewise with σ, g with tanh;
/// `c′ = f·c + i·g`, `h′ = o·tanh(c′)`.
public enum LSTMCell: RecurrentCell {
    public static var kind: RecurrentKind { .lstm }
}

/// PyTorch's `nn.GRU`, gates in the order r, z, n along the `3·hidden` axis:
/// `r = σ(x·W_ir + b_ir + h·W_hr + b_hr)`, z likewise, `n = tanh(x·W_in + b_in + r·(h·W_hn + b_hn))`,
/// `h′ = (1 − z)·n + z·h` (Keras's `reset_after=True`).
public enum GRUCell: RecurrentCell {
    public static var kind: RecurrentKind { .gru }
}

/// An Elman recurrent layer with tanh (see ``Recurrent`` and ``SimpleRNNCell``).
public typealias SimpleRNN<Scalar: TensorScalar> = Recurrent<Scalar, SimpleRNNCell>
/// A long short-term memory layer (see ``Recurrent`` and ``LSTMCell``).
public typealias LSTM<Scalar: TensorScalar> = Recurrent<Scalar, LSTMCell>
/// A gated recurrent unit layer (see ``Recurrent`` and ``GRUCell``).
public typealias GRU<Scalar: TensorScalar> = Recurrent<Scalar, GRUCell>
