import NNCore
import Testing

/// Random images in [-1, 1): `[batch, height, width, channels]`.
func randomImages(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
    var generator = SeededRandomGenerator(seed: seed)
    return try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextUniform(in: -1.0, 1.0) })
}

/// Finite-difference checks of the image layers and of dropout and batch normalisation, in
/// Double, including padding and stride edge cases.
@Suite struct ImageLayerGradientTests {
    /// (kernel height, width, stride, padding, input shape): odd sizes, strides that do not
    /// divide the image, padding wider than needed, non-square kernels, one channel given as
    /// `[height, width]`.
    static let convolutions: [(Int, Int, Int, Padding, [Int])] = [
        (3, 3, 1, .valid, [2, 5, 5, 2]),
        (3, 3, 1, .same, [2, 5, 4, 1]),
        (3, 3, 2, .same, [1, 7, 6, 2]),
        (2, 3, 2, .valid, [2, 6, 7, 3]),
        (3, 2, 3, .zeros(2), [1, 5, 5, 2]),
        (1, 1, 1, .valid, [2, 3, 3, 4]),
        (4, 4, 2, .same, [1, 5, 5, 1]),
        (3, 3, 1, .zeros(1), [2, 4, 4]),
    ]

    @Test(arguments: convolutions.indices)
    func conv2D(case index: Int) throws {
        let (height, width, stride, padding, shape) = Self.convolutions[index]
        var generator = SeededRandomGenerator(seed: UInt64(30 + index))
        let channels = shape.count == 4 ? shape[3] : 1
        let layer = Conv2D<Double, Tanh>(
            channels: channels, filters: 3, kernelHeight: height, kernelWidth: width, stride: stride,
            padding: padding, activation: Tanh(), biasInitializer: .uniform(lower: -0.5, upper: 0.5),
            generator: &generator)
        let input = randomImages(shape, seed: UInt64(40 + index))
        let outputShape = try layer.outputShape(forInputShape: Array(shape.dropFirst()))
        #expect(layer(input).shape == [shape[0]] + outputShape)
        let report = GradientCheck.check(layer, input: input, seed: 5)
        #expect(report.checkedCount == height * width * channels * 3 + 3 + input.scalarCount)
        #expect(report.worstRelativeError < 1e-6, "case \(index): \(report)")
    }

    @Test func convolutionMatchesADirectSum() throws {
        // 1 sample 4×4×2, 2 filters 3×3, stride 2, padding 1: every output by the definition.
        var generator = SeededRandomGenerator(seed: 3)
        let layer = Conv2D<Double, Identity>(
            channels: 2, filters: 2, kernelSize: 3, stride: 2, padding: .zeros(1),
            activation: Identity(), biasInitializer: .uniform(lower: -1, upper: 1), generator: &generator)
        let input = randomImages([1, 4, 4, 2], seed: 4)
        let output = layer(input)
        #expect(output.shape == [1, 2, 2, 2])
        for outY in 0..<2 {
            for outX in 0..<2 {
                for filter in 0..<2 {
                    var sum = layer.bias.value[flat: filter]
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let (y, x) = (outY * 2 - 1 + ky, outX * 2 - 1 + kx)
                            guard (0..<4).contains(y), (0..<4).contains(x) else { continue }
                            for channel in 0..<2 {
                                sum += input[0, y, x, channel] * layer.weight.value[(ky * 3 + kx) * 2 + channel, filter]
                            }
                        }
                    }
                    #expect(abs(output[0, outY, outX, filter] - sum) < 1e-12)
                }
            }
        }
    }

    /// (size, stride, padding, input shape)
    static let pools: [(Int, Int?, Padding, [Int])] = [
        (2, nil, .valid, [2, 4, 4, 2]),
        (2, nil, .valid, [1, 5, 5, 1]),   // the last row and column are dropped
        (3, 1, .valid, [1, 5, 4, 2]),   // overlapping windows
        (2, nil, .same, [2, 5, 3, 1]),   // padding on the bottom and right
        (3, 2, .zeros(1), [1, 6, 6, 2]),
    ]

    @Test(arguments: pools.indices)
    func maxPool(case index: Int) {
        let (size, stride, padding, shape) = Self.pools[index]
        // Distinct values, so each window has one maximum and the function is smooth nearby.
        let input = randomImages(shape, seed: UInt64(50 + index))
        let report = GradientCheck.check(MaxPool2D<Double>(size: size, stride: stride, padding: padding), input: input, seed: 6)
        #expect(report.checkedCount == input.scalarCount)
        #expect(report.worstRelativeError < 1e-6, "case \(index): \(report)")
    }

    @Test(arguments: pools.indices)
    func avgPool(case index: Int) {
        let (size, stride, padding, shape) = Self.pools[index]
        let input = randomImages(shape, seed: UInt64(60 + index))
        let report = GradientCheck.check(AvgPool2D<Double>(size: size, stride: stride, padding: padding), input: input, seed: 7)
        #expect(report.worstRelativeError < 1e-6, "case \(index): \(report)")
    }

    @Test func poolingValues() throws {
        let input = try Tensor<Double>(shape: [1, 2, 3, 1], scalars: [1, 5, 2, 4, 3, 9])
        #expect(MaxPool2D<Double>(size: 2, stride: 1)(input).scalars == [5, 9])
        #expect(AvgPool2D<Double>(size: 2, stride: 1)(input).scalars == [13.0 / 4, 19.0 / 4])
        // "same" with a 2×2 window over 2×3: the last window holds two pixels, averaged over two.
        #expect(AvgPool2D<Double>(size: 2, padding: .same)(input).scalars == [13.0 / 4, 11.0 / 2])
        #expect(MaxPool2D<Double>(size: 2, padding: .same)(input).scalars == [5, 9])
        // A window of −∞ pools to −∞ and routes its gradient inside the window; a NaN is not hidden.
        var pool = MaxPool2D<Double>(size: 2)
        let odd = try Tensor<Double>(shape: [1, 2, 4, 1], scalars: [-.infinity, -.infinity, 1, .nan, -.infinity, -.infinity, 2, 3])
        let pooled = pool.forward(odd)
        #expect(pooled[flat: 0] == -.infinity && pooled[flat: 1].isNaN)
        let gradient = pool.backward(try Tensor(shape: [1, 1, 2, 1], scalars: [1, 1]))
        let firstWindow: Double = gradient[flat: 0] + gradient[flat: 1] + gradient[flat: 4] + gradient[flat: 5]
        #expect(firstWindow == 1)
        #expect(gradient.scalars[3] == 1)
    }

    @Test func flattenAndReshape() throws {
        let input = randomImages([3, 2, 2, 2], seed: 8)
        #expect(Flatten<Double>()(input).shape == [3, 8])
        #expect(Reshape<Double>([4, 2])(input).shape == [3, 4, 2])
        #expect(try Reshape<Double>([2, 4]).outputShape(forInputShape: [8]) == [2, 4])
        #expect(throws: TensorError.self) { try Reshape<Double>([3, 3]).outputShape(forInputShape: [8]) }
        #expect(GradientCheck.check(Flatten<Double>(), input: input, seed: 1).worstRelativeError < 1e-6)
        #expect(GradientCheck.check(Reshape<Double>([8, 1]), input: input, seed: 2).worstRelativeError < 1e-6)
    }

    @Test func dropoutInTrainingAndInference() {
        let input = randomImages([4, 50], seed: 9)
        var layer = Dropout<Double>(rate: 0.4, seed: 3)
        // Training: the mask is applied, survivors scaled by 1/(1 − rate); the gradient check
        // replays one mask.
        let report = GradientCheck.check(layer, input: input, seed: 4)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
        let output = layer.forward(input)
        let dropped = zip(input.scalars, output.scalars).filter { $0.1 == 0 }.count
        #expect(dropped > 40 && dropped < 120, "dropped \(dropped) of 200 at rate 0.4")
        for (x, y) in zip(input.scalars, output.scalars) where y != 0 { #expect(abs(y - x / 0.6) < 1e-12) }
        // The next forward draws a new mask; the same seed gives the same masks.
        var twin = Dropout<Double>(rate: 0.4, seed: 3)
        #expect(twin.forward(input).scalars == output.scalars)
        #expect(layer.forward(input).scalars != output.scalars)
        #expect(layer.drawCount == 2)
        // Inference: identity.
        layer.setMode(.inference)
        #expect(layer(input).scalars == input.scalars)
        #expect(layer.forward(input).scalars == input.scalars)
    }

    @Test func batchNormInTrainingMode() {
        var generator = SeededRandomGenerator(seed: 12)
        var layer = BatchNorm<Double>(features: 3)
        layer.weight.value = Tensor((0..<3).map { _ in generator.nextUniform(in: 0.5, 1.5) })
        layer.bias.value = Tensor((0..<3).map { _ in generator.nextUniform(in: -0.5, 0.5) })
        for input in [randomImages([5, 3], seed: 13), randomImages([2, 3, 2, 3], seed: 14)] {
            let report = GradientCheck.check(layer, input: input, seed: 15)
            #expect(report.checkedCount == 6 + input.scalarCount)   // running statistics are not trained
            #expect(report.worstRelativeError < 1e-6, "\(input.shape): \(report)")
        }
    }

    @Test func batchNormInInferenceMode() {
        var layer = BatchNorm<Double>(features: 2)
        _ = layer.forward(randomImages([6, 2], seed: 16))   // moves the running statistics
        layer.setMode(.inference)
        let report = GradientCheck.check(layer, input: randomImages([3, 2], seed: 17), seed: 18)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }

    @Test func batchNormStatistics() throws {
        var layer = BatchNorm<Double>(features: 1, momentum: 0.5)
        let input = try Tensor<Double>(shape: [4, 1], scalars: [1, 2, 3, 6])   // mean 3, biased variance 3.5
        let output = layer.forward(input)
        let deviation = (3.5 + 1e-5).squareRoot()
        for (x, y) in zip(input.scalars, output.scalars) { #expect(abs(y - (x - 3) / deviation) < 1e-12) }
        #expect(abs(layer.runningMean.value[flat: 0] - 1.5) < 1e-12)   // ½·0 + ½·3
        #expect(abs(layer.runningVariance.value[flat: 0] - (0.5 + 0.5 * 3.5 * 4 / 3)) < 1e-12)   // unbiased 14/3
        layer.setMode(.inference)
        let inferred = layer(input)
        let runningDeviation = (layer.runningVariance.value[flat: 0] + 1e-5).squareRoot()
        #expect(abs(inferred[flat: 3] - (6 - 1.5) / runningDeviation) < 1e-12)
        // The statistics stay untrainable even after unfreeze().
        layer.unfreeze()
        #expect(layer.namedParameters.filter(\.parameter.isTrainable).map(\.name) == ["weight", "bias"])
    }

    /// A training batch with one value per feature (a dense layer's output for one sample):
    /// normalised by its own statistics as Keras does (output β, no gradient to the input),
    /// the running statistics left as they were.
    @Test func batchNormOnABatchOfOneSample() throws {
        var layer = BatchNorm<Double>(features: 3, momentum: 0.5)
        layer.bias.value = Tensor([0.25, -1, 2])
        let output = layer.forward(try Tensor<Double>(shape: [1, 3], scalars: [4, -7, 0.5]))
        #expect(output.scalars == [0.25, -1, 2])
        #expect(layer.runningMean.value.scalars == [0, 0, 0] && layer.runningVariance.value.scalars == [1, 1, 1])
        let inputGradient = layer.backward(try Tensor<Double>(shape: [1, 3], scalars: [1, 2, 3]))
        #expect(inputGradient.scalars == [0, 0, 0])
        #expect(layer.bias.gradient.scalars == [1, 2, 3] && layer.weight.gradient.scalars == [0, 0, 0])
    }

    /// Windows far larger than the image visit only the pixels inside it (they used to loop
    /// over every tap of the window), and padding must be smaller than a pooling window.
    @Test func poolingWindowsLargerThanTheImage() throws {
        let input = try Tensor<Double>(shape: [1, 4, 4, 1], scalars: (0..<16).map { Double(($0 * 7) % 16) })
        var pool = MaxPool2D<Double>(size: 40_000, stride: 1, padding: .same)
        #expect(try pool.outputShape(forInputShape: [4, 4, 1]) == [4, 4, 1])
        #expect(pool.forward(input).scalars.allSatisfy { $0 == 15 })   // every window covers the whole image
        let average = AvgPool2D<Double>(size: 40_000, stride: 40_000, padding: .same)
        #expect(average(input).scalars == [7.5])
        #expect(throws: TensorError.self) { try MaxPool2D<Double>(size: 1 << 40, padding: .same).outputShape(forInputShape: [4, 4, 1]) }
        #expect(throws: TensorError.self) {
            try Conv2D<Double, Identity>.outputShape(forInputShape: [4, 4, 1], filters: 1, kernelHeight: 3, kernelWidth: 3, padding: .zeros(1 << 40))
        }
        #expect(throws: TensorError.self) { try Reshape<Double>([2]).outputShape(forInputShape: [1 << 40, 1 << 40]) }
        #expect(throws: TensorError.self) { try Flatten<Double>().outputShape(forInputShape: [1 << 40, 1 << 40]) }
        #expect(throws: TensorError.tooLarge(shape: [1 << 40, 1 << 40], limit: TensorLimits.maximumScalarCount)) {
            try TensorLimits.scalarCount(of: [1 << 40, 1 << 40])
        }
        #expect(throws: TensorError.self) { try Tensor<Double>(shape: [1 << 62, 1 << 62, 4], scalars: []) }
    }

    @Test func smallConvolutionalNetwork() {
        var generator = SeededRandomGenerator(seed: 21)
        let model = Sequential<Double>(
            Reshape([6, 6, 1]),
            Conv2D<Double, ReLU>(
                channels: 1, filters: 2, kernelSize: 3, padding: .same, activation: ReLU(),
                biasInitializer: .uniform(lower: 0.1, upper: 0.3), generator: &generator),
            BatchNorm(features: 2),
            MaxPool2D(size: 2),
            Conv2D<Double, Tanh>(channels: 2, filters: 2, kernelSize: 2, stride: 1, activation: Tanh(), generator: &generator),
            AvgPool2D(size: 2),
            Flatten(),
            Dropout(rate: 0.25, seed: 1),
            Dense<Double, Identity>(inputSize: 2, outputSize: 3, activation: Identity(), generator: &generator))
        let report = GradientCheck.check(model, input: randomImages([3, 36], seed: 22), seed: 23)
        #expect(report.worstRelativeError < 1e-6, "\(report)")   // 1.3e-7 measured
    }

    /// A model's parameter-gradient pass skips the backward of the layers without parameters
    /// in front of the first with them (here a `Reshape`), and gives the gradients of a whole
    /// backward, bit for bit.
    @Test func parameterGradientsWithoutTheLeadingReshape() {
        var generator = SeededRandomGenerator(seed: 24)
        var whole = Sequential<Double>(
            Reshape([5, 5, 2]),
            Conv2D<Double, Tanh>(channels: 2, filters: 3, kernelSize: 3, padding: .same, activation: Tanh(), generator: &generator),
            Flatten(),
            Dense<Double, Identity>(inputSize: 75, outputSize: 4, activation: Identity(), generator: &generator))
        var skipping = whole
        let (input, gradient) = (randomImages([3, 50], seed: 25), randomImages([3, 4], seed: 26))
        _ = whole.forward(input)
        _ = whole.backward(gradient)
        _ = skipping.forward(input)
        skipping.accumulateParameterGradients(gradient)
        var (expected, gradients) = ([String: [UInt64]](), [String: [UInt64]]())
        whole.visitParameters { name, parameter in expected[name] = parameter.gradient.scalars.map(\.bitPattern) }
        skipping.visitParameters { name, parameter in gradients[name] = parameter.gradient.scalars.map(\.bitPattern) }
        #expect(gradients.count == 4 && gradients == expected)
        #expect(gradients.values.allSatisfy { $0.contains { $0 != 0 } })
    }
}
