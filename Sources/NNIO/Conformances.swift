import NNCore

extension Identity: SerializableActivation { public static var typeName: String { "identity" } }
extension Sigmoid: SerializableActivation { public static var typeName: String { "sigmoid" } }
extension Tanh: SerializableActivation { public static var typeName: String { "tanh" } }
extension ReLU: SerializableActivation { public static var typeName: String { "relu" } }
extension LeakyReLU: SerializableActivation { public static var typeName: String { "leaky-relu" } }
extension Softplus: SerializableActivation { public static var typeName: String { "softplus" } }
extension GELU: SerializableActivation { public static var typeName: String { "gelu" } }

/// A dense layer's configuration in a file.
public struct DenseConfiguration: Codable, Equatable, Sendable {
    /// Input features.
    public var inputSize: Int
    /// Output units.
    public var outputSize: Int
    /// The activation, by registered name and parameters.
    public var activation: TypeDescription
}

extension Dense: SerializableLayer where ActivationFunction: SerializableActivation {
    public static var typeName: String { "Dense" }

    public func makeConfiguration() throws(ModelFileError) -> DenseConfiguration {
        do {
            return DenseConfiguration(
                inputSize: inputSize, outputSize: outputSize,
                activation: try ActivationRegistry.shared.describe(activation))
        } catch {
            throw .notSerializable(layer: "\(Self.self) (\(error))")
        }
    }

    public init(configuration: DenseConfiguration) throws(ModelFileError) {
        guard let activation = try ActivationRegistry.shared.make(configuration.activation, path: "configuration") as? ActivationFunction else {
            throw .mismatch(path: "configuration", reason: "activation '\(configuration.activation.type)' is not \(ActivationFunction.self)")
        }
        self = try makeDense(configuration, activation, Scalar.self, path: "configuration")
    }
}

/// A configuration with nothing in it.
public struct EmptyConfiguration: Codable, Equatable, Sendable {
    /// Creates it.
    public init() {}
}

extension Softmax: SerializableLayer {
    public static var typeName: String { "Softmax" }
    public func makeConfiguration() throws(ModelFileError) -> EmptyConfiguration { EmptyConfiguration() }
    public init(configuration: EmptyConfiguration) throws(ModelFileError) { self.init() }
}

/// A sequential model's configuration: its layers, first applied first.
public struct SequentialConfiguration: Codable, Equatable, Sendable {
    /// The layers.
    public var layers: [TypeDescription]
}

extension Sequential: SerializableLayer {
    public static var typeName: String { "Sequential" }

    public func makeConfiguration() throws(ModelFileError) -> SequentialConfiguration {
        var descriptions: [TypeDescription] = []
        for layer in layers { descriptions.append(try describe(layer)) }
        return SequentialConfiguration(layers: descriptions)
    }

    public init(configuration: SequentialConfiguration) throws(ModelFileError) {
        var layers: [any Layer<Scalar>] = []
        for description in configuration.layers {
            layers.append(try LayerRegistry.shared.make(description, as: Scalar.self, path: "configuration"))
        }
        self.init(layers)
    }
}
