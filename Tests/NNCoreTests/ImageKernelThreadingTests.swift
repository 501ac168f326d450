import Testing

@testable import NNCore

/// The image layers' passes over a batch (im2col, col2im, max pooling forward and backward)
/// share the samples between threads: 2, 3 and 8 threads give the bits of one thread, on
/// batches large enough to be split, with and without padding, with overlapping windows.
@Suite(.serialized) struct ImageKernelThreadingTests {
    /// A convolution's or pooling's geometry, the batch, and what to call it in messages.
    struct Case: Sendable, CustomStringConvertible {
        var sample: [Int], window: Int, stride: Int, padding: Padding, samples: Int
        var description: String { "\(samples)×\(sample), window \(window), stride \(stride), \(padding)" }
        func geometry() throws -> WindowGeometry {
            try WindowGeometry(sampleShape: sample, window: (window, window), stride: stride, padding: padding, layer: "test")
        }
    }

    static let cases = [
        Case(sample: [28, 28, 1], window: 3, stride: 1, padding: .same, samples: 128),
        Case(sample: [14, 14, 32], window: 3, stride: 1, padding: .same, samples: 16),
        Case(sample: [28, 28, 32], window: 2, stride: 2, padding: .valid, samples: 16),
        Case(sample: [15, 13, 8], window: 3, stride: 2, padding: .zeros(1), samples: 100),
    ]

    /// Runs `pass` with one thread and with `threads` (again until the helpers are free, as
    /// another test may hold them for a moment) and returns both results.
    func compare<R: Equatable>(threads: Int, _ pass: (Int) -> (result: R, used: Int)) -> (one: R, many: R, used: Int) {
        let one = pass(1).result
        var many = pass(threads), attempts = 1
        while many.used == 1 && attempts < 1000 {
            many = pass(threads)
            attempts += 1
        }
        return (one, many.result, many.used)
    }

    @Test(arguments: cases, [2, 3, 8])
    func everyPassGivesTheBitsOfOneThread(testCase: Case, threads: Int) throws {
        let geometry = try testCase.geometry(), samples = testCase.samples
        var generator = SeededRandomGenerator(seed: 21)
        var input = (0..<(samples * geometry.inputSize)).map { _ in generator.nextUniformFloat() * 2 - 1 }
        input[5] = .nan   // a NaN wins its window and stays
        let rowCount = samples * geometry.positions * geometry.windowSize
        let rowValues = (0..<rowCount).map { _ in generator.nextUniformFloat() - 0.5 }
        let pooledCount = samples * geometry.positions * geometry.channels
        let pooledGradient = (0..<pooledCount).map { _ in generator.nextUniformFloat() - 0.5 }

        let gathered = compare(threads: threads) { threads in
            var rows = [Float](repeating: .nan, count: rowCount)
            let used = input.withUnsafeBufferPointer { x in
                rows.withUnsafeMutableBufferPointer { geometry.gatherWindows(x, samples: samples, into: $0, threads: threads) }
            }
            return (rows.map(\.bitPattern), used)
        }
        let scattered = compare(threads: threads) { threads in
            var image = [Float](repeating: .nan, count: input.count)
            let used = rowValues.withUnsafeBufferPointer { r in
                image.withUnsafeMutableBufferPointer { geometry.scatterWindows(r, samples: samples, into: $0, threads: threads) }
            }
            return (image.map(\.bitPattern), used)
        }
        let pooled = compare(threads: threads) { threads in
            var output = [Float](repeating: 0, count: pooledCount), winners = [Int32](repeating: -1, count: pooledCount)
            let used = input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    winners.withUnsafeMutableBufferPointer {
                        geometry.maxPool(x, samples: samples, into: y, winners: $0.baseAddress!, threads: threads)
                    }
                }
            }
            return (output.map(\.bitPattern) + winners.map { UInt32(bitPattern: $0) }, used)
        }
        let winners = Array(pooled.one.suffix(pooledCount).map { Int32(bitPattern: $0) })
        let routed = compare(threads: threads) { threads in
            var inputGradient = [Float](repeating: .nan, count: input.count)
            let used = pooledGradient.withUnsafeBufferPointer { g in
                winners.withUnsafeBufferPointer { w in
                    inputGradient.withUnsafeMutableBufferPointer {
                        geometry.maxPoolBackward(g, samples: samples, winners: w.baseAddress!, into: $0, threads: threads)
                    }
                }
            }
            return (inputGradient.map(\.bitPattern), used)
        }
        for (name, result) in [("im2col", gathered), ("col2im", scattered), ("max pool", pooled), ("max pool backward", routed)] {
            #expect(result.used > 1, "\(name), \(testCase): never split")
            #expect(result.one == result.many, "\(name), \(testCase), \(threads) threads")
        }
        // The single-thread pool against its definition: every window's maximum, and the
        // winner's index holds it (the NaN at index 5 wins wherever it is in a window).
        for sample in 0..<samples {
            for position in 0..<geometry.positions {
                var best = -Float.infinity, sawNaN = false
                let (outY, outX) = position.quotientAndRemainder(dividingBy: geometry.outputWidth)
                for ky in 0..<geometry.windowHeight {
                    for kx in 0..<geometry.windowWidth {
                        let (y, x) = (outY * geometry.stride - geometry.padTop + ky, outX * geometry.stride - geometry.padLeft + kx)
                        guard (0..<geometry.inputHeight).contains(y), (0..<geometry.inputWidth).contains(x) else { continue }
                        let value = input[sample * geometry.inputSize + (y * geometry.inputWidth + x) * geometry.channels]
                        if value.isNaN { sawNaN = true } else { best = max(best, value) }
                    }
                }
                let index = (sample * geometry.positions + position) * geometry.channels
                let actual = Float(bitPattern: pooled.one[index])
                #expect(sawNaN ? actual.isNaN : actual == best, "\(testCase): sample \(sample), position \(position)")
                #expect(input[Int(winners[index])].bitPattern == actual.bitPattern)
            }
        }
    }
}
