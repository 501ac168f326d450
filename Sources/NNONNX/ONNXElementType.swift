import NNCore

/// The element types an exported graph uses (ONNX's `TensorProto.DataType` numbers).
public enum ONNXElementType: Int64, Sendable {
    /// 32-bit floating point (`FLOAT`).
    case float = 1
    /// 64-bit signed integers (`INT64`): shapes and axes given as tensors.
    case int64 = 7
    /// 64-bit floating point (`DOUBLE`).
    case double = 11

    /// The type of a model whose scalars are `Scalar`.
    static func of<Scalar: TensorScalar>(_: Scalar.Type) -> ONNXElementType {
        Scalar.self == Double.self ? .double : .float
    }

    /// Bytes per element.
    var size: Int { self == .float ? 4 : 8 }
}
