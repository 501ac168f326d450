import Foundation
import NNCore
import NNData
import NNLosses
import NNOptimizers

/// Data-parallel training: what the ``Trainer`` does when it has a ``Trainer/reducer``.
///
/// Every process draws the same batch order from the shared seed (the schedule and the
/// generator are the same everywhere) and trains rows ``BatchShard`` of each global batch:
/// contiguous parts in rank order whose sizes differ by at most one. A last batch smaller than
/// the number of processes leaves some processes with nothing: they still take part in the
/// step's reduction, with no weight. Gradients are weighted by the terms each process's loss
/// averages, so the combined gradient is the whole batch's, uneven parts included.
///
/// A failure on one process (data a layer or the loss rejects, a loss that is not finite) is
/// carried in the step's reduction, so every process stops at the same step instead of
/// waiting for one that has stopped.
extension Trainer {
    /// Runs `body` (callbacks, the checkpoint) on this process; with a ``Trainer/reducer``,
    /// every process then learns whether any failed or stopped, so that all throw, stop or go
    /// on together (a process waiting for one that has stopped would wait for ever).
    /// - Parameters:
    ///   - what: what `body` does, for the error message (built only when one is needed:
    ///     an interpolated string is an allocation per epoch).
    ///   - body: the work, given the trainer.
    mutating func together(_ what: @autoclosure () -> String, _ body: (inout Self) throws(TrainingError) -> Void) throws(TrainingError) {
        guard var reducer else { return try body(&self) }
        var failure: TrainingError?
        do { try body(&self) } catch { failure = error }
        let stopped = history.stopReason != nil
        var flags = [failure == nil ? 0.0 : 1, stopped ? 1 : 0]
        try reducer.sum(&flags)
        self.reducer = reducer
        if flags[0] > 0 {
            throw failure
                ?? .distributed("\(Int(flags[0])) of the \(reducer.processCount) processes failed in \(what()) (each says why on its standard error)")
        }
        if flags[1] > 0 && !stopped { history.stopReason = "another process's callback stopped training" }
    }

    /// Checks, before the first epoch, that every process trains the same model on the same
    /// data from the same point, then gives every process process 0's parameters.
    mutating func startTogether<Data: Dataset, Validation: Dataset>(
        _ data: Data, epochs: Int, validation: Validation?
    ) throws(TrainingError) where Data.Scalar == Model.Scalar, Validation.Scalar == Model.Scalar {
        guard var reducer else { return }
        defer { self.reducer = reducer }
        let parameters = model.namedParameters
        var layout = StableHash()
        for (name, parameter) in parameters {
            layout.combine(name)
            layout.combine(parameter.value.shape)
            layout.combine(parameter.isTrainable ? 1 : 0)
        }
        var generatorState = StableHash()
        generatorState.combine(generator.state.map { Int(truncatingIfNeeded: $0) })
        try reducer.checkAgreement([
            ("processes", reducer.processCount),
            ("model parameters", model.parameterCount),
            ("names, shapes and trainable flags of the parameters (a hash)", layout.value),
            ("training samples", data.count),
            ("shape of a training sample (a hash)", StableHash.of(data.featureShape)),
            ("shape of a target (a hash)", StableHash.of(data.targetShape)),
            ("validation samples", validation?.count ?? -1),
            ("metrics", metrics.count),
            ("epochs to train", epochs),
            ("epochs already trained", history.epochs.count),
            ("random generator's state, from the seed and any checkpoint (a hash)", generatorState.value),
            ("restored checkpoint of a run that had stopped", stoppedBeforeRestore ? 1 : 0),
        ])
        try reducer.broadcastParameters(of: &model)
    }

    /// One epoch of this process's rows of every global batch, with the gradients combined
    /// over the processes at every step.
    mutating func trainSharedEpoch<Data: Dataset>(
        _ epoch: Int, of totalEpochs: Int, on data: Data, reducer: inout any GradientReducer
    ) throws(TrainingError) -> EpochRecord where Data.Scalar == Model.Scalar {
        let start = DispatchTime.now().uptimeNanoseconds
        let learningRate = optimizer.currentLearningRate
        for index in metrics.indices { metrics[index].reset() }
        schedule.plan(&plan, sampleCount: data.count, generator: &generator)
        let batches = plan
        let samplesPerEpoch = batches.reduce(0) { $0 + $1.count }
        try reducer.checkAgreement([
            ("batches in epoch \(epoch) (the schedule and its batch size)", batches.count),
            ("samples in epoch \(epoch)", samplesPerEpoch),
            ("sizes of the batches in epoch \(epoch) (a hash)", StableHash.of(batches.map(\.count))),
        ])
        let averages = lossAveragesOverTerms(data)
        defer { model.setBatchShard(nil) }
        var weightedLoss = 0.0, weights = 0.0
        var samples = 0, localSamples = 0
        var statistics = [Double](repeating: 0, count: 3)
        for (step, globalBatch) in batches.enumerated() {
            let shard = BatchShard(rowsOf: globalBatch.count, rank: reducer.rank, processCount: reducer.processCount)
            let rows = globalBatch.dropFirst(shard.offset).prefix(shard.count)
            model.zeroGradients()
            model.setBatchShard(shard)
            var failure: TrainingError?
            var value = 0.0, scored = 0
            var weight: Double? = averages ? 0 : nil
            if shard.count > 0 {
                do throws(TrainingError) {
                    (value, scored, weight) = try shardStep(rows, of: data)
                } catch {
                    failure = error
                }
            }
            statistics[0] = value * Double(scored)
            statistics[1] = Double(scored)
            statistics[2] = failure == nil ? 0 : 1
            try reducer.reduceGradients(of: &model, weight: weight, statistics: &statistics)
            if statistics[2] > 0 {
                throw failure
                    ?? .distributed(
                        "\(Int(statistics[2])) of the \(reducer.processCount) processes could not train step \(step + 1) of epoch \(epoch) (each says why on its standard error)"
                    )
            }
            let globalValue = statistics[1] == 0 ? 0 : statistics[0] / statistics[1]
            guard globalValue.isFinite else { throw .nonFiniteLoss(epoch: epoch, step: step + 1, value: globalValue) }
            optimizer.update(&model)
            weightedLoss += statistics[0]
            weights += statistics[1]
            samples += globalBatch.count
            localSamples += shard.count
            if !callbacks.isEmpty {
                let progress = BatchProgress(
                    epoch: epoch, totalEpochs: totalEpochs, batch: step + 1, batchCount: batches.count,
                    samples: samples, samplesPerEpoch: samplesPerEpoch, loss: weights == 0 ? 0 : weightedLoss / weights,
                    accuracy: metrics.first { $0.name == "accuracy" }?.value,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                for index in callbacks.indices { callbacks[index].batchEnded(progress) }
            }
        }
        let metricValues = try combinedMetrics(metrics, samples: localSamples, reducer: &reducer)
        try endEpochTogether(epoch, reducer: &reducer)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return EpochRecord(
            epoch: epoch, loss: weights == 0 ? 0 : weightedLoss / weights, metrics: metricValues,
            learningRate: learningRate, seconds: seconds)
    }

    /// One process's part of a step: its rows' loss, scored terms and (for a mean) the terms
    /// the mean is over, which weight its gradients in the combination.
    private mutating func shardStep<Data: Dataset>(
        _ rows: ArraySlice<Int>, of data: Data
    ) throws(TrainingError) -> (value: Double, scored: Int, averaged: Double?) where Data.Scalar == Model.Scalar {
        let (value, prediction) = try accumulateGradients(of: rows, in: data)
        let averaged = loss.averagedCount(prediction: prediction, target: targets).map(Double.init)
        return (doubleValue(value), loss.scoredCount(prediction: prediction, target: targets), averaged)
    }

    /// Whether the loss is a mean (its gradient is weighted by its terms when combined) or a
    /// sum, asked of an empty batch, so that a process with no rows in a step knows as well.
    private func lossAveragesOverTerms<Data: Dataset>(_ data: Data) -> Bool where Data.Scalar == Model.Scalar {
        guard let outputShape = try? model.outputShape(forInputShape: data.featureShape) else { return true }
        let prediction = Tensor<Model.Scalar>(zeros: [0] + outputShape)
        let target = Tensor<Model.Scalar>(zeros: [0] + data.targetShape)
        return loss.averagedCount(prediction: prediction, target: target) != nil
    }

    /// Each metric over the whole epoch: the processes' values weighted by their samples.
    private func combinedMetrics(
        _ metrics: [any Metric], samples: Int, reducer: inout any GradientReducer
    ) throws(TrainingError) -> [String: Double] {
        guard !metrics.isEmpty else { return [:] }
        var sums = metrics.map { $0.value * Double(samples) } + [Double(samples)]
        try reducer.sum(&sums)
        let total = sums[metrics.count]
        return Dictionary(uniqueKeysWithValues: metrics.indices.map { (metrics[$0].name, total == 0 ? 0 : sums[$0] / total) })
    }

    /// Checks that every process's trainable parameters are still the same bits, then gives
    /// every process process 0's other parameters (batch normalisation's running statistics,
    /// which each process gathers from its own rows).
    private mutating func endEpochTogether(_ epoch: Int, reducer: inout any GradientReducer) throws(TrainingError) {
        var trained = StableHash()
        model.visitParameters { _, parameter in
            guard parameter.isTrainable else { return }
            parameter.value.withUnsafeBufferPointer { trained.combine(bitsOf: $0) }
        }
        try reducer.checkAgreement([("trained parameters after epoch \(epoch) (a hash of their bits)", trained.value)])
        try reducer.broadcastParameters(of: &model)
    }

    /// The validation loss and metrics, each process scoring its part of `data` (contiguous,
    /// as ``BatchShard``), combined over the processes.
    mutating func evaluateShared<Validation: Dataset>(
        _ data: Validation, reducer: inout any GradientReducer
    ) throws(TrainingError) -> (loss: Double, metrics: [String: Double]) where Validation.Scalar == Model.Scalar {
        let part = BatchShard(rowsOf: data.count, rank: reducer.rank, processCount: reducer.processCount)
        var failure: TrainingError?
        var sums = [Double](repeating: 0, count: metrics.count + 4)
        do throws(TrainingError) {
            let scored = try scoreSums(data, rows: part.offset..<(part.offset + part.count), batchSize: 256)
            sums[0] = scored.weightedLoss
            sums[1] = Double(scored.weights)
            sums[2] = Double(part.count)
            for (index, metric) in scored.metrics.enumerated() { sums[4 + index] = metric.value * Double(part.count) }
        } catch {
            failure = error
            sums[3] = 1
        }
        try reducer.sum(&sums)
        if sums[3] > 0 {
            throw failure
                ?? .distributed(
                    "\(Int(sums[3])) of the \(reducer.processCount) processes could not score the validation data (each says why on its standard error)"
                )
        }
        let metricValues = metrics.indices.map { (metrics[$0].name, sums[2] == 0 ? 0 : sums[4 + $0] / sums[2]) }
        return (sums[1] == 0 ? 0 : sums[0] / sums[1], Dictionary(uniqueKeysWithValues: metricValues))
    }
}

/// FNV-1a over integers and strings: the same value in every process and every run (Swift's
/// `Hasher` is seeded per process).
struct StableHash {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash so far.
    var value: Int { Int(truncatingIfNeeded: state) }

    mutating func combine(_ integer: Int) {
        var bits = UInt64(truncatingIfNeeded: integer)
        for _ in 0..<8 {
            state = (state ^ (bits & 0xff)) &* 0x100_0000_01b3
            bits >>= 8
        }
    }

    mutating func combine(_ integers: [Int]) {
        combine(integers.count)
        for integer in integers { combine(integer) }
    }

    /// Combines the bits of every value (as `Double`, exactly).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    mutating func combine<T: TensorScalar>(bitsOf values: UnsafeBufferPointer<T>) {
        for value in values { combine(Int(truncatingIfNeeded: Double(value).bitPattern)) }
    }

    mutating func combine(_ string: String) {
        combine(Array(string.utf8).map(Int.init))
    }

    /// The hash of `integers` alone.
    static func of(_ integers: [Int]) -> Int {
        var hash = StableHash()
        hash.combine(integers)
        return hash.value
    }
}
