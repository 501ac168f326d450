import Foundation
import NNCore

/// The activation types a model file may name, by type name. The built-in ones are
/// registered from the start.
public final class ActivationRegistry: @unchecked Sendable {
    /// The registry files are read with.
    public static let shared = ActivationRegistry()

    private let lock = NSLock()
    private var decoders: [String: @Sendable (JSONValue) throws -> any Activation] = [:]

    private init() {
        register(Identity.self, Sigmoid.self, Tanh.self, ReLU.self, LeakyReLU.self, Softplus.self, GELU.self)
    }

    /// Makes activation types loadable by their ``SerializableActivation/typeName``.
    public func register(_ types: any SerializableActivation.Type...) {
        for type in types { add(type) }
    }

    private func add<A: SerializableActivation>(_ type: A.Type) {
        lock.withLock { decoders[A.typeName] = { json in try json.decode(as: A.self) } }
    }

    /// The description of an activation for a file.
    public func describe<A: SerializableActivation>(_ activation: A) throws -> TypeDescription {
        TypeDescription(type: A.typeName, configuration: try JSONValue(encoding: activation))
    }

    /// The activation a description names.
    public func make(_ description: TypeDescription, path: String) throws(ModelFileError) -> any Activation {
        guard let decode = lock.withLock({ decoders[description.type] }) else {
            throw .unknownType(path: path, kind: "activation", name: description.type, known: lock.withLock { Array(decoders.keys) })
        }
        do { return try decode(description.configuration) } catch {
            throw .invalidHeader(path: path, reason: "activation '\(description.type)': \(error)")
        }
    }
}

/// The layer types a model file may name, by type name and scalar type. The built-in layers
/// (`Dense`, `Conv2D`, `MaxPool2D`, `AvgPool2D`, `Flatten`, `Reshape`, `Dropout`,
/// `BatchNorm`, `LayerNorm`, `Embedding`, `LSTM`, `GRU`, `SimpleRNN`, `Softmax`, `Sequential`)
/// are registered from the start.
public final class LayerRegistry: @unchecked Sendable {
    /// The registry files are read with.
    public static let shared = LayerRegistry()

    /// Builds a layer of one scalar type from its configuration (an `any Layer<T>`, type-erased).
    /// (Untyped `throws`: the compiler of Swift 6.3 crashes on typed-throws closures stored as
    /// this type; ``make(_:as:path:)`` maps any other error to a ``ModelFileError``.)
    public typealias Factory = @Sendable (_ configuration: JSONValue, _ path: String) throws -> Any

    private let lock = NSLock()
    private var factories: [String: Factory] = [:]

    private init() {
        factories[key("Dense", Float.dtypeName)] = { json, path in try makeDense(json, Float.self, path: path) as Any }
        factories[key("Dense", Double.dtypeName)] = { json, path in try makeDense(json, Double.self, path: path) as Any }
        factories[key("Conv2D", Float.dtypeName)] = { json, path in try makeConv2D(json, Float.self, path: path) as Any }
        factories[key("Conv2D", Double.dtypeName)] = { json, path in try makeConv2D(json, Double.self, path: path) as Any }
        register(
            Softmax<Float>.self, Softmax<Double>.self, Sequential<Float>.self, Sequential<Double>.self,
            MaxPool2D<Float>.self, MaxPool2D<Double>.self, AvgPool2D<Float>.self, AvgPool2D<Double>.self,
            Flatten<Float>.self, Flatten<Double>.self, Reshape<Float>.self, Reshape<Double>.self,
            Dropout<Float>.self, Dropout<Double>.self, BatchNorm<Float>.self, BatchNorm<Double>.self, LayerNorm<Float>.self,
            LayerNorm<Double>.self, Embedding<Float>.self, Embedding<Double>.self, LSTM<Float>.self, LSTM<Double>.self, GRU<Float>.self,
            GRU<Double>.self, SimpleRNN<Float>.self, SimpleRNN<Double>.self)
    }

    /// Makes layer types loadable: one line per custom layer, naming each scalar type used.
    public func register(_ types: any SerializableLayer.Type...) {
        for type in types { add(type) }
    }

    /// Registers a hand-written factory for `typeName` in scalar type `T` (for layers, like
    /// `Dense`, whose concrete type depends on their configuration).
    public func register<T: TensorScalar>(typeName: String, scalar _: T.Type, factory: @escaping Factory) {
        lock.withLock { factories[key(typeName, T.dtypeName)] = factory }
    }

    private func add<L: SerializableLayer>(_ type: L.Type) {
        lock.withLock {
            factories[key(L.typeName, L.Scalar.dtypeName)] = { json, path in
                let configuration: L.Configuration
                do { configuration = try json.decode(as: L.Configuration.self) } catch {
                    throw ModelFileError.invalidHeader(path: path, reason: "\(L.typeName) configuration: \(error)")
                }
                let layer: any Layer<L.Scalar> = try L(configuration: configuration)
                return layer as Any
            }
        }
    }

    /// The layer a description names, in scalar type `T`.
    public func make<T: TensorScalar>(_ description: TypeDescription, as _: T.Type, path: String) throws(ModelFileError) -> any Layer<T> {
        guard let factory = lock.withLock({ factories[key(description.type, T.dtypeName)] }) else {
            let known = lock.withLock { factories.keys.filter { $0.hasSuffix("/\(T.dtypeName)") }.map { String($0.split(separator: "/")[0]) } }
            throw .unknownType(path: path, kind: "layer", name: description.type, known: known)
        }
        let made: Any
        do { made = try factory(description.configuration, path) } catch let error as ModelFileError { throw error.located(at: path) } catch {
            throw .invalidHeader(path: path, reason: "\(description.type): \(error)")
        }
        guard let layer = made as? any Layer<T> else {
            throw .mismatch(path: path, reason: "the factory for '\(description.type)' made a layer of another scalar type")
        }
        return layer
    }

    private func key(_ typeName: String, _ dtype: String) -> String { "\(typeName)/\(dtype)" }
}

private func makeDense<T: TensorScalar>(_ json: JSONValue, _: T.Type, path: String) throws(ModelFileError) -> any Layer<T> {
    let configuration: DenseConfiguration
    do { configuration = try json.decode(as: DenseConfiguration.self) } catch {
        throw .invalidHeader(path: path, reason: "Dense configuration: \(error)")
    }
    let activation = try ActivationRegistry.shared.make(configuration.activation, path: path)
    return try makeDenseLayer(configuration, activation, T.self, path: path)
}

private func makeDenseLayer<T: TensorScalar, A: Activation>(
    _ configuration: DenseConfiguration, _ activation: A, _: T.Type, path: String
) throws(ModelFileError) -> any Layer<T> {
    try makeDense(configuration, activation, T.self, path: path)
}

private func makeConv2D<T: TensorScalar>(_ json: JSONValue, _: T.Type, path: String) throws(ModelFileError) -> any Layer<T> {
    let configuration: Conv2DConfiguration
    do { configuration = try json.decode(as: Conv2DConfiguration.self) } catch {
        throw .invalidHeader(path: path, reason: "Conv2D configuration: \(error)")
    }
    let activation = try ActivationRegistry.shared.make(configuration.activation, path: path)
    return try makeConv2D(configuration, activation, T.self, path: path)
}

private func makeConv2D<T: TensorScalar, A: Activation>(
    _ configuration: Conv2DConfiguration, _ activation: A, _: T.Type, path: String
) throws(ModelFileError) -> any Layer<T> {
    try makeConvolution(configuration, activation, T.self, path: path)
}

/// A dense layer with zero parameters of the configured shapes (they are loaded next).
func makeDense<T: TensorScalar, A: Activation>(
    _ configuration: DenseConfiguration, _ activation: A, _: T.Type, path: String
) throws(ModelFileError) -> Dense<T, A> {
    // Checked before allocating the zero weights: a forged header must not ask for terabytes.
    let (weights, overflow) = configuration.inputSize.multipliedReportingOverflow(by: configuration.outputSize)
    guard configuration.inputSize > 0, configuration.outputSize > 0, !overflow, weights <= 1 << 30 else {
        throw .invalidHeader(path: path, reason: "Dense sizes \(configuration.inputSize)→\(configuration.outputSize) are not plausible")
    }
    do {
        return try Dense<T, A>(
            weight: Tensor(zeros: [configuration.inputSize, configuration.outputSize]),
            bias: Tensor(zeros: [configuration.outputSize]), activation: activation)
    } catch {
        throw .invalidHeader(path: path, reason: "\(error)")
    }
}
