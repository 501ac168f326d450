/// Where a sliding window (of a convolution or a pooling layer) falls on an image.
///
/// Images are stored channels-last: a sample `[height, width, channels]` (a sample
/// `[height, width]` is one channel), so a batch is `[batch, height, width, channels]`.
struct WindowGeometry: Equatable, Sendable {
    var inputHeight: Int, inputWidth: Int, channels: Int
    var windowHeight: Int, windowWidth: Int, stride: Int
    var outputHeight: Int, outputWidth: Int
    /// Rows and columns of padding before the image (above and to the left).
    var padTop: Int, padLeft: Int
    /// Values in one input sample.
    let inputSize: Int
    /// Window positions in one sample.
    let positions: Int
    /// Values under one window (all channels).
    let windowSize: Int

    /// The geometry of `window` sliding by `stride` over samples shaped `sampleShape`.
    ///
    /// Every size is checked against ``TensorLimits`` before it is multiplied, so a window, a
    /// stride or a padding of any size gives an error, never an overflow.
    /// - Parameters:
    ///   - sampleShape: one input sample, `[height, width, channels]` or `[height, width]`.
    ///   - window: the window's height and width (positive).
    ///   - stride: the step between window positions (positive).
    ///   - padding: the border treatment.
    ///   - layer: the layer's name, for messages.
    ///   - needsImageInEveryWindow: pooling's rule: a window lying wholly in the padding has
    ///     no value to pool, so zero padding must be smaller than the window.
    /// - Throws: `TensorError` naming `layer` when the sample is not an image, the window does
    ///   not fit it, or a size is beyond the limits.
    init(
        sampleShape: [Int], window: (height: Int, width: Int), stride: Int, padding: Padding, layer: String,
        needsImageInEveryWindow: Bool = false
    ) throws(TensorError) {
        guard sampleShape.count == 2 || sampleShape.count == 3, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw .shapeMismatch(context: "\(layer) input (one sample: [height, width, channels])", expected: [-1, -1, -1], actual: sampleShape)
        }
        let limit = TensorLimits.maximumScalarCount
        var amount = 0
        if case .zeros(let zeros) = padding { amount = zeros }
        guard window.height > 0, window.width > 0, stride > 0, amount >= 0 else {
            throw .invalidConfiguration(
                layer: layer, reason: "window \(window.height)×\(window.width) and stride \(stride) must be positive, padding \(amount) not negative")
        }
        for (what, size) in [("the window", Swift.max(window.height, window.width)), ("the stride", stride), ("the padding", amount)]
        where size > limit {
            throw .invalidConfiguration(layer: layer, reason: "\(what), \(size), is more than \(limit)")
        }
        if needsImageInEveryWindow && amount >= Swift.min(window.height, window.width) {
            throw .invalidConfiguration(
                layer: layer,
                reason:
                    "padding \(amount) is not smaller than the \(window.height)×\(window.width) window (a window wholly in the padding has nothing to pool)"
            )
        }
        (inputHeight, inputWidth, channels) = (sampleShape[0], sampleShape[1], sampleShape.count == 3 ? sampleShape[2] : 1)
        (windowHeight, windowWidth, self.stride) = (window.height, window.width, stride)
        // Every operand below is at most 2³¹, so no sum or product here can overflow.
        func outputAndPadding(_ size: Int, _ window: Int) -> (output: Int, before: Int) {
            switch padding {
            case .valid:
                return (size >= window ? (size - window) / stride + 1 : 0, 0)
            case .same:
                let output = (size + stride - 1) / stride
                return (output, Swift.max((output - 1) * stride + window - size, 0) / 2)
            case .zeros(let amount):
                let padded = size + 2 * amount
                return (padded >= window ? (padded - window) / stride + 1 : 0, amount)
            }
        }
        (outputHeight, padTop) = outputAndPadding(inputHeight, windowHeight)
        (outputWidth, padLeft) = outputAndPadding(inputWidth, windowWidth)
        guard outputHeight > 0, outputWidth > 0 else {
            throw .shapeMismatch(
                context: "\(layer): a \(windowHeight)×\(windowWidth) window with \(padding) padding needs a larger image",
                expected: [windowHeight, windowWidth, channels], actual: sampleShape)
        }
        inputSize = try TensorLimits.scalarCount(of: [inputHeight, inputWidth, channels])
        positions = try TensorLimits.scalarCount(of: [outputHeight, outputWidth])
        windowSize = try TensorLimits.scalarCount(of: [windowHeight, windowWidth, channels])
    }

    /// Whether every window lies wholly inside the image (no tap falls in the padding).
    var windowsInsideImage: Bool {
        padTop == 0 && padLeft == 0 && (outputHeight - 1) * stride + windowHeight <= inputHeight
            && (outputWidth - 1) * stride + windowWidth <= inputWidth
    }

    /// Calls `body(position, tap, inputOffset)` for every window position of one sample and
    /// every tap (ky, kx) of the window that falls inside the image; `inputOffset` is the
    /// offset of that pixel's first channel in the sample, `tap` is `ky · windowWidth + kx`.
    @inline(__always)
    func forEachTap(_ body: (_ position: Int, _ tap: Int, _ inputOffset: Int) -> Void) {
        forEachTapRun { position, firstTap, inputOffset, count in
            for index in 0..<count { body(position, firstTap + index, inputOffset + index * channels) }
        }
    }

    /// Calls `body(position, firstTap, inputOffset, count)` for every window position of one
    /// sample and every row of the window that falls inside the image, once per row: the
    /// `count` taps from `firstTap` on are adjacent both in the im2col row and in the image
    /// (`count · channels` values from `inputOffset`), so they move as one run.
    @inline(__always)
    func forEachTapRun(_ body: (_ position: Int, _ firstTap: Int, _ inputOffset: Int, _ count: Int) -> Void) {
        // Only the taps inside the image are visited, so a window far larger than the image
        // costs what its overlap with the image costs.
        // (A convolution's window may lie wholly in the padding: then it has no taps.)
        for outY in 0..<outputHeight {
            let top = outY * stride - padTop
            let (firstRow, endRow) = (Swift.max(0, -top), Swift.min(windowHeight, inputHeight - top))
            guard firstRow < endRow else { continue }
            for outX in 0..<outputWidth {
                let left = outX * stride - padLeft
                let (firstColumn, endColumn) = (Swift.max(0, -left), Swift.min(windowWidth, inputWidth - left))
                guard firstColumn < endColumn else { continue }
                let position = outY * outputWidth + outX
                for ky in firstRow..<endRow {
                    body(position, ky * windowWidth + firstColumn, ((top + ky) * inputWidth + left + firstColumn) * channels, endColumn - firstColumn)
                }
            }
        }
    }

    /// Runs `body` over blocks of consecutive samples that together cover `0..<samples`,
    /// shared between threads when the pass is large enough to repay them (at least 2¹⁵ input
    /// values per thread). Each block must write only its own samples' output.
    /// - Parameters:
    ///   - samples: the batch size.
    ///   - valuesPerSample: a measure of one sample's work (its input values).
    ///   - threads: the most threads to use.
    ///   - body: the work of one block of samples.
    /// - Returns: the number of threads that shared the blocks.
    @inline(__always) @discardableResult
    func forEachSampleBlock(_ samples: Int, valuesPerSample: Int, threads: Int, _ body: (Range<Int>) -> Void) -> Int {
        let parts = Swift.min(threads, samples, samples * valuesPerSample / (1 << 15))
        guard parts > 1 else {
            body(0..<samples)
            return 1
        }
        return KernelWorkers.shared.run(parts: parts, threads: parts) { part in
            body((part * samples / parts)..<((part + 1) * samples / parts))
        }
    }

    /// Whether the window at `position` lies wholly inside the image.
    @inline(__always)
    private func windowInsideImage(at position: Int) -> Bool {
        let (outY, outX) = position.quotientAndRemainder(dividingBy: outputWidth)
        let (top, left) = (outY * stride - padTop, outX * stride - padLeft)
        return top >= 0 && left >= 0 && top + windowHeight <= inputHeight && left + windowWidth <= inputWidth
    }

    /// im2col: writes, for each sample and window position, the row of `windowSize` values
    /// under the window (taps in (ky, kx) order, channels innermost; zeros in the padding).
    /// Samples are shared between threads; returns how many shared them.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @discardableResult
    func gatherWindows<T: TensorScalar>(
        _ input: UnsafeBufferPointer<T>, samples: Int, into rows: UnsafeMutableBufferPointer<T>, threads: Int = KernelThreads.count
    ) -> Int {
        precondition(
            input.count == samples * inputSize && rows.count == samples * positions * windowSize,
            "WindowGeometry.gatherWindows: buffer sizes do not fit \(self)")
        guard samples > 0 else { return 1 }
        let (source, target, channels, windowSize, positions) = (input.baseAddress!, rows.baseAddress!, channels, windowSize, positions)
        let padded = !windowsInsideImage
        return forEachSampleBlock(samples, valuesPerSample: positions * windowSize, threads: threads) { block in
            for sample in block {
                let image = source + sample * inputSize
                let sampleRows = target + sample * positions * windowSize
                // Taps in the padding read zeros: only rows of windows that reach into it are
                // cleared, as every other value is overwritten below.
                if padded {
                    for position in 0..<positions where !windowInsideImage(at: position) {
                        (sampleRows + position * windowSize).update(repeating: 0, count: windowSize)
                    }
                }
                forEachTapRun { position, tap, offset, taps in
                    let (row, pixels, count) = (sampleRows + position * windowSize + tap * channels, image + offset, taps * channels)
                    // A run of a few values (one channel: a window's width) is copied inline; a
                    // call to memmove would cost more than the copy.
                    if count < 16 {
                        for index in 0..<count { row[index] = pixels[index] }
                    } else {
                        row.update(from: pixels, count: count)
                    }
                }
            }
        }
    }

    /// col2im, the adjoint of ``gatherWindows(_:samples:into:)``: adds each row value back
    /// onto the input pixel it was copied from (overlapping windows add up). Samples are
    /// shared between threads; returns how many shared them.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @discardableResult
    func scatterWindows<T: TensorScalar>(
        _ rows: UnsafeBufferPointer<T>, samples: Int, into input: UnsafeMutableBufferPointer<T>, threads: Int = KernelThreads.count
    ) -> Int {
        precondition(
            input.count == samples * inputSize && rows.count == samples * positions * windowSize,
            "WindowGeometry.scatterWindows: buffer sizes do not fit \(self)")
        guard samples > 0 else { return 1 }
        let (source, target, channels, windowSize, positions) = (rows.baseAddress!, input.baseAddress!, channels, windowSize, positions)
        let inputSize = inputSize
        return forEachSampleBlock(samples, valuesPerSample: positions * windowSize, threads: threads) { block in
            (target + block.lowerBound * inputSize).update(repeating: 0, count: block.count * inputSize)
            for sample in block {
                let image = target + sample * inputSize
                let sampleRows = source + sample * positions * windowSize
                forEachTapRun { position, tap, offset, taps in
                    let (row, pixels) = (sampleRows + position * windowSize + tap * channels, image + offset)
                    for index in 0..<(taps * channels) { pixels[index] += row[index] }
                }
            }
        }
    }
}
