import Foundation
import NNCore
import NNIO

/// Writes a swift-nn model as an ONNX model (`ModelProto`, opset 17), for ONNX Runtime and
/// the other runtimes that read ONNX.
///
/// The graph has one input, `input`, shaped `[N] + sampleShape` with the batch size `N`
/// symbolic, and one output, `outputs`: what `Layer.callAsFunction` (and `nn predict`)
/// gives, in inference mode. With ``ONNXExportOptions/probabilities`` it has a second,
/// `probabilities`, the softmax of `outputs`. Values are channels-last, as swift-nn's
/// tensors; convolutions and pooling run channels-first between `Transpose`s, which the
/// export cancels between consecutive image layers. An input scale is folded in (a `Mul`
/// first), so the graph takes the same raw values `nn predict` takes.
///
/// ```swift
/// try ONNXExport.write(model, sampleShape: [784], to: "model.onnx",
///                      options: ONNXExportOptions(inputScale: 1 / 255, classNames: names))
/// ```
///
/// Every built-in activation and these layers have an ONNX form: `Sequential`, `Dense`,
/// `Conv2D`, `MaxPool2D`, `AvgPool2D`, `BatchNorm`, `LayerNorm`, `Flatten`, `Reshape`,
/// `Dropout` and `Softmax`. `Embedding` and the recurrent layers have none yet. A layer or
/// activation of your own conforms to ``ONNXExportable`` or ``ONNXActivation`` to be
/// exported; one that does not is an error naming it.
public enum ONNXExport {
    /// The ONNX operator set the graph's nodes belong to.
    public static let opsetVersion: Int64 = 17
    /// The ONNX IR version that goes with opset 17 (ONNX 1.12).
    public static let irVersion: Int64 = 8

    /// The ONNX model of `model` as bytes.
    /// - Parameters:
    ///   - model: the network (in inference mode or not: dropout and batch statistics are
    ///     inference's in the graph).
    ///   - sampleShape: one input sample's shape, as `model` takes it (e.g. `[784]`).
    ///   - options: the input scale, class names, extra outputs and metadata.
    /// - Throws: ``ONNXExportError`` naming the layer that has no ONNX form or does not take
    ///   the samples, or when the model is too large for one file.
    public static func encode<L: Layer>(_ model: L, sampleShape: [Int], options: ONNXExportOptions = .init()) throws(ONNXExportError)
        -> [UInt8]
    {
        let built = try build(model, sampleShape: sampleShape, options: options)
        let encodedGraph = ONNXModelEncoding.graph(built.graph, name: options.graphName, inputs: [built.input], outputs: built.outputs)
        let bytes = ONNXModelEncoding.model(graph: encodedGraph, metadata: built.metadata, documentation: built.documentation)
        guard bytes.count <= Int(Int32.max) else { throw .tooLarge(bytes: bytes.count) }
        return bytes
    }

    /// What an export writes, before it is encoded: the graph with its named input and
    /// outputs (and their shapes), the metadata in key order and the model's description.
    static func build<L: Layer>(_ model: L, sampleShape: [Int], options: ONNXExportOptions) throws(ONNXExportError) -> (
        graph: ONNXGraph, input: (String, [ONNXModelEncoding.Dimension]), outputs: [(String, [ONNXModelEncoding.Dimension])],
        metadata: [(String, String)], documentation: String
    ) {
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }), (try? TensorLimits.scalarCount(of: sampleShape)) != nil else {
            throw .invalid("the sample shape \(sampleShape) must have positive dimensions within the tensor limits")
        }
        guard options.inputScale.isFinite, options.inputScale > 0 else {
            throw .invalid("the input scale \(options.inputScale) is not a positive number")
        }
        // Checked before any copy is made: one protocol-buffer message holds at most 2 GiB.
        let parameterBytes = model.namedParameters.reduce(0) { $0 + $1.parameter.value.scalarCount * MemoryLayout<L.Scalar>.size }
        guard parameterBytes < Int(Int32.max) - (1 << 20) else { throw .tooLarge(bytes: parameterBytes) }

        let input = "input"
        var graph = ONNXGraph(elementType: .of(L.Scalar.self), input: input)
        var value = input
        if options.inputScale != 1 {
            value = graph.node("Mul", [input, graph.constant("input_scale", values: [options.inputScale], shape: [])])
        }
        let (output, outputShape) = try graph.append(model, input: value, sampleShape: sampleShape)

        // Name the outputs; a model that is the identity still needs a node to write them.
        var outputs: [(String, [ONNXModelEncoding.Dimension])] = [("outputs", [.symbolic("N")] + outputShape.map { .size($0) })]
        if output == input {
            graph.node("Identity", [input])
            graph.rename(graph.nodes[graph.nodes.count - 1].outputs[0], to: "outputs")
        } else {
            graph.rename(output, to: "outputs")
        }
        if options.probabilities {
            let flat = outputShape.count == 1 ? "outputs" : graph.node("Flatten", ["outputs"], attributes: [.int("axis", 1)])
            var probabilities = graph.node("Softmax", [flat], attributes: [.int("axis", -1)])
            if outputShape.count > 1 { probabilities = graph.node("Reshape", [probabilities, graph.integers("shape", [0] + outputShape)]) }
            graph.rename(probabilities, to: "probabilities")
            outputs.append(("probabilities", outputs[0].1))
        }
        graph.removeUnused(keeping: outputs.map(\.0))

        var metadata = options.metadata
        metadata["input_scale"] = "\(options.inputScale)"
        if let names = options.classNames {
            metadata["class_names"] = String(decoding: (try? JSONEncoder().encode(names)) ?? Data("[]".utf8), as: UTF8.self)
        }
        let documentation = """
            Exported by swift-nn. Input 'input': [N, \(sampleShape.map(String.init).joined(separator: ", "))], channels-last, \
            raw values (the graph multiplies them by input_scale, \(options.inputScale)). Output 'outputs': the model's outputs\
            \(options.probabilities ? "; 'probabilities': their softmax" : "").
            """
        return (
            graph, (input, [.symbolic("N")] + sampleShape.map { .size($0) }), outputs, metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            documentation
        )
    }

    /// Writes the ONNX model of `model` to `path`, atomically: the file is either the whole
    /// model or, on any error, left as it was.
    /// - Parameters:
    ///   - model: the network.
    ///   - sampleShape: one input sample's shape.
    ///   - path: the `.onnx` file to write.
    ///   - options: the input scale, class names, extra outputs and metadata.
    /// - Throws: ``ONNXExportError``, as ``encode(_:sampleShape:options:)``, or when the file
    ///   cannot be written.
    public static func write<L: Layer>(_ model: L, sampleShape: [Int], to path: String, options: ONNXExportOptions = .init())
        throws(ONNXExportError)
    {
        let bytes = try encode(model, sampleShape: sampleShape, options: options)
        do { try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: path)) } catch { throw .write(error) }
    }
}

/// What an ONNX export adds to the network's own computation.
public struct ONNXExportOptions: Sendable, Equatable {
    /// The factor the graph multiplies its input by first (a model file's `input_scale`,
    /// 1/255 for images of bytes); recorded in the metadata too.
    public var inputScale: Double
    /// The classes' names, recorded as a JSON array in `metadata_props` (`class_names`).
    public var classNames: [String]?
    /// Whether to add the output `probabilities`, the softmax of `outputs` (for a classifier
    /// whose outputs are logits).
    public var probabilities: Bool
    /// More `metadata_props` entries (e.g. `loss`, `input_shape`).
    public var metadata: [String: String]
    /// The graph's name.
    public var graphName: String

    /// Creates export options.
    /// - Parameters:
    ///   - inputScale: the factor applied to the input first (1: none).
    ///   - classNames: the classes' names, if the model is a classifier that has them.
    ///   - probabilities: whether to add a `probabilities` output (the softmax of `outputs`).
    ///   - metadata: more `metadata_props` entries.
    ///   - graphName: the graph's name.
    public init(
        inputScale: Double = 1, classNames: [String]? = nil, probabilities: Bool = false, metadata: [String: String] = [:],
        graphName: String = "swift-nn"
    ) {
        self.inputScale = inputScale
        self.classNames = classNames
        self.probabilities = probabilities
        self.metadata = metadata
        self.graphName = graphName
    }
}
