import Foundation
import NNCore
import NNIO
import Testing

/// Saving and loading the sequence layers: the same outputs, bit for bit, after a round trip.
@Suite struct SequenceLayerFileTests {
    func sequenceModel<T: TensorScalar>(_: T.Type) -> Sequential<T> {
        var generator = SeededRandomGenerator(seed: 5)
        return Sequential<T>(
            Embedding(vocabulary: 9, dimension: 4, generator: &generator),
            LSTM(inputSize: 4, hiddenSize: 5, generator: &generator),
            LayerNorm(features: 5),
            GRU(inputSize: 5, hiddenSize: 3, generator: &generator),
            SimpleRNN(inputSize: 3, hiddenSize: 6, returnSequences: false, generator: &generator),
            Dense<T, Identity>(inputSize: 6, outputSize: 9, activation: Identity(), generator: &generator))
    }

    @Test(arguments: [false, true]) func roundTripsBitForBit(double: Bool) throws {
        if double { try roundTrip(Double.self) } else { try roundTrip(Float.self) }
    }

    func roundTrip<T: TensorScalar>(_: T.Type) throws {
        let model = sequenceModel(T.self)
        let input = try Tensor<T>(shape: [3, 7], scalars: (0..<21).map { T(($0 * 5) % 9) })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-rnn-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(model, to: path)
        let (loaded, _) = try ModelFile.load(path, as: T.self)
        #expect(loaded.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        #expect(loaded.namedParameters.map(\.parameter.value) == model.namedParameters.map(\.parameter.value))
        #expect(loaded.namedParameters.map(\.parameter.isTrainable) == model.namedParameters.map(\.parameter.isTrainable))
        #expect(loaded(input).scalars == model(input).scalars)
        #expect(try loaded.outputShape(forInputShape: [7]) == [9])
        #expect(loaded.namedParameters.contains { $0.name == "layers.1.recurrentWeight" && $0.parameter.value.shape == [5, 20] })
    }

    /// Forged sizes are refused before anything is allocated, naming the layer.
    @Test func implausibleSizesAreRefused() throws {
        let embedding = JSONValue.object(["vocabulary": .integer(1 << 40), "dimension": .integer(1 << 30)])
        let lstm = JSONValue.object(["inputSize": .integer(4), "hiddenSize": .integer(-3), "returnSequences": .bool(true)])
        for (type, configuration) in [("Embedding", embedding), ("LSTM", lstm), ("GRU", lstm)] {
            #expect {
                _ = try LayerRegistry.shared.make(TypeDescription(type: type, configuration: configuration), as: Float.self, path: "m.safetensors")
            } throws: { error in
                "\(error)".contains(type) && "\(error)".contains("not plausible")
            }
        }
    }
}
