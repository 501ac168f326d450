import CNNKernels
import Foundation
import NNCore
import Testing

@testable import NNOptimizers

/// Adam for Float parameters (the C kernel, moments in Float as PyTorch keeps them) against
/// the same operations written here in Swift (bit for bit, in every instruction set this CPU
/// has), and against Adam's formula computed in Double (Kingma and Ba, 2015; AdamW:
/// Loshchilov and Hutter, 2019), step after step, with clipping and both kinds of weight decay.
@Suite struct FloatAdamTests {
    /// Adam's options for one run.
    struct Settings: Sendable, CustomStringConvertible {
        var l2: Double
        var decoupled: Double
        var clip: Double?
        var description: String { "L2 \(l2), decoupled \(decoupled), clip \(clip.map { "\($0)" } ?? "none")" }
    }

    static let settings = [
        Settings(l2: 0, decoupled: 0, clip: nil), Settings(l2: 0.01, decoupled: 0, clip: nil),
        Settings(l2: 0, decoupled: 0.1, clip: nil), Settings(l2: 0, decoupled: 0, clip: 0.05),
        Settings(l2: 0, decoupled: 0, clip: 0),   // clamps to ±0: the signs of zero must agree
    ]

    /// The instruction sets this CPU runs, and the names of those it lacks.
    static var instructionSets: (run: [NNInstructionSet], missing: [String]) {
        let all: [(NNInstructionSet, String)] = [
            (NNInstructionSetBaseline, "baseline"), (NNInstructionSetAVX2, "AVX2"), (NNInstructionSetAVX512, "AVX-512"),
        ]
        let best = nn_best_instruction_set().rawValue
        return (all.filter { $0.0.rawValue <= best }.map(\.0), all.filter { $0.0.rawValue > best }.map(\.1))
    }

    @Test(arguments: settings)
    func floatStepsFollowTheFormulaInDouble(settings: Settings) throws {
        let (lr, beta1, beta2, epsilon) = (0.01, 0.9, 0.999, 1e-8)
        let count = 37   // two vectors of sixteen and a scalar tail of five
        var generator = SeededRandomGenerator(seed: 5)
        var layer = try Dense(
            weight: Tensor<Float>(shape: [count, 1], scalars: (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }),
            bias: Tensor<Float>([0]), activation: Identity())
        layer.freeze { $0 == "bias" }
        var optimizer: GradientOptimizer =
            settings.decoupled > 0
            ? .adamW(learningRate: lr, weightDecay: settings.decoupled, beta1: beta1, beta2: beta2, epsilon: epsilon)
            : .adam(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: settings.l2)
        if let clip = settings.clip { optimizer = optimizer.clipped(.byValue(clip)) }
        var m = [Double](repeating: 0, count: count), v = m
        for step in 1...20 {
            let gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.4 - 0.2 }
            let before = layer.weight.value.scalars.map(Double.init)
            layer.weight.gradient = try Tensor(shape: [count, 1], scalars: gradients)
            optimizer.update(&layer)
            let t = Double(step)
            for i in 0..<count {
                // The formula, in Double, from the same Float weight and gradient.
                var g = Double(gradients[i])
                if let clip = settings.clip { g = min(max(g, -clip), clip) }
                g += settings.l2 * before[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let mHat = m[i] / (1 - pow(beta1, t)), vHat = v[i] / (1 - pow(beta2, t))
                let stepLength = lr * mHat / (vHat.squareRoot() + epsilon)
                let expected = before[i] * (1 - lr * settings.decoupled) - stepLength
                let actual = Double(layer.weight.value[flat: i])
                // Float rounding of the weight (a few units in its last place) plus that of the
                // step, whose moments are Float numbers carried over 20 steps: each step's
                // rounding decays with β, so the relative error of m and v stays within a few
                // dozen units (16 ulp of the learning rate bounds what the step inherits).
                let tolerance = 2 * Double(Float.ulpOfOne) * abs(expected) + 16 * Double(Float.ulpOfOne) * lr
                #expect(abs(actual - expected) <= tolerance, "step \(step), element \(i), \(settings): \(actual) vs \(expected)")
            }
        }
    }

    /// Every vector width and the scalar tail perform the same Float operations in the same
    /// order (no fused multiply-adds), so each instruction set gives the bits of the Swift
    /// reference below, including non-finite inputs.
    @Test(arguments: settings)
    func everyInstructionSetGivesTheSameBits(settings: Settings) {
        let run = Self.instructionSets.run
        let count = 45   // two AVX-512 vectors, a tail of thirteen
        var generator = SeededRandomGenerator(seed: 11)
        let start = (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }
        var gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.4 - 0.2 }
        gradients[3] = .nan
        gradients[20] = .infinity
        let coefficients = AdamCoefficients(
            beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 1 - 0.01 * settings.decoupled, stepSize: 0.01 / (1 - 0.9 * 0.9),
            secondCorrectionInverse: 1 / (1 - 0.999 * 0.999), gradientScale: 0.75, clip: settings.clip ?? .infinity,
            penalty: settings.l2)
        // The reference: the kernel's operations in Swift (which never fuses a multiply-add).
        let k = coefficients.singlePrecision
        var expected = start, expectedM = [Float](repeating: 0.01, count: count), expectedV = [Float](repeating: 0.0004, count: count)
        for _ in 0..<2 {
            for i in 0..<count {
                var g = gradients[i] * k.gradientScale
                if k.clamps != 0 { g = clampLikeTheRule(g, k.clip) }
                g = g + k.penalty * expected[i]
                expectedM[i] = k.beta1 * expectedM[i] + k.oneMinusBeta1 * g
                expectedV[i] = k.beta2 * expectedV[i] + k.oneMinusBeta2 * (g * g)
                let denominator = (expectedV[i] * k.secondCorrectionInverse).squareRoot() + k.epsilon
                expected[i] = expected[i] * k.decay - (k.stepSize * expectedM[i]) / denominator
            }
        }
        for set in run {
            var values = start, m = [Float](repeating: 0.01, count: count), v = [Float](repeating: 0.0004, count: count)
            for _ in 0..<2 { coefficients.update(&values, gradients, &m, &v, count: count, set: set) }
            for (name, actual, reference) in [("θ", values, expected), ("m", m, expectedM), ("v", v, expectedV)] {
                let differing = (0..<count).filter { actual[$0].bitPattern != reference[$0].bitPattern && !(actual[$0].isNaN && reference[$0].isNaN) }
                #expect(differing.isEmpty, "set \(set.rawValue), \(settings): \(name) differs at \(differing)")
            }
        }
    }

    /// On x86 the pass flushes subnormal numbers to zero, in every instruction set and the
    /// scalar tail alike: a gradient of 1e-20 (g² = 1e-40) leaves the second moment 0, a
    /// subnormal moment reads as 0, and the caller's floating-point mode is left as it was.
    @Test func subnormalsAreFlushedToZeroOnX86() throws {
        #if arch(x86_64)
            let count = 21   // one AVX-512 vector and a tail of five
            let coefficients = AdamCoefficients(
                beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 1, stepSize: 0.001, secondCorrectionInverse: 1, gradientScale: 1,
                clip: .infinity, penalty: 0)
            let subnormal = Float.leastNormalMagnitude / 4
            for set in Self.instructionSets.run {
                var values = [Float](repeating: 0.5, count: count), m = [Float](repeating: 0, count: count)
                var v = [Float](repeating: subnormal, count: count)
                let gradients = [Float](repeating: 1e-20, count: count)
                coefficients.update(&values, gradients, &m, &v, count: count, set: set)
                #expect(v.allSatisfy { $0 == 0 }, "set \(set.rawValue): \(v)")
                #expect(m.allSatisfy { $0 == Float(0.1) * 1e-20 }, "set \(set.rawValue)")   // 1e-21 is a normal number
            }
            // Arithmetic outside the pass still keeps subnormals (a product computed at run time).
            var probe = [Float.leastNormalMagnitude, Float(count) / Float(2 * count)]
            probe[0] *= probe[1]
            #expect(probe[0] == subnormal * 2 && probe[0].isSubnormal)
        #endif
    }

    /// Large parameters are split between threads: 2, 3 and 8 threads give the bits of one,
    /// for counts that do and do not divide evenly (66,049: a 257×257 weight).
    @Test(arguments: [200_003, 66_049, 98_306, 131_073])
    func threadsShareLargeParametersBitForBit(count: Int) {
        var generator = SeededRandomGenerator(seed: 3)
        let start = (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }
        let gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.4 - 0.2 }
        let coefficients = AdamCoefficients(
            beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 1, stepSize: 0.01 / (1 - 0.9), secondCorrectionInverse: 1 / (1 - 0.999),
            gradientScale: 1, clip: .infinity, penalty: 0)
        func run(threads: Int) -> (values: [Float], m: [Float], v: [Float], used: Int) {
            var values = start, m = [Float](repeating: 0, count: count), v = m
            var used = 0
            for attempt in 0..<1000 where attempt == 0 || (threads > 1 && used == 1) {
                (values, m, v) = (start, [Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
                used = coefficients.update(&values, gradients, &m, &v, count: count, threads: threads)
            }
            return (values, m, v, used)
        }
        let one = run(threads: 1)
        for threads in [2, 3, 8] {
            let many = run(threads: threads)
            #expect(many.used > 1, "\(threads) threads: the helpers were never free")
            #expect(many.values == one.values && many.m == one.m && many.v == one.v, "\(threads) threads")
        }
    }

    /// Says which kernels this CPU could not run, so that a pass on a machine without AVX-512
    /// does not read as a test of that kernel.
    @Test func reportsTheInstructionSetsItCouldNotRun() {
        let (run, missing) = Self.instructionSets
        print(
            "Adam kernel tests: \(run.count) instruction sets run; NOT run (the CPU lacks them): \(missing.isEmpty ? "none" : missing.joined(separator: ", "))"
        )
        #expect(run.first == NNInstructionSetBaseline)
    }

    /// `min(max(g, −c), c)` as the Double rule computes it: a NaN gradient stays NaN.
    private func clampLikeTheRule(_ g: Float, _ c: Float) -> Float {
        Swift.min(Swift.max(g, -c), c)
    }
}
