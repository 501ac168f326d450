import CNNKernels
import NNCore

/// The state an optimiser keeps for one parameter: how many steps it has taken and the
/// rule's per-element buffers (moments).
///
/// The optimiser keeps the buffers in the parameter's own precision while it trains; here
/// they are `Double`, which holds a `Float` exactly, so saving and restoring loses nothing.
public struct ParameterState: Sendable, Equatable, Codable {
    /// Steps taken by this parameter.
    public var step: Int
    /// `stateBuffers × count` numbers; see ``UpdateRule/step(_:gradients:state:context:)``.
    public var buffers: [Double]

    /// Creates a state.
    public init(step: Int, buffers: [Double]) {
        self.step = step
        self.buffers = buffers
    }
}

/// A gradient-based optimiser: an ``UpdateRule`` plus what every rule shares — a learning
/// rate and its schedule, L2 weight decay, gradient clipping, parameter groups with their own
/// settings, frozen parameters left untouched, and per-parameter state keyed by the
/// parameter's name (so it can be saved and restored).
///
/// ```swift
/// let optimizer: GradientOptimizer = .adam(learningRate: 1e-3)
///     .scheduled(.warmup(steps: 100, then: .cosine(steps: 10_000, minimum: 0.01)))
///     .clipped(.byGlobalNorm(1))
///     .grouped(ParameterGroup(.suffix("bias"), weightDecay: 0))
/// ```
public struct GradientOptimizer: Optimizer, Sendable {
    /// The per-element update.
    public var rule: any UpdateRule {
        didSet { ruleIsPlainStep = rule is GradientStep }
    }
    /// Whether ``rule`` is ``GradientStep``, known without a dynamic cast at every step.
    private var ruleIsPlainStep: Bool
    /// The base learning rate (for fixed-step descent, the step).
    public var learningRate: Double
    /// How the learning rate changes with the step count.
    public var schedule: LearningRateSchedule
    /// The L2 penalty coefficient added to every gradient (`g + λθ`).
    public var weightDecay: Double
    /// How gradients are limited before each step, if at all.
    public var clipping: GradientClipping?
    /// Settings for some parameters; the first matching group applies.
    public var groups: [ParameterGroup]
    /// Updates made so far; the schedule is evaluated at this count.
    public var stepCount: Int
    /// Each parameter's state, by parameter name.
    public var state: [String: ParameterState] {
        get { Dictionary(slots.map { ($0.name, $0.parameterState) }, uniquingKeysWith: { first, _ in first }) }
        set { slots = newValue.map { StateSlot(name: $0.key, state: $0.value) } }
    }
    /// The same states in the order the model visits its trainable parameters, so that a step
    /// finds each one by position (and a name comparison) instead of hashing its name.
    private var slots: [StateSlot] = []

    /// Creates an optimiser.
    public init(
        rule: any UpdateRule, learningRate: Double, schedule: LearningRateSchedule = .constant,
        weightDecay: Double = 0, clipping: GradientClipping? = nil, groups: [ParameterGroup] = []
    ) {
        precondition(learningRate.isFinite && learningRate >= 0, "GradientOptimizer: learning rate must be finite and not negative")
        self.rule = rule
        self.ruleIsPlainStep = rule is GradientStep
        self.learningRate = learningRate
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.clipping = clipping
        self.groups = groups
        self.stepCount = 0
    }

    public var checkpointState: OptimizerState {
        get { OptimizerState(stepCount: stepCount, parameters: state) }
        set {
            stepCount = newValue.stepCount
            state = newValue.parameters
        }
    }

    public var currentLearningRate: Double? { learningRate * schedule.multiplier(atStep: stepCount) }

    /// The base learning rate, then each group's own (a group without one is skipped: it
    /// follows the base rate). Setting takes as many rates as getting gives; any other count
    /// is a programmer error.
    public var learningRates: [Double] {
        get { [learningRate] + groups.compactMap(\.learningRate) }
        set {
            let grouped = groups.indices.filter { groups[$0].learningRate != nil }
            precondition(newValue.count == grouped.count + 1, "GradientOptimizer.learningRates: expected \(grouped.count + 1) rates")
            precondition(newValue.allSatisfy { $0.isFinite && $0 >= 0 }, "GradientOptimizer.learningRates: rates must be finite and not negative")
            learningRate = newValue[0]
            for (position, index) in grouped.enumerated() { groups[index].learningRate = newValue[position + 1] }
        }
    }

    /// The update rule's name.
    public var stateKind: String { rule.name }

    /// Checks step counts (not negative), buffer sizes (the rule's buffers for each
    /// parameter's elements), finiteness, and that every state names a trainable parameter.
    public func validate(_ state: OptimizerState, parameterCounts: [String: Int]) throws(OptimizerStateError) {
        // No run takes 2⁵³ steps; a larger count could only overflow when the next step adds one.
        let plausibleSteps = 0...(1 << 53)
        guard plausibleSteps.contains(state.stepCount) else {
            throw OptimizerStateError("the step count \(state.stepCount) is not in \(plausibleSteps)")
        }
        for (name, parameter) in state.parameters.sorted(by: { $0.key < $1.key }) {
            guard let count = parameterCounts[name] else {
                throw OptimizerStateError("there is state for '\(name)', which is not a trainable parameter of the model")
            }
            guard plausibleSteps.contains(parameter.step) else {
                throw OptimizerStateError("'\(name)' has the step count \(parameter.step), not in \(plausibleSteps)")
            }
            let expected = count.multipliedReportingOverflow(by: rule.stateBuffers)
            guard !expected.overflow, parameter.buffers.count == expected.partialValue else {
                throw OptimizerStateError(
                    "the state of '\(name)' holds \(parameter.buffers.count) numbers; \(rule.name) keeps \(rule.stateBuffers) per element of its \(count)"
                )
            }
            if let bad = parameter.buffers.firstIndex(where: { !$0.isFinite }) {
                throw OptimizerStateError("the state of '\(name)' holds \(parameter.buffers[bad]) at position \(bad)")
            }
        }
    }

    /// The learning rate the next update will use for a parameter named `name`.
    public func currentLearningRate(for name: String) -> Double {
        let base = groups.first { $0.selector.matches(name) }?.learningRate ?? learningRate
        return base * schedule.multiplier(atStep: stepCount)
    }

    public mutating func update<Model: Layer>(_ model: inout Model) {
        update(&model, zeroingGradients: false)
    }

    /// One pass over the parameters: each is stepped and its gradient zeroed while it is in
    /// cache (for a network of a few weights, a second pass to zero cost a tenth of a step).
    public mutating func updateAndZeroGradients<Model: Layer>(_ model: inout Model) {
        update(&model, zeroingGradients: true)
    }

    // Specialised for the form the trainer trains a Sequential of Dense layers in: the
    // per-parameter closure then runs compiled for it.
    /// ``update(_:)``, and with `zeroingGradients` every gradient set to zero after its step.
    /// - Parameters:
    ///   - model: the model whose parameters are stepped.
    ///   - zeroingGradients: whether to zero every gradient (frozen parameters' too).
    @_specialize(where Model == DenseChain<Float>)
    @_specialize(where Model == DenseChain<Double>)
    private mutating func update<Model: Layer>(_ model: inout Model, zeroingGradients: Bool) {
        let (scale, clipValue) = clippingFactors(for: model)
        let multiplier = schedule.multiplier(atStep: stepCount)
        stepCount += 1
        // What every parameter outside a group steps with (its own step count aside), and
        // what the rule keeps: worked out once, not for each parameter.
        let shared = StepContext(
            learningRate: learningRate * multiplier, step: 0, gradientScale: scale, clipValue: clipValue, weightDecay: weightDecay)
        let stateBuffers = rule.stateBuffers
        // The plain step's kernel, chosen once (a lazy global: each read is a `swift_once`).
        let plain = ruleIsPlainStep ? Kernels.instructionSet : nil
        var position = 0
        model.visitParameters { name, parameter in
            if update(
                &parameter, named: name, position: position, multiplier: multiplier, shared: shared, stateBuffers: stateBuffers,
                plain: plain, zeroingGradient: zeroingGradients)
            {
                position += 1
            }
        }
    }

    /// Steps one parameter (and zeroes its gradient when `zeroingGradient`); returns whether
    /// it was trainable, and so took a state slot. Specialised per scalar type: `update(_:)` is
    /// generic over the model, and unspecialised code here would look up generic type
    /// metadata on every step.
    /// - Parameters:
    ///   - parameter: the parameter.
    ///   - name: its qualified name, which finds its state slot and group.
    ///   - position: its position among the trainable parameters visited so far.
    ///   - multiplier: the schedule's learning-rate multiplier for this step.
    ///   - shared: the context of a parameter in no group (its step count aside).
    ///   - stateBuffers: the rule's state values per element.
    ///   - plain: when the rule is ``GradientStep``, the instruction set of its kernel.
    ///   - zeroingGradient: whether to zero the gradient after using it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private mutating func update<Scalar: TensorScalar>(
        _ parameter: inout Parameter<Scalar>, named name: String, position: Int, multiplier: Double, shared: StepContext,
        stateBuffers: Int, plain: NNInstructionSet?, zeroingGradient: Bool
    ) -> Bool {
        guard parameter.isTrainable else {
            if zeroingGradient { parameter.zeroGradient() }
            return false
        }
        let count = parameter.value.scalarCount
        let slot = slotIndex(for: name, at: position, count: count)
        var context = shared
        if !groups.isEmpty, let group = groups.first(where: { $0.selector.matches(name) }) {
            context.learningRate = (group.learningRate ?? learningRate) * multiplier
            context.weightDecay = group.weightDecay ?? weightDecay
        }
        slots[slot].step += 1
        context.step = slots[slot].step
        // A rule without state (the plain and fixed steps of the lessons) skips the buffers:
        // for a network of a few weights, their bookkeeping was a fifth of a step.
        guard stateBuffers > 0 else {
            Self.step(
                &parameter, rule: rule, plain: plain, state: UnsafeMutableBufferPointer(start: nil, count: 0), context: context,
                zeroingGradient: zeroingGradient)
            return true
        }
        let rule = rule   // a copy: the buffers' closure has `slots`, a part of `self`, in use
        slots[slot].withBuffers(of: Scalar.self, count: count * stateBuffers, named: name) { state in
            Self.step(&parameter, rule: rule, plain: nil, state: state, context: context, zeroingGradient: zeroingGradient)
        }
        return true
    }

    /// Applies `rule` to `parameter` and, when `zeroingGradient`, zeroes its gradient while its
    /// buffer is held (a second access cost 2% of a lesson step); otherwise the gradient is
    /// only read, so that one shared with a copy of the model is not copied.
    /// - Parameters:
    ///   - parameter: the parameter.
    ///   - rule: the update rule.
    ///   - plain: when `rule` is ``GradientStep``, the instruction set its `Float` step is then
    ///     called straight with (through the existential, the call and its generic entry were
    ///     a third of the step of a lesson's parameter).
    ///   - state: the rule's state for this parameter.
    ///   - context: the step's learning rate, step count, clipping and decay.
    ///   - zeroingGradient: whether to zero the gradient after the step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func step<Scalar: TensorScalar>(
        _ parameter: inout Parameter<Scalar>, rule: any UpdateRule, plain: NNInstructionSet?, state: UnsafeMutableBufferPointer<Scalar>,
        context: StepContext, zeroingGradient: Bool
    ) {
        func apply(_ values: UnsafeMutableBufferPointer<Scalar>, _ gradients: UnsafeBufferPointer<Scalar>) {
            if let set = plain, Scalar.self == Float.self, let v = values.baseAddress, let g = gradients.baseAddress {
                // What `GradientStep.step` does for `Float`: the same call, the same bits.
                GradientStepKernel.step(
                    UnsafeMutableRawPointer(v).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                    count: values.count, context: context, set: set)
            } else {
                rule.step(values, gradients: gradients, state: state, context: context)
            }
        }
        if zeroingGradient {
            parameter.gradient.withUnsafeMutableBufferPointer { gradients in
                parameter.value.withUnsafeMutableBufferPointer { apply($0, UnsafeBufferPointer(gradients)) }
                gradients.update(repeating: 0)
            }
        } else {
            parameter.gradient.withUnsafeBufferPointer { gradients in
                parameter.value.withUnsafeMutableBufferPointer { apply($0, gradients) }
            }
        }
    }

    /// The slot of the parameter `name`, visited at `position` among the trainable ones; moved
    /// there, or created with zero state for `count` elements, when it is not there yet.
    @inline(__always)
    private mutating func slotIndex(for name: String, at position: Int, count: Int) -> Int {
        // Inlined for the common case, the slot already in place (a call cost a tenth of a
        // lesson parameter's update).
        if position < slots.count && slots[position].name == name { return position }
        return placeSlot(for: name, at: position, count: count)
    }

    /// ``slotIndex(for:at:count:)`` for a slot not yet at `position`.
    private mutating func placeSlot(for name: String, at position: Int, count: Int) -> Int {
        if let found = slots.indices.dropFirst(position).first(where: { slots[$0].name == name }) {
            slots.swapAt(position, found)
        } else {
            slots.insert(StateSlot(name: name), at: Swift.min(position, slots.count))
        }
        return Swift.min(position, slots.count - 1)
    }

    private func clippingFactors<Model: Layer>(for model: Model) -> (scale: Double, clipValue: Double?) {
        switch clipping {
        case nil:
            return (1, nil)
        case .byValue(let limit):
            return (1, limit)
        case .byGlobalNorm(let maxNorm):
            var copy = model
            var sumOfSquares = 0.0
            copy.visitParameters { _, parameter in
                if parameter.isTrainable { sumOfSquares += squaredNorm(parameter.gradient) }
            }
            let norm = sumOfSquares.squareRoot()
            return (norm > maxNorm ? maxNorm / norm : 1, nil)
        }
    }
}

/// Σ x², accumulated in `Double`.
@_specialize(where T == Float)
@_specialize(where T == Double)
func squaredNorm<T: TensorScalar>(_ tensor: Tensor<T>) -> Double {
    tensor.withUnsafeBufferPointer { values in
        var sum = 0.0
        for value in values { sum += Double(value) * Double(value) }
        return sum
    }
}

extension GradientOptimizer {
    /// The same optimiser with a learning-rate schedule.
    public func scheduled(_ schedule: LearningRateSchedule) -> GradientOptimizer {
        var copy = self
        copy.schedule = schedule
        return copy
    }

    /// The same optimiser with gradient clipping.
    public func clipped(_ clipping: GradientClipping) -> GradientOptimizer {
        var copy = self
        copy.clipping = clipping
        return copy
    }

    /// The same optimiser with parameter groups (the first match applies).
    public func grouped(_ groups: ParameterGroup...) -> GradientOptimizer {
        var copy = self
        copy.groups = groups
        return copy
    }
}

extension Optimizer where Self == GradientOptimizer {
    /// Gradient descent, `θ ← θ − η·(g + λθ)`; with momentum μ > 0, heavy-ball or Nesterov
    /// momentum (PyTorch's `SGD`).
    public static func gradientDescent(
        learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0
    ) -> GradientOptimizer {
        let rule: any UpdateRule = momentum > 0 || nesterov ? Momentum(momentum: momentum, nesterov: nesterov) : GradientStep()
        return GradientOptimizer(rule: rule, learningRate: learningRate, weightDecay: weightDecay)
    }

    /// Fixed-step descent: every parameter moves by `step` against the sign of its gradient.
    public static func fixedStep(_ step: Double) -> GradientOptimizer {
        GradientOptimizer(rule: FixedStep(), learningRate: step)
    }

    /// Adam, with optional L2 weight decay added to the gradient (PyTorch's `Adam(weight_decay=)`).
    public static func adam(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        weightDecay: Double = 0
    ) -> GradientOptimizer {
        GradientOptimizer(
            rule: Adam(beta1: beta1, beta2: beta2, epsilon: epsilon), learningRate: learningRate,
            weightDecay: weightDecay)
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's `AdamW`, default λ = 0.01).
    public static func adamW(
        learningRate: Double = 1e-3, weightDecay: Double = 1e-2, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8
    ) -> GradientOptimizer {
        GradientOptimizer(
            rule: Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledWeightDecay: weightDecay),
            learningRate: learningRate)
    }

    /// RMSProp (PyTorch's `RMSprop` defaults).
    public static func rmsProp(
        learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0
    ) -> GradientOptimizer {
        GradientOptimizer(rule: RMSProp(alpha: alpha, epsilon: epsilon), learningRate: learningRate, weightDecay: weightDecay)
    }
}

/// One parameter's name and optimiser state, its buffers in the parameter's precision.
private struct StateSlot: Sendable {
    var name: String
    var step = 0
    /// The buffers of a `Double` parameter, or those restored from a file and not yet used.
    var double: [Double] = []
    /// The buffers of a `Float` parameter.
    var float: [Float] = []

    /// A fresh slot: no steps, buffers made (zero) at the first step.
    init(name: String) { self.name = name }

    /// A slot restored from saved state.
    init(name: String, state: ParameterState) {
        self.name = name
        self.step = state.step
        self.double = state.buffers
    }

    /// The state to save: the buffers in `Double` (exact for `Float` ones).
    var parameterState: ParameterState {
        ParameterState(step: step, buffers: float.isEmpty ? double : float.map(Double.init))
    }

    /// Runs `body` with `count` buffer elements of `Scalar`: zeros at a parameter's first step,
    /// restored state converted once to the parameter's precision.
    mutating func withBuffers<Scalar: TensorScalar>(
        of _: Scalar.Type, count: Int, named name: String, _ body: (UnsafeMutableBufferPointer<Scalar>) -> Void
    ) {
        if Scalar.self == Float.self {
            if float.count != count {
                precondition(float.isEmpty && (double.isEmpty || double.count == count), misfit(name, count))
                float = double.isEmpty ? [Float](repeating: 0, count: count) : double.map { Float($0) }
                double = []
            }
            float.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: Scalar.self) { body($0) }
            }
        } else {
            precondition(Scalar.self == Double.self, "GradientOptimizer: parameters of \(Scalar.self) are not supported")
            if double.count != count {
                precondition(double.isEmpty, misfit(name, count))
                double = [Double](repeating: 0, count: count)
            }
            double.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: Scalar.self) { body($0) }
            }
        }
    }

    private func misfit(_ name: String, _ count: Int) -> String {
        "GradientOptimizer: state for '\(name)' does not fit \(count) buffer elements"
    }
}
