import Foundation
import NNCore
import NNIO
import Testing

/// Saving and loading the convolutional layers, dropout, batch and layer normalisation.
@Suite struct ImageLayerFileTests {
    func convolutionalModel<T: TensorScalar>(_: T.Type) -> Sequential<T> {
        var generator = SeededRandomGenerator(seed: 5)
        return Sequential<T>(
            Reshape([8, 8, 1]),
            Conv2D<T, ReLU>(channels: 1, filters: 4, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
            BatchNorm(features: 4, momentum: 0.2),
            MaxPool2D(size: 2),
            Conv2D<T, Tanh>(
                channels: 4, filters: 3, kernelHeight: 2, kernelWidth: 3, stride: 2, padding: .zeros(1),
                activation: Tanh(), generator: &generator),
            AvgPool2D(size: 2, stride: 1, padding: .same),
            LayerNorm(features: 3, epsilon: 1e-3),
            Flatten(),
            Dropout(rate: 0.3, seed: 9),
            Dense<T, Identity>(inputSize: 18, outputSize: 2, activation: Identity(), generator: &generator))
    }

    func roundTrip<T: TensorScalar>(_: T.Type) throws {
        var model = convolutionalModel(T.self)
        var generator = SeededRandomGenerator(seed: 6)
        let input = try Tensor<T>(shape: [5, 64], scalars: (0..<320).map { _ in T(generator.nextUniform(in: -1.0, 1.0)) })
        // Two training forwards: the running statistics and the dropout counter move.
        _ = model.forward(input)
        _ = model.forward(input)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-cnn-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(model, to: path)

        let (loaded, _) = try ModelFile.load(path, as: T.self)
        let names = { (layer: any Layer<T>) in layer.namedParameters.map(\.name) }
        #expect(names(loaded) == names(model))
        for ((name, original), (_, restored)) in zip(model.namedParameters, loaded.namedParameters) {
            #expect(original.value == restored.value, "\(name)")
            #expect(original.isTrainable == restored.isTrainable, "\(name)")
        }
        #expect(model.namedParameters.contains { $0.name == "layers.2.running_var" && $0.parameter.value.scalars != [1, 1, 1, 1] })
        // A loaded model is in inference mode: the same outputs as the original switched to inference.
        model.setMode(.inference)
        #expect(loaded(input).scalars == model(input).scalars)
        // Switched back to training, it draws the dropout mask the original would draw next.
        var trainingCopy = loaded, trainingOriginal = model
        trainingCopy.setMode(.training)
        trainingOriginal.setMode(.training)
        #expect(trainingCopy.forward(input).scalars == trainingOriginal.forward(input).scalars)
    }

    /// Seeds above 2⁵³ (and above Int64.max) survive a file: JSON numbers are kept as
    /// integers, not passed through Double.
    @Test(arguments: [UInt64(1 << 53) + 1, UInt64.max - 6, 12_345])
    func dropoutSeedsRoundTripExactly(seed: UInt64) throws {
        let model = Sequential<Float>(Dropout(rate: 0.5, seed: seed))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-seed-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(model, to: path)
        let loaded = try ModelFile.load(path, as: Float.self).model
        #expect(try describe(loaded) == describe(model))
        let configuration = try #require((loaded as? Sequential<Float>)?.layers.first as? Dropout<Float>)
        #expect(configuration.seed == seed)
    }

    @Test func floatModelRoundTrips() throws { try roundTrip(Float.self) }
    @Test func doubleModelRoundTrips() throws { try roundTrip(Double.self) }

    @Test func paddingIsWrittenReadably() throws {
        let encoded = try JSONEncoder().encode([Padding.valid, .same, .zeros(2)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["valid","same",2]"#)
        #expect(try JSONDecoder().decode([Padding].self, from: encoded) == [.valid, .same, .zeros(2)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Padding].self, from: Data(#"["full"]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Padding].self, from: Data("[-1]".utf8)) }
    }
}
