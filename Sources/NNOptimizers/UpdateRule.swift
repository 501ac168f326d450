import NNCore

/// The per-element arithmetic of one optimisation step: plain gradient step, fixed step,
/// momentum, Adam, RMSProp.
///
/// A rule sees one parameter at a time: its values, its gradient, and `stateBuffers`
/// buffers of per-element state (moments) in the parameter's own precision, zero before the
/// first step. (PyTorch keeps Adam's moments in float32 too: for a `Float` model, `Double`
/// moments would double the memory an update streams through, the larger part of its cost.) ``GradientOptimizer`` handles everything shared by all
/// rules: learning-rate schedules, parameter groups, weight decay, clipping and freezing, all
/// delivered through the ``StepContext``.
///
/// Implementations should carry `@_specialize(where T == Float)` and
/// `@_specialize(where T == Double)`: the optimiser calls them from generic code, and those
/// attributes make that call land in loops compiled for the concrete scalar.
public protocol UpdateRule: Sendable {
    /// The name used in files and messages, e.g. `"adam"`.
    var name: String { get }
    /// How many buffers of per-element state each parameter needs.
    var stateBuffers: Int { get }
    /// Moves `values` one step. `state` holds `stateBuffers × values.count` numbers: buffer `k`
    /// of element `i` is `state[k * values.count + i]`.
    func step<T: TensorScalar>(
        _ values: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>,
        state: UnsafeMutableBufferPointer<T>, context: StepContext)
}

/// Everything a rule needs to know about the current step of one parameter.
public struct StepContext: Sendable, Equatable {
    /// The learning rate for this parameter at this step (group and schedule applied).
    public var learningRate: Double
    /// How many steps this parameter has taken, this one included (1 on the first step).
    public var step: Int
    /// The factor every gradient is multiplied by first (below 1 when clipping by global norm).
    public var gradientScale: Double
    /// The bound every gradient element is clamped to after scaling, if clipping by value.
    public var clipValue: Double?
    /// The L2 penalty coefficient: `weightDecay · θ` is added to the gradient.
    public var weightDecay: Double

    /// Creates a context; the defaults leave the gradient unchanged.
    public init(learningRate: Double, step: Int, gradientScale: Double = 1, clipValue: Double? = nil, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.step = step
        self.gradientScale = gradientScale
        self.clipValue = clipValue
        self.weightDecay = weightDecay
    }

    /// The gradient the rule should use for one element: scaled, clamped, then L2-penalised.
    @inlinable
    public func effectiveGradient(_ gradient: Double, value: Double) -> Double {
        var g = gradient * gradientScale
        if let clipValue { g = Swift.min(Swift.max(g, -clipValue), clipValue) }
        return g + weightDecay * value
    }
}
