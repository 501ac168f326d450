/// How a convolution or pooling window treats the image border.
public enum Padding: Sendable, Equatable, Codable {
    /// No padding: windows lie wholly inside the image (`out = ⌊(in − k) / stride⌋ + 1`).
    case valid
    /// Zero padding so that `out = ⌈in / stride⌉` (TensorFlow's `"same"`; with stride 1 the
    /// output is as large as the input). An odd total puts the extra row or column at the
    /// bottom or right.
    case same
    /// `n` rows and columns of zeros on every side (PyTorch's `padding=n`).
    case zeros(Int)
}
