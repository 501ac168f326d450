import NNCore

// The built-in activations, each as the ONNX operator of the same function (opset 17).

extension Identity: ONNXActivation {
    /// No node: the values pass unchanged.
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String { input }
}

extension ReLU: ONNXActivation {
    /// `Relu`.
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String {
        graph.node("Relu", [input])
    }
}

extension Sigmoid: ONNXActivation {
    /// `Sigmoid`.
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String {
        graph.node("Sigmoid", [input])
    }
}

extension Tanh: ONNXActivation {
    /// `Tanh`.
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String {
        graph.node("Tanh", [input])
    }
}

extension LeakyReLU: ONNXActivation {
    /// `LeakyRelu` with `alpha` the slope.
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String {
        graph.node("LeakyRelu", [input], attributes: [.float("alpha", Float(slope))])
    }
}

extension Softplus: ONNXActivation {
    /// `Softplus`, `log(1 + eˣ)`.
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String {
        graph.node("Softplus", [input])
    }
}

extension GELU: ONNXActivation {
    /// `x · (1 + erf(x / √2)) / 2` from `Div`, `Erf`, `Add` and `Mul`: the exact GELU
    /// (ONNX's own `Gelu` operator arrived only in opset 20).
    public func appendONNX(to graph: inout ONNXGraph, input: String) throws(ONNXExportError) -> String {
        let root2 = graph.constant("gelu_sqrt2", values: [Double(2).squareRoot()], shape: [])
        let one = graph.constant("gelu_one", values: [1], shape: [])
        let half = graph.constant("gelu_half", values: [0.5], shape: [])
        let erf = graph.node("Erf", [graph.node("Div", [input, root2])])
        let cdf = graph.node("Mul", [graph.node("Add", [erf, one]), half])
        return graph.node("Mul", [input, cdf])
    }
}
