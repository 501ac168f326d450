import NN
import Testing

/// Two Gaussian-ish blobs in the plane, labelled 0 and 1, from a seed.
func blobs(count: Int, seed: UInt64) throws -> InMemoryDataset<Double> {
    var generator = SeededRandomGenerator(seed: seed)
    var features: [Double] = [], labels: [Double] = []
    for index in 0..<count {
        let label = Double(index % 2)
        let center = label == 0 ? -1.0 : 1.0
        features += [center + 0.8 * generator.nextNormal(), center + 0.8 * generator.nextNormal()]
        labels.append(label)
    }
    return try InMemoryDataset(features: Tensor(shape: [count, 2], scalars: features), targets: Tensor(labels))
}

func classifier(seed: UInt64) -> Sequential<Double> {
    var generator = SeededRandomGenerator(seed: seed)
    return Sequential<Double>(
        Dense<Double, Tanh>(inputSize: 2, outputSize: 4, activation: Tanh(), generator: &generator),
        Dense<Double, Identity>(inputSize: 4, outputSize: 2, activation: Identity(), generator: &generator))
}

/// Collects report lines (the callback needs a reference it can append to).
final class Lines: @unchecked Sendable {
    var lines: [String] = []
}

@Suite struct TrainerTests {
    @Test func stopsEarlyOnceTrainingAccuracyReachesTheTarget() throws {
        let data = try blobs(count: 200, seed: 1)
        var trainer = Trainer(
            model: classifier(seed: 2), loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.05),
            schedule: ShuffledBatches(size: 10), seed: 3, metrics: [Accuracy()],
            callbacks: [EarlyStopping(metric: "accuracy", target: 0.85)])
        let history = try trainer.fit(data, epochs: 500)
        let accuracies = history.epochs.map { $0.metrics["accuracy"]! }
        #expect(history.epochs.count < 500)
        #expect(accuracies.last! >= 0.85)
        #expect(accuracies.dropLast().allSatisfy { $0 < 0.85 })
        #expect(history.stopReason?.hasPrefix("accuracy") == true)
        #expect(try trainer.evaluate(data).metrics["accuracy"]! > 0.8)
    }

    @Test func reportsEveryKEpochsAndAtTheEnd() throws {
        let lines = Lines()
        var trainer = Trainer(
            model: classifier(seed: 2), loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.1),
            metrics: [Accuracy()], callbacks: [ProgressReport(every: 3) { lines.lines.append($0) }])
        let history = try trainer.fit(try blobs(count: 20, seed: 1), epochs: 10)
        #expect(history.epochs.map(\.epoch) == Array(1...10))
        #expect(lines.lines.count == 4)
        #expect(lines.lines[0].hasPrefix("epoch 3/10  loss ") && lines.lines[0].contains("accuracy"))
        #expect(lines.lines[3].hasPrefix("epoch 10/10"))
        #expect(history.epochs.last!.loss < history.epochs.first!.loss)
    }

    @Test func frozenParametersNeverChange() throws {
        var model = classifier(seed: 5)
        model.freeze { $0.hasSuffix("bias") }
        let before = model.namedParameters
        var trainer = Trainer(model: model, loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.5), schedule: InOrderBatches(size: 4))
        try trainer.fit(try blobs(count: 40, seed: 1), epochs: 5)
        for ((name, old), (_, new)) in zip(before, trainer.model.namedParameters) {
            if name.hasSuffix("bias") {
                #expect(old.value == new.value, "\(name)")
            } else {
                #expect(old.value != new.value, "\(name)")
            }
        }
    }

    @Test func sameSeedSameRunAndEpochsCountInTotal() throws {
        let data = try blobs(count: 30, seed: 1)
        func trainer(seed: UInt64) -> Trainer<Sequential<Double>, CrossEntropy, GradientOptimizer> {
            Trainer(
                model: classifier(seed: 9), loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.1),
                schedule: ShuffledBatches(size: 4), seed: seed)
        }
        var a = trainer(seed: 1), b = trainer(seed: 1), c = trainer(seed: 2)
        try a.fit(data, epochs: 4)
        try b.fit(data, epochs: 2)
        try b.fit(data, epochs: 4)   // the total: epochs 3 and 4
        try c.fit(data, epochs: 4)
        #expect(b.history.epochs.count == 4)
        #expect(a.model.stateDictionary == b.model.stateDictionary)
        #expect(a.history.epochs.map(\.loss) == b.history.epochs.map(\.loss))
        #expect(a.model.stateDictionary != c.model.stateDictionary)
    }

    @Test func badDataIsATypedErrorBeforeAnyWork() throws {
        var trainer = Trainer(model: classifier(seed: 1), loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.1))
        let threeFeatures = try InMemoryDataset(features: Tensor<Double>(zeros: [2, 3]), targets: Tensor([0, 1]))
        #expect(throws: TrainingError.modelRejectsData(.shapeMismatch(context: "Dense(2→4) input", expected: [2], actual: [3]))) {
            try trainer.fit(threeFeatures, epochs: 1)
        }
        let wrongTargets = try InMemoryDataset(features: Tensor<Double>(zeros: [2, 2]), targets: Tensor<Double>(zeros: [2, 5]))
        #expect(throws: TrainingError.lossRejectsData(.shapeMismatch(loss: "CrossEntropy", prediction: [2], target: [5]))) {
            try trainer.fit(wrongTargets, epochs: 1)
        }
        let badLabel = try InMemoryDataset(features: Tensor<Double>(zeros: [2, 2]), targets: Tensor([0, 4]))
        #expect(throws: TrainingError.lossRejectsData(.invalidClassIndex(sample: 1, value: 4, classCount: 2))) {
            try trainer.fit(badLabel, epochs: 1)
        }
        let empty = try InMemoryDataset(features: Tensor<Double>(zeros: [0, 2]), targets: Tensor<Double>(zeros: [0]))
        #expect(throws: TrainingError.emptyDataset) { try trainer.fit(empty, epochs: 1) }
        #expect(trainer.history.epochs.isEmpty)
    }

    @Test func anOverflowingLossStopsTrainingWithAClearError() throws {
        let model = try Dense(weight: Tensor<Float>([[1]]), bias: Tensor([0]), activation: Identity())
        let data = try InMemoryDataset(features: Tensor<Float>([[1], [2]]), targets: Tensor<Float>([[1e20], [1]]))
        var trainer = Trainer(
            model: model, loss: MeanSquaredError(), optimizer: .gradientDescent(learningRate: 0.1),
            schedule: InOrderBatches(size: 1))
        #expect(throws: TrainingError.nonFiniteLoss(epoch: 1, step: 1, value: .infinity)) { try trainer.fit(data, epochs: 3) }
    }
    /// A callback that acts on nothing, but has the trainer's control (as a checkpoint or
    /// early stopping does).
    struct IdleCallback: TrainingCallback {
        mutating func epochEnded(
            _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
        ) throws(TrainingError) -> TrainingDecision {
            _ = control.parameterSnapshot()
            return .continue
        }
    }

    @Test func gradientsLeftInTheModelOrCallbacksChangeNothing() throws {
        let data = try blobs(count: 40, seed: 1)
        func trained(callbacks: [any TrainingCallback], strayGradient: Double) throws -> [Double] {
            var trainer = Trainer(
                model: classifier(seed: 2), loss: CrossEntropy(), optimizer: .adam(learningRate: 0.01),
                schedule: ShuffledBatches(size: 8), seed: 3, callbacks: callbacks)
            // As a step that threw after its backward pass would leave them.
            trainer.model.visitParameters { _, parameter in
                for index in 0..<parameter.gradient.scalarCount { parameter.gradient[flat: index] = strayGradient }
            }
            _ = try trainer.fit(data, epochs: 4)
            var values: [Double] = []
            trainer.model.visitParameters { _, parameter in
                values += parameter.value.scalars
                #expect(parameter.gradient.scalars.allSatisfy { $0 == 0 })   // zeroed by the last step
            }
            return values
        }
        let plain = try trained(callbacks: [], strayGradient: 0)
        #expect(try trained(callbacks: [IdleCallback()], strayGradient: 0) == plain)
        #expect(try trained(callbacks: [], strayGradient: 1e6) == plain)
    }
}
