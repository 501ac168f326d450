/// A recurrent layer over sequences `[batch, time, inputSize]`, trained by backpropagation
/// through time: ``SimpleRNN``, ``LSTM`` or ``GRU``, as `Cell` says.
///
/// The parameters map one to one to PyTorch's `nn.RNN` / `nn.LSTM` / `nn.GRU` (one layer,
/// `batch_first=True`), transposed as in ``Dense``:
///
/// | swift-nn | shape | PyTorch |
/// |---|---|---|
/// | `inputWeight` | `[inputSize, G·hidden]` | `weight_ih_l0.T` |
/// | `recurrentWeight` | `[hidden, G·hidden]` | `weight_hh_l0.T` |
/// | `inputBias` | `[G·hidden]` | `bias_ih_l0` |
/// | `recurrentBias` | `[G·hidden]` | `bias_hh_l0` |
/// | `initialState` | `[1, hidden]`, the LSTM's `[2, hidden]` | `h0` (and `c0`) of each sample |
///
/// with the gates in PyTorch's order along the `G·hidden` axis (see each cell). The initial
/// state is zero and frozen by default; unfreeze it (`isTrainable = true`) to learn it.
///
/// With `returnSequences` the output is every step's hidden state, `[batch, time, hidden]`
/// (for a ``Dense`` applied to each step, a language model); otherwise the last step's,
/// `[batch, hidden]` (a sequence classifier).
public struct Recurrent<Scalar: TensorScalar, Cell: RecurrentCell>: Layer {
    /// `W_ih`, `[inputSize, G·hidden]`.
    public var inputWeight: Parameter<Scalar>
    /// `W_hh`, `[hidden, G·hidden]`.
    public var recurrentWeight: Parameter<Scalar>
    /// `b_ih`, `[G·hidden]`.
    public var inputBias: Parameter<Scalar>
    /// `b_hh`, `[G·hidden]`.
    public var recurrentBias: Parameter<Scalar>
    /// h₀ (and the LSTM's c₀ in row 1), `[stateCount, hidden]`; zero and frozen by default.
    public var initialState: Parameter<Scalar>
    /// Whether the output is every step's hidden state or only the last.
    public var returnSequences: Bool

    private var core = RecurrentCore<Scalar>(kind: Cell.kind)

    /// The features of each input step.
    public var inputSize: Int { inputWeight.value.shape[0] }
    /// The size of the hidden state.
    public var hiddenSize: Int { recurrentWeight.value.shape[0] }

    /// Creates a layer with PyTorch's initialisation: every weight and bias drawn from
    /// U(−1/√hidden, 1/√hidden), from `generator`; the initial state zero and frozen.
    /// - Parameters:
    ///   - inputSize: the features of each step (positive).
    ///   - hiddenSize: the size of the hidden state (positive).
    ///   - returnSequences: every step's output (`true`) or the last step's.
    ///   - generator: where the weights are drawn from.
    public init(inputSize: Int, hiddenSize: Int, returnSequences: Bool = true, generator: inout SeededRandomGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0, "\(Cell.kind): sizes must be positive, got \(inputSize)→\(hiddenSize)")
        let width = Cell.kind.gateCount * hiddenSize
        let bound = 1 / Double(hiddenSize).squareRoot()
        func draw(_ shape: [Int]) -> Tensor<Scalar> {
            let values = (0..<shape.reduce(1, *)).map { _ in Scalar(generator.nextUniform(in: -bound, bound)) }
            return Tensor(uncheckedShape: shape, scalars: values)
        }
        inputWeight = Parameter(draw([inputSize, width]))
        recurrentWeight = Parameter(draw([hiddenSize, width]))
        inputBias = Parameter(draw([width]))
        recurrentBias = Parameter(draw([width]))
        initialState = Parameter(Tensor(zeros: [Cell.kind.stateCount, hiddenSize]), isTrainable: false)
        self.returnSequences = returnSequences
    }

    /// Creates a layer with exactly the given parameters (shapes as in the table above).
    /// - Parameters:
    ///   - inputWeight: `[inputSize, G·hidden]`.
    ///   - recurrentWeight: `[hidden, G·hidden]`.
    ///   - inputBias: `[G·hidden]`.
    ///   - recurrentBias: `[G·hidden]`.
    ///   - initialState: `[stateCount, hidden]`, or `nil` for zeros.
    ///   - returnSequences: every step's output (`true`) or the last step's.
    /// - Throws: `TensorError.shapeMismatch` naming the first tensor of the wrong shape.
    public init(
        inputWeight: Tensor<Scalar>, recurrentWeight: Tensor<Scalar>, inputBias: Tensor<Scalar>, recurrentBias: Tensor<Scalar>,
        initialState: Tensor<Scalar>? = nil, returnSequences: Bool = true
    ) throws(TensorError) {
        let gates = Cell.kind.gateCount
        guard recurrentWeight.rank == 2, recurrentWeight.shape[0] > 0, recurrentWeight.shape[1] == gates * recurrentWeight.shape[0] else {
            throw .shapeMismatch(
                context: "\(Cell.kind) recurrentWeight [hidden, \(gates)·hidden]", expected: [-1, -1], actual: recurrentWeight.shape)
        }
        let (hidden, width) = (recurrentWeight.shape[0], recurrentWeight.shape[1])
        guard inputWeight.rank == 2, inputWeight.shape[0] > 0, inputWeight.shape[1] == width else {
            throw .shapeMismatch(context: "\(Cell.kind) inputWeight", expected: [-1, width], actual: inputWeight.shape)
        }
        for (name, bias) in [("inputBias", inputBias), ("recurrentBias", recurrentBias)] where bias.shape != [width] {
            throw .shapeMismatch(context: "\(Cell.kind) \(name)", expected: [width], actual: bias.shape)
        }
        let state = initialState ?? Tensor(zeros: [Cell.kind.stateCount, hidden])
        guard state.shape == [Cell.kind.stateCount, hidden] else {
            throw .shapeMismatch(context: "\(Cell.kind) initialState", expected: [Cell.kind.stateCount, hidden], actual: state.shape)
        }
        self.inputWeight = Parameter(inputWeight)
        self.recurrentWeight = Parameter(recurrentWeight)
        self.inputBias = Parameter(inputBias)
        self.recurrentBias = Parameter(recurrentBias)
        self.initialState = Parameter(state, isTrainable: false)
        self.returnSequences = returnSequences
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        // A fresh working space: sharing this layer's would copy it (the copy keeps no cache).
        var copy = self
        copy.core = RecurrentCore(kind: Cell.kind)
        return copy.forward(input)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        core.forward(
            input, inputWeight: inputWeight.value, recurrentWeight: recurrentWeight.value, inputBias: inputBias.value,
            recurrentBias: recurrentBias.value, initialState: initialState.value, returnSequences: returnSequences)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        core.backward(
            outputGradient, inputWeight: &inputWeight, recurrentWeight: &recurrentWeight, inputBias: &inputBias,
            recurrentBias: &recurrentBias, initialState: &initialState, needsInputGradient: true)
        return core.inputGradient
    }

    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        core.backward(
            outputGradient, inputWeight: &inputWeight, recurrentWeight: &recurrentWeight, inputBias: &inputBias,
            recurrentBias: &recurrentBias, initialState: &initialState, needsInputGradient: false)
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("inputWeight", &inputWeight)
        try visit("recurrentWeight", &recurrentWeight)
        try visit("inputBias", &inputBias)
        try visit("recurrentBias", &recurrentBias)
        try visit("initialState", &initialState)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] == inputSize else {
            throw .shapeMismatch(context: "\(Cell.kind) input [time, features]", expected: [-1, inputSize], actual: inputShape)
        }
        return returnSequences ? [inputShape[0], hiddenSize] : [hiddenSize]
    }
}
