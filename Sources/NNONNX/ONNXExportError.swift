import NNIO

/// Why a model cannot be exported to ONNX.
public enum ONNXExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The layer at `layer` (`layers.3`) has no ONNX description: it is not a built-in layer
    /// and does not conform to ``ONNXExportable``.
    case unsupportedLayer(layer: String, type: String)
    /// The activation of the layer at `layer` has no ONNX description: it is not a built-in
    /// activation and does not conform to ``ONNXActivation``.
    case unsupportedActivation(layer: String, type: String)
    /// The layer at `layer` does not take the samples that reach it.
    case shape(layer: String, reason: String)
    /// An option or a layer's setting that ONNX cannot express (named).
    case invalid(String)
    /// The model is larger than one protocol-buffer message may be (2 GiB).
    case tooLarge(bytes: Int)
    /// The file cannot be written.
    case write(FileWriteError)

    public var description: String {
        switch self {
        case .unsupportedLayer(let layer, let type):
            return "\(Self.named(layer)) (\(type)) has no ONNX form: conform it to ONNXExportable to describe it"
        case .unsupportedActivation(let layer, let type):
            return "the activation \(type) of \(Self.named(layer)) has no ONNX form: conform it to ONNXActivation to describe it"
        case .shape(let layer, let reason): return "\(Self.named(layer)) \(reason)"
        case .invalid(let reason): return reason
        case .tooLarge(let bytes):
            return "the model takes \(bytes) bytes, more than the 2 GiB one ONNX file holds without external data (not written by this export)"
        case .write(let error): return "\(error)"
        }
    }

    private static func named(_ layer: String) -> String { layer.isEmpty ? "the model" : "layer \(layer)" }
}
