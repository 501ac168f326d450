/// A layer that can describe its inference computation as ONNX nodes. The built-in layers
/// conform; a layer of your own conforms to be exportable, as in
///
/// ```swift
/// extension Doubling: ONNXExportable {
///     func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
///         graph.node("Mul", [input, graph.constant("factor", values: [2], shape: [])])
///     }
/// }
/// ```
public protocol ONNXExportable {
    /// Appends to `graph` the nodes that compute this layer's output in inference mode and
    /// returns the name of that output.
    /// - Parameters:
    ///   - graph: the graph being built; its ``ONNXGraph/scope`` names this layer.
    ///   - input: the layer's input, `[batch] + sampleShape`, channels-last as swift-nn's
    ///     tensors.
    ///   - sampleShape: one input sample's shape, which `outputShape(forInputShape:)` accepts.
    /// - Returns: the output, `[batch] + outputShape(forInputShape: sampleShape)`,
    ///   channels-last.
    /// - Throws: ``ONNXExportError`` when something in the layer has no ONNX form.
    func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String
}

/// An activation function that can describe itself as ONNX nodes acting element by element.
/// The built-in activations conform; one of your own conforms to be exportable.
public protocol ONNXActivation {
    /// Appends to `graph` the nodes that apply this function to every element of `input` and
    /// returns the name of the result.
    /// - Parameters:
    ///   - graph: the graph being built.
    ///   - input: the values (of any shape and layout).
    func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String
}
