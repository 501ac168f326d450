/// Why a model or checkpoint file cannot be written or read. Every case names the file;
/// the description is one line.
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file cannot be read or written.
    case io(path: String, reason: String)
    /// The bytes break the safetensors format.
    case malformed(path: String, reason: String)
    /// The header is not the JSON safetensors requires.
    case invalidHeader(path: String, reason: String)
    /// A tensor's element type is not one swift-nn stores (`F32`, `F64`), or not the model's.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// The architecture names a layer or activation type nobody registered.
    case unknownType(path: String, kind: String, name: String, known: [String])
    /// The architecture and the tensors disagree (missing, unexpected or misshapen tensors).
    case mismatch(path: String, reason: String)
    /// The model holds a layer that cannot be described in a file.
    case notSerializable(layer: String)
    /// A checkpoint that is well formed but cannot resume this run (another optimiser,
    /// state that does not fit the parameters).
    case incompatibleCheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .malformed(let path, let reason): return "\(path): not a valid safetensors file: \(reason)"
        case .invalidHeader(let path, let reason): return "\(path): invalid safetensors header: \(reason)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype); expected F32 or F64 matching the model"
        case .unknownType(let path, let kind, let name, let known):
            return "\(path): unknown \(kind) type '\(name)'; registered: \(known.sorted().joined(separator: ", "))"
        case .mismatch(let path, let reason): return "\(path): the architecture and the tensors disagree: \(reason)"
        case .notSerializable(let layer):
            return "layer type \(layer) cannot be saved: conform it to SerializableLayer and register it with LayerRegistry.shared.register(_:)"
        case .incompatibleCheckpoint(let path, let reason): return "\(path): cannot resume from this checkpoint: \(reason)"
        }
    }
}

extension ModelFileError {
    /// The path layers use for errors of their own configuration, which does not know the file.
    static let configurationPath = "configuration"

    /// The same error naming `path` where a layer's configuration could name only itself.
    func located(at path: String) -> ModelFileError {
        let here = Self.configurationPath
        switch self {
        case .io(here, let reason): return .io(path: path, reason: reason)
        case .malformed(here, let reason): return .malformed(path: path, reason: reason)
        case .invalidHeader(here, let reason): return .invalidHeader(path: path, reason: reason)
        case .unsupportedDType(here, let tensor, let dtype): return .unsupportedDType(path: path, tensor: tensor, dtype: dtype)
        case .unknownType(here, let kind, let name, let known): return .unknownType(path: path, kind: kind, name: name, known: known)
        case .mismatch(here, let reason): return .mismatch(path: path, reason: reason)
        case .incompatibleCheckpoint(here, let reason): return .incompatibleCheckpoint(path: path, reason: reason)
        default: return self
        }
    }
}
