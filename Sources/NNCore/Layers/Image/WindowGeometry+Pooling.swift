// The arithmetic of the pooling layers, specialised per scalar (the layers are reached
// through `any Layer`, where generic code would run unspecialised per element).

extension WindowGeometry {
    /// Writes the maximum of each window and channel into `output` (`[samples, positions,
    /// channels]`) and, into `winners`, the flat input index each maximum came from.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func maxPool<T: TensorScalar>(_ input: UnsafeBufferPointer<T>, samples: Int,
                                  into output: UnsafeMutableBufferPointer<T>, winners: UnsafeMutablePointer<Int>) {
        precondition(input.count == samples * inputSize && output.count == samples * positions * channels,
                     "WindowGeometry.maxPool: buffer sizes do not fit \(self)")
        output.update(repeating: -.infinity)
        let channels = channels
        for sample in 0..<samples {
            let image = sample * inputSize, pooled = sample * positions * channels
            forEachTap { position, _, offset in
                for channel in 0..<channels {
                    let target = pooled + position * channels + channel, source = image + offset + channel
                    // `!(≤)` rather than `>`: a NaN in the window wins, so it is not hidden.
                    if !(input[source] <= output[target]) {
                        output[target] = input[source]
                        winners[target] = source
                    } else if output[target] == -.infinity && input[source] == -.infinity {
                        winners[target] = source
                    }
                }
            }
        }
    }

    /// Adds each output gradient onto the input element that won its window.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func maxPoolBackward<T: TensorScalar>(_ outputGradient: UnsafeBufferPointer<T>, winners: UnsafePointer<Int>,
                                          into inputGradient: UnsafeMutableBufferPointer<T>) {
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
    func averagePool<T: TensorScalar>(_ input: UnsafeBufferPointer<T>, samples: Int, counts: [Int],
                                      into output: UnsafeMutableBufferPointer<T>) {
        precondition(input.count == samples * inputSize && output.count == samples * positions * channels,
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
    func averagePoolBackward<T: TensorScalar>(_ outputGradient: UnsafeBufferPointer<T>, samples: Int, counts: [Int],
                                              into inputGradient: UnsafeMutableBufferPointer<T>) {
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
