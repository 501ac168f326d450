import CNNKernels
import Testing

@testable import NNCore

/// The convolution's products on rows read from padded images (implicit GEMM) against the
/// same products on written-out im2col rows, bit for bit, and against a Double reference, in
/// every instruction set this CPU has and with one to three threads.
@Suite struct PaddedWindowsTests {
    /// (sample shape, kernel height, width, stride, padding, filters, samples): the README
    /// CNN's second convolution; a stride that skips pixels and an edge tile of 8 filters; zero
    /// padding wider than needed; rows of 432 values, which the 384-deep slabs cut inside a
    /// window's row of pixels; a stride of 2 over zero padding; a first convolution over one
    /// channel (runs of 3 values, panels of dW that cross runs); a 1×1 kernel over 4 channels
    /// (dW of 4 rows, the fewest the packed product takes).
    static let cases: [([Int], Int, Int, Int, Padding, Int, Int)] = [
        ([14, 14, 32], 3, 3, 1, .same, 64, 2),
        ([9, 7, 16], 2, 3, 2, .valid, 40, 3),
        ([6, 5, 8], 3, 2, 1, .zeros(2), 13, 2),
        ([5, 5, 48], 3, 3, 1, .same, 33, 3),
        ([11, 10, 16], 3, 3, 2, .zeros(1), 70, 2),
        ([9, 8], 3, 3, 1, .same, 32, 3),
        ([8, 8, 4], 1, 1, 1, .valid, 16, 8),
    ]

    /// Random values in [-1, 1).
    func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededRandomGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }
    }

    /// The im2col rows of `images`, written out.
    func writtenOutRows(_ images: [Float], _ geometry: WindowGeometry, samples: Int) -> [Float] {
        var rows = [Float](repeating: .nan, count: samples * geometry.positions * geometry.windowSize)
        images.withUnsafeBufferPointer { x in rows.withUnsafeMutableBufferPointer { r in _ = geometry.gatherWindows(x, samples: samples, into: r) } }
        return rows
    }

    /// The largest error of `values` against `expected` (Double sums of `depth` products, with
    /// Σ|terms| in `magnitudes`), as a fraction of the bound of a Float sum of depth + 1 terms.
    func worstError(_ values: [Float], _ expected: [Double], _ magnitudes: [Double], depth: Int) -> Double {
        zip(values.indices, values).reduce(0.0) { worst, element in
            let bound = max(Double(depth + 1) * Double(Float.ulpOfOne) * magnitudes[element.0], 1e-30)
            return max(worst, abs(Double(element.1) - expected[element.0]) / bound)
        }
    }

    @Test(arguments: cases.indices)
    func theProductsGiveTheBitsOfTheWrittenOutRows(case index: Int) throws {
        let (shape, height, width, stride, padding, filters, samples) = Self.cases[index]
        let geometry = try WindowGeometry(sampleShape: shape, window: (height, width), stride: stride, padding: padding, layer: "test")
        let windows = try #require(PaddedWindows(geometry: geometry, samples: samples, filters: filters, scalar: Float.self))
        let (m, k, n) = (windows.rowCount, geometry.windowSize, filters)
        let images = randomValues(samples * geometry.inputSize, seed: UInt64(10 + index))
        let weight = randomValues(k * n, seed: UInt64(20 + index)), bias = randomValues(n, seed: UInt64(30 + index))
        let delta = randomValues(m * n, seed: UInt64(40 + index)), startingGradient = randomValues(k * n, seed: UInt64(50 + index))
        let rows = writtenOutRows(images, geometry, samples: samples)
        var padded = [Float](repeating: .nan, count: windows.paddedCount)
        images.withUnsafeBufferPointer { x in padded.withUnsafeMutableBufferPointer { p in windows.pad(x, into: p) } }

        // The Double reference of both products, and Σ|terms| for the bound.
        var (forward, forwardMagnitudes) = (bias.map(Double.init), bias.map { abs(Double($0)) })
        forward = (0..<m).flatMap { _ in forward }
        forwardMagnitudes = (0..<m).flatMap { _ in forwardMagnitudes }
        var (gradient, gradientMagnitudes) = (startingGradient.map(Double.init), startingGradient.map { abs(Double($0)) })
        for i in 0..<m {
            for p in 0..<k {
                let x = Double(rows[i * k + p])
                for j in 0..<n {
                    let (product, weightProduct) = (x * Double(weight[p * n + j]), x * Double(delta[i * n + j]))
                    forward[i * n + j] += product
                    forwardMagnitudes[i * n + j] += abs(product)
                    gradient[p * n + j] += weightProduct
                    gradientMagnitudes[p * n + j] += abs(weightProduct)
                }
            }
        }

        for set in Kernels.supportedInstructionSets {
            for threads in 1...3 {
                var (expectedOutput, output) = ([Float](repeating: .nan, count: m * n), [Float](repeating: .nan, count: m * n))
                var (expectedGradient, weightGradient) = (startingGradient, startingGradient)
                rows.withUnsafeBufferPointer { r in
                    weight.withUnsafeBufferPointer { w in
                        bias.withUnsafeBufferPointer { b in
                            expectedOutput.withUnsafeMutableBufferPointer { c in
                                _ = Kernels.matrixMultiplyFloat(
                                    r.baseAddress!, false, w.baseAddress!, false, c.baseAddress!, m: m, n: n, k: k, accumulate: false,
                                    bias: b.baseAddress!, threads: threads, set: set)
                            }
                            padded.withUnsafeBufferPointer { p in
                                output.withUnsafeMutableBufferPointer { c in
                                    windows.multiply(
                                        p.baseAddress!, by: w.baseAddress!, bias: b.baseAddress!, into: c.baseAddress!, threads: threads,
                                        set: set)
                                }
                            }
                        }
                    }
                    delta.withUnsafeBufferPointer { d in
                        expectedGradient.withUnsafeMutableBufferPointer { dW in
                            _ = Kernels.matrixMultiplyFloat(
                                r.baseAddress!, true, d.baseAddress!, false, dW.baseAddress!, m: k, n: n, k: m, accumulate: true,
                                threads: threads, set: set)
                        }
                        padded.withUnsafeBufferPointer { p in
                            weightGradient.withUnsafeMutableBufferPointer { dW in
                                windows.accumulateWeightGradient(
                                    p.baseAddress!, delta: d.baseAddress!, into: dW.baseAddress!, threads: threads, set: set)
                            }
                        }
                    }
                }
                let context = "case \(index), set \(set.rawValue), \(threads) threads"
                #expect(output.map(\.bitPattern) == expectedOutput.map(\.bitPattern), "forward, \(context)")
                #expect(weightGradient.map(\.bitPattern) == expectedGradient.map(\.bitPattern), "weight gradient, \(context)")
                let (forwardError, gradientError) = (
                    worstError(output, forward, forwardMagnitudes, depth: k), worstError(weightGradient, gradient, gradientMagnitudes, depth: m)
                )
                #expect(forwardError <= 1, "forward, \(context): error \(forwardError) of the bound")
                #expect(gradientError <= 1, "weight gradient, \(context): error \(gradientError) of the bound")
            }
        }
    }

    @Test func paddingCopiesEveryPixelAndZerosTheBorder() throws {
        let geometry = try WindowGeometry(sampleShape: [3, 4, 16], window: (3, 3), stride: 1, padding: .zeros(2), layer: "test")
        let windows = try #require(PaddedWindows(geometry: geometry, samples: 2, filters: 8, scalar: Float.self))
        #expect((windows.paddedHeight, windows.paddedWidth) == (7, 8))
        let images = (0..<(2 * geometry.inputSize)).map { Float($0 + 1) }
        var padded = [Float](repeating: .nan, count: windows.paddedCount)
        images.withUnsafeBufferPointer { x in padded.withUnsafeMutableBufferPointer { p in windows.pad(x, into: p) } }
        for sample in 0..<2 {
            for y in 0..<7 {
                for x in 0..<8 {
                    for channel in 0..<16 {
                        let (imageY, imageX) = (y - 2, x - 2)
                        let inside = (0..<3).contains(imageY) && (0..<4).contains(imageX)
                        let expected = inside ? images[sample * geometry.inputSize + (imageY * 4 + imageX) * 16 + channel] : 0
                        #expect(padded[sample * windows.paddedSize + (y * 8 + x) * 16 + channel] == expected)
                    }
                }
            }
        }
    }

    /// Where the rows stay written out: double precision, a window 2 wide over one channel
    /// (2 values in a window's row), a product the unpacked kernel takes, a dW of 3 rows (which
    /// it takes too), weights too wide, a stride wider than the window (the padded images would
    /// be larger than the rows), one filter over four windows of 40,000 values (the weight
    /// padded to a tile would be larger than the rows and the product's packing block); and
    /// where they do not: the usual first convolution, 3×3 over
    /// one channel.
    @Test func writtenOutWhereTheWindowsWouldNotPay() throws {
        let image = try WindowGeometry(sampleShape: [14, 14, 32], window: (3, 3), stride: 1, padding: .same, layer: "test")
        #expect(PaddedWindows(geometry: image, samples: 2, filters: 64, scalar: Float.self) != nil)
        #expect(PaddedWindows(geometry: image, samples: 2, filters: 64, scalar: Double.self) == nil)
        #expect(PaddedWindows(geometry: image, samples: 2, filters: 3073, scalar: Float.self) == nil)
        let oneChannel = try WindowGeometry(sampleShape: [28, 28], window: (3, 3), stride: 1, padding: .same, layer: "test")
        #expect(PaddedWindows(geometry: oneChannel, samples: 64, filters: 32, scalar: Float.self) != nil)
        let narrow = try WindowGeometry(sampleShape: [28, 28], window: (2, 2), stride: 1, padding: .same, layer: "test")
        #expect(PaddedWindows(geometry: narrow, samples: 64, filters: 32, scalar: Float.self) == nil)
        let tiny = try WindowGeometry(sampleShape: [2, 2, 16], window: (1, 1), stride: 1, padding: .valid, layer: "test")
        #expect(PaddedWindows(geometry: tiny, samples: 1, filters: 1, scalar: Float.self) == nil)
        let pointwise = try WindowGeometry(sampleShape: [8, 8, 3], window: (1, 1), stride: 1, padding: .valid, layer: "test")
        #expect(PaddedWindows(geometry: pointwise, samples: 4, filters: 16, scalar: Float.self) == nil)
        let twoWindows = try WindowGeometry(sampleShape: [1, 2, 40_000], window: (1, 1), stride: 1, padding: .valid, layer: "test")
        #expect(PaddedWindows(geometry: twoWindows, samples: 2, filters: 1, scalar: Float.self) == nil)
        let skipping = try WindowGeometry(sampleShape: [11, 10, 16], window: (2, 2), stride: 3, padding: .zeros(1), layer: "test")
        #expect(PaddedWindows(geometry: skipping, samples: 2, filters: 70, scalar: Float.self) == nil)
    }

    /// (input shape, channels, filters, kernel height, width, stride, padding, whether dX is
    /// a convolution): the README CNN's second layer in small; even and non-square kernels
    /// with `.same` padding (the gradient padded more on one side than the other); zero
    /// padding as wide as the kernel allows; a kernel of 2×3 without padding (the convolution
    /// would do more work than dRows); 16 channels (half-empty tiles); a stride of 2.
    static let layers: [([Int], Int, Int, Int, Int, Int, Padding, Bool)] = [
        ([3, 6, 7, 32], 32, 24, 3, 3, 1, .same, true),
        ([2, 5, 6, 32], 32, 40, 2, 2, 1, .same, true),
        ([2, 5, 6, 32], 32, 40, 2, 3, 1, .same, true),
        ([2, 4, 5, 32], 32, 8, 3, 3, 1, .zeros(2), true),
        ([2, 5, 6, 32], 32, 40, 2, 3, 1, .valid, false),
        ([3, 6, 7, 16], 16, 24, 3, 3, 1, .same, false),
        ([2, 7, 6, 32], 32, 24, 3, 3, 2, .same, false),
    ]

    /// A single-precision convolution (which reads its rows from the padded images) against
    /// the same layer in double precision (whose gradients the finite-difference tests check):
    /// output, input gradient, weight and bias gradients, through two steps (the second reuses
    /// the buffers).
    @Test(arguments: layers.indices)
    func singlePrecisionConvolutionAgreesWithDoublePrecision(case index: Int) throws {
        let (shape, channels, filters, height, width, stride, padding, gradientByConvolution) = Self.layers[index]
        var generator = SeededRandomGenerator(seed: UInt64(80 + index))
        var double = Conv2D<Double, Tanh>(
            channels: channels, filters: filters, kernelHeight: height, kernelWidth: width, stride: stride, padding: padding,
            activation: Tanh(), biasInitializer: .uniform(lower: -0.5, upper: 0.5), generator: &generator)
        var single = try Conv2D<Float, Tanh>(
            weight: Tensor(shape: double.weight.value.shape, scalars: double.weight.value.scalars.map(Float.init)),
            bias: Tensor(shape: double.bias.value.shape, scalars: double.bias.value.scalars.map(Float.init)),
            kernelHeight: height, kernelWidth: width, stride: stride, padding: padding, activation: Tanh())
        let geometry = try WindowGeometry(
            sampleShape: Array(shape.dropFirst()), window: (height, width), stride: stride, padding: padding, layer: "test")
        #expect(PaddedWindows(geometry: geometry, samples: shape[0], filters: filters, scalar: Float.self) != nil)
        #expect((single.inputGradientWindows(geometry, samples: shape[0]) != nil) == gradientByConvolution)
        let outputShape = [shape[0]] + (try single.outputShape(forInputShape: Array(shape.dropFirst())))
        for step in 0..<2 {
            let input = randomImages(shape, seed: UInt64(60 + step))
            let gradient = randomImages(outputShape, seed: UInt64(70 + step))
            let singleInput = try Tensor(shape: input.shape, scalars: input.scalars.map(Float.init))
            let singleGradient = try Tensor(shape: gradient.shape, scalars: gradient.scalars.map(Float.init))
            let (expected, output) = (double.forward(input), single.forward(singleInput))
            let (expectedInputGradient, inputGradient) = (double.backward(gradient), single.backward(singleGradient))
            #expect(inputGradient.shape == shape)
            for (name, values, reference) in [
                ("output", output.scalars, expected.scalars), ("input gradient", inputGradient.scalars, expectedInputGradient.scalars),
                ("weight gradient", single.weight.gradient.scalars, double.weight.gradient.scalars),
                ("bias gradient", single.bias.gradient.scalars, double.bias.gradient.scalars),
            ] {
                let scale = reference.map(abs).max() ?? 0
                let worst = zip(values, reference).map { abs(Double($0) - $1) }.max() ?? 0
                #expect(values.count == reference.count && worst <= 1e-5 * scale, "case \(index), step \(step), \(name): \(worst) against \(scale)")
            }
        }
    }

    /// The turned kernels: value ((ky, kx), f) of column c is the kernels' ((h − 1 − ky,
    /// w − 1 − kx), c) of column f.
    @Test func turnedKernels() throws {
        let geometry = try WindowGeometry(sampleShape: [5, 6, 3], window: (2, 3), stride: 1, padding: .same, layer: "test")
        let (channels, filters) = (3, 4)
        let weight = (0..<(6 * channels * filters)).map { Float($0) }
        var turned = [Float](repeating: .nan, count: weight.count)
        weight.withUnsafeBufferPointer { w in turned.withUnsafeMutableBufferPointer { t in geometry.turnKernels(w, into: t, filters: filters) } }
        for ky in 0..<2 {
            for kx in 0..<3 {
                for filter in 0..<filters {
                    for channel in 0..<channels {
                        let original = weight[(((1 - ky) * 3 + (2 - kx)) * channels + channel) * filters + filter]
                        #expect(turned[((ky * 3 + kx) * filters + filter) * channels + channel] == original)
                    }
                }
            }
        }
        let gradient = try #require(geometry.inputGradientGeometry(filters: filters))
        #expect((gradient.inputHeight, gradient.inputWidth, gradient.channels) == (geometry.outputHeight, geometry.outputWidth, filters))
        #expect((gradient.outputHeight, gradient.outputWidth, gradient.padTop, gradient.padLeft) == (5, 6, 1 - geometry.padTop, 2 - geometry.padLeft))
        let strided = try WindowGeometry(sampleShape: [5, 6, 3], window: (2, 3), stride: 2, padding: .same, layer: "test")
        #expect(strided.inputGradientGeometry(filters: filters) == nil)
        let wide = try WindowGeometry(sampleShape: [5, 6, 3], window: (2, 3), stride: 1, padding: .zeros(2), layer: "test")
        #expect(wide.inputGradientGeometry(filters: filters) == nil)
    }
}
