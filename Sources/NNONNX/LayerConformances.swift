import NNCore

// The built-in layers in ONNX operators (opset 17), in inference mode.

extension Sequential: ONNXExportable {
    /// Each layer in turn, in the scope `layers.<index>` (the names of its tensors in a model
    /// file); a layer that is not ``ONNXExportable`` is an error naming it.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        var (value, shape) = (input, sampleShape)
        for (index, layer) in layers.enumerated() {
            (value, shape) = try graph.withScope("layers.\(index)") { graph throws(ONNXExportError) in
                try graph.append(layer, input: value, sampleShape: shape)
            }
        }
        return value
    }
}

extension ONNXGraph {
    /// Appends `layer`'s nodes and returns its output and output sample shape.
    /// - Parameters:
    ///   - layer: any layer; it must be ``ONNXExportable``.
    ///   - input: its input value.
    ///   - sampleShape: one input sample's shape.
    mutating func append<L: Layer>(_ layer: L, input: String, sampleShape: [Int]) throws(ONNXExportError) -> (String, [Int]) {
        let outputShape: [Int]
        do { outputShape = try layer.outputShape(forInputShape: sampleShape) } catch {
            throw .shape(layer: scope, reason: "does not take samples shaped \(sampleShape): \(error)")
        }
        guard let exportable = layer as? any ONNXExportable else { throw .unsupportedLayer(layer: scope, type: "\(L.self)") }
        return (try exportable.appendONNX(to: &self, input: input, sampleShape: sampleShape), outputShape)
    }
}

extension Dense: ONNXExportable {
    /// `Gemm` (`x · W + b`: the weight is `[inputs, outputs]` in both), after a `Flatten` when
    /// the samples are not flat, then the activation.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        let flat = sampleShape.count == 1 ? input : graph.node("Flatten", [input], attributes: [.int("axis", 1)])
        let product = graph.node("Gemm", [flat, graph.constant("weight", weight.value), graph.constant("bias", bias.value)])
        return try graph.apply(activation, to: product)
    }
}

extension Conv2D: ONNXExportable {
    /// `Conv` on channels-first images, its kernel reordered from swift-nn's flattened HWIO
    /// `[kh·kw·channels, filters]` to ONNX's OIHW `[filters, channels, kh, kw]`, with the
    /// padding made explicit; the activation before the transpose back to channels-last.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        let hwio = weight.value.scalars
        var oihw = [Scalar](repeating: 0, count: hwio.count)
        for o in 0..<filters {
            for i in 0..<channels {
                for y in 0..<kernelHeight {
                    for x in 0..<kernelWidth {
                        oihw[((o * channels + i) * kernelHeight + y) * kernelWidth + x] = hwio[((y * kernelWidth + x) * channels + i) * filters + o]
                    }
                }
            }
        }
        let kernel = graph.constant("weight", values: oihw, shape: [filters, channels, kernelHeight, kernelWidth])
        let image = graph.channelsFirst(input, sampleShape: sampleShape)
        let convolution = graph.node(
            "Conv", [image, kernel, graph.constant("bias", bias.value)],
            attributes: [
                .ints("kernel_shape", [kernelHeight, kernelWidth]), .ints("strides", [stride, stride]),
                .ints("pads", onnxPads(padding, sampleShape: sampleShape, window: (kernelHeight, kernelWidth), stride: stride)),
            ])
        return graph.channelsLast(try graph.apply(activation, to: convolution))
    }
}

extension MaxPool2D: ONNXExportable {
    /// `MaxPool` on channels-first images (the padding never wins, as here).
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        graph.pool("MaxPool", input, sampleShape: sampleShape, size: size, stride: stride, padding: padding)
    }
}

extension AvgPool2D: ONNXExportable {
    /// `AveragePool` on channels-first images with `count_include_pad` 0: each window's
    /// mean over the values inside the image, as here.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        graph.pool(
            "AveragePool", input, sampleShape: sampleShape, size: size, stride: stride, padding: padding,
            more: [.int("count_include_pad", 0)])
    }
}

extension ONNXGraph {
    /// A square pooling window (`MaxPool` or `AveragePool`) over channels-last images, run
    /// channels-first between transposes.
    fileprivate mutating func pool(
        _ operatorType: String, _ input: String, sampleShape: [Int], size: Int, stride: Int, padding: Padding,
        more: [ONNXAttribute] = []
    ) -> String {
        let image = channelsFirst(input, sampleShape: sampleShape)
        let window: [ONNXAttribute] = [
            .ints("kernel_shape", [size, size]), .ints("strides", [stride, stride]),
            .ints("pads", onnxPads(padding, sampleShape: sampleShape, window: (size, size), stride: stride)),
        ]
        return channelsLast(node(operatorType, [image], attributes: window + more))
    }
}

extension BatchNorm: ONNXExportable {
    /// `BatchNormalization` with the running statistics. ONNX normalises axis 1, swift-nn the
    /// last axis: samples of more than one axis are transposed to put it second and back.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        let rank = sampleShape.count + 1
        let toFront = rank > 2 ? [0, rank - 1] + Array(1..<(rank - 1)) : nil
        let features = toFront.map { graph.transpose(input, permutation: $0) } ?? input
        let normalized = graph.node(
            "BatchNormalization",
            [
                features, graph.constant("weight", weight.value), graph.constant("bias", bias.value),
                graph.constant("running_mean", runningMean.value), graph.constant("running_var", runningVariance.value),
            ],
            attributes: [.float("epsilon", Float(epsilon))])
        return rank > 2 ? graph.transpose(normalized, permutation: [0] + Array(2..<rank) + [1]) : normalized
    }
}

extension Flatten: ONNXExportable {
    /// `Flatten` from axis 1 of the channels-last values: swift-nn's order (height, width,
    /// channel); nothing for samples already flat.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        sampleShape.count == 1 ? input : graph.node("Flatten", [input], attributes: [.int("axis", 1)])
    }
}

extension Reshape: ONNXExportable {
    /// `Reshape` to `[batch] + sampleShape` (the batch axis copied: 0 in ONNX's shape).
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        guard sampleShape != self.sampleShape else { return input }
        return graph.node("Reshape", [input, graph.integers("shape", [0] + self.sampleShape)])
    }
}

extension Dropout: ONNXExportable {
    /// No node: dropout does nothing at inference.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String { input }
}

extension Softmax: ONNXExportable {
    /// `Softmax` over all of a sample's values, as here: samples of more than one axis are
    /// flattened for it and reshaped back.
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        guard sampleShape.count > 1 else { return graph.node("Softmax", [input], attributes: [.int("axis", -1)]) }
        let flat = graph.node("Flatten", [input], attributes: [.int("axis", 1)])
        let probabilities = graph.node("Softmax", [flat], attributes: [.int("axis", -1)])
        return graph.node("Reshape", [probabilities, graph.integers("shape", [0] + sampleShape)])
    }
}

extension LayerNorm: ONNXExportable {
    /// `LayerNormalization` over the last axis (`axis` −1, opset 17's operator).
    public func appendONNX(to graph: inout ONNXGraph, input: String, sampleShape: [Int]) throws(ONNXExportError) -> String {
        graph.node(
            "LayerNormalization", [input, graph.constant("weight", weight.value), graph.constant("bias", bias.value)],
            attributes: [.int("axis", -1), .float("epsilon", Float(epsilon))])
    }
}
