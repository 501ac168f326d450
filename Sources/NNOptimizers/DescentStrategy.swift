/// The four classic descent strategies, each an update rule with a batch schedule:
///
/// | strategy | samples per update | how far an update moves |
/// |---|---|---|
/// | batch (BGD) | all of them | learning rate × gradient |
/// | stochastic (SGD) | one, drawn at random with replacement | learning rate × gradient |
/// | mini-batch | `batchSize`, reshuffled every epoch | learning rate × gradient |
/// | fixed-step | all of them (or `batchSize`) | a constant step against the gradient's sign |
///
/// ```swift
/// var trainer = Trainer(model: model, loss: MeanSquaredError(), strategy: .miniBatchGradientDescent(learningRate: 0.1, batchSize: 16))
/// ```
public struct DescentStrategy: Sendable {
    /// The one-word names used on the command line.
    public enum Name: String, CaseIterable, Sendable {
        case batch = "bgd", stochastic = "sgd", miniBatch = "mini-batch", fixedStep = "fixed-step"
    }

    /// The update rule and its settings.
    public var optimizer: GradientOptimizer
    /// Which samples form each update.
    public var schedule: any BatchSchedule

    /// Creates a strategy from its parts.
    public init(optimizer: GradientOptimizer, schedule: any BatchSchedule) {
        self.optimizer = optimizer
        self.schedule = schedule
    }

    /// Batch gradient descent: every sample, one update per epoch.
    public static func batchGradientDescent(learningRate: Double) -> DescentStrategy {
        DescentStrategy(optimizer: .gradientDescent(learningRate: learningRate), schedule: FullBatch())
    }

    /// Stochastic gradient descent: one sample per update, drawn uniformly at random with
    /// replacement (or, with `shuffledEpochs`, each sample once per epoch in a random order).
    public static func stochasticGradientDescent(learningRate: Double, shuffledEpochs: Bool = false) -> DescentStrategy {
        DescentStrategy(
            optimizer: .gradientDescent(learningRate: learningRate),
            schedule: shuffledEpochs ? ShuffledBatches(size: 1) : RandomSamples())
    }

    /// Mini-batch gradient descent: batches of `batchSize` from a new permutation every epoch.
    public static func miniBatchGradientDescent(learningRate: Double, batchSize: Int, dropLast: Bool = false) -> DescentStrategy {
        DescentStrategy(
            optimizer: .gradientDescent(learningRate: learningRate),
            schedule: ShuffledBatches(size: batchSize, dropLast: dropLast))
    }

    /// Fixed-step descent: each parameter moves by `step` against its gradient's sign, over
    /// the full batch (or shuffled batches of `batchSize`).
    public static func fixedStepDescent(step: Double, batchSize: Int? = nil) -> DescentStrategy {
        DescentStrategy(
            optimizer: .fixedStep(step),
            schedule: batchSize.map { ShuffledBatches(size: $0) as any BatchSchedule } ?? FullBatch())
    }

    /// The strategy a one-word name stands for. `rate` is the learning rate, or the step
    /// for fixed-step descent; `batchSize` is used by mini-batch (and fixed-step, if given).
    public static func named(_ name: Name, rate: Double, batchSize: Int? = nil) -> DescentStrategy {
        switch name {
        case .batch: return .batchGradientDescent(learningRate: rate)
        case .stochastic: return .stochasticGradientDescent(learningRate: rate)
        case .miniBatch: return .miniBatchGradientDescent(learningRate: rate, batchSize: batchSize ?? 32)
        case .fixedStep: return .fixedStepDescent(step: rate, batchSize: batchSize)
        }
    }
}
