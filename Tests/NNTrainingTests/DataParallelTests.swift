import Foundation
import NN
import Testing

/// A 2-8-2 classifier with dropout, so that the masks of the parts must match the whole's.
/// The dropout seed is not a parameter (it is not broadcast): every process must build the
/// layer with the same one, as `nn-distributed` does from `--seed`.
func droppingClassifier<Scalar: TensorScalar>(seed: UInt64, dropoutSeed: UInt64 = 9, as: Scalar.Type = Double.self) -> Sequential<Scalar> {
    var generator = SeededRandomGenerator(seed: seed)
    return Sequential<Scalar>(
        Dense<Scalar, Tanh>(inputSize: 2, outputSize: 8, activation: Tanh(), generator: &generator),
        Dropout<Scalar>(rate: 0.3, seed: dropoutSeed),
        Dense<Scalar, Identity>(inputSize: 8, outputSize: 2, activation: Identity(), generator: &generator))
}

/// The largest difference between two models' parameters.
func largestDifference<Model: Layer>(_ a: Model, _ b: Model) -> Double {
    zip(a.namedParameters, b.namedParameters).reduce(0) { largest, pair in
        zip(pair.0.parameter.value.scalars, pair.1.parameter.value.scalars).reduce(largest) { Swift.max($0, abs(Double($1.0 - $1.1))) }
    }
}

typealias DoubleTrainer = Trainer<Sequential<Double>, CrossEntropy, GradientOptimizer>

func parallelTrainer(seed: UInt64, batch: Int) -> DoubleTrainer {
    Trainer(
        model: droppingClassifier(seed: seed), loss: CrossEntropy(), optimizer: .adam(learningRate: 0.01),
        schedule: ShuffledBatches(size: batch), seed: 5, metrics: [Accuracy()])
}

@Suite struct DataParallelTests {
    @Test func partsOfABatchAreContiguousInRankOrderAndDifferByAtMostOne() {
        for (count, processes) in [(64, 2), (7, 3), (1, 3), (0, 2), (10, 4)] {
            let shards = (0..<processes).map { BatchShard(rowsOf: count, rank: $0, processCount: processes) }
            #expect(shards.map(\.count).reduce(0, +) == count)
            #expect(shards.map(\.count).max()! - shards.map(\.count).min()! <= 1)
            for (previous, next) in zip(shards, shards.dropFirst()) { #expect(previous.offset + previous.count == next.offset) }
        }
        #expect(BatchShard(rowsOf: 7, rank: 0, processCount: 3).count == 2)
        #expect(BatchShard(rowsOf: 1, rank: 2, processCount: 3) == BatchShard(rowsOf: 1, rank: 2, processCount: 3))
        // No overflow for any batch size.
        let huge = BatchShard(rowsOf: Int.max, rank: 6, processCount: 7)
        #expect(huge.offset + huge.count == Int.max)
    }

    /// Two processes with 4 samples each of every global batch of 8, against one process with
    /// the whole batch: 21 samples, so that every epoch ends with a batch of 5 (3 and 2).
    @Test(arguments: [2, 3])
    func processesTogetherTrainTheModelOneProcessTrainsOnTheWholeBatch(processes: Int) throws {
        let data = try blobs(count: 21, seed: 11)
        let validation = try blobs(count: 9, seed: 12)
        var alone = parallelTrainer(seed: 3, batch: 8)
        try alone.fit(data, epochs: 6, validation: validation)

        let group = InProcessGroup(count: processes)
        let results = group.run { reducer -> Result<(model: Sequential<Double>, history: TrainingHistory), TrainingError> in
            // Ranks other than 0 start from other weights: the broadcast gives them rank 0's.
            var trainer = parallelTrainer(seed: reducer.rank == 0 ? 3 : 100 + UInt64(reducer.rank), batch: 8)
            trainer.reducer = reducer
            return Result { () throws(TrainingError) in
                try trainer.fit(data, epochs: 6, validation: validation)
                return (trainer.model, trainer.history)
            }
        }
        let trainers = try results.map { try $0.get() }
        for trainer in trainers {
            #expect(largestDifference(trainer.model, alone.model) < 1e-12)
            for (together, single) in zip(trainer.history.epochs, alone.history.epochs) {
                #expect(abs(together.loss - single.loss) < 1e-12)
                #expect(abs(together.metrics["accuracy"]! - single.metrics["accuracy"]!) < 1e-12)
                #expect(abs(together.validationLoss! - single.validationLoss!) < 1e-12)
                #expect(abs(together.validationMetrics["accuracy"]! - single.validationMetrics["accuracy"]!) < 1e-12)
            }
        }
        // Every process's dropout counted the same masks as the single process's.
        #expect(trainers.allSatisfy { largestDifference($0.model, trainers[0].model) == 0 })
    }

    /// Three processes and a last batch of one sample: two of them have no rows in that step.
    @Test func aProcessWithNoRowsInAStepStaysInStep() throws {
        let data = try blobs(count: 15, seed: 21)
        var alone = parallelTrainer(seed: 4, batch: 7)
        try alone.fit(data, epochs: 4)
        let group = InProcessGroup(count: 3)
        let models = try group.run { reducer -> Result<Sequential<Double>, TrainingError> in
            var trainer = parallelTrainer(seed: 4, batch: 7)
            trainer.reducer = reducer
            return Result { () throws(TrainingError) in
                try trainer.fit(data, epochs: 4)
                return trainer.model
            }
        }.map { try $0.get() }
        for model in models { #expect(largestDifference(model, alone.model) < 1e-12) }
    }

    @Test func aSummedLossAddsTheProcessesGradients() throws {
        let data = try blobs(count: 12, seed: 31)
        @Sendable func trainer() -> Trainer<Sequential<Double>, MeanSquaredError, GradientOptimizer> {
            Trainer(
                model: classifier(seed: 2), loss: MeanSquaredError(reduction: .sum), optimizer: .gradientDescent(learningRate: 0.01),
                schedule: ShuffledBatches(size: 6), seed: 1)
        }
        let regression = try InMemoryDataset(
            features: data.features, targets: Tensor(shape: [12, 2], scalars: data.targets.scalars.flatMap { [$0, 1 - $0] }))
        var alone = trainer()
        try alone.fit(regression, epochs: 3)
        let models = try InProcessGroup(count: 2).run { reducer -> Result<Sequential<Double>, TrainingError> in
            var together = trainer()
            together.reducer = reducer
            return Result { () throws(TrainingError) in
                try together.fit(regression, epochs: 3)
                return together.model
            }
        }.map { try $0.get() }
        for model in models { #expect(largestDifference(model, alone.model) < 1e-12) }
    }

    @Test func processesThatDisagreeOnTheDataAllStopNamingIt() throws {
        let big = try blobs(count: 20, seed: 1), small = try blobs(count: 18, seed: 1)
        let errors = InProcessGroup(count: 2).run { reducer -> TrainingError? in
            var trainer = parallelTrainer(seed: 3, batch: 4)
            trainer.reducer = reducer
            do throws(TrainingError) {
                try trainer.fit(reducer.rank == 0 ? big : small, epochs: 1)
                return nil
            } catch {
                return error
            }
        }
        for error in errors {
            #expect(error == .distributed("the processes disagree on the training samples: 20, 18"))
        }
    }

    @Test func processesThatDisagreeOnTheBatchSizeStopBeforeTheFirstStep() throws {
        let data = try blobs(count: 20, seed: 1)
        let errors = InProcessGroup(count: 2).run { reducer -> String in
            var trainer = parallelTrainer(seed: 3, batch: reducer.rank == 0 ? 4 : 5)
            trainer.reducer = reducer
            do throws(TrainingError) {
                try trainer.fit(data, epochs: 1)
                return "trained"
            } catch {
                return error.description
            }
        }
        for error in errors { #expect(error.hasPrefix("the processes disagree on the batches in epoch 1")) }
    }

    /// A sample with a class index out of range in rank 1's part: rank 1 says what is wrong,
    /// rank 0 says that another process stopped, at the same step; neither waits for ever.
    @Test func aFailureInOneProcessStopsEveryProcessAtTheSameStep() throws {
        var labels = try blobs(count: 16, seed: 1).targets.scalars
        labels[15] = 9
        let data = try InMemoryDataset(features: try blobs(count: 16, seed: 1).features, targets: Tensor(labels))
        let errors = InProcessGroup(count: 2).run { reducer -> TrainingError? in
            var trainer = Trainer(
                model: droppingClassifier(seed: 3), loss: CrossEntropy(), optimizer: .adam(learningRate: 0.01),
                schedule: InOrderBatches(size: 16), seed: 5)
            trainer.reducer = reducer
            do throws(TrainingError) {
                try trainer.fit(data, epochs: 1)
                return nil
            } catch {
                return error
            }
        }
        #expect(errors[0] == .distributed("1 of the 2 processes could not train step 1 of epoch 1 (each says why on its standard error)"))
        if case .lossRejectsData = errors[1] {} else { Issue.record("rank 1: \(String(describing: errors[1]))") }
    }

    @Test func onlyProcessZeroWritesCheckpoints() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try blobs(count: 16, seed: 1)
        let path = folder.path
        _ = try InProcessGroup(count: 2).run { reducer -> Result<Int, TrainingError> in
            var trainer = parallelTrainer(seed: 3, batch: 8)
            trainer.reducer = reducer
            trainer.checkpointing = ("\(path)/rank\(reducer.rank).safetensors", 1)
            return Result { () throws(TrainingError) in
                try trainer.fit(data, epochs: 2)
                return 0
            }
        }.map { try $0.get() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["rank0.safetensors"])
    }
}

/// A small CNN in the README's shape (convolution, pooling, convolution, pooling, dense,
/// dropout, dense) on 8×8 images.
func smallCNN(seed: UInt64) -> Sequential<Double> {
    var generator = SeededRandomGenerator(seed: seed)
    return Sequential<Double>(
        Conv2D<Double, ReLU>(channels: 1, filters: 4, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
        MaxPool2D<Double>(size: 2),
        Conv2D<Double, ReLU>(channels: 4, filters: 6, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
        MaxPool2D<Double>(size: 2),
        Flatten<Double>(),
        Dense<Double, ReLU>(inputSize: 24, outputSize: 16, activation: ReLU(), generator: &generator),
        Dropout<Double>(rate: 0.3, seed: 2),
        Dense<Double, Identity>(inputSize: 16, outputSize: 3, activation: Identity(), generator: &generator))
}

extension DataParallelTests {
    /// The CNN, in Double, for 100 steps of 16 (8 per process) with momentum: the same
    /// weights as one process with the whole batches, to 1e-9.
    @Test func aConvolutionalNetworkTrainsAlikeInParts() throws {
        var generator = SeededRandomGenerator(seed: 8)
        let count = 160
        let pixels = (0..<(count * 64)).map { _ in generator.nextNormal() }
        let labels = (0..<count).map { Double($0 % 3) }
        let data = try InMemoryDataset(features: Tensor(shape: [count, 8, 8, 1], scalars: pixels), targets: Tensor(labels))
        @Sendable func trainer() -> Trainer<Sequential<Double>, CrossEntropy, GradientOptimizer> {
            Trainer(
                model: smallCNN(seed: 4), loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.05, momentum: 0.9),
                schedule: ShuffledBatches(size: 16), seed: 6)
        }
        var alone = trainer()
        try alone.fit(data, epochs: 10)
        let models = try InProcessGroup(count: 2).run { reducer -> Result<Sequential<Double>, TrainingError> in
            var together = trainer()
            together.reducer = reducer
            return Result { () throws(TrainingError) in
                try together.fit(data, epochs: 10)
                return together.model
            }
        }.map { try $0.get() }
        print("CNN in Double, 100 steps, 2 processes: largest weight difference \(models.map { largestDifference($0, alone.model) }.max()!)")
        for model in models { #expect(largestDifference(model, alone.model) < 1e-9) }
    }
}

/// A callback that fails (or stops training) after one epoch, on one process only: as a
/// callback that writes a file on process 0 alone can fail there alone.
struct OneProcessCallback: TrainingCallback {
    var failing: Bool
    var acts: Bool

    mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        guard acts, record.epoch == 2 else { return .continue }
        if failing { throw .callback("cannot write the log") }
        return .stop(reason: "stopped by process 1's callback")
    }
}

extension DataParallelTests {
    @Test func aCallbackThatFailsOnOneProcessStopsEveryProcessAfterThatEpoch() throws {
        let data = try blobs(count: 16, seed: 1)
        let outcomes = InProcessGroup(count: 2).run { reducer -> String in
            var trainer = parallelTrainer(seed: 3, batch: 8)
            trainer.callbacks = [OneProcessCallback(failing: true, acts: reducer.rank == 0)]
            trainer.reducer = reducer
            do throws(TrainingError) {
                try trainer.fit(data, epochs: 5)
                return "trained \(trainer.history.epochs.count)"
            } catch {
                return "\(trainer.history.epochs.count): \(error)"
            }
        }
        #expect(outcomes[0] == "2: cannot write the log")
        #expect(
            outcomes[1]
                == "2: 1 of the 2 processes failed in the callbacks and the checkpoint after epoch 2 (each says why on its standard error)")
    }

    @Test func aCallbackThatStopsTrainingOnOneProcessStopsItOnAll() throws {
        let data = try blobs(count: 16, seed: 1)
        let histories = try InProcessGroup(count: 2).run { reducer -> Result<TrainingHistory, TrainingError> in
            var trainer = parallelTrainer(seed: 3, batch: 8)
            trainer.callbacks = [OneProcessCallback(failing: false, acts: reducer.rank == 1)]
            trainer.reducer = reducer
            return Result { () throws(TrainingError) in try trainer.fit(data, epochs: 5) }
        }.map { try $0.get() }
        #expect(histories.map(\.epochs.count) == [2, 2])
        #expect(histories[0].stopReason == "another process's callback stopped training")
        #expect(histories[1].stopReason == "stopped by process 1's callback")
    }
}
