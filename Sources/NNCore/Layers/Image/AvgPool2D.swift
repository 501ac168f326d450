/// Average pooling over channels-last images: each output is the mean of the inputs under its
/// window, channel by channel; backward spreads each gradient evenly over the window.
///
/// Input samples `[height, width, channels]` (or `[height, width]`) become
/// `[outputHeight, outputWidth, channels]`. The stride defaults to the window size. With
/// padding, the mean is over the pixels inside the image (TensorFlow's behaviour, PyTorch's
/// `count_include_pad=False`).
public struct AvgPool2D<Scalar: TensorScalar>: Layer {
    /// The window's height and width.
    public let size: Int
    /// How far the window moves between positions.
    public let stride: Int
    /// How the border is treated.
    public let padding: Padding

    /// The last forward's geometry and input shape.
    private var cached: (geometry: WindowGeometry, inputShape: [Int])?
    /// How many taps of each window lie inside the image, for the geometry they were counted for.
    private var tapCounts: (geometry: WindowGeometry, counts: [Int])?
    /// The last forward's output and the last backward's dLoss/dInput, kept so that the next
    /// step writes in place.
    private var output = Tensor<Scalar>(zeros: [0]), inputGradient = Tensor<Scalar>(zeros: [0])

    /// Creates an average-pooling layer with a `size`×`size` window moving by `stride` (default: `size`).
    public init(size: Int, stride: Int? = nil, padding: Padding = .valid) {
        precondition(size > 0 && (stride ?? size) > 0, "AvgPool2D: size \(size) and stride \(stride ?? size) must be positive")
        if case .zeros(let amount) = padding { precondition(amount >= 0 && amount < size, "AvgPool2D: padding \(amount) must be in 0..<\(size)") }
        (self.size, self.stride, self.padding) = (size, stride ?? size, padding)
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let geometry = self.geometry(for: input)
        var output = Tensor<Scalar>(zeros: [0])
        Self.pool(input, geometry, counts: geometry.tapCounts(), into: &output)
        return output
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let geometry = self.geometry(for: input)
        let counts = self.counts(for: geometry)
        Self.pool(input, geometry, counts: counts, into: &output)
        cached = (geometry, input.shape)
        return output
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let (geometry, inputShape) = cached else { preconditionFailure("AvgPool2D.backward needs a forward first") }
        cached = nil
        let outputShape = [inputShape[0], geometry.outputHeight, geometry.outputWidth, geometry.channels]
        precondition(outputGradient.shape == outputShape, "AvgPool2D.backward: gradient shape \(outputGradient.shape), output shape \(outputShape)")
        let counts = self.counts(for: geometry)
        inputGradient.resizeForOverwrite(shape: inputShape)
        outputGradient.withUnsafeBufferPointer { g in
            inputGradient.withUnsafeMutableBufferPointer { dX in
                geometry.averagePoolBackward(g, samples: inputShape[0], counts: counts, into: dX)
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
            sampleShape: sampleShape, window: (size, size), stride: stride, padding: padding, layer: "AvgPool2D",
            needsImageInEveryWindow: true)
    }

    /// The tap counts of `geometry`, counted once for each new geometry.
    private mutating func counts(for geometry: WindowGeometry) -> [Int] {
        if let (counted, counts) = tapCounts, counted == geometry { return counts }
        let counts = geometry.tapCounts()
        tapCounts = (geometry, counts)
        return counts
    }

    /// Averages `input` into `output` (resized in place). Static, so that writing the layer's
    /// own buffer does not first copy the layer (which would share, then duplicate, it).
    private static func pool(_ input: Tensor<Scalar>, _ geometry: WindowGeometry, counts: [Int], into output: inout Tensor<Scalar>) {
        let samples = input.sampleCount
        output.resizeForOverwrite(shape: [samples, geometry.outputHeight, geometry.outputWidth, geometry.channels])
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in geometry.averagePool(x, samples: samples, counts: counts, into: y) }
        }
    }

    /// The geometry of `input`, whose shape the caller has checked.
    private func geometry(for input: Tensor<Scalar>) -> WindowGeometry {
        do { return try checkedGeometry(sampleShape: Array(input.shape.dropFirst())) } catch {
            preconditionFailure("AvgPool2D: \(error) (check shapes with outputShape(forInputShape:) first)")
        }
    }
}
