import NNCore

/// An activation that can be named in a model file: a stable type name and `Codable`
/// parameters (none for most). Register custom ones with ``ActivationRegistry``.
public protocol SerializableActivation: Activation, Codable {
    /// The name in files, e.g. `"sigmoid"`; never change it once files exist.
    static var typeName: String { get }
}

/// A layer that can be saved: a stable type name and a `Codable` configuration from which
/// ``init(configuration:)`` rebuilds it (its parameters are then loaded by name).
///
/// A custom layer registers itself in one line, for each scalar type it is used with:
///
/// ```swift
/// LayerRegistry.shared.register(ScaleAndShift<Float>.self, ScaleAndShift<Double>.self)
/// ```
public protocol SerializableLayer: Layer {
    /// The configuration: everything but the parameter values.
    associatedtype Configuration: Codable
    /// The name in files, e.g. `"Dense"`; never change it once files exist.
    static var typeName: String { get }
    /// The layer's configuration.
    func makeConfiguration() throws(ModelFileError) -> Configuration
    /// A layer with this configuration (parameters of the right shapes, to be loaded).
    init(configuration: Configuration) throws(ModelFileError)
}

/// A layer or activation as it appears in an architecture: its type name and configuration.
public struct TypeDescription: Codable, Equatable, Sendable {
    /// The registered type name.
    public var type: String
    /// The type's configuration as JSON.
    public var configuration: JSONValue

    /// Creates a description.
    public init(type: String, configuration: JSONValue) {
        self.type = type
        self.configuration = configuration
    }
}

/// Describes any layer that can be saved.
/// - Throws: ``ModelFileError/notSerializable(layer:)`` for a layer that is not `SerializableLayer`.
public func describe<T: TensorScalar>(_ layer: any Layer<T>) throws(ModelFileError) -> TypeDescription {
    guard let serializable = layer as? any SerializableLayer else { throw .notSerializable(layer: "\(type(of: layer))") }
    return try describeSerializable(serializable)
}

private func describeSerializable<L: SerializableLayer>(_ layer: L) throws(ModelFileError) -> TypeDescription {
    let configuration = try layer.makeConfiguration()
    do { return TypeDescription(type: L.typeName, configuration: try JSONValue(encoding: configuration)) } catch {
        throw .notSerializable(layer: "\(L.self) (its configuration does not encode: \(error))")
    }
}
