import NNCore

/// Why a model's parameters cannot be loaded from a set of named tensors.
public enum ParameterLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model has a parameter `name` that the tensors lack.
    case missingTensor(name: String, available: [String])
    /// The tensors hold `name`, which the model has no parameter for.
    case unexpectedTensor(name: String)
    /// `name` has shape `actual` in the tensors but `expected` in the model.
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    /// The values fit the shapes but not what a layer keeps in them (see
    /// `Layer.checkParameterValues()`).
    case unusableValues(TensorError)

    public var description: String {
        switch self {
        case .missingTensor(let name, let available):
            return "the model's parameter '\(name)' is missing; found \(available.sorted())"
        case .unexpectedTensor(let name):
            return "tensor '\(name)' matches no parameter of the model"
        case .shapeMismatch(let name, let expected, let actual):
            return "parameter '\(name)' has shape \(expected) in the model but \(actual) in the file"
        case .unusableValues(let error):
            return "\(error)"
        }
    }
}

extension Layer {
    /// Every parameter's value under its traversal name (`layers.0.weight`, ...): what a
    /// model file stores.
    public var stateDictionary: [String: Tensor<Scalar>] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.parameter.value) })
    }

    /// Replaces every parameter's value with the tensor of the same name.
    ///
    /// The model is changed only if every name and shape matches and the layers can use the
    /// values (``Layer/checkParameterValues()``): all or nothing.
    /// - Throws: ``ParameterLoadError`` naming the first missing, unexpected or misshapen tensor,
    ///   or the value a layer cannot use.
    public mutating func loadStateDictionary(_ tensors: [String: Tensor<Scalar>]) throws(ParameterLoadError) {
        let names = namedParameters
        for (name, parameter) in names {
            guard let tensor = tensors[name] else {
                throw .missingTensor(name: name, available: Array(tensors.keys))
            }
            guard tensor.shape == parameter.value.shape else {
                throw .shapeMismatch(name: name, expected: parameter.value.shape, actual: tensor.shape)
            }
        }
        let known = Set(names.map(\.name))
        if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unexpectedTensor(name: extra)
        }
        var loaded = self
        loaded.visitParameters { name, parameter in
            if let tensor = tensors[name] { parameter.value = tensor }
        }
        do { try loaded.checkParameterValues() } catch { throw .unusableValues(error) }
        self = loaded
    }
}
