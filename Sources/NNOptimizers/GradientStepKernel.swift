import CNNKernels
import NNCore

/// The plain gradient step and the momentum step for `Float` parameters: the C kernels
/// `nn_gradient_step_f32` and `nn_momentum_step_f32`, the same arithmetic as the element
/// loops of ``GradientStep`` and ``Momentum`` (in `Double`, rounded once per stored value) in
/// one vectorised pass, split between threads above a size.
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
    ///   - threads: the most threads to share the elements; `nil`, `KernelThreads.count`
    ///     (read only for a step large enough to share).
    /// - Returns: the number of threads that shared them.
    @discardableResult
    static func step(
        _ values: UnsafeMutablePointer<Float>, _ gradients: UnsafePointer<Float>, count: Int, context: StepContext,
        set: NNInstructionSet = Kernels.instructionSet, threads: Int? = nil
    ) -> Int {
        let constants = NNGradientStepCoefficients(
            learningRate: context.learningRate, gradientScale: context.gradientScale, clip: context.clipValue ?? 0,
            penalty: context.weightDecay, clamps: context.clipValue == nil ? 0 : 1)
        return withUnsafePointer(to: constants) { constants in
            // One thread's share, called straight (no range closure): the lessons' parameters
            // have a few dozen elements, and their step is mostly this call's overhead.
            guard count >= 2 * elementsPerThread, case let threads = threads ?? KernelThreads.count, threads > 1 else {
                nn_gradient_step_f32(set, constants, values, gradients, count)
                return 1
            }
            return KernelThreads.forEachRange(of: count, minimumPerThread: elementsPerThread, threads: threads) { range in
                nn_gradient_step_f32(set, constants, values + range.lowerBound, gradients + range.lowerBound, range.count)
            }
        }
    }

    /// Moves `count` values one momentum step, updating their velocity.
    /// - Parameters:
    ///   - values: the parameter's values, updated in place.
    ///   - gradients: its gradient.
    ///   - velocity: the rule's state for the parameter, updated in place.
    ///   - count: the number of elements.
    ///   - momentum: μ.
    ///   - nesterov: whether to take Nesterov's look-ahead step.
    ///   - context: the step's learning rate, gradient scale, clipping and L2 penalty.
    ///   - set: the instruction set to run (tests try each the CPU has).
    ///   - threads: the most threads to share the elements.
    /// - Returns: the number of threads that shared them.
    @discardableResult
    static func momentumStep(
        _ values: UnsafeMutablePointer<Float>, _ gradients: UnsafePointer<Float>, velocity: UnsafeMutablePointer<Float>, count: Int,
        momentum: Double, nesterov: Bool, context: StepContext, set: NNInstructionSet = Kernels.instructionSet,
        threads: Int = KernelThreads.count
    ) -> Int {
        let constants = NNMomentumStepCoefficients(
            learningRate: context.learningRate, momentum: momentum, gradientScale: context.gradientScale, clip: context.clipValue ?? 0,
            penalty: context.weightDecay, clamps: context.clipValue == nil ? 0 : 1, nesterov: nesterov ? 1 : 0)
        return withUnsafePointer(to: constants) { constants in
            KernelThreads.forEachRange(of: count, minimumPerThread: elementsPerThread, threads: threads) { range in
                nn_momentum_step_f32(
                    set, constants, values + range.lowerBound, gradients + range.lowerBound, velocity + range.lowerBound, range.count)
            }
        }
    }
}
