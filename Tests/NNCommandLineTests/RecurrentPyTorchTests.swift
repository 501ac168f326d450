import Foundation
import NN
import Testing

/// swift-nn's recurrent layers against PyTorch's, weights mapped as ``Recurrent`` documents.
@Suite struct RecurrentPyTorchTests {
    static let python = ImportCommandTests.python

    /// A layer of `Cell` with random weights and a non-zero initial state, its input and both
    /// of its outputs, in one safetensors file for `recurrent_check.py`.
    func write<Cell: RecurrentCell>(_: Cell.Type, name: String, to folder: String, seed: UInt64) throws {
        var generator = SeededRandomGenerator(seed: seed)
        var layer = Recurrent<Float, Cell>(inputSize: 5, hiddenSize: 32, generator: &generator)
        layer.initialState.value = try Tensor(
            shape: [Cell.kind.stateCount, 32], scalars: (0..<(Cell.kind.stateCount * 32)).map { _ in generator.nextUniform(in: -1, 1) })
        let input = try Tensor<Float>(shape: [16, 7, 5], scalars: (0..<560).map { _ in generator.nextUniform(in: -2, 2) })
        let sequence = layer(input)
        layer.returnSequences = false
        let last = layer(input)
        var tensors = Dictionary(uniqueKeysWithValues: layer.namedParameters.map { ($0.name, StoredTensor($0.parameter.value)) })
        tensors["input"] = StoredTensor(input)
        tensors["sequence"] = StoredTensor(sequence)
        tensors["last"] = StoredTensor(last)
        try Safetensors.write(tensors: tensors, metadata: [:], to: folder + "/\(name).safetensors")
    }

    /// `nn.RNN`, `nn.LSTM` and `nn.GRU` with swift-nn's random weights give its outputs to
    /// 1e-5 on random sequences (7 steps, batch 16, 32 units: the packed kernels, W_hh packed
    /// once), every step and the last alone.
    @Test(
        .enabled(
            if: python != nil,
            "no venv python with torch and safetensors (python3 Benchmarks/compare.py --install makes one; CI's venv leaves out torch's several GB)")
    )
    func pytorchGivesTheSameOutputs() throws {
        let folder = try makeTemporaryFolder("nn-recurrent")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write(SimpleRNNCell.self, name: "rnn", to: folder, seed: 1)
        try write(LSTMCell.self, name: "lstm", to: folder, seed: 2)
        try write(GRUCell.self, name: "gru", to: folder, seed: 3)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [PythonVenv.root.appendingPathComponent("Tests/Python/recurrent_check.py").path, folder]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(printed, terminator: "")
        #expect(process.terminationStatus == 0, "\(printed)")
        #expect(printed.split(separator: "\n").count == 3)
    }
}
