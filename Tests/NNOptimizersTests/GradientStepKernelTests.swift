import CNNKernels
import NNCore
import Testing

@testable import NNOptimizers

/// The Float gradient step (the C kernel) against the rule's element loop written out in
/// Swift, bit for bit: every instruction set this CPU has, 1 to 8 threads, with and without
/// clipping and L2 penalty, through NaN and infinite gradients.
@Suite struct GradientStepKernelTests {
    static let contexts = [
        StepContext(learningRate: 0.1, step: 1),
        StepContext(learningRate: 0.05, step: 3, gradientScale: 0.7, clipValue: 0.03, weightDecay: 0.01),
        StepContext(learningRate: 0.05, step: 3, clipValue: 0),   // clamps to ±0: the signs of zero must agree
    ]

    /// `GradientStep`'s arithmetic for one element, as its scalar loop computes it.
    func reference(_ value: Float, _ gradient: Float, _ context: StepContext) -> Float {
        let x = Double(value)
        return Float(x - context.learningRate * context.effectiveGradient(Double(gradient), value: x))
    }

    @Test(arguments: contexts, [70_013, 66_049, 131_073])   // uneven splits, a tail in every vector width
    func everyInstructionSetAndThreadCountGivesTheBitsOfTheScalarRule(context: StepContext, count: Int) {
        var generator = SeededRandomGenerator(seed: 8)
        let start = (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }
        var gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.2 - 0.1 }
        (gradients[1], gradients[count - 1], gradients[40]) = (.nan, .infinity, -.infinity)
        let expected = zip(start, gradients).map { reference($0, $1, context) }
        let best = nn_best_instruction_set().rawValue
        let sets = [NNInstructionSetBaseline, NNInstructionSetAVX2, NNInstructionSetAVX512].filter { $0.rawValue <= best }
        for set in sets {
            for threads in [1, 2, 3, 8] {
                var values = start, used = 0
                for attempt in 0..<1000 where attempt == 0 || (threads > 1 && used == 1) {
                    values = start
                    used = GradientStepKernel.step(&values, gradients, count: count, context: context, set: set, threads: threads)
                }
                #expect(threads == 1 || used > 1, "\(threads) threads: never split")
                let differing = (0..<count).filter { values[$0].bitPattern != expected[$0].bitPattern }
                #expect(differing.isEmpty, "set \(set.rawValue), \(threads) threads, \(context): differs at \(differing.prefix(5))")
            }
        }
    }

    /// Below two threads' worth of elements the kernel runs on the caller's thread, whatever
    /// the thread count asked for, with the scalar rule's bits.
    @Test(arguments: [1, 41, 2 * GradientStepKernel.elementsPerThread - 1])
    func aStepTooSmallToShareRunsOnOneThread(count: Int) {
        var generator = SeededRandomGenerator(seed: UInt64(count))
        let start = (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }
        let gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.2 - 0.1 }
        for context in Self.contexts {
            let expected = (0..<count).map { reference(start[$0], gradients[$0], context) }
            let best = nn_best_instruction_set().rawValue
            for set in [NNInstructionSetBaseline, NNInstructionSetAVX2, NNInstructionSetAVX512] where set.rawValue <= best {
                var values = start
                let used = GradientStepKernel.step(&values, gradients, count: count, context: context, set: set, threads: 8)
                #expect(used == 1)
                let same = values.elementsEqual(expected) { $0.bitPattern == $1.bitPattern }
                #expect(same, "set \(set.rawValue), \(count) elements")
            }
        }
    }

    /// `Momentum`'s arithmetic for one element, as its scalar loop computes it.
    func momentumReference(_ value: Float, _ gradient: Float, _ velocity: inout Float, momentum: Double, nesterov: Bool, _ context: StepContext)
        -> Float
    {
        let x = Double(value)
        let g = context.effectiveGradient(Double(gradient), value: x)
        let speed = momentum * Double(velocity) + g
        velocity = Float(speed)
        return Float(x - context.learningRate * (nesterov ? g + momentum * speed : speed))
    }

    /// The momentum kernel against `Momentum`'s element loop, bit for bit, two steps (the
    /// second reads the velocity the first wrote), plain and Nesterov.
    @Test(arguments: contexts, [false, true])
    func theMomentumKernelGivesTheBitsOfTheScalarRule(context: StepContext, nesterov: Bool) {
        let count = 70_013
        var generator = SeededRandomGenerator(seed: 9)
        let start = (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }
        var gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.2 - 0.1 }
        (gradients[1], gradients[count - 1], gradients[40]) = (.nan, .infinity, -.infinity)
        var expected = start, expectedVelocity = [Float](repeating: 0.01, count: count)
        for _ in 0..<2 {
            for i in 0..<count {
                expected[i] = momentumReference(expected[i], gradients[i], &expectedVelocity[i], momentum: 0.9, nesterov: nesterov, context)
            }
        }
        let best = nn_best_instruction_set().rawValue
        let sets = [NNInstructionSetBaseline, NNInstructionSetAVX2, NNInstructionSetAVX512].filter { $0.rawValue <= best }
        for set in sets {
            for threads in [1, 3] {
                var values = start, velocity = [Float](repeating: 0.01, count: count)
                for _ in 0..<2 {
                    _ = GradientStepKernel.momentumStep(
                        &values, gradients, velocity: &velocity, count: count, momentum: 0.9, nesterov: nesterov, context: context, set: set,
                        threads: threads)
                }
                let same = { (a: [Float], b: [Float]) in (0..<count).filter { a[$0].bitPattern != b[$0].bitPattern && !(a[$0].isNaN && b[$0].isNaN) }
                }
                #expect(
                    same(values, expected).isEmpty,
                    "set \(set.rawValue), \(threads) threads, \(context): θ differs at \(same(values, expected).prefix(5))")
                #expect(same(velocity, expectedVelocity).isEmpty, "set \(set.rawValue), \(threads) threads: v differs")
            }
        }
    }
}
