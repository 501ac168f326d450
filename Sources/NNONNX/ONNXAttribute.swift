/// An attribute of an ONNX node (`AttributeProto`): a name and one value.
public enum ONNXAttribute: Sendable, Equatable {
    /// A 64-bit integer (`INT`), e.g. `axis`.
    case int(String, Int)
    /// A list of 64-bit integers (`INTS`), e.g. `kernel_shape`, `pads`, `perm`.
    case ints(String, [Int])
    /// A 32-bit float (`FLOAT`), e.g. `epsilon`, `alpha`.
    case float(String, Float)
    /// A UTF-8 string (`STRING`).
    case string(String, String)

    /// The attribute's name.
    public var name: String {
        switch self {
        case .int(let name, _), .ints(let name, _), .float(let name, _), .string(let name, _): return name
        }
    }
}
