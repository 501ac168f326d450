/// A 2-D convolution over channels-last images: `output = activation(conv(input, weight) + bias)`.
///
/// Input samples are `[height, width, channels]` (or `[height, width]`, one channel); output
/// samples are `[outputHeight, outputWidth, filters]`. The layer is computed as im2col
/// followed by the shared matrix-product kernel: each window position's values become a row
/// of `kernelHeight · kernelWidth · channels` numbers, and the rows times `weight` give every
/// filter at every position at once. Backward is the same as a dense layer's on those rows
/// (dW = rowsᵀ·δ, db = Σ δ, dRows = δ·Wᵀ), followed by col2im, which adds each row's
/// gradient back onto the pixels it came from.
///
/// In single precision, when a window's row of pixels holds 3 values or more, training does
/// not write the rows out: the forward product and dW read them from a copy of the input with
/// zero borders (`PaddedWindows`), with the same bits. With stride 1, where it takes no more
/// multiply-adds than the rows of dX, dX is not written out as rows either: it is the
/// convolution of the padded δ by the kernels turned half a turn (summed in another order
/// than dRows and col2im).
///
/// `weight` is shaped `[kernelHeight · kernelWidth · channels, filters]`, its rows in
/// (row, column, channel) order: TensorFlow's `HWIO` kernel layout, flattened.
///
/// ```swift
/// var generator = SeededRandomGenerator(seed: 1)
/// let conv = Conv2D<Float, ReLU>(channels: 1, filters: 32, kernelSize: 3, padding: .same,
///                                activation: ReLU(), generator: &generator)
/// ```
public struct Conv2D<Scalar: TensorScalar, ActivationFunction: Activation>: Layer {
    /// The kernels, shaped `[kernelHeight · kernelWidth · channels, filters]`.
    public var weight: Parameter<Scalar>
    /// One bias per filter, shaped `[filters]`.
    public var bias: Parameter<Scalar>
    /// The activation applied to each output.
    public var activation: ActivationFunction
    /// The window's height and width.
    public let kernelHeight: Int, kernelWidth: Int
    /// How far the window moves between positions, in both directions.
    public let stride: Int
    /// How the border is treated.
    public let padding: Padding

    /// The im2col rows of the last forward input, and the dense arithmetic on them.
    private var step = DenseStep<Scalar>()
    /// The im2col rows of the last forward input, when they are written out (empty otherwise).
    private var windows = Tensor<Scalar>(zeros: [0])
    /// The last forward input with zero borders, when its rows are read from there instead of
    /// written out (``PaddedWindows``).
    private var padded = Tensor<Scalar>(zeros: [0])
    /// The last output gradient with zero borders, and the kernels turned half a turn, when
    /// the input gradient is computed as a convolution of it.
    private var paddedGradient = Tensor<Scalar>(zeros: [0]), turnedWeight = Tensor<Scalar>(zeros: [0])
    /// The geometry and input shape of the last forward.
    private var cached: (geometry: WindowGeometry, inputShape: [Int])?
    /// dLoss/dInput of the last backward, kept so that the next one writes in place (images
    /// are large: a fresh tensor per step costs page faults, not just an allocation).
    private var inputGradient = Tensor<Scalar>(zeros: [0])

    /// Input channels.
    public var channels: Int { weight.value.shape[0] / (kernelHeight * kernelWidth) }
    /// Output channels (filters).
    public var filters: Int { weight.value.shape[1] }

    /// Creates a convolution with `filters` kernels of `kernelSize`×`kernelSize` (or
    /// `kernelHeight`×`kernelWidth`) over `channels` input channels, weights drawn by
    /// `weightInitializer` (fan-in `k·k·channels`, fan-out `k·k·filters`, as in Keras).
    public init(
        channels: Int, filters: Int, kernelSize: Int? = nil, kernelHeight: Int? = nil, kernelWidth: Int? = nil,
        stride: Int = 1, padding: Padding = .valid, activation: ActivationFunction,
        weightInitializer: WeightInitializer = .glorotUniform, biasInitializer: WeightInitializer = .constant(0),
        generator: inout SeededRandomGenerator
    ) {
        let height = kernelHeight ?? kernelSize ?? 0, width = kernelWidth ?? kernelSize ?? 0
        precondition(
            channels > 0 && filters > 0 && height > 0 && width > 0 && stride > 0,
            "Conv2D: channels \(channels), filters \(filters), kernel \(height)×\(width), stride \(stride) must be positive")
        if case .zeros(let amount) = padding { precondition(amount >= 0, "Conv2D: negative padding \(amount)") }
        let rows = height * width * channels
        let weights: [Scalar] = weightInitializer.values(count: rows * filters, fanIn: rows, fanOut: height * width * filters, generator: &generator)
        let biases: [Scalar] = biasInitializer.values(count: filters, fanIn: rows, fanOut: height * width * filters, generator: &generator)
        self.weight = Parameter(Tensor(uncheckedShape: [rows, filters], scalars: weights))
        self.bias = Parameter(Tensor(biases))
        (self.kernelHeight, self.kernelWidth, self.stride, self.padding, self.activation) = (height, width, stride, padding, activation)
    }

    /// Creates a convolution with exactly the given kernels (`[kernelHeight · kernelWidth ·
    /// channels, filters]`) and biases (`[filters]`).
    /// - Throws: `TensorError.shapeMismatch` if the shapes do not fit together.
    public init(
        weight: Tensor<Scalar>, bias: Tensor<Scalar>, kernelHeight: Int, kernelWidth: Int,
        stride: Int = 1, padding: Padding = .valid, activation: ActivationFunction
    ) throws(TensorError) {
        let taps = kernelHeight * kernelWidth
        guard kernelHeight > 0, kernelWidth > 0, stride > 0, weight.rank == 2, weight.shape[0] > 0,
            weight.shape[0] % taps == 0, weight.shape[1] > 0
        else {
            throw .shapeMismatch(
                context: "Conv2D weight for a \(kernelHeight)×\(kernelWidth) kernel, stride \(stride)",
                expected: [taps, -1], actual: weight.shape)
        }
        if case .zeros(let amount) = padding, amount < 0 {
            throw .shapeMismatch(context: "Conv2D padding", expected: [0], actual: [amount])
        }
        guard bias.shape == [weight.shape[1]] else {
            throw .shapeMismatch(context: "Conv2D bias", expected: [weight.shape[1]], actual: bias.shape)
        }
        (self.weight, self.bias) = (Parameter(weight), Parameter(bias))
        (self.kernelHeight, self.kernelWidth, self.stride, self.padding, self.activation) = (kernelHeight, kernelWidth, stride, padding, activation)
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let geometry = self.geometry(for: input)
        let (samples, rowCount) = (input.sampleCount, input.sampleCount * geometry.positions)
        // The im2col rows are a pooled scratch (gatherWindows writes every value): a call
        // allocates only its output.
        let scalars = InferenceScratch.withBuffer(of: Scalar.self, count: rowCount * geometry.windowSize) { rows in
            input.withUnsafeBufferPointer { x in _ = geometry.gatherWindows(x, samples: samples, into: rows) }
            return DenseStep.infer(
                rows: UnsafeBufferPointer(rows), count: rowCount, weight: weight.value, bias: bias.value, activation: activation)
        }
        return Tensor(uncheckedShape: [samples, geometry.outputHeight, geometry.outputWidth, filters], scalars: scalars)
    }

    public mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let geometry = self.geometry(for: input)
        cached = (geometry, input.shape)
        let output: Tensor<Scalar>
        if let rows = PaddedWindows(geometry: geometry, samples: input.sampleCount, filters: filters, scalar: Scalar.self) {
            padded.resizeForOverwrite(shape: [rows.paddedCount])
            input.withUnsafeBufferPointer { x in padded.withUnsafeMutableBufferPointer { p in rows.pad(x, into: p) } }
            if windows.scalarCount > 0 { windows = Tensor(zeros: [0]) }   // rows an earlier forward wrote out
            output = denseForward(&step, windows: rows, padded: padded, weight: weight.value, bias: bias.value, activation: activation)
        } else {
            if padded.scalarCount > 0 { padded = Tensor(zeros: [0]) }   // the images of an earlier forward
            Self.gather(input, geometry, into: &windows)
            output = denseForward(&step, windows, weight: weight.value, bias: bias.value, activation: activation)
        }
        return Tensor(uncheckedShape: [input.sampleCount, geometry.outputHeight, geometry.outputWidth, filters], scalars: output.scalars)
    }

    public mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        backward(outputGradient, needsInputGradient: true)
    }

    public mutating func accumulateParameterGradients(_ outputGradient: Tensor<Scalar>) {
        _ = backward(outputGradient, needsInputGradient: false)
    }

    private mutating func backward(_ outputGradient: Tensor<Scalar>, needsInputGradient: Bool) -> Tensor<Scalar> {
        guard let (geometry, inputShape) = cached else {
            preconditionFailure("Conv2D.backward needs a forward first (each forward allows one backward)")
        }
        cached = nil
        let samples = inputShape[0]
        precondition(
            outputGradient.shape == [samples, geometry.outputHeight, geometry.outputWidth, filters],
            "Conv2D.backward: gradient shape \(outputGradient.shape), output shape \([samples, geometry.outputHeight, geometry.outputWidth, filters])"
        )
        let rowGradient = Tensor(uncheckedShape: [samples * geometry.positions, filters], scalars: outputGradient.scalars)
        let gradientWindows = needsInputGradient ? inputGradientWindows(geometry, samples: samples) : nil
        let rowsGradient = denseBackward(
            &step, rowGradient, weight: &weight, bias: &bias, activation: activation,
            needsInputGradient: needsInputGradient && gradientWindows == nil)
        if let (gradientGeometry, gradientRows) = gradientWindows {
            // dX as the convolution of the padded δ by the turned kernels: no rows of dX to
            // write out and add back onto the pixels.
            let (kernels, filterCount) = (weight.value, filters)
            inputGradient.resizeForOverwrite(shape: inputShape)
            paddedGradient.resizeForOverwrite(shape: [gradientRows.paddedCount])
            turnedWeight.resizeForOverwrite(rows: gradientGeometry.windowSize, columns: channels)
            step.delta.withUnsafeBufferPointer { d in paddedGradient.withUnsafeMutableBufferPointer { p in gradientRows.pad(d, into: p) } }
            kernels.withUnsafeBufferPointer { w in
                turnedWeight.withUnsafeMutableBufferPointer { t in geometry.turnKernels(w, into: t, filters: filterCount) }
            }
            gradientRows.multiply(paddedGradient, by: turnedWeight, bias: nil, into: &inputGradient)
            return inputGradient
        }
        guard let rowsGradient else { return Tensor(zeros: [0]) }
        inputGradient.resizeForOverwrite(shape: inputShape)
        rowsGradient.withUnsafeBufferPointer { rows in
            inputGradient.withUnsafeMutableBufferPointer { dX in _ = geometry.scatterWindows(rows, samples: samples, into: dX) }
        }
        return inputGradient
    }

    public mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("weight", &weight)
        try visit("bias", &bias)
    }

    public func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        let geometry = try checkedGeometry(sampleShape: inputShape)
        return [geometry.outputHeight, geometry.outputWidth, filters]
    }

    /// The output sample shape of a convolution with these settings and `filters` filters,
    /// and the size of one im2col row (`kernelHeight · kernelWidth · channels`), computed
    /// without making the layer: for checking what a network would need before its weights
    /// are allocated.
    /// - Throws: `TensorError` when the input is not an image, the kernel does not fit it, or
    ///   a size is beyond ``TensorLimits``.
    public static func outputShape(
        forInputShape inputShape: [Int], filters: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int = 1, padding: Padding = .valid
    ) throws(TensorError) -> (shape: [Int], windowSize: Int) {
        let geometry = try WindowGeometry(
            sampleShape: inputShape, window: (kernelHeight, kernelWidth), stride: stride,
            padding: padding, layer: "Conv2D")
        return ([geometry.outputHeight, geometry.outputWidth, filters], geometry.windowSize)
    }

    /// Where the kernel falls on samples shaped `sampleShape`, after checking the channels.
    private func checkedGeometry(sampleShape: [Int]) throws(TensorError) -> WindowGeometry {
        let geometry = try WindowGeometry(
            sampleShape: sampleShape, window: (kernelHeight, kernelWidth), stride: stride,
            padding: padding, layer: "Conv2D")
        guard geometry.channels == channels else {
            throw .shapeMismatch(
                context: "Conv2D input channels", expected: [geometry.inputHeight, geometry.inputWidth, channels], actual: sampleShape)
        }
        return geometry
    }

    private func geometry(for input: Tensor<Scalar>) -> WindowGeometry {
        do { return try checkedGeometry(sampleShape: Array(input.shape.dropFirst())) } catch {
            preconditionFailure("Conv2D: \(error) (check shapes with outputShape(forInputShape:) first)")
        }
    }

    /// The geometry and windows of the input gradient as a convolution of the output gradient
    /// (``WindowGeometry/inputGradientGeometry(filters:)``), or `nil` where dX is computed on
    /// written-out rows: a stride other than 1, double precision, or where the convolution
    /// would do more multiply-adds than dRows. Both count whole tiles of 32 columns (the
    /// widest tile), so that every CPU takes the same path and trains to the same bits: the
    /// convolution has a row per input pixel and `channels` columns over the taps of `filters`
    /// values, dRows a row per window position and `windowSize` columns over `filters`.
    func inputGradientWindows(_ geometry: WindowGeometry, samples: Int) -> (WindowGeometry, PaddedWindows)? {
        let roundedUp = { (columns: Int) in (columns + 31) / 32 * 32 }
        let taps = geometry.windowHeight * geometry.windowWidth
        guard let convolution = TensorLimits.checkedProduct([geometry.inputHeight, geometry.inputWidth, taps, roundedUp(channels)]),
            let rows = TensorLimits.checkedProduct([geometry.positions, roundedUp(geometry.windowSize)]), convolution <= rows,
            let gradientGeometry = geometry.inputGradientGeometry(filters: filters),
            let windows = PaddedWindows(geometry: gradientGeometry, samples: samples, filters: channels, scalar: Scalar.self)
        else { return nil }
        return (gradientGeometry, windows)
    }

    /// im2col of `input` into `rows`, shaped `[samples · positions, windowSize]`.
    private static func gather(_ input: Tensor<Scalar>, _ geometry: WindowGeometry, into rows: inout Tensor<Scalar>) {
        let samples = input.sampleCount
        rows.resizeForOverwrite(rows: samples * geometry.positions, columns: geometry.windowSize)
        input.withUnsafeBufferPointer { x in
            rows.withUnsafeMutableBufferPointer { r in _ = geometry.gatherWindows(x, samples: samples, into: r) }
        }
    }
}
