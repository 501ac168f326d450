/// One operator application in an ONNX graph (`NodeProto`).
public struct ONNXNode: Sendable, Equatable {
    /// The node's name, unique in its graph (`layers.2/Conv`).
    public var name: String
    /// The operator, from the default domain (`Conv`, `Gemm`, `Transpose`...).
    public var operatorType: String
    /// The names of the values it reads, in the operator's order.
    public var inputs: [String]
    /// The names of the values it writes.
    public var outputs: [String]
    /// Its attributes.
    public var attributes: [ONNXAttribute]
}
