import NNCore

/// A convolution's configuration in a file.
public struct Conv2DConfiguration: Codable, Equatable, Sendable {
    /// Input channels.
    public var channels: Int
    /// Output channels.
    public var filters: Int
    /// The kernel's height and width.
    public var kernelHeight: Int, kernelWidth: Int
    /// The window's step.
    public var stride: Int
    /// The border treatment.
    public var padding: Padding
    /// The activation, by registered name and parameters.
    public var activation: TypeDescription
}

extension Conv2D: SerializableLayer where ActivationFunction: SerializableActivation {
    public static var typeName: String { "Conv2D" }

    public func makeConfiguration() throws(ModelFileError) -> Conv2DConfiguration {
        do {
            return Conv2DConfiguration(
                channels: channels, filters: filters, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                stride: stride, padding: padding, activation: try ActivationRegistry.shared.describe(activation))
        } catch {
            throw .notSerializable(layer: "\(Self.self) (\(error))")
        }
    }

    public init(configuration: Conv2DConfiguration) throws(ModelFileError) {
        guard let activation = try ActivationRegistry.shared.make(configuration.activation, path: "configuration") as? ActivationFunction else {
            throw .mismatch(path: "configuration", reason: "activation '\(configuration.activation.type)' is not \(ActivationFunction.self)")
        }
        self = try makeConvolution(configuration, activation, Scalar.self, path: "configuration")
    }
}

/// A convolution with zero parameters of the configured shapes (they are loaded next).
func makeConvolution<T: TensorScalar, A: Activation>(
    _ configuration: Conv2DConfiguration, _ activation: A, _: T.Type, path: String
) throws(ModelFileError) -> Conv2D<T, A> {
    let sizes = [configuration.channels, configuration.filters, configuration.kernelHeight, configuration.kernelWidth, configuration.stride]
    // Checked before allocating, with overflow-checked products: a forged header must not
    // ask for terabytes, nor wrap around to a small number.
    var amount = 0
    if case .zeros(let zeros) = configuration.padding { amount = zeros }
    guard sizes.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }), (0...(1 << 16)).contains(amount),
        let weights = TensorLimits.checkedProduct(Array(sizes.prefix(4))), weights <= 1 << 30
    else {
        throw .invalidHeader(path: path, reason: "Conv2D sizes \(sizes) (channels, filters, kernel, stride) and padding \(amount) are not plausible")
    }
    let rows = configuration.kernelHeight * configuration.kernelWidth * configuration.channels
    do {
        return try Conv2D(
            weight: Tensor(zeros: [rows, configuration.filters]), bias: Tensor(zeros: [configuration.filters]),
            kernelHeight: configuration.kernelHeight, kernelWidth: configuration.kernelWidth,
            stride: configuration.stride, padding: configuration.padding, activation: activation)
    } catch {
        throw .invalidHeader(path: path, reason: "\(error)")
    }
}

/// A pooling layer's configuration in a file.
public struct PoolingConfiguration: Codable, Equatable, Sendable {
    /// The window's height and width.
    public var size: Int
    /// The window's step.
    public var stride: Int
    /// The border treatment.
    public var padding: Padding
}

/// Checks a pooling configuration read from a file.
private func checkedPooling(_ configuration: PoolingConfiguration, _ layer: String) throws(ModelFileError) -> PoolingConfiguration {
    let limit = TensorLimits.maximumScalarCount
    guard (1...limit).contains(configuration.size), (1...limit).contains(configuration.stride) else {
        throw .invalidHeader(
            path: "configuration", reason: "\(layer) size \(configuration.size) and stride \(configuration.stride) must be in 1...\(limit)")
    }
    if case .zeros(let amount) = configuration.padding, amount >= configuration.size {
        throw .invalidHeader(path: "configuration", reason: "\(layer) padding \(amount) is not smaller than its window \(configuration.size)")
    }
    return configuration
}

extension MaxPool2D: SerializableLayer {
    public static var typeName: String { "MaxPool2D" }
    public func makeConfiguration() throws(ModelFileError) -> PoolingConfiguration {
        PoolingConfiguration(size: size, stride: stride, padding: padding)
    }
    public init(configuration: PoolingConfiguration) throws(ModelFileError) {
        let checked = try checkedPooling(configuration, "MaxPool2D")
        self.init(size: checked.size, stride: checked.stride, padding: checked.padding)
    }
}

extension AvgPool2D: SerializableLayer {
    public static var typeName: String { "AvgPool2D" }
    public func makeConfiguration() throws(ModelFileError) -> PoolingConfiguration {
        PoolingConfiguration(size: size, stride: stride, padding: padding)
    }
    public init(configuration: PoolingConfiguration) throws(ModelFileError) {
        let checked = try checkedPooling(configuration, "AvgPool2D")
        self.init(size: checked.size, stride: checked.stride, padding: checked.padding)
    }
}

extension Flatten: SerializableLayer {
    public static var typeName: String { "Flatten" }
    public func makeConfiguration() throws(ModelFileError) -> EmptyConfiguration { EmptyConfiguration() }
    public init(configuration: EmptyConfiguration) throws(ModelFileError) { self.init() }
}

/// A reshape's configuration in a file.
public struct ReshapeConfiguration: Codable, Equatable, Sendable {
    /// The shape of one output sample.
    public var shape: [Int]
}

extension Reshape: SerializableLayer {
    public static var typeName: String { "Reshape" }
    public func makeConfiguration() throws(ModelFileError) -> ReshapeConfiguration { ReshapeConfiguration(shape: sampleShape) }
    public init(configuration: ReshapeConfiguration) throws(ModelFileError) {
        guard !configuration.shape.isEmpty, configuration.shape.allSatisfy({ $0 > 0 }),
            (try? TensorLimits.scalarCount(of: configuration.shape)) != nil
        else {
            throw .invalidHeader(
                path: "configuration",
                reason: "Reshape shape \(configuration.shape) needs positive dimensions holding at most \(TensorLimits.maximumScalarCount) values")
        }
        self.init(configuration.shape)
    }
}

/// A dropout layer's configuration in a file (the count of masks drawn is a saved parameter).
public struct DropoutConfiguration: Codable, Equatable, Sendable {
    /// The probability of zeroing a value.
    public var rate: Double
    /// The seed of the masks.
    public var seed: UInt64
}

extension Dropout: SerializableLayer {
    public static var typeName: String { "Dropout" }
    public func makeConfiguration() throws(ModelFileError) -> DropoutConfiguration { DropoutConfiguration(rate: rate, seed: seed) }
    public init(configuration: DropoutConfiguration) throws(ModelFileError) {
        guard configuration.rate >= 0, configuration.rate < 1 else {
            throw .invalidHeader(path: "configuration", reason: "Dropout rate \(configuration.rate) is not in [0, 1)")
        }
        self.init(rate: configuration.rate, seed: configuration.seed)
    }
}

/// A batch normalisation's configuration in a file (its statistics are saved parameters).
public struct BatchNormConfiguration: Codable, Equatable, Sendable {
    /// Features (channels) normalised.
    public var features: Int
    /// How far each training batch moves the running statistics.
    public var momentum: Double
    /// Added to the variance.
    public var epsilon: Double
}

extension BatchNorm: SerializableLayer {
    public static var typeName: String { "BatchNorm" }
    public func makeConfiguration() throws(ModelFileError) -> BatchNormConfiguration {
        BatchNormConfiguration(features: features, momentum: momentum, epsilon: epsilon)
    }
    public init(configuration: BatchNormConfiguration) throws(ModelFileError) {
        guard configuration.features > 0, configuration.features <= 1 << 24, (0...1).contains(configuration.momentum),
            configuration.epsilon > 0
        else {
            throw .invalidHeader(
                path: "configuration",
                reason:
                    "BatchNorm features \(configuration.features), momentum \(configuration.momentum), epsilon \(configuration.epsilon) are not plausible"
            )
        }
        self.init(features: configuration.features, momentum: configuration.momentum, epsilon: configuration.epsilon)
    }
}

/// A layer normalisation's configuration in a file (γ and β are saved parameters).
public struct LayerNormConfiguration: Codable, Equatable, Sendable {
    /// Features normalised together (the last axis).
    public var features: Int
    /// Added to the variance.
    public var epsilon: Double
}

extension LayerNorm: SerializableLayer {
    public static var typeName: String { "LayerNorm" }
    public func makeConfiguration() throws(ModelFileError) -> LayerNormConfiguration {
        LayerNormConfiguration(features: features, epsilon: epsilon)
    }
    public init(configuration: LayerNormConfiguration) throws(ModelFileError) {
        guard configuration.features > 0, configuration.features <= 1 << 24, configuration.epsilon > 0, configuration.epsilon.isFinite else {
            throw .invalidHeader(
                path: "configuration", reason: "LayerNorm features \(configuration.features), epsilon \(configuration.epsilon) are not plausible")
        }
        self.init(features: configuration.features, epsilon: configuration.epsilon)
    }
}
