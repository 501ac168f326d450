import CNNKernels
import NNCore

/// The plain gradient step for `Float` parameters: the C kernel `nn_gradient_step_f32`, the
/// same arithmetic as ``GradientStep``'s element loop (in `Double`, rounded once) in one
/// vectorised pass, split between threads above a size.
enum GradientStepKernel {
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
        set: NNInstructionSet = Kernels.instructionSet, threads: Int = KernelThreads.count
    ) -> Int {
        let constants = NNGradientStepCoefficients(
            learningRate: context.learningRate, gradientScale: context.gradientScale, clip: context.clipValue ?? 0,
            penalty: context.weightDecay, clamps: context.clipValue == nil ? 0 : 1)
        return withUnsafePointer(to: constants) { constants in
            KernelThreads.forEachRange(of: count, minimumPerThread: elementsPerThread, threads: threads) { range in
                nn_gradient_step_f32(set, constants, values + range.lowerBound, gradients + range.lowerBound, range.count)
            }
        }
    }
}
