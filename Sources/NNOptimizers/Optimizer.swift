import NNCore

/// An update rule: moves every trainable parameter of a model using the gradient that
/// backpropagation accumulated in it.
///
/// The caller (usually `Trainer`) owns the model and passes it in; the optimiser owns only
/// its own settings and per-parameter state. Frozen parameters (`isTrainable == false`)
/// must be left unchanged.
public protocol Optimizer {
    /// Applies one step to `model`'s trainable parameters. Does not zero the gradients.
    mutating func update<Model: Layer>(_ model: inout Model)

    /// Applies one step to `model`'s trainable parameters, then sets every gradient of the
    /// model (frozen parameters' too) to zero, ready for the next step to accumulate into.
    /// The default calls ``update(_:)`` and `Layer.zeroGradients()`; an optimiser that
    /// visits the parameters anyway can zero each gradient while it is still in cache.
    mutating func updateAndZeroGradients<Model: Layer>(_ model: inout Model)

    /// Everything the optimiser has learnt (step counts, moments), for checkpoints: restoring
    /// it makes the next updates identical to an uninterrupted run's.
    var checkpointState: OptimizerState { get set }

    /// The base learning rate the next update uses, if the optimiser has one (for history).
    var currentLearningRate: Double? { get }

    /// The learning rates a callback may change while training (`ReduceLROnPlateau` in
    /// NNTraining lowers them), in a fixed order: for ``GradientOptimizer``, the base rate, then
    /// each parameter group's own rate. Schedules multiply them as before. Recorded in
    /// checkpoints. An optimiser without learning rates has none (the default), and setting
    /// it does nothing.
    var learningRates: [Double] { get set }

    /// What the state belongs to (for ``GradientOptimizer``, its update rule's name, e.g.
    /// `"adam"`), recorded in checkpoints: the moments of one rule cannot resume another.
    var stateKind: String { get }

    /// Checks, before ``checkpointState`` is set from a file, that `state` is one this
    /// optimiser could have made for a model whose trainable parameters have these element
    /// counts (by name).
    /// - Throws: ``OptimizerStateError`` naming the first parameter whose state does not fit.
    func validate(_ state: OptimizerState, parameterCounts: [String: Int]) throws(OptimizerStateError)
}

extension Optimizer {
    public mutating func updateAndZeroGradients<Model: Layer>(_ model: inout Model) {
        update(&model)
        model.zeroGradients()
    }

    public var currentLearningRate: Double? { nil }

    public var learningRates: [Double] {
        get { [] }
        set {}   // nothing to set
    }

    /// By default, the optimiser's type name.
    public var stateKind: String { "\(Self.self)" }

    /// By default, any state is accepted (an optimiser with state should check it).
    public func validate(_ state: OptimizerState, parameterCounts: [String: Int]) throws(OptimizerStateError) {}
}

/// Why saved optimiser state cannot be restored into an optimiser and model.
public struct OptimizerStateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What does not fit, in one line.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// An optimiser's state: updates made and each parameter's state, by parameter name.
public struct OptimizerState: Sendable, Equatable, Codable {
    /// Updates made so far.
    public var stepCount: Int
    /// Each parameter's step count and per-element buffers.
    public var parameters: [String: ParameterState]

    /// Creates a state.
    public init(stepCount: Int = 0, parameters: [String: ParameterState] = [:]) {
        self.stepCount = stepCount
        self.parameters = parameters
    }
}
