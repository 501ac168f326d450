import Foundation
import NNCore
import Testing

/// A recurrent layer of `Cell` with weights from U(−0.5, 0.5), a non-zero initial state that
/// is learned, and `returnSequences` as given.
private func randomRecurrent<Cell: RecurrentCell>(
    _: Cell.Type, inputs: Int, hidden: Int, returnSequences: Bool, seed: UInt64
) throws -> Recurrent<Double, Cell> {
    let width = Cell.kind.gateCount * hidden
    var layer = try Recurrent<Double, Cell>(
        inputWeight: randomImages([inputs, width], seed: seed) * 0.5, recurrentWeight: randomImages([hidden, width], seed: seed + 1) * 0.5,
        inputBias: randomImages([width], seed: seed + 2) * 0.5, recurrentBias: randomImages([width], seed: seed + 3) * 0.5,
        initialState: randomImages([Cell.kind.stateCount, hidden], seed: seed + 4), returnSequences: returnSequences)
    layer.initialState.isTrainable = true
    return layer
}

extension Tensor where Scalar == Double {
    fileprivate static func * (tensor: Tensor, factor: Double) -> Tensor {
        try! Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 * factor })
    }
}

/// A plain, per-sample, per-unit transcription of PyTorch's equations (the documentation of
/// `nn.RNN`, `nn.LSTM`, `nn.GRU`), to hold the batched implementation against.
private func referenceOutputs<Cell: RecurrentCell>(_ layer: Recurrent<Double, Cell>, _ input: Tensor<Double>) -> [Double] {
    let (batch, steps, inputs, hidden) = (input.shape[0], input.shape[1], layer.inputSize, layer.hiddenSize)
    let width = Cell.kind.gateCount * hidden
    let (wi, wh) = (layer.inputWeight.value, layer.recurrentWeight.value)
    let (bi, bh) = (layer.inputBias.value, layer.recurrentBias.value)
    func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    var outputs: [Double] = []
    for b in 0..<batch {
        var h = (0..<hidden).map { layer.initialState.value[0, $0] }
        var c = Cell.kind == .lstm ? (0..<hidden).map { layer.initialState.value[1, $0] } : []
        var sequence: [[Double]] = []
        for t in 0..<steps {
            // x·W_ih + b_ih and h·W_hh + b_hh, one value per gate unit.
            let gx = (0..<width).map { j in bi[flat: j] + (0..<inputs).reduce(0) { $0 + input[b, t, $1] * wi[$1, j] } }
            let gh = (0..<width).map { j in bh[flat: j] + (0..<hidden).reduce(0) { $0 + h[$1] * wh[$1, j] } }
            switch Cell.kind {
            case .simple:
                h = (0..<hidden).map { Foundation.tanh(gx[$0] + gh[$0]) }
            case .lstm:
                for j in 0..<hidden {
                    let i = sigmoid(gx[j] + gh[j]), f = sigmoid(gx[hidden + j] + gh[hidden + j])
                    let g = Foundation.tanh(gx[2 * hidden + j] + gh[2 * hidden + j]), o = sigmoid(gx[3 * hidden + j] + gh[3 * hidden + j])
                    c[j] = f * c[j] + i * g
                    h[j] = o * Foundation.tanh(c[j])
                }
            case .gru:
                h = (0..<hidden).map { j in
                    let r = sigmoid(gx[j] + gh[j]), z = sigmoid(gx[hidden + j] + gh[hidden + j])
                    let n = Foundation.tanh(gx[2 * hidden + j] + r * gh[2 * hidden + j])
                    return (1 - z) * n + z * h[j]
                }
            }
            sequence.append(h)
        }
        outputs += layer.returnSequences ? sequence.flatMap { $0 } : sequence[steps - 1]
    }
    return outputs
}

/// Backpropagation through time for the simple RNN, the LSTM and the GRU, and the embedding
/// and per-step dense layers that go with them.
@Suite struct RecurrentTests {
    /// Every parameter (the initial state included) and the input, sequences of 6 steps,
    /// both output settings: worst relative error below 1e-6.
    @Test(arguments: [RecurrentKind.simple, .lstm, .gru], [true, false])
    func gradientsMatchFiniteDifferences(kind: RecurrentKind, returnSequences: Bool) throws {
        let input = randomImages([2, 6, 3], seed: 40)
        let report: GradientCheckReport
        switch kind {
        case .simple:
            report = GradientCheck.check(
                try randomRecurrent(SimpleRNNCell.self, inputs: 3, hidden: 4, returnSequences: returnSequences, seed: 1), input: input, seed: 9)
        case .lstm:
            report = GradientCheck.check(
                try randomRecurrent(LSTMCell.self, inputs: 3, hidden: 4, returnSequences: returnSequences, seed: 11), input: input, seed: 9)
        case .gru:
            report = GradientCheck.check(
                try randomRecurrent(GRUCell.self, inputs: 3, hidden: 4, returnSequences: returnSequences, seed: 21), input: input, seed: 9)
        }
        let width = kind.gateCount * 4
        #expect(report.checkedCount == 3 * width + 4 * width + 2 * width + kind.stateCount * 4 + input.scalarCount)
        #expect(report.worstRelativeError < 1e-6, "\(kind), returnSequences \(returnSequences): \(report)")
    }

    /// The batched, time-major implementation gives the per-sample equations' values.
    @Test func outputsFollowPyTorchsEquations() throws {
        let input = randomImages([3, 5, 2], seed: 50)
        for returnSequences in [true, false] {
            let rnn = try randomRecurrent(SimpleRNNCell.self, inputs: 2, hidden: 3, returnSequences: returnSequences, seed: 60)
            let lstm = try randomRecurrent(LSTMCell.self, inputs: 2, hidden: 3, returnSequences: returnSequences, seed: 70)
            let gru = try randomRecurrent(GRUCell.self, inputs: 2, hidden: 3, returnSequences: returnSequences, seed: 80)
            let pairs = [
                (rnn(input), referenceOutputs(rnn, input)), (lstm(input), referenceOutputs(lstm, input)), (gru(input), referenceOutputs(gru, input)),
            ]
            for (output, reference) in pairs {
                #expect(output.shape == (returnSequences ? [3, 5, 3] : [3, 3]))
                #expect(zip(output.scalars, reference).allSatisfy { abs($0 - $1) < 1e-12 })
            }
        }
    }

    /// In `Float` the vectorised gates agree with the `Double` equations to float precision.
    @Test func floatOutputsAgreeWithDouble() throws {
        let input = randomImages([4, 7, 5], seed: 90)
        let layer = try randomRecurrent(LSTMCell.self, inputs: 5, hidden: 9, returnSequences: true, seed: 91)
        let single = try Recurrent<Float, LSTMCell>(
            inputWeight: layer.inputWeight.value.converted(), recurrentWeight: layer.recurrentWeight.value.converted(),
            inputBias: layer.inputBias.value.converted(), recurrentBias: layer.recurrentBias.value.converted(),
            initialState: layer.initialState.value.converted())
        let difference = zip(single(input.converted()).scalars, layer(input).scalars).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(difference < 1e-5)
    }

    /// The initial state is frozen by default and then receives no gradient; shapes are checked.
    @Test func defaultsAndShapes() throws {
        var generator = SeededRandomGenerator(seed: 3)
        var layer = LSTM<Double>(inputSize: 2, hiddenSize: 3, generator: &generator)
        #expect(layer.namedParameters.map(\.name) == ["inputWeight", "recurrentWeight", "inputBias", "recurrentBias", "initialState"])
        #expect(layer.initialState.value.shape == [2, 3] && !layer.initialState.isTrainable)
        #expect(layer.inputWeight.value.scalars.allSatisfy { abs($0) <= 1 / 3.0.squareRoot() })
        _ = layer.forward(randomImages([2, 4, 2], seed: 4))
        _ = layer.backward(randomImages([2, 4, 3], seed: 5))
        #expect(layer.initialState.gradient.scalars.allSatisfy { $0 == 0 })
        #expect(layer.recurrentWeight.gradient.scalars.contains { $0 != 0 })
        #expect(try layer.outputShape(forInputShape: [4, 2]) == [4, 3])
        layer.returnSequences = false
        #expect(try layer.outputShape(forInputShape: [4, 2]) == [3])
        #expect(throws: TensorError.self) { try layer.outputShape(forInputShape: [4, 3]) }
        #expect(throws: TensorError.self) {
            try GRU<Double>(
                inputWeight: Tensor(zeros: [2, 6]), recurrentWeight: Tensor(zeros: [2, 5]), inputBias: Tensor(zeros: [6]),
                recurrentBias: Tensor(zeros: [6]))
        }
    }

    /// A second step of the same shape writes into the first step's storage, and a copy of the
    /// layer taken between forward and backward gives the same gradients.
    @Test func stepsReuseBuffersAndCopiesStayIndependent() throws {
        var layer = try randomRecurrent(GRUCell.self, inputs: 3, hidden: 4, returnSequences: true, seed: 30)
        var addresses: [[UInt]] = []
        for step in 0..<3 {
            let output = layer.forward(randomImages([2, 5, 3], seed: UInt64(step)))
            let inputGradient = layer.backward(randomImages([2, 5, 4], seed: 7))
            addresses.append([output, inputGradient].map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } })
        }
        #expect(addresses[1] == addresses[0] && addresses[2] == addresses[0])

        layer.zeroGradients()
        _ = layer.forward(randomImages([2, 5, 3], seed: 8))
        var copy = layer
        _ = layer.forward(randomImages([2, 5, 3], seed: 99))   // overwrites only `layer`'s buffers
        _ = layer.backward(randomImages([2, 5, 4], seed: 7))
        let fromCopy = copy.backward(randomImages([2, 5, 4], seed: 7))
        var fresh = layer
        fresh.zeroGradients()
        _ = fresh.forward(randomImages([2, 5, 3], seed: 8))
        #expect(fresh.backward(randomImages([2, 5, 4], seed: 7)) == fromCopy)
    }

    /// Embedding: gradients into the used rows only, checked through an LSTM by finite
    /// differences; ids out of range are a typed error naming the position.
    @Test func embeddingScattersIntoUsedRows() throws {
        var generator = SeededRandomGenerator(seed: 5)
        let embedding = Embedding<Double>(vocabulary: 7, dimension: 3, generator: &generator)
        let ids = try Tensor<Double>(shape: [2, 5], scalars: [1, 3, 3, 0, 6, 2, 1, 1, 5, 0])
        let lstm = try randomRecurrent(LSTMCell.self, inputs: 3, hidden: 2, returnSequences: false, seed: 6)
        let report = GradientCheck.check(Sequential<Double>(embedding, lstm), input: ids, seed: 2, includingInput: false)
        #expect(report.checkedCount == 21 + 3 * 8 + 2 * 8 + 2 * 8 + 4)
        #expect(report.worstRelativeError < 1e-6, "\(report)")

        var layer = embedding
        let output = layer.forward(ids)
        #expect(output.shape == [2, 5, 3] && output[0, 1, 2] == embedding.weight.value[3, 2])
        let inputGradient = layer.backward(Tensor(repeating: 1, shape: [2, 5, 3]))
        #expect(inputGradient.shape == [2, 5] && inputGradient.scalars.allSatisfy { $0 == 0 })
        // Row 4 was not used; row 1 three times, row 3 twice.
        #expect((0..<3).map { layer.weight.gradient[4, $0] } == [0, 0, 0])
        #expect((0..<3).map { layer.weight.gradient[1, $0] } == [3, 3, 3] && layer.weight.gradient[3, 0] == 2)
        #expect(try embedding.outputShape(forInputShape: [5]) == [5, 3])

        for (bad, position) in [(7.0, 4), (-1, 4), (2.5, 4), (.nan, 4)] {
            var values = ids.scalars
            values[position] = bad
            #expect {
                try Sequential<Double>(embedding).checkInput(Tensor(shape: [2, 5], scalars: values))
            } throws: { error in
                guard case TensorError.invalidValue(_, let index, _, let expected) = error else { return false }
                return index == position && expected == "a whole number in 0..<7" && "\(error)".contains("position 4")
            }
        }
        try embedding.checkInput(ids)
    }

    /// Dense over the last axis of a sequence: each step mapped with the same weights, gradients
    /// by finite differences; other inputs are still flattened.
    @Test func denseMapsEachStepOfASequence() throws {
        var generator = SeededRandomGenerator(seed: 8)
        let dense = Dense<Double, Tanh>(inputSize: 3, outputSize: 2, activation: Tanh(), generator: &generator)
        let input = randomImages([2, 4, 3], seed: 9)
        let output = dense(input)
        #expect(output.shape == [2, 4, 2])
        let step = dense(try Tensor(shape: [1, 3], scalars: (0..<3).map { input[1, 2, $0] }))
        #expect(abs(step[0, 1] - output[1, 2, 1]) < 1e-15)
        #expect(try dense.outputShape(forInputShape: [4, 3]) == [4, 2])
        #expect(
            try Dense<Double, Tanh>(inputSize: 12, outputSize: 2, activation: Tanh(), generator: &generator).outputShape(forInputShape: [4, 3]) == [2]
        )
        let report = GradientCheck.check(dense, input: input, seed: 4)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }
}
