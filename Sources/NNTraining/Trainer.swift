import Foundation
import NNCore
import NNData
import NNLosses
import NNOptimizers

/// Trains a model by explicit backpropagation: for each batch the schedule picks,
/// forward → loss → backward → optimiser step, for a number of epochs, with metrics and
/// callbacks after each epoch.
///
/// ```swift
/// var trainer = Trainer(model: model, loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.1),
///                       schedule: ShuffledBatches(size: 32), seed: 7, metrics: [Accuracy()])
/// let history = try trainer.fit(trainingData, epochs: 20)
/// let (testLoss, testMetrics) = try trainer.evaluate(testData)
/// ```
///
/// The trainer owns its copy of the model (`trainer.model`); every random choice is drawn
/// from its generator, seeded by `seed`, so equal seeds give equal runs.
public struct Trainer<Model: Layer, LossFunction: Loss, ModelOptimizer: Optimizer> {
    /// The model being trained.
    public var model: Model
    /// The loss minimised.
    public var loss: LossFunction
    /// The update rule.
    public var optimizer: ModelOptimizer
    /// Which samples form each step.
    public var schedule: any BatchSchedule
    /// Metrics computed over each epoch's training batches.
    public var metrics: [any Metric]
    /// Code run after each epoch.
    public var callbacks: [any TrainingCallback]
    /// The source of every random choice the trainer makes.
    public var generator: SeededRandomGenerator
    /// Every epoch trained so far.
    public internal(set) var history = TrainingHistory()
    /// Where and how often ``fit(_:epochs:)`` saves a checkpoint: every `every` epochs, after
    /// the last epoch, and when a callback stops training. `nil` saves none.
    public var checkpointing: (path: String, every: Int)?

    // Kept from step to step and epoch to epoch, so that a training step allocates nothing.
    /// The current epoch's batches.
    private var plan = BatchPlan()
    /// The current step's gathered samples.
    private var features = Tensor<Model.Scalar>(zeros: [0]), targets = Tensor<Model.Scalar>(zeros: [0])
    /// dLoss/dPrediction of the current step.
    private var lossGradient = Tensor<Model.Scalar>(zeros: [0])

    /// Creates a trainer.
    public init(
        model: Model, loss: LossFunction, optimizer: ModelOptimizer,
        schedule: any BatchSchedule = FullBatch(), seed: UInt64 = 0,
        metrics: [any Metric] = [], callbacks: [any TrainingCallback] = []
    ) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.metrics = metrics
        self.callbacks = callbacks
        self.generator = SeededRandomGenerator(seed: seed)
    }

    /// Creates a trainer that follows one of the classic descent strategies (its update rule
    /// and its batch schedule).
    public init(
        model: Model, loss: LossFunction, strategy: DescentStrategy, seed: UInt64 = 0,
        metrics: [any Metric] = [], callbacks: [any TrainingCallback] = []
    ) where ModelOptimizer == GradientOptimizer {
        self.init(
            model: model, loss: loss, optimizer: strategy.optimizer, schedule: strategy.schedule,
            seed: seed, metrics: metrics, callbacks: callbacks)
    }

    /// Trains until `epochs` epochs have been run in total (counting earlier calls), or a
    /// callback stops it. Training runs in ``LayerMode/training``; the model is left in
    /// ``LayerMode/inference``, ready to predict.
    /// - Returns: the history of every epoch.
    /// - Throws: ``TrainingError`` if the data does not fit the model or loss, or the loss
    ///   stops being finite.
    @discardableResult
    public mutating func fit<Data: Dataset>(_ data: Data, epochs: Int) throws(TrainingError) -> TrainingHistory
    where Data.Scalar == Model.Scalar {
        try validate(data)
        history.stopReason = nil
        model.setMode(.training)
        defer { model.setMode(.inference) }
        var epoch = history.epochs.count
        while epoch < epochs {
            epoch += 1
            let record = try trainEpoch(epoch, of: epochs, on: data)
            history.epochs.append(record)
            for index in callbacks.indices {
                if case .stop(let reason) = callbacks[index].epochEnded(record, history: history, totalEpochs: epochs) {
                    history.stopReason = reason
                }
            }
            if let (path, every) = checkpointing, epoch % every == 0 || epoch == epochs || history.stopReason != nil {
                do { try saveCheckpoint(to: path) } catch { throw .checkpoint(error) }
            }
            if history.stopReason != nil { break }
        }
        return history
    }

    /// The loss and metrics of the model on `data`, in ``LayerMode/inference`` (nothing is
    /// trained; dropout is off, batch normalisation uses its running statistics).
    /// - Parameter batchSize: samples scored at a time.
    public func evaluate<Data: Dataset>(_ data: Data, batchSize: Int = 256) throws(TrainingError) -> (loss: Double, metrics: [String: Double])
    where Data.Scalar == Model.Scalar {
        try validate(data)
        var model = self.model
        model.setMode(.inference)
        var metrics = self.metrics
        for index in metrics.indices { metrics[index].reset() }
        var weightedLoss = 0.0
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let indices = Array(start..<Swift.min(start + batchSize, data.count))
            let (features, targets) = data.batch(indices)
            let prediction = model(features)
            do {
                weightedLoss += Double(try loss.value(prediction: prediction, target: targets)) * Double(indices.count)
            } catch {
                throw .lossRejectsData(error)
            }
            for index in metrics.indices { metrics[index].update(prediction: prediction, target: targets) }
        }
        return (weightedLoss / Double(data.count), Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0.value) }))
    }

    private mutating func trainEpoch<Data: Dataset>(_ epoch: Int, of totalEpochs: Int, on data: Data) throws(TrainingError) -> EpochRecord
    where Data.Scalar == Model.Scalar {
        let start = DispatchTime.now().uptimeNanoseconds
        let learningRate = optimizer.currentLearningRate
        for index in metrics.indices { metrics[index].reset() }
        var weightedLoss = 0.0
        var samples = 0
        schedule.plan(&plan, sampleCount: data.count, generator: &generator)
        let batches = plan
        let samplesPerEpoch = batches.reduce(0) { $0 + $1.count }
        for (step, indices) in batches.enumerated() {
            data.batch(indices, features: &features, targets: &targets)
            model.zeroGradients()
            let prediction = model.forward(features)
            let value: Model.Scalar
            do {
                value = try loss.valueAndGradient(prediction: prediction, target: targets, gradient: &lossGradient)
            } catch {
                throw .lossRejectsData(error)
            }
            guard value.isFinite else { throw .nonFiniteLoss(epoch: epoch, step: step + 1, value: Double(value)) }
            model.accumulateParameterGradients(lossGradient)
            optimizer.update(&model)
            weightedLoss += Double(value) * Double(indices.count)
            samples += indices.count
            for index in metrics.indices { metrics[index].update(prediction: prediction, target: targets) }
            if !callbacks.isEmpty {
                let progress = BatchProgress(
                    epoch: epoch, totalEpochs: totalEpochs, batch: step + 1, batchCount: batches.count,
                    samples: samples, samplesPerEpoch: samplesPerEpoch, loss: weightedLoss / Double(samples),
                    accuracy: metrics.first { $0.name == "accuracy" }?.value,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                for index in callbacks.indices { callbacks[index].batchEnded(progress) }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return EpochRecord(
            epoch: epoch, loss: samples == 0 ? 0 : weightedLoss / Double(samples),
            metrics: Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0.value) }),
            learningRate: learningRate, seconds: seconds)
    }

    /// Checks, before any work, that the model takes the data's samples and the loss takes
    /// the model's outputs and the data's targets.
    private func validate<Data: Dataset>(_ data: Data) throws(TrainingError) where Data.Scalar == Model.Scalar {
        guard data.count > 0 else { throw .emptyDataset }
        let outputShape: [Int]
        do { outputShape = try model.outputShape(forInputShape: data.featureShape) } catch { throw .modelRejectsData(error) }
        do { try loss.validate(predictionShape: outputShape, targetShape: data.targetShape) } catch { throw .lossRejectsData(error) }
    }
}
