import NNCore

/// An ONNX graph under construction: the nodes and constant tensors (initializers) that
/// compute a model's inference output, appended layer by layer.
///
/// Values flowing between layers are channels-last with the batch first, as swift-nn's own
/// tensors (`[batch, height, width, channels]`); a layer that needs ONNX's channels-first
/// operators transposes in and out with ``transpose(_:permutation:)``, which cancels a
/// transpose that undoes the previous one, so a chain of convolutions and poolings stays
/// channels-first between them.
///
/// A layer's own description (``ONNXExportable``) uses ``constant(_:_:)``,
/// ``node(_:_:attributes:)`` and ``transpose(_:permutation:)``:
///
/// ```swift
/// func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
///     let factor = graph.constant("factor", values: [2], shape: [])
///     return graph.node("Mul", [input, factor])
/// }
/// ```
public struct ONNXGraph: Sendable {
    /// A constant tensor of the graph (`TensorProto` as an initializer).
    public struct Initializer: Sendable, Equatable {
        /// Its unique name.
        public var name: String
        /// Its element type.
        public var elementType: ONNXElementType
        /// Its shape (empty for a scalar).
        public var shape: [Int]
        /// Its values, little-endian, as ONNX's `raw_data`.
        public var bytes: [UInt8]
    }

    /// The element type of the model's values (its parameters' precision).
    public let elementType: ONNXElementType
    /// The nodes so far, in the order they run.
    public private(set) var nodes: [ONNXNode] = []
    /// The constant tensors so far.
    public private(set) var initializers: [Initializer] = []
    /// Where in the model the layer being described sits (`layers.3`, `layers.3.layers.0`):
    /// the start of its node and constant names, and of error messages.
    public private(set) var scope: String = ""

    private var usedNames: Set<String> = []
    /// For each value a `Transpose` wrote: the value it read and the permutation.
    private var transposed: [String: (source: String, permutation: [Int])] = [:]

    /// Creates an empty graph whose values have `elementType`; `input` is the name of the
    /// graph's input value.
    init(elementType: ONNXElementType, input: String) {
        self.elementType = elementType
        usedNames.insert(input)
    }

    /// `base`, or `base_1`, `base_2`... if that name is taken: a name no value, node or
    /// constant of the graph has yet.
    public mutating func uniqueName(_ base: String) -> String {
        var name = base
        var suffix = 0
        while usedNames.contains(name) {
            suffix += 1
            name = "\(base)_\(suffix)"
        }
        usedNames.insert(name)
        return name
    }

    /// Runs `body` with ``scope`` extended by `component` (`layers.2`), for a layer inside
    /// this one.
    /// - Parameters:
    ///   - component: the inner layer's name in its parent.
    ///   - body: what describes the inner layer.
    public mutating func withScope<Result>(
        _ component: String, _ body: (inout ONNXGraph) throws(ONNXExportError) -> Result
    ) throws(ONNXExportError) -> Result {
        let outer = scope
        scope = outer.isEmpty ? component : outer + "." + component
        defer { scope = outer }
        return try body(&self)
    }

    /// Adds a constant holding `tensor`'s values in the graph's element type, named
    /// ``scope``.`name` (`layers.0.weight`, as in the model file), and returns its name.
    /// - Parameters:
    ///   - name: the constant's name within the layer.
    ///   - tensor: its values and shape.
    public mutating func constant<Scalar: TensorScalar>(_ name: String, _ tensor: Tensor<Scalar>) -> String {
        constant(name, values: tensor.scalars, shape: tensor.shape)
    }

    /// Adds a constant of the graph's element type and returns its name.
    /// - Parameters:
    ///   - name: the constant's name within the layer.
    ///   - values: its values, row-major (converted to the element type).
    ///   - shape: its shape (`[]` for a scalar).
    public mutating func constant<Scalar: BinaryFloatingPoint>(_ name: String, values: [Scalar], shape: [Int]) -> String {
        var bytes = [UInt8](repeating: 0, count: values.count * elementType.size)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                if elementType == .double {
                    raw.storeBytes(of: Double(value).bitPattern.littleEndian, toByteOffset: 8 * index, as: UInt64.self)
                } else {
                    raw.storeBytes(of: Float(value).bitPattern.littleEndian, toByteOffset: 4 * index, as: UInt32.self)
                }
            }
        }
        return addInitializer(name, .init(name: "", elementType: elementType, shape: shape, bytes: bytes))
    }

    /// Adds a constant of 64-bit integers (a shape or a list of axes) and returns its name.
    /// - Parameters:
    ///   - name: the constant's name within the layer.
    ///   - values: its values; its shape is `[values.count]`.
    public mutating func integers(_ name: String, _ values: [Int]) -> String {
        var bytes: [UInt8] = []
        for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 } }
        return addInitializer(name, .init(name: "", elementType: .int64, shape: [values.count], bytes: bytes))
    }

    private mutating func addInitializer(_ name: String, _ initializer: Initializer) -> String {
        var initializer = initializer
        initializer.name = uniqueName(scope.isEmpty ? name : scope + "." + name)
        initializers.append(initializer)
        return initializer.name
    }

    /// Appends a node of `operatorType` reading `inputs` and returns the name of the value
    /// it writes (named after the node, `layers.1/Relu`).
    /// - Parameters:
    ///   - operatorType: an operator of the default ONNX domain, at the opset the export
    ///     declares (``ONNXExport/opsetVersion``).
    ///   - inputs: the values it reads, in the operator's order.
    ///   - attributes: its attributes.
    @discardableResult
    public mutating func node(_ operatorType: String, _ inputs: [String], attributes: [ONNXAttribute] = []) -> String {
        let name = uniqueName((scope.isEmpty ? "" : scope + "/") + operatorType)
        nodes.append(ONNXNode(name: name, operatorType: operatorType, inputs: inputs, outputs: [name], attributes: attributes))
        return name
    }

    /// `input` with its axes permuted (`Transpose`: output axis `i` is input axis
    /// `permutation[i]`), or, when `input` is itself a transpose that this one undoes, the
    /// value that transpose read.
    /// - Parameters:
    ///   - input: the value to transpose.
    ///   - permutation: the axes in their new order.
    public mutating func transpose(_ input: String, permutation: [Int]) -> String {
        if let (source, previous) = transposed[input], previous.count == permutation.count,
            permutation.indices.allSatisfy({ previous[permutation[$0]] == $0 })
        {
            return source
        }
        let output = node("Transpose", [input], attributes: [.ints("perm", permutation)])
        transposed[output] = (input, permutation)
        return output
    }

    /// The activation's nodes on `input`, or an error naming it when it has no ONNX form.
    /// - Parameters:
    ///   - activation: a layer's activation function.
    ///   - input: the value it applies to (any layout: activations act element by element).
    public mutating func apply(_ activation: some Activation, to input: String) throws(ONNXExportError) -> String {
        guard let exportable = activation as? any ONNXActivation else {
            throw .unsupportedActivation(layer: scope, type: "\(type(of: activation))")
        }
        return try exportable.appendONNX(to: &self, input: input)
    }

    /// Renames the value `old` to `new` wherever a node writes or reads it.
    mutating func rename(_ old: String, to new: String) {
        for index in nodes.indices {
            nodes[index].outputs = nodes[index].outputs.map { $0 == old ? new : $0 }
            nodes[index].inputs = nodes[index].inputs.map { $0 == old ? new : $0 }
        }
    }

    /// Removes the nodes and constants that none of `outputs` depends on (a transpose back
    /// to channels-last that the next layer cancelled, for one).
    mutating func removeUnused(keeping outputs: [String]) {
        var needed = Set(outputs)
        var kept: [ONNXNode] = []
        for node in nodes.reversed() where node.outputs.contains(where: needed.contains) {
            kept.append(node)
            needed.formUnion(node.inputs)
        }
        nodes = kept.reversed()
        initializers = initializers.filter { needed.contains($0.name) }
    }
}
