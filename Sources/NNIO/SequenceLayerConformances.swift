import NNCore

/// An embedding's configuration in a file.
public struct EmbeddingConfiguration: Codable, Equatable, Sendable {
    /// The number of ids.
    public var vocabulary: Int
    /// The length of each vector.
    public var dimension: Int

    /// The parameters it declares, or `nil` when they are not plausible.
    var parameterCount: Int? {
        guard vocabulary > 0, dimension > 0, let count = TensorLimits.checkedProduct([vocabulary, dimension]), count <= 1 << 30 else {
            return nil
        }
        return count
    }
}

extension Embedding: SerializableLayer {
    public static var typeName: String { "Embedding" }

    public func makeConfiguration() throws(ModelFileError) -> EmbeddingConfiguration {
        EmbeddingConfiguration(vocabulary: vocabulary, dimension: dimension)
    }

    public init(configuration: EmbeddingConfiguration) throws(ModelFileError) {
        // Checked before allocating: a forged header must not ask for terabytes.
        guard configuration.parameterCount != nil else {
            throw .invalidHeader(
                path: "configuration", reason: "Embedding sizes \(configuration.vocabulary)×\(configuration.dimension) are not plausible")
        }
        do { try self.init(weight: Tensor(zeros: [configuration.vocabulary, configuration.dimension])) } catch {
            throw .invalidHeader(path: "configuration", reason: "\(error)")
        }
    }
}

/// A recurrent layer's configuration in a file (the kind is the type name).
public struct RecurrentConfiguration: Codable, Equatable, Sendable {
    /// The features of each input step.
    public var inputSize: Int
    /// The size of the hidden state.
    public var hiddenSize: Int
    /// Every step's output, or the last step's.
    public var returnSequences: Bool

    /// The parameters a layer of `kind` with this configuration declares, or `nil` when they
    /// are not plausible.
    func parameterCount(_ kind: RecurrentKind) -> Int? {
        guard inputSize > 0, hiddenSize > 0, inputSize <= 1 << 24, hiddenSize <= 1 << 16,
            let weights = TensorLimits.checkedProduct([kind.gateCount * hiddenSize, inputSize + hiddenSize + 2]), weights <= 1 << 30
        else { return nil }
        return weights + kind.stateCount * hiddenSize
    }
}

extension Recurrent: SerializableLayer {
    /// `SimpleRNN`, `LSTM` or `GRU`.
    public static var typeName: String {
        switch Cell.kind {
        case .simple: return "SimpleRNN"
        case .lstm: return "LSTM"
        case .gru: return "GRU"
        }
    }

    public func makeConfiguration() throws(ModelFileError) -> RecurrentConfiguration {
        RecurrentConfiguration(inputSize: inputSize, hiddenSize: hiddenSize, returnSequences: returnSequences)
    }

    public init(configuration: RecurrentConfiguration) throws(ModelFileError) {
        guard configuration.parameterCount(Cell.kind) != nil else {
            throw .invalidHeader(
                path: "configuration",
                reason: "\(Self.typeName) sizes \(configuration.inputSize)→\(configuration.hiddenSize) are not plausible")
        }
        let (inputs, hidden, width) = (configuration.inputSize, configuration.hiddenSize, Cell.kind.gateCount * configuration.hiddenSize)
        do {
            try self.init(
                inputWeight: Tensor(zeros: [inputs, width]), recurrentWeight: Tensor(zeros: [hidden, width]), inputBias: Tensor(zeros: [width]),
                recurrentBias: Tensor(zeros: [width]), returnSequences: configuration.returnSequences)
        } catch {
            throw .invalidHeader(path: "configuration", reason: "\(error)")
        }
    }
}
