import Foundation
import NNCore
import Testing

@testable import NNIO

/// A custom layer as a user (or the scaffold plugin) would write it: y = scale ⊙ x + shift.
struct ScaleAndShift<Scalar: TensorScalar>: SerializableLayer {
    struct Configuration: Codable { var features: Int }
    var scale: Parameter<Scalar>
    var shift: Parameter<Scalar>
    private var cachedInput: Tensor<Scalar>?

    init(features: Int) {
        scale = Parameter(Tensor(repeating: 1, shape: [features]))
        shift = Parameter(Tensor(zeros: [features]))
    }

    static var typeName: String { "ScaleAndShift" }
    func makeConfiguration() throws(ModelFileError) -> Configuration { Configuration(features: scale.value.scalarCount) }
    init(configuration: Configuration) throws(ModelFileError) { self.init(features: configuration.features) }

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let n = scale.value.scalarCount
        return try! Tensor(shape: input.shape, scalars: input.scalars.enumerated().map { $1 * scale.value[flat: $0 % n] + shift.value[flat: $0 % n] })
    }
    mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        cachedInput = input
        return self(input)
    }
    mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        let input = cachedInput!, n = scale.value.scalarCount
        for i in 0..<input.scalarCount {
            scale.gradient[flat: i % n] += outputGradient[flat: i] * input[flat: i]
            shift.gradient[flat: i % n] += outputGradient[flat: i]
        }
        return try! Tensor(shape: input.shape, scalars: outputGradient.scalars.enumerated().map { $1 * scale.value[flat: $0 % n] })
    }
    mutating func visitParameters(_ visit: (String, inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("scale", &scale)
        try visit("shift", &shift)
    }
    func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
}

func temporaryPath(_ name: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
}

func sampleModel<T: TensorScalar>(_: T.Type, seed: UInt64 = 1) -> Sequential<T> {
    var generator = SeededRandomGenerator(seed: seed)
    return Sequential<T>(
        Dense<T, LeakyReLU>(
            inputSize: 4, outputSize: 5, activation: LeakyReLU(slope: 0.2), biasInitializer: .uniform(lower: -1, upper: 1), generator: &generator),
        Dense<T, GELU>(inputSize: 5, outputSize: 3, activation: GELU(), generator: &generator),
        Softmax<T>())
}

@Suite struct ModelFileTests {
    @Test func aLoadedModelGivesBitIdenticalOutputs() throws {
        func roundTrip<T: TensorScalar>(_: T.Type) throws {
            let model = sampleModel(T.self)
            let path = try temporaryPath("model.safetensors")
            try ModelFile.save(model, to: path, metadata: ["input_shape": "[4]"])
            let (loaded, metadata) = try ModelFile.load(path, as: T.self)
            var generator = SeededRandomGenerator(seed: 9)
            let input = try Tensor<T>(shape: [6, 4], scalars: (0..<24).map { _ in T(generator.nextUniform(in: -2.0, 2.0)) })
            // Float → Double is exact.
            #expect(loaded(input).scalars.map { Double($0).bitPattern } == model(input).scalars.map { Double($0).bitPattern })
            #expect(metadata["format"] == "swift-nn-model/1" && metadata["dtype"] == T.dtypeName && metadata["input_shape"] == "[4]")
            #expect(loaded.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        }
        try roundTrip(Float.self)
        try roundTrip(Double.self)
    }

    @Test func filesAreDeterministicAndDescribeTheArchitecture() throws {
        let bytes = Safetensors.encode(
            tensors: ModelFile.tensors(of: sampleModel(Float.self)), metadata: try ModelFile.metadata(for: sampleModel(Float.self)))
        #expect(
            bytes
                == Safetensors.encode(
                    tensors: ModelFile.tensors(of: sampleModel(Float.self)), metadata: try ModelFile.metadata(for: sampleModel(Float.self))))
        let metadata = try Safetensors.decode(bytes, path: "m").metadata
        #expect(
            metadata["architecture"]
                == #"{"configuration":{"layers":[{"configuration":{"activation":{"configuration":{"slope":0.2},"type":"leaky-relu"},"input_size":4,"output_size":5},"type":"Dense"},{"configuration":{"activation":{"configuration":{},"type":"gelu"},"input_size":5,"output_size":3},"type":"Dense"},{"configuration":{},"type":"Softmax"}]},"type":"Sequential"}"#
        )
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(headerLength % 8 == 0)
    }

    @Test func aCustomLayerRegistersInOneLine() throws {
        LayerRegistry.shared.register(ScaleAndShift<Float>.self, ScaleAndShift<Double>.self)
        var model = Sequential<Double>(ScaleAndShift<Double>(features: 3), Softmax<Double>())
        model.visitParameters { name, parameter in
            for i in 0..<parameter.value.scalarCount { parameter.value[flat: i] = Double(i + 1) * (name.hasSuffix("scale") ? 0.5 : -0.25) }
        }
        let path = try temporaryPath("custom.safetensors")
        try ModelFile.save(model, to: path)
        let loaded = try ModelFile.load(path, as: Double.self).model
        let input = try Tensor<Double>([[1, 2, 3]])
        #expect(loaded(input) == model(input))
        #expect(GradientCheck.check(ScaleAndShift<Double>(features: 3), input: input).worstRelativeError < 1e-6)
    }

    @Test func unsaveableLayersAndUnknownTypesAreNamed() throws {
        struct Opaque: Layer {
            func callAsFunction(_ input: Tensor<Float>) -> Tensor<Float> { input }
            mutating func forward(_ input: Tensor<Float>) -> Tensor<Float> { input }
            mutating func backward(_ outputGradient: Tensor<Float>) -> Tensor<Float> { outputGradient }
            func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
        }
        let path = try temporaryPath("opaque.safetensors")
        #expect(throws: ModelFileError.self) { try ModelFile.save(Sequential<Float>(Opaque()), to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
        var metadata = try ModelFile.metadata(for: sampleModel(Float.self))
        metadata["architecture"] = metadata["architecture"]!.replacingOccurrences(of: "\"Softmax\"", with: "\"Sparkle\"")
        let bytes = Safetensors.encode(tensors: ModelFile.tensors(of: sampleModel(Float.self)), metadata: metadata)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect { try ModelFile.load(path, as: Float.self) } throws: { "\($0)".contains("unknown layer type 'Sparkle'") }
        metadata["architecture"] = metadata["architecture"]!.replacingOccurrences(of: "\"Sparkle\"", with: "\"Softmax\"")
            .replacingOccurrences(of: "\"gelu\"", with: "\"swoosh\"")
        try Data(Safetensors.encode(tensors: ModelFile.tensors(of: sampleModel(Float.self)), metadata: metadata)).write(
            to: URL(fileURLWithPath: path))
        #expect { try ModelFile.load(path, as: Float.self) } throws: {
            "\($0)".contains("unknown activation type 'swoosh'; registered: gelu, identity")
        }
    }

    @Test func tensorsThatDisagreeWithTheArchitectureAreNamed() throws {
        let model = sampleModel(Float.self)
        let metadata = try ModelFile.metadata(for: model)
        var tensors = ModelFile.tensors(of: model)
        func expectLoadError(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let path = try temporaryPath("bad.safetensors")
            try Data(Safetensors.encode(tensors: tensors, metadata: metadata)).write(to: URL(fileURLWithPath: path))
            #expect(sourceLocation: sourceLocation) { try ModelFile.load(path, as: Float.self) } throws: { "\($0)".contains(fragment) }
        }
        tensors["layers.1.bias"] = nil
        try expectLoadError("'layers.1.bias' is missing")
        tensors["layers.1.bias"] = StoredTensor(Tensor<Float>(zeros: [4]))
        try expectLoadError("'layers.1.bias' has shape [3] in the model but [4] in the file")
        tensors["layers.1.bias"] = StoredTensor(Tensor<Double>(zeros: [3]))
        try expectLoadError("tensor 'layers.1.bias' has dtype F64")
        tensors["layers.1.bias"] = StoredTensor(Tensor<Float>(zeros: [3]))
        tensors["layers.7.weight"] = StoredTensor(Tensor<Float>(zeros: [1]))
        try expectLoadError("'layers.7.weight' matches no parameter")
        tensors["layers.7.weight"] = nil
        let path = try temporaryPath("ok.safetensors")
        try Data(Safetensors.encode(tensors: tensors, metadata: metadata)).write(to: URL(fileURLWithPath: path))
        #expect { try ModelFile.load(path, as: Double.self) } throws: { "\($0)".contains("dtype float32") }
    }
}
