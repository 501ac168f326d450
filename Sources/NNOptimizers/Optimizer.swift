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

    /// Everything the optimiser has learnt (step counts, moments), for checkpoints: restoring
    /// it makes the next updates identical to an uninterrupted run's.
    var checkpointState: OptimizerState { get set }

    /// The base learning rate the next update uses, if the optimiser has one (for history).
    var currentLearningRate: Double? { get }
}

extension Optimizer {
    public var currentLearningRate: Double? { nil }
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
