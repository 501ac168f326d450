import NNIO

/// The protocol-buffer messages of onnx.proto that an export writes, with their field
/// numbers (`ModelProto`, `GraphProto`, `NodeProto`, `AttributeProto`, `TensorProto`,
/// `ValueInfoProto`, `TypeProto`, `TensorShapeProto`).
enum ONNXModelEncoding {
    /// One dimension of a value's shape: a size, or a name for a size known only at run time.
    enum Dimension {
        case size(Int)
        case symbolic(String)
    }

    /// `ModelProto`.
    static func model(graph: [UInt8], metadata: [(String, String)], documentation: String) -> [UInt8] {
        var model = ProtocolBufferEncoder()
        model.int64(1, ONNXExport.irVersion)
        model.string(2, "swift-nn")
        model.string(6, documentation)
        var opset = ProtocolBufferEncoder()
        opset.string(1, "")
        opset.int64(2, ONNXExport.opsetVersion)
        model.bytes(8, opset.bytes)
        model.bytes(7, graph)
        for (key, value) in metadata {
            var entry = ProtocolBufferEncoder()
            entry.string(1, key)
            entry.string(2, value)
            model.bytes(14, entry.bytes)
        }
        return model.bytes
    }

    /// `GraphProto`.
    static func graph(
        _ graph: ONNXGraph, name: String, inputs: [(String, [Dimension])], outputs: [(String, [Dimension])]
    ) -> [UInt8] {
        var message = ProtocolBufferEncoder()
        for node in graph.nodes { message.bytes(1, self.node(node)) }
        message.string(2, name)
        for initializer in graph.initializers { message.bytes(5, tensor(initializer)) }
        for (name, shape) in inputs { message.bytes(11, valueInfo(name, graph.elementType, shape)) }
        for (name, shape) in outputs { message.bytes(12, valueInfo(name, graph.elementType, shape)) }
        return message.bytes
    }

    /// `NodeProto`.
    static func node(_ node: ONNXNode) -> [UInt8] {
        var message = ProtocolBufferEncoder()
        for input in node.inputs { message.string(1, input) }
        for output in node.outputs { message.string(2, output) }
        message.string(3, node.name)
        message.string(4, node.operatorType)
        for attribute in node.attributes { message.bytes(5, self.attribute(attribute)) }
        return message.bytes
    }

    /// `AttributeProto`: the name, the type (`FLOAT` 1, `INT` 2, `STRING` 3, `INTS` 7) and
    /// the value in that type's field.
    static func attribute(_ attribute: ONNXAttribute) -> [UInt8] {
        var message = ProtocolBufferEncoder()
        message.string(1, attribute.name)
        switch attribute {
        case .float(_, let value):
            message.int64(20, 1)
            message.float(2, value)
        case .int(_, let value):
            message.int64(20, 2)
            message.int64(3, Int64(value))
        case .string(_, let value):
            message.int64(20, 3)
            message.string(4, value)
        case .ints(_, let values):
            message.int64(20, 7)
            for value in values { message.int64(8, Int64(value)) }
        }
        return message.bytes
    }

    /// `TensorProto` with its values in `raw_data`.
    static func tensor(_ initializer: ONNXGraph.Initializer) -> [UInt8] {
        var message = ProtocolBufferEncoder()
        for size in initializer.shape { message.int64(1, Int64(size)) }
        message.int64(2, initializer.elementType.rawValue)
        message.string(8, initializer.name)
        message.bytes(9, initializer.bytes)
        return message.bytes
    }

    /// `ValueInfoProto` of a tensor: its name and `TypeProto.Tensor` (element type, shape).
    static func valueInfo(_ name: String, _ elementType: ONNXElementType, _ shape: [Dimension]) -> [UInt8] {
        var dimensions = ProtocolBufferEncoder()
        for dimension in shape {
            var entry = ProtocolBufferEncoder()
            switch dimension {
            case .size(let size): entry.int64(1, Int64(size))
            case .symbolic(let name): entry.string(2, name)
            }
            dimensions.bytes(1, entry.bytes)
        }
        var tensorType = ProtocolBufferEncoder()
        tensorType.int64(1, elementType.rawValue)
        tensorType.bytes(2, dimensions.bytes)
        var type = ProtocolBufferEncoder()
        type.bytes(1, tensorType.bytes)
        var message = ProtocolBufferEncoder()
        message.string(1, name)
        message.bytes(2, type.bytes)
        return message.bytes
    }
}
