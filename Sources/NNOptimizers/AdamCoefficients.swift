import CNNKernels
import NNCore

/// The per-step constants of an Adam update, and the element update for `Double` parameters
/// (`Float` parameters take the C kernel `nn_adam_f32`, with the same constants rounded to
/// single precision).
struct AdamCoefficients {
    var beta1: Double, beta2: Double, epsilon: Double
    /// `1 − lr·λ` (AdamW's decoupled decay; 1 for Adam).
    var decay: Double
    /// `lr / (1 − β₁ᵗ)`.
    var stepSize: Double
    /// `1 / (1 − β₂ᵗ)`.
    var secondCorrectionInverse: Double
    var gradientScale: Double
    /// The clipping bound (∞ when not clipping: clamping to ±∞ leaves finite values alone).
    var clip: Double
    /// The coupled L2 coefficient.
    var penalty: Double

    /// Updates one element, in the parameter's precision except for the constants' products.
    @inline(__always)
    func update<T: TensorScalar>(_ value: inout T, _ gradient: T, _ m: inout T, _ v: inout T) {
        let x = Double(value)
        let g = Swift.min(Swift.max(Double(gradient) * gradientScale, -clip), clip) + penalty * x
        let first = beta1 * Double(m) + (1 - beta1) * g
        let second = beta2 * Double(v) + (1 - beta2) * g * g
        m = T(first)
        v = T(second)
        let denominator = T(Double(v) * secondCorrectionInverse).squareRoot() + T(epsilon)
        value = T(x * decay) - T(stepSize * Double(m)) / denominator
    }

    /// The constants rounded to single precision, for `nn_adam_f32`.
    var singlePrecision: NNAdamCoefficients {
        NNAdamCoefficients(
            beta1: Float(beta1), oneMinusBeta1: Float(1 - beta1), beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
            epsilon: Float(epsilon), decay: Float(decay), stepSize: Float(stepSize),
            secondCorrectionInverse: Float(secondCorrectionInverse), gradientScale: Float(gradientScale),
            clip: clip.isFinite ? Float(clip) : 0, penalty: Float(penalty), clamps: clip.isFinite ? 1 : 0)
    }

    /// Updates `count` Float elements and their Float moments in one pass of the C kernel for `set`.
    /// - Parameters:
    ///   - values: the parameter's values, updated in place.
    ///   - gradients: its gradient.
    ///   - firstMoments: m, updated in place.
    ///   - secondMoments: v, updated in place.
    ///   - count: the number of elements.
    ///   - set: the instruction set to run (tests try each the CPU has).
    ///   - threads: the most threads to share the elements.
    /// - Returns: the number of threads that shared them.
    @discardableResult
    func update(
        _ values: UnsafeMutablePointer<Float>, _ gradients: UnsafePointer<Float>, _ firstMoments: UnsafeMutablePointer<Float>,
        _ secondMoments: UnsafeMutablePointer<Float>, count: Int, set: NNInstructionSet = Kernels.instructionSet,
        threads: Int = KernelThreads.count
    ) -> Int {
        let constants = singlePrecision
        // Split between threads above a size: the pass streams 28 bytes per element (more than
        // one core's caches hold for a layer of 784×256), so each core adds its bandwidth.
        // Cuts fall on multiples of 16 elements, and each element's arithmetic is the same
        // whichever thread runs it.
        return withUnsafePointer(to: constants) { constants in
            KernelThreads.forEachRange(of: count, minimumPerThread: Self.elementsPerThread, threads: threads) { range in
                let start = range.lowerBound
                nn_adam_f32(set, constants, values + start, gradients + start, firstMoments + start, secondMoments + start, range.count)
            }
        }
    }

    /// The fewest elements worth a thread of their own (about 10 µs of work).
    static let elementsPerThread = 1 << 15
}
