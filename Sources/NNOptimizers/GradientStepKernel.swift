import CNNKernels
import NNCore

/// The plain gradient step for `Float` parameters: the C kernel `nn_gradient_step_f32`, the
/// same arithmetic as ``GradientStep``'s element loop (in `Double`, rounded once) in one
/// vectorised pass, split between threads above a size.
enum GradientStepKernel {
    /// The instruction set of this CPU's kernel, decided once.
    static let instructionSet: NNInstructionSet = nn_best_instruction_set()

    /// The fewest elements worth a thread of their own.
    static let elementsPerThread = 1 << 15

    /// Moves `count` values one step against their gradients.
    /// - Parameters:
    ///   - values: the parameter's values, updated in place.
    ///   - gradients: its gradient.
    ///   - count: the number of elements.
    ///   - context: the step's learning rate, gradient scale, clipping and L2 penalty.
    ///   - set: the instruction set to run (tests try each the CPU has).
    ///   - threads: the most threads to share the elements.
    /// - Returns: the number of threads that shared them.
    @discardableResult
    static func step(
        _ values: UnsafeMutablePointer<Float>, _ gradients: UnsafePointer<Float>, count: Int, context: StepContext,
        set: NNInstructionSet = instructionSet, threads: Int = KernelThreads.count
    ) -> Int {
        let constants = NNGradientStepCoefficients(
            learningRate: context.learningRate, gradientScale: context.gradientScale, clip: context.clipValue ?? 0,
            penalty: context.weightDecay, clamps: context.clipValue == nil ? 0 : 1)
        let parts = Swift.min(threads, count / elementsPerThread)
        return withUnsafePointer(to: constants) { constants in
            guard parts > 1 else {
                nn_gradient_step_f32(set, constants, values, gradients, count)
                return 1
            }
            let chunk = (count / parts + 15) / 16 * 16
            return KernelThreads.run(parts: parts, threads: threads) { part in
                let start = part * chunk, length = Swift.min(chunk, count - start)
                guard length > 0 else { return }
                nn_gradient_step_f32(set, constants, values + start, gradients + start, length)
            }
        }
    }
}
