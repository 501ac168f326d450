import NNCore

/// Plain gradient descent: `θ ← θ − learningRate · ∂Loss/∂θ` for every trainable parameter.
///
/// How many samples contribute to each gradient (batch, stochastic, mini-batch) is not the
/// optimiser's business: that is the trainer's ``BatchSchedule``.
public struct GradientDescent: Optimizer, Sendable {
    /// The step size.
    public var learningRate: Double

    /// Creates the rule with the given step size.
    public init(learningRate: Double) {
        precondition(learningRate.isFinite && learningRate > 0, "GradientDescent: learning rate must be positive")
        self.learningRate = learningRate
    }

    public mutating func update<Model: Layer>(_ model: inout Model) {
        let step = -Model.Scalar(learningRate)
        model.visitParameters { _, parameter in
            guard parameter.isTrainable else { return }
            let gradient = parameter.gradient
            gradient.withUnsafeBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { value in
                    Model.Scalar.addScaled(g, by: step, to: value)
                }
            }
        }
    }
}
