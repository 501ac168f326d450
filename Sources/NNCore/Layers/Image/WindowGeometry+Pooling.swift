// The arithmetic of the pooling layers, specialised per scalar (the layers are reached
// through `any Layer`, where generic code would run unspecialised per element).

extension WindowGeometry {
    /// Writes the maximum of each window and channel into `output` (`[samples, positions,
    /// channels]`) and, into `winners`, the flat input index each maximum came from (a tensor
    /// holds at most 2³¹ − 1 values, so an `Int32` holds any index). Samples are shared
    /// between threads; returns how many shared them.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @discardableResult
    func maxPool<T: TensorScalar>(
        _ input: UnsafeBufferPointer<T>, samples: Int,
        into output: UnsafeMutableBufferPointer<T>, winners: UnsafeMutablePointer<Int32>, threads: Int = KernelThreads.count
    ) -> Int {
        precondition(
            input.count == samples * inputSize && output.count == samples * positions * channels,
            "WindowGeometry.maxPool: buffer sizes do not fit \(self)")
        // The winners are Int32 indices into the batch: a larger batch would wrap them.
        precondition(input.count <= Int(Int32.max), "WindowGeometry.maxPool: a batch of \(input.count) values is more than 2³¹ − 1")
        guard samples > 0 else { return 1 }
        let (x, y) = (input.baseAddress!, output.baseAddress!)
        return forEachSampleBlock(samples, valuesPerSample: inputSize, threads: threads) { block in
            for sample in block { maxPool(sample: sample, x, into: y, winners: winners) }
        }
    }

    /// One sample of ``maxPool(_:samples:into:winners:)``.
    @inline(__always)
    private func maxPool<T: TensorScalar>(
        sample: Int, _ input: UnsafePointer<T>, into output: UnsafeMutablePointer<T>, winners: UnsafeMutablePointer<Int32>
    ) {
        let channels = channels
        let image = sample * inputSize, pooled = sample * positions * channels
        for outY in 0..<outputHeight {
            let top = outY * stride - padTop
            let (firstRow, endRow) = (Swift.max(0, -top), Swift.min(windowHeight, inputHeight - top))
            for outX in 0..<outputWidth {
                let left = outX * stride - padLeft
                let (firstColumn, endColumn) = (Swift.max(0, -left), Swift.min(windowWidth, inputWidth - left))
                // Every pooling window holds a pixel (the geometry's rule for pooling).
                guard firstRow < endRow, firstColumn < endColumn else { continue }
                let y = output + pooled + (outY * outputWidth + outX) * channels
                let w = winners + pooled + (outY * outputWidth + outX) * channels
                // The window's first pixel inside the image starts the running maximum.
                let first = image + ((top + firstRow) * inputWidth + left + firstColumn) * channels
                for channel in 0..<channels {
                    y[channel] = input[first + channel]
                    w[channel] = Int32(truncatingIfNeeded: first + channel)
                }
                for ky in firstRow..<endRow {
                    for kx in firstColumn..<endColumn where ky != firstRow || kx != firstColumn {
                        let source = image + ((top + ky) * inputWidth + left + kx) * channels
                        let x = input + source
                        let sourceIndex = Int32(truncatingIfNeeded: source)
                        var channel = 0
                        if T.self == Float.self {
                            channel = Self.maxPoolFourChannels(
                                x: UnsafeRawPointer(x), y: UnsafeMutableRawPointer(y), winners: w, channels: channels, sourceIndex: sourceIndex)
                        }
                        while channel < channels {
                            let value = x[channel], best = y[channel]
                            // A NaN wins (`!(≤)` rather than `>`) and then stays (`best == best`):
                            // a NaN is never hidden.
                            if !(value <= best) && best == best {
                                y[channel] = value
                                w[channel] = sourceIndex &+ Int32(truncatingIfNeeded: channel)
                            }
                            channel += 1
                        }
                    }
                }
            }
        }
    }

    /// The running maximum of one tap over Float channels, four lanes at a time with selects,
    /// not branches (random data mispredicts half of them; the compiler does not vectorise the
    /// scalar loop). Returns the first channel left for the scalar loop.
    /// - Parameters:
    ///   - x: the tap's first channel in the input.
    ///   - y: the window's running maxima.
    ///   - winners: the window's running winners.
    ///   - channels: the number of channels.
    ///   - sourceIndex: the flat input index of `x`.
    @inline(__always)
    private static func maxPoolFourChannels(
        x: UnsafeRawPointer, y: UnsafeMutableRawPointer, winners: UnsafeMutablePointer<Int32>, channels: Int, sourceIndex: Int32
    ) -> Int {
        let lanes = SIMD4<Int32>(0, 1, 2, 3)
        var channel = 0
        while channel + 4 <= channels {
            let offset = channel * MemoryLayout<Float>.stride
            let value = x.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            let best = y.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            let wins = .!(value .<= best) .& (best .== best)
            y.storeBytes(of: best.replacing(with: value, where: wins), toByteOffset: offset, as: SIMD4<Float>.self)
            let w = UnsafeMutableRawPointer(winners + channel)
            let index = SIMD4<Int32>(repeating: sourceIndex &+ Int32(truncatingIfNeeded: channel)) &+ lanes
            w.storeBytes(of: w.loadUnaligned(as: SIMD4<Int32>.self).replacing(with: index, where: wins), as: SIMD4<Int32>.self)
            channel += 4
        }
        return channel
    }

    /// Adds each output gradient onto the input element that won its window. Samples are
    /// shared between threads (a sample's winners lie in that sample); returns how many.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @discardableResult
    func maxPoolBackward<T: TensorScalar>(
        _ outputGradient: UnsafeBufferPointer<T>, samples: Int, winners: UnsafePointer<Int32>,
        into inputGradient: UnsafeMutableBufferPointer<T>, threads: Int = KernelThreads.count
    ) -> Int {
        guard samples > 0 else { return 1 }
        let (g, dX, outputSize) = (outputGradient.baseAddress!, inputGradient.baseAddress!, positions * channels)
        return forEachSampleBlock(samples, valuesPerSample: inputSize, threads: threads) { block in
            (dX + block.lowerBound * inputSize).update(repeating: 0, count: block.count * inputSize)
            for index in (block.lowerBound * outputSize)..<(block.upperBound * outputSize) { dX[Int(winners[index])] += g[index] }
        }
    }

    /// How many taps of each window position fall inside the image (padding excluded).
    func tapCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: positions)
        forEachTap { position, _, _ in counts[position] += 1 }
        return counts
    }

    /// Writes the mean of each window and channel over the taps inside the image.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func averagePool<T: TensorScalar>(
        _ input: UnsafeBufferPointer<T>, samples: Int, counts: [Int],
        into output: UnsafeMutableBufferPointer<T>
    ) {
        precondition(
            input.count == samples * inputSize && output.count == samples * positions * channels,
            "WindowGeometry.averagePool: buffer sizes do not fit \(self)")
        output.update(repeating: 0)
        let channels = channels
        for sample in 0..<samples {
            let image = sample * inputSize, pooled = sample * positions * channels
            forEachTap { position, _, offset in
                for channel in 0..<channels { output[pooled + position * channels + channel] += input[image + offset + channel] }
            }
            for position in 0..<positions {
                let scale = 1 / T(counts[position])
                for channel in 0..<channels { output[pooled + position * channels + channel] *= scale }
            }
        }
    }

    /// Spreads each output gradient evenly over the taps of its window.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func averagePoolBackward<T: TensorScalar>(
        _ outputGradient: UnsafeBufferPointer<T>, samples: Int, counts: [Int],
        into inputGradient: UnsafeMutableBufferPointer<T>
    ) {
        inputGradient.update(repeating: 0)
        let channels = channels
        for sample in 0..<samples {
            let image = sample * inputSize, pooled = sample * positions * channels
            forEachTap { position, _, offset in
                let scale = 1 / T(counts[position])
                for channel in 0..<channels {
                    inputGradient[image + offset + channel] += outputGradient[pooled + position * channels + channel] * scale
                }
            }
        }
    }
}
