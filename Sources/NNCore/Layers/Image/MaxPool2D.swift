/// Max pooling over channels-last images: each output is the largest input under its window,
/// channel by channel; backward routes each gradient to the input that won.
///
/// Input samples `[height, width, channels]` (or `[height, width]`) become
/// `[outputHeight, outputWidth, channels]`. The stride defaults to the window size (PyTorch
/// and Keras do the same), so `MaxPool2D(size: 2)` halves each side.
public struct MaxPool2D<Scalar: TensorScalar>: Layer {
    /// The window's height and width.
    public let size: Int
    /// How far the window moves between positions.
    public let stride: Int
    /// How the border is treated (padding never wins: it counts as −∞).
    public let padding: Padding

    /// The last forward's geometry and input shape, and the flat input index of each maximum.
    private var cached: (geometry: WindowGeometry, inputShape: [Int])?
    private var winners: [Int32] = []
    /// The last forward's output and the last backward's dLoss/dInput, kept so that the next
    /// step writes in place.
    private var output = Tensor<Scalar>(zeros: [0]), inputGradient = Tensor<Scalar>(zeros: [0])

    /// Creates a max-pooling layer with a `size`×`size` window moving by `stride` (default: `size`).
    public init(size: Int, stride: Int? = nil, padding: Padding = .valid) {
        precondition(size > 0 && (stride ?? size) > 0, "MaxPool2D: size \(size) and stride \(stride ?? size) must be positive")
        if case .zeros(let amount) = padding { precondition(amount >= 0 && amount < size, "MaxPool2D: padding \(amount) must be in 0..<\(size)") }
        (self.size, self.stride, self.padding) = (size, stride ?? size, padding)
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var winners: [Int32] = [], output = Tensor<Scalar>(zeros: [0])
        Self.pool(input, geometry(for: input), into: &output, winners: &winners)
        return output
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let geometry = self.geometry(for: input)
        Self.pool(input, geometry, into: &output, winners: &winners)
        cached = (geometry, input.shape)
        return output
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let (geometry, inputShape) = cached else { preconditionFailure("MaxPool2D.backward needs a forward first") }
        cached = nil
        let outputShape = [inputShape[0], geometry.outputHeight, geometry.outputWidth, geometry.channels]
        precondition(outputGradient.shape == outputShape, "MaxPool2D.backward: gradient shape \(outputGradient.shape), output shape \(outputShape)")
        inputGradient.resizeForOverwrite(shape: inputShape)
        outputGradient.withUnsafeBufferPointer { g in
            winners.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dX in
                    _ = geometry.maxPoolBackward(g, samples: inputShape[0], winners: w.baseAddress!, into: dX)
                }
            }
        }
        return inputGradient
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        let geometry = try checkedGeometry(sampleShape: inputShape)
        return [geometry.outputHeight, geometry.outputWidth, geometry.channels]
    }

    /// Where the window falls on samples shaped `sampleShape` (zero padding must be smaller
    /// than the window, so that every window holds a pixel of the image).
    private func checkedGeometry(sampleShape: [Int]) throws(TensorError) -> WindowGeometry {
        try WindowGeometry(
            sampleShape: sampleShape, window: (size, size), stride: stride, padding: padding, layer: "MaxPool2D",
            needsImageInEveryWindow: true)
    }

    /// The geometry of `input`, whose shape the caller has checked.
    private func geometry(for input: Tensor<Scalar>) -> WindowGeometry {
        do { return try checkedGeometry(sampleShape: Array(input.shape.dropFirst())) } catch {
            preconditionFailure("MaxPool2D: \(error) (check shapes with outputShape(forInputShape:) first)")
        }
    }

    /// Pools `input` into `output` (resized in place), recording each maximum's position.
    /// Static, so that writing the layer's own buffers does not first copy the layer (a copy
    /// would share, and then duplicate, the output of the step before).
    private static func pool(
        _ input: Tensor<Scalar>, _ geometry: WindowGeometry, into output: inout Tensor<Scalar>, winners: inout [Int32]
    ) {
        let samples = input.sampleCount
        output.resizeForOverwrite(shape: [samples, geometry.outputHeight, geometry.outputWidth, geometry.channels])
        if winners.count != output.scalarCount { winners = [Int32](repeating: 0, count: output.scalarCount) }
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                winners.withUnsafeMutableBufferPointer { w in _ = geometry.maxPool(x, samples: samples, into: y, winners: w.baseAddress!) }
            }
        }
    }
}
