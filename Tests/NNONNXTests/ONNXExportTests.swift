import Foundation
import NN
import Testing

@testable import NNONNX

/// The graphs `ONNXExport` builds, before ONNX Runtime sees them (that check is
/// `ExportCommandTests`, which needs Python's onnx and onnxruntime).
@Suite struct ONNXExportTests {
    /// The README's CNN, channels-last: one `Transpose` to channels-first after the reshape
    /// and one back before the flatten, none between its convolutions and poolings; its
    /// constants keep the model file's names.
    @Test func imageLayersStayChannelsFirstBetweenTwoTransposes() throws {
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>([
            Reshape<Float>([28, 28, 1]),
            Conv2D<Float, ReLU>(channels: 1, filters: 4, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
            MaxPool2D<Float>(size: 2),
            Conv2D<Float, ReLU>(channels: 4, filters: 8, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
            MaxPool2D<Float>(size: 2), Flatten<Float>(),
            Dense<Float, ReLU>(inputSize: 392, outputSize: 16, activation: ReLU(), generator: &generator), Dropout<Float>(rate: 0.3),
            Dense<Float, Identity>(inputSize: 16, outputSize: 10, activation: Identity(), generator: &generator),
        ])
        let built = try ONNXExport.build(model, sampleShape: [784], options: ONNXExportOptions(probabilities: true))
        let expected: [String] = [
            "Reshape", "Transpose", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Relu", "Gemm", "Softmax",
        ]
        #expect(built.graph.nodes.map(\.operatorType) == expected)
        let transposes = built.graph.nodes.filter { $0.operatorType == "Transpose" }.map(\.attributes)
        #expect(transposes == [[ONNXAttribute.ints("perm", [0, 3, 1, 2])], [ONNXAttribute.ints("perm", [0, 2, 3, 1])]])
        let parameterNames = Set(model.namedParameters.map { $0.name }.filter { !$0.hasSuffix(".draws") })   // (dropout's draw counter)
        let constantNames = Set(built.graph.initializers.map { $0.name })
        #expect(parameterNames.isSubset(of: constantNames))
        #expect(built.graph.initializers.first { $0.name == "layers.1.weight" }?.shape == [4, 1, 3, 3])
        #expect(built.graph.nodes.last?.outputs == ["probabilities"])
        #expect(built.graph.nodes.first { $0.operatorType == "Gemm" && $0.outputs == ["outputs"] } != nil)
        #expect(built.graph.elementType == .float)
    }

    /// A Conv2D kernel is reordered from swift-nn's HWIO rows to ONNX's OIHW.
    @Test func convolutionKernelsAreReorderedToOIHW() throws {
        // Rows (ky, kx, channel), a column per filter: value = 1000·filter + 100·ky + 10·kx + channel.
        var hwio: [Float] = []
        for y in 0..<2 {
            for x in 0..<3 {
                for c in 0..<2 { for f in 0..<4 { hwio.append(Float(1000 * f + 100 * y + 10 * x + c)) } }
            }
        }
        let convolution = try Conv2D<Float, Identity>(
            weight: Tensor(shape: [12, 4], scalars: hwio), bias: Tensor([0, 0, 0, 0]), kernelHeight: 2, kernelWidth: 3, stride: 1,
            padding: .valid, activation: Identity())
        let graph = try ONNXExport.build(convolution, sampleShape: [5, 5, 2], options: .init()).graph
        let kernel = try #require(graph.initializers.first { $0.name == "weight" })
        #expect(kernel.shape == [4, 2, 2, 3])
        let values = stride(from: 0, to: kernel.bytes.count, by: 4).map { offset in
            Float(bitPattern: kernel.bytes[offset..<(offset + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
        // OIHW: [filter][channel][ky][kx].
        let filter3Channel1Row1Column2: Float = 3121
        #expect(values[((3 * 2 + 1) * 2 + 1) * 3 + 2] == filter3Channel1Row1Column2)
        #expect(values[0] == 0 && values[1] == 10)
    }

    /// `same` padding puts the odd row or column after the image, as swift-nn's windows do.
    @Test func padsFollowSwiftNNsPadding() {
        #expect(onnxPads(.same, sampleShape: [28, 28], window: (5, 5), stride: 2) == [1, 1, 2, 2])
        #expect(onnxPads(.same, sampleShape: [14, 15, 3], window: (3, 2), stride: 2) == [0, 0, 1, 1])
        #expect(onnxPads(.zeros(2), sampleShape: [8, 8], window: (3, 3), stride: 1) == [2, 2, 2, 2])
        #expect(onnxPads(.valid, sampleShape: [8, 8], window: (3, 3), stride: 2) == [0, 0, 0, 0])
    }

    /// A layer or activation with no ONNX form is an error naming it and where it is, and
    /// the file is not written.
    @Test func whatHasNoONNXFormIsNamed() throws {
        var generator = SeededRandomGenerator(seed: 2)
        let opaque = Sequential<Float>([Dense<Float, ReLU>(inputSize: 3, outputSize: 2, activation: ReLU(), generator: &generator), Opaque<Float>()])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-\(UUID().uuidString).onnx").path
        #expect(throws: ONNXExportError.unsupportedLayer(layer: "layers.1", type: "Opaque<Float>")) {
            try ONNXExport.write(opaque, sampleShape: [3], to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(
            ONNXExportError.unsupportedLayer(layer: "layers.1", type: "Opaque<Float>").description
                == "layer layers.1 (Opaque<Float>) has no ONNX form: conform it to ONNXExportable to describe it")

        let nested = Sequential<Float>([
            Sequential<Float>([Dense<Float, Cube>(inputSize: 3, outputSize: 2, activation: Cube(), generator: &generator)])
        ])
        #expect(throws: ONNXExportError.unsupportedActivation(layer: "layers.0.layers.0", type: "Cube")) {
            _ = try ONNXExport.encode(nested, sampleShape: [3])
        }
        #expect(throws: ONNXExportError.shape(layer: "", reason: "does not take samples shaped [4]: Dense(3→2) input: expected shape [3], got [4]")) {
            _ = try ONNXExport.encode(opaque, sampleShape: [4])
        }
        #expect(throws: ONNXExportError.self) { _ = try ONNXExport.encode(opaque, sampleShape: [3], options: .init(inputScale: .nan)) }
        #expect(throws: ONNXExportError.self) { _ = try ONNXExport.encode(opaque, sampleShape: []) }
    }

    /// A network that changes nothing at inference (a dropout) still writes `outputs`, and a
    /// model in double precision has double constants.
    @Test func identityAndDoublePrecisionGraphs() throws {
        let identity = try ONNXExport.build(Sequential<Float>([Dropout<Float>(rate: 0.5)]), sampleShape: [3], options: .init())
        #expect(identity.graph.nodes.map(\.operatorType) == ["Identity"] && identity.graph.nodes[0].outputs == ["outputs"])
        var generator = SeededRandomGenerator(seed: 3)
        let double = Sequential<Double>([
            BatchNorm<Double>(features: 3), Dense<Double, GELU>(inputSize: 3, outputSize: 2, activation: GELU(), generator: &generator),
        ])
        let built = try ONNXExport.build(double, sampleShape: [3], options: .init(inputScale: 0.5))
        #expect(built.graph.elementType == .double)
        #expect(built.graph.initializers.filter { $0.elementType == .double }.allSatisfy { $0.bytes.count == 8 * $0.shape.reduce(1, *) })
        #expect(built.graph.nodes.map(\.operatorType) == ["Mul", "BatchNormalization", "Gemm", "Div", "Erf", "Add", "Mul", "Mul"])
        #expect(built.metadata.contains { $0.0 == "input_scale" && $0.1 == "0.5" })
        // The encoded model starts with its IR version: field 1, varint 8.
        #expect(try ONNXExport.encode(double, sampleShape: [3]).prefix(2) == [0x08, 0x08])
    }
}

/// A layer with no ONNX form.
struct Opaque<Scalar: TensorScalar>: Layer {
    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input }
    mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input }
    mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> { outputGradient }
    func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] { inputShape }
}

/// An activation with no ONNX form: x³.
struct Cube: Activation {
    func value<T: TensorScalar>(_ x: T) -> T { x * x * x }
    func derivative<T: TensorScalar>(input x: T, output y: T) -> T { 3 * x * x }
}
