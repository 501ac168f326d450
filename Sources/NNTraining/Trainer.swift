import Foundation
import NNCore
import NNData
import NNIO
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
    /// The processes this one trains with, if any (data-parallel training; see
    /// ``GradientReducer``). With one, each step trains this process's rows of the global
    /// batch the schedule picks (``/NNCore/BatchShard``), its gradients are combined with the others'
    /// before the optimiser's step, validation is split between the processes, and the epoch's
    /// records hold the figures of the whole data. Only process 0 saves checkpoints; callbacks
    /// run on every process (they decide alike), so give the ones that write files to process
    /// 0 alone.
    public var reducer: (any GradientReducer)?

    // Kept from step to step and epoch to epoch, so that a training step allocates nothing.
    /// The current epoch's batches.
    var plan = BatchPlan()
    /// The current step's gathered samples.
    var features = Tensor<Model.Scalar>(zeros: [0]), targets = Tensor<Model.Scalar>(zeros: [0])
    /// dLoss/dPrediction of the current step.
    var lossGradient = Tensor<Model.Scalar>(zeros: [0])
    /// Whether the checkpoint last restored was written by a run a callback had stopped.
    var stoppedBeforeRestore = false
    /// The model's parameters while ``fit(_:epochs:)`` trains a ``/NNCore/Sequential`` of
    /// ``/NNCore/Dense`` layers on one process: the same steps without the layers' existential
    /// dispatch (see `DenseChain`). They are moved back into the model before anything else
    /// reads it (validation, callbacks, checkpoints) and when the run ends or fails. (Kept as
    /// an existential: this code is not specialised, and each use of `DenseChain<Model.Scalar>`
    /// here looked its generic type up at run time, a tenth of a lesson step.)
    var denseChain: (any Layer<Model.Scalar>)?
    /// Whether ``denseChain`` holds the parameters. (Testing this flag leaves the chain alone:
    /// matching or comparing the optional existential copied it, and the copy made the chain's
    /// next write copy its arrays, an allocation every step.)
    var chainHoldsParameters = false
    /// The features per sample of the batches the chain takes (`[rows, chainInputWidth]`).
    var chainInputWidth = 0
    /// Whether ``fit(_:epochs:)`` may train a Sequential of Dense layers as a `DenseChain`
    /// (tests turn it off to compare the two: they give the same bits).
    var trainsDenseLayersAsChain = true

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
    /// callback stops it. Training runs in ``/NNCore/LayerMode/training``; the model is left in
    /// ``/NNCore/LayerMode/inference``, ready to predict. After a checkpoint of a stopped run is
    /// restored, no epoch is trained (see ``restoreCheckpoint(from:)``). The gradients are
    /// zeroed before the first step, and each step's optimiser zeroes them after using them
    /// (`Optimizer.updateAndZeroGradients`): on one process they are zero afterwards.
    /// - Returns: the history of every epoch.
    /// - Throws: ``TrainingError`` if the data does not fit the model or loss, the loss
    ///   stops being finite, a callback watches a value the run does not produce, or a
    ///   callback or checkpoint cannot do its work.
    @discardableResult
    // Compiled ahead for the configurations the `nn` tool trains (a Sequential with a
    // mean-squared-error, cross-entropy or binary cross-entropy loss and a GradientOptimizer,
    // on an InMemoryDataset): a program calling it from another module with one of them runs
    // that specialised code instead of the generic code, whose dispatch through witness
    // tables was 3 to 6% of a lesson network's step (Benchmarks/instructions-per-step.sh).
    @_specialize(
        exported:true,where
            Model == Sequential<Float>, LossFunction == MeanSquaredError, ModelOptimizer == GradientOptimizer, Data == InMemoryDataset<Float>
    )
    @_specialize(
        exported:true,where
            Model == Sequential<Double>, LossFunction == MeanSquaredError, ModelOptimizer == GradientOptimizer, Data == InMemoryDataset<Double>
    )
    @_specialize(
        exported:true,where
            Model == Sequential<Float>, LossFunction == CrossEntropy, ModelOptimizer == GradientOptimizer, Data == InMemoryDataset<Float>
    )
    @_specialize(
        exported:true,where
            Model == Sequential<Float>, LossFunction == BinaryCrossEntropy, ModelOptimizer == GradientOptimizer, Data == InMemoryDataset<Float>
    )
    public mutating func fit<Data: Dataset>(_ data: Data, epochs: Int) throws(TrainingError) -> TrainingHistory
    where Data.Scalar == Model.Scalar {
        try run(data, epochs: epochs, validation: Data?.none)
    }

    /// Trains as ``fit(_:epochs:)`` and, after every epoch, scores `validation` in
    /// ``/NNCore/LayerMode/inference`` (as ``evaluate(_:batchSize:)``): its loss and metrics are in
    /// each record (`val_loss`, `val_accuracy`) before the callbacks see it.
    /// - Parameters:
    ///   - data: the training data.
    ///   - epochs: the epochs to have run in total.
    ///   - validation: data scored after every epoch, never trained on.
    /// - Returns: the history of every epoch.
    /// - Throws: ``TrainingError`` as ``fit(_:epochs:)``, and if the validation data does not
    ///   fit the model or loss.
    @discardableResult
    // Compiled ahead for the `nn` tool's configurations with validation, as fit(_:epochs:).
    @_specialize(
        exported:true,where
            Model == Sequential<Float>, LossFunction == MeanSquaredError, ModelOptimizer == GradientOptimizer, Data == InMemoryDataset<Float>,
            Validation == InMemoryDataset<Float>
    )
    @_specialize(
        exported:true,where
            Model == Sequential<Float>, LossFunction == CrossEntropy, ModelOptimizer == GradientOptimizer, Data == InMemoryDataset<Float>,
            Validation == InMemoryDataset<Float>
    )
    public mutating func fit<Data: Dataset, Validation: Dataset>(
        _ data: Data, epochs: Int, validation: Validation
    ) throws(TrainingError) -> TrainingHistory
    where Data.Scalar == Model.Scalar, Validation.Scalar == Model.Scalar {
        try run(data, epochs: epochs, validation: validation)
    }

    private mutating func run<Data: Dataset, Validation: Dataset>(
        _ data: Data, epochs: Int, validation: Validation?
    ) throws(TrainingError) -> TrainingHistory
    where Data.Scalar == Model.Scalar, Validation.Scalar == Model.Scalar {
        try validate(data)
        if let validation { try validate(validation) }
        try checkMonitoredNames(validating: validation != nil)
        if reducer != nil { try startTogether(data, epochs: epochs, validation: validation) }
        if stoppedBeforeRestore {
            // The run this checkpoint comes from was over: end it as it ended.
            stoppedBeforeRestore = false
            let history = self.history
            try together("the callbacks' end of training") { trainer throws(TrainingError) in
                try trainer.forEachCallback { callback, trainer throws(TrainingError) in
                    try callback.trainingEnded(history: history, control: &trainer)
                }
            }
            model.setMode(.inference)
            return self.history
        }
        history.stopReason = nil
        model.setMode(.training)
        defer { model.setMode(.inference) }
        let before = history
        try together("the callbacks' start of training") { trainer throws(TrainingError) in
            try trainer.forEachCallback { callback, trainer throws(TrainingError) in
                try callback.trainingBegan(history: before, totalEpochs: epochs, control: &trainer)
            }
        }
        // Zeroed here, once; after that, each step's optimiser zeroes the gradients it has used
        // (callbacks cannot touch them: a restored snapshot sets values only).
        model.zeroGradients()
        // A Sequential of Dense layers trains as a chain (one cast to find out, per run), with
        // the optimiser of this package: another one may look at the model's type.
        let chains =
            trainsDenseLayersAsChain && reducer == nil && optimizer is GradientOptimizer
            && DenseChain<Model.Scalar>.canHold(model, samplesShaped: data.featureShape)
        chainInputWidth = data.featureShape.first ?? 0
        defer { restoreDenseChain() }
        var epoch = history.epochs.count
        while epoch < epochs {
            epoch += 1
            var record: EpochRecord
            if chains && !chainHoldsParameters {
                denseChain = DenseChain.take(from: &model)
                chainHoldsParameters = denseChain != nil
            }
            // Tested before binding: binding copies the optional existential, every epoch.
            if reducer != nil, var reducer {
                self.reducer = nil
                defer { self.reducer = reducer }
                record = try trainSharedEpoch(epoch, of: epochs, on: data, reducer: &reducer)
                if let validation {
                    let started = DispatchTime.now().uptimeNanoseconds
                    (record.validationLoss, record.validationMetrics) = try evaluateShared(validation, reducer: &reducer)
                    record.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                }
            } else {
                record = try trainEpoch(epoch, of: epochs, on: data)
                if let validation {
                    restoreDenseChain()
                    let started = DispatchTime.now().uptimeNanoseconds
                    (record.validationLoss, record.validationMetrics) = try evaluate(validation)
                    record.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                }
            }
            history.epochs.append(record)
            // Skipped when it has nothing to do: with one step an epoch (full-batch descent on
            // a small data set), entering it cost a tenth of the update.
            guard reducer != nil || !callbacks.isEmpty || checkpointing != nil else { continue }
            restoreDenseChain()
            let history = self.history
            try together("the callbacks and the checkpoint after epoch \(epoch)") { trainer throws(TrainingError) in
                try trainer.forEachCallback { callback, trainer throws(TrainingError) in
                    let decision = try callback.epochEnded(record, history: history, totalEpochs: epochs, control: &trainer)
                    if case .stop(let reason) = decision, trainer.history.stopReason == nil { trainer.history.stopReason = reason }
                }
                if let (path, every) = trainer.checkpointing, trainer.reducer?.rank ?? 0 == 0,
                    epoch % every == 0 || epoch == epochs || trainer.history.stopReason != nil
                {
                    do throws(ModelFileError) { try trainer.saveCheckpoint(to: path) } catch { throw .checkpoint(error) }
                }
            }
            if self.history.stopReason != nil { break }
        }
        let history = self.history
        try together("the callbacks' end of training") { trainer throws(TrainingError) in
            try trainer.forEachCallback { callback, trainer throws(TrainingError) in
                try callback.trainingEnded(history: history, control: &trainer)
            }
        }
        return self.history
    }

    /// Runs `body` on every callback with the trainer as its control. The callbacks are taken
    /// out while it runs (a callback and the trainer it acts on cannot be borrowed together).
    mutating func forEachCallback(
        _ body: (inout any TrainingCallback, inout Self) throws(TrainingError) -> Void
    ) throws(TrainingError) {
        guard !callbacks.isEmpty else { return }
        var running: [any TrainingCallback] = []
        swap(&running, &callbacks)
        defer { swap(&running, &callbacks) }
        for index in running.indices { try body(&running[index], &self) }
    }

    /// The names the run's records hold, for the callbacks' monitors.
    private func producedNames(validating: Bool) -> [String] {
        var names = ["loss"] + metrics.map(\.name)
        if validating { names += ["val_loss"] + metrics.map { "val_" + $0.name } }
        if optimizer.currentLearningRate != nil { names.append("learning_rate") }
        return names
    }

    /// Checks, before any epoch, that every value a callback watches will be in the records.
    private func checkMonitoredNames(validating: Bool) throws(TrainingError) {
        let names = producedNames(validating: validating)
        for callback in callbacks {
            if let name = callback.monitoredName, !names.contains(name) { throw .unknownMonitor(name: name, available: names) }
        }
    }

    /// The loss and metrics of the model on `data`, in ``/NNCore/LayerMode/inference`` (nothing is
    /// trained; dropout is off, batch normalisation uses its running statistics). With a
    /// ``reducer`` too, this process scores the whole of `data` on its own.
    /// - Parameters:
    ///   - data: the samples scored.
    ///   - batchSize: samples scored at a time.
    public func evaluate<Data: Dataset>(_ data: Data, batchSize: Int = 256) throws(TrainingError) -> (loss: Double, metrics: [String: Double])
    where Data.Scalar == Model.Scalar {
        try validate(data)
        let sums = try scoreSums(data, rows: 0..<data.count, batchSize: batchSize)
        return (
            sums.weights == 0 ? 0 : sums.weightedLoss / Double(sums.weights),
            Dictionary(uniqueKeysWithValues: sums.metrics.map { ($0.name, $0.value) })
        )
    }

    /// The weighted loss and the metrics over `rows` of `data`, scored in inference mode.
    func scoreSums<Data: Dataset>(
        _ data: Data, rows: Range<Int>, batchSize: Int
    ) throws(TrainingError) -> (weightedLoss: Double, weights: Int, metrics: [any Metric])
    where Data.Scalar == Model.Scalar {
        var model = self.model
        model.setMode(.inference)
        var metrics = self.metrics
        for index in metrics.indices { metrics[index].reset() }
        var weightedLoss = 0.0
        var weights = 0
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: batchSize) {
            let indices = Array(start..<Swift.min(start + batchSize, rows.upperBound))
            let (features, targets) = data.batch(indices)
            do { try model.checkInput(features) } catch { throw .modelRejectsData(error) }
            let prediction = model(features)
            let weight = loss.scoredCount(prediction: prediction, target: targets)
            do {
                weightedLoss += doubleValue(try loss.value(prediction: prediction, target: targets)) * Double(weight)
            } catch {
                throw .lossRejectsData(error)
            }
            weights += weight
            for index in metrics.indices { metrics[index].update(prediction: prediction, target: targets) }
        }
        return (weightedLoss, weights, metrics)
    }

    private mutating func trainEpoch<Data: Dataset>(_ epoch: Int, of totalEpochs: Int, on data: Data) throws(TrainingError) -> EpochRecord
    where Data.Scalar == Model.Scalar {
        let start = DispatchTime.now().uptimeNanoseconds
        let learningRate = optimizer.currentLearningRate
        for index in metrics.indices { metrics[index].reset() }
        var weightedLoss = 0.0
        var samples = 0, weights = 0
        schedule.plan(&plan, sampleCount: data.count, generator: &generator)
        let batches = plan
        let samplesPerEpoch = batches.reduce(0) { $0 + $1.count }
        for (step, indices) in batches.enumerated() {
            let (value, prediction) = try accumulateGradients(of: indices, in: data)
            guard value.isFinite else { throw .nonFiniteLoss(epoch: epoch, step: step + 1, value: doubleValue(value)) }
            if chainHoldsParameters {
                optimizer.updateAndZeroGradients(&denseChain!)   // not nil while the flag is set
            } else {
                optimizer.updateAndZeroGradients(&model)
            }
            let weight = loss.scoredCount(prediction: prediction, target: targets)
            weightedLoss += doubleValue(value) * Double(weight)
            samples += indices.count
            weights += weight
            if !callbacks.isEmpty {
                let progress = BatchProgress(
                    epoch: epoch, totalEpochs: totalEpochs, batch: step + 1, batchCount: batches.count,
                    samples: samples, samplesPerEpoch: samplesPerEpoch, loss: weights == 0 ? 0 : weightedLoss / Double(weights),
                    accuracy: metrics.first { $0.name == "accuracy" }?.value,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                for index in callbacks.indices { callbacks[index].batchEnded(progress) }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return EpochRecord(
            epoch: epoch, loss: weights == 0 ? 0 : weightedLoss / Double(weights),
            metrics: metrics.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0.value) }),
            learningRate: learningRate, seconds: seconds)
    }

    /// One batch's forward pass, loss and backward pass, the same on one process and on many:
    /// the gradients are added to the parameters' (zero on entry: the previous step's
    /// optimiser, or the caller, zeroed them) and the metrics see the batch.
    /// - Parameters:
    ///   - rows: the samples of the batch.
    ///   - data: the samples' data set.
    /// - Returns: the loss's value and the model's prediction (its targets are in `targets`).
    mutating func accumulateGradients<Data: Dataset>(
        of rows: ArraySlice<Int>, in data: Data
    ) throws(TrainingError) -> (value: Model.Scalar, prediction: Tensor<Model.Scalar>) where Data.Scalar == Model.Scalar {
        data.batch(rows, features: &features, targets: &targets)
        let prediction: Tensor<Model.Scalar>
        // A batch the chain does not take (a data set whose batches are not `[rows] +
        // featureShape`) is left to the model, which also flattens other layouts.
        if chainHoldsParameters && !(features.rank == 2 && features.shape[1] == chainInputWidth) { restoreDenseChain() }
        if let chained = denseChain?.forward(features) {
            prediction = chained   // (a Dense layer checks no input values: its `checkInput` is the default)
        } else {
            do { try model.checkInput(features) } catch { throw .modelRejectsData(error) }
            prediction = model.forward(features)
        }
        let value: Model.Scalar
        do {
            value = try loss.valueAndGradient(prediction: prediction, target: targets, gradient: &lossGradient)
        } catch {
            throw .lossRejectsData(error)
        }
        if denseChain?.accumulateParameterGradients(lossGradient) == nil { model.accumulateParameterGradients(lossGradient) }
        for index in metrics.indices { metrics[index].update(prediction: prediction, target: targets) }
        return (value, prediction)
    }

    /// Moves the parameters the dense chain holds back into the model, if it holds them.
    private mutating func restoreDenseChain() {
        guard chainHoldsParameters else { return }
        DenseChain.restore(&denseChain, into: &model)
        chainHoldsParameters = false
    }

    /// Checks, before any work, that the model takes the data's samples and the loss takes
    /// the model's outputs and the data's targets.
    func validate<Data: Dataset>(_ data: Data) throws(TrainingError) where Data.Scalar == Model.Scalar {
        guard data.count > 0 else { throw .emptyDataset }
        let outputShape: [Int]
        do { outputShape = try model.outputShape(forInputShape: data.featureShape) } catch { throw .modelRejectsData(error) }
        do { try loss.validate(predictionShape: outputShape, targetShape: data.targetShape) } catch { throw .lossRejectsData(error) }
    }
}
