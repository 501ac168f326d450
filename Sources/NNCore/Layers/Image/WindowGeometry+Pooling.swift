// The arithmetic of the pooling layers, specialised per scalar (the layers are reached
// through `any Layer`, where generic code would run unspecialised per element).

extension WindowGeometry {
    /// Writes the maximum of each window and channel into `output` (`[samples, positions,
    /// channels]`) and, into `winners`, the flat input index each maximum came from.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func maxPool<T: TensorScalar>(
        _ input: UnsafeBufferPointer<T>, samples: Int,
        into output: UnsafeMutableBufferPointer<T>, winners: UnsafeMutablePointer<Int>
    ) {
        precondition(
            input.count == samples * inputSize && output.count == samples * positions * channels,
            "WindowGeometry.maxPool: buffer sizes do not fit \(self)")
        let channels = channels
        var firstTap = [Bool](repeating: true, count: positions)
        for sample in 0..<samples {
            let image = sample * inputSize, pooled = sample * positions * channels
            for position in 0..<positions { firstTap[position] = true }
            forEachTap { position, _, offset in
                let target = pooled + position * channels, source = image + offset
                if firstTap[position] {
                    // The window's first pixel inside the image starts the running maximum.
                    firstTap[position] = false
                    for channel in 0..<channels {
                        output[target + channel] = input[source + channel]
                        winners[target + channel] = source + channel
                    }
                    return
                }
                for channel in 0..<channels {
                    let value = input[source + channel], best = output[target + channel]
                    // Selects, not branches (random data mispredicts half of them). A NaN
                    // wins (`!(≤)` rather than `>`) and then stays (`best == best`), so a NaN
                    // in the window is never hidden.
                    let wins = !(value <= best) && best == best
                    output[target + channel] = wins ? value : best
                    winners[target + channel] = wins ? source + channel : winners[target + channel]
                }
            }
        }
    }

    /// Adds each output gradient onto the input element that won its window.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func maxPoolBackward<T: TensorScalar>(
        _ outputGradient: UnsafeBufferPointer<T>, winners: UnsafePointer<Int>,
        into inputGradient: UnsafeMutableBufferPointer<T>
    ) {
        inputGradient.update(repeating: 0)
        for index in outputGradient.indices { inputGradient[winners[index]] += outputGradient[index] }
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
