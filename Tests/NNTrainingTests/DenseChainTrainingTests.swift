import Foundation
import Testing

@testable import NN
@testable import NNTraining

/// A Sequential of Dense layers trains as a `DenseChain` (its parameters moved out of the
/// model for the run, its steps without the layers' existential dispatch). Every run here is
/// trained twice, as a chain and as the Sequential itself, and must give the same bits: the
/// parameters, the gradients left behind, every epoch's loss and metrics, and the optimiser's
/// state.
@Suite struct DenseChainTrainingTests {
    /// Samples of `inputs` features with targets of `outputs` values, from a seed.
    private func dataset<T: TensorScalar>(
        _: T.Type, samples: Int, inputs: Int, outputs: Int, oneHot: Bool = false, seed: UInt64
    ) throws -> InMemoryDataset<T> {
        var generator = SeededRandomGenerator(seed: seed)
        let features = (0..<(samples * inputs)).map { _ in T(generator.nextUniform(in: -2.0, 2.0)) }
        let targets: [T] = (0..<samples).flatMap { sample -> [T] in
            if oneHot { return (0..<outputs).map { $0 == sample % outputs ? 1 : 0 } }
            return (0..<outputs).map { _ in T(generator.nextUniform(in: -1.0, 1.0)) }
        }
        return try InMemoryDataset(
            features: Tensor(shape: [samples, inputs], scalars: features), targets: Tensor(shape: [samples, outputs], scalars: targets))
    }

    /// A Sequential of Dense layers of the given widths, the activations in turn.
    private func model<T: TensorScalar>(_: T.Type, widths: [Int], seed: UInt64) -> Sequential<T> {
        var generator = SeededRandomGenerator(seed: seed)
        let layers: [any Layer<T>] = (1..<widths.count).map { index -> any Layer<T> in
            let (inputs, outputs) = (widths[index - 1], widths[index])
            switch index % 3 {
            case 1: return Dense<T, Tanh>(inputSize: inputs, outputSize: outputs, activation: Tanh(), generator: &generator)
            case 2: return Dense<T, Sigmoid>(inputSize: inputs, outputSize: outputs, activation: Sigmoid(), generator: &generator)
            default: return Dense<T, ReLU>(inputSize: inputs, outputSize: outputs, activation: ReLU(), generator: &generator)
            }
        }
        return Sequential(layers)
    }

    /// Trains `trainer` as a chain and as a Sequential, and compares the two.
    private func expectSameRuns<T: TensorScalar, L: Loss>(
        _ trainer: Trainer<Sequential<T>, L, GradientOptimizer>, on data: InMemoryDataset<T>,
        validation: InMemoryDataset<T>? = nil, epochs: Int
    ) throws {
        var chained = trainer, plain = trainer
        plain.trainsDenseLayersAsChain = false
        func run(_ trainer: inout Trainer<Sequential<T>, L, GradientOptimizer>) throws -> TrainingHistory {
            if let validation { return try trainer.fit(data, epochs: epochs, validation: validation) }
            return try trainer.fit(data, epochs: epochs)
        }
        let chainedHistory = try run(&chained), plainHistory = try run(&plain)
        func parameters(_ trainer: Trainer<Sequential<T>, L, GradientOptimizer>) -> [[T]] {
            trainer.model.namedParameters.flatMap { [$0.parameter.value.scalars, $0.parameter.gradient.scalars] }
        }
        #expect(parameters(chained) == parameters(plain))
        #expect(chained.model.namedParameters.map(\.name) == plain.model.namedParameters.map(\.name))
        #expect(chained.model.namedParameters.map(\.parameter.isTrainable) == plain.model.namedParameters.map(\.parameter.isTrainable))
        #expect(chainedHistory.epochs.map(\.loss) == plainHistory.epochs.map(\.loss))
        #expect(chainedHistory.epochs.map(\.metrics) == plainHistory.epochs.map(\.metrics))
        #expect(chainedHistory.epochs.map(\.validationLoss) == plainHistory.epochs.map(\.validationLoss))
        #expect(chainedHistory.stopReason == plainHistory.stopReason)
        #expect(chained.optimizer.checkpointState == plain.optimizer.checkpointState)
        // The run really changed the model, and the chain left it whole.
        #expect(parameters(chained) != parameters(trainer))
        #expect(chained.denseChain == nil)
    }

    @Test func perSampleDescentOfTheSinLesson() throws {
        let data = try dataset(Float.self, samples: 30, inputs: 1, outputs: 1, seed: 1)
        let trainer = Trainer(
            model: model(Float.self, widths: [1, 8, 1], seed: 2), loss: MeanSquaredError(reduction: .meanOverBatch, halved: true),
            optimizer: .gradientDescent(learningRate: 0.05), schedule: ShuffledBatches(size: 1), seed: 3)
        try expectSameRuns(trainer, on: data, epochs: 4)
    }

    @Test func miniBatchesWithAdamAndAShortLastBatch() throws {
        let data = try dataset(Double.self, samples: 23, inputs: 4, outputs: 3, seed: 4)
        let trainer = Trainer(
            model: model(Double.self, widths: [4, 6, 5, 3], seed: 5), loss: MeanSquaredError(),
            optimizer: .adam(learningRate: 0.01, weightDecay: 0.001), schedule: ShuffledBatches(size: 7), seed: 6)
        try expectSameRuns(trainer, on: data, epochs: 3)
    }

    @Test func groupsFrozenParametersClippingAndMomentumOnFullBatches() throws {
        let data = try dataset(Float.self, samples: 12, inputs: 3, outputs: 2, seed: 7)
        var network = model(Float.self, widths: [3, 5, 4, 2], seed: 8)
        network.visitParameters { name, parameter in if name == "layers.0.bias" { parameter.isTrainable = false } }
        var optimizer = GradientOptimizer.gradientDescent(learningRate: 0.1, momentum: 0.9)
        optimizer.groups = [ParameterGroup(.suffix("bias"), learningRate: 0.02)]
        optimizer.clipping = .byValue(0.05)
        optimizer.schedule = .exponential(factor: 0.9)
        var trainer = Trainer(model: network, loss: MeanSquaredError(), optimizer: optimizer, schedule: FullBatch(), seed: 9)
        try expectSameRuns(trainer, on: data, epochs: 5)
        trainer.optimizer.clipping = .byGlobalNorm(0.01)
        try expectSameRuns(trainer, on: data, epochs: 5)
    }

    @Test func validationMetricsAndEarlyStoppingThatRestoresTheBestWeights() throws {
        let data = try dataset(Float.self, samples: 40, inputs: 5, outputs: 4, oneHot: true, seed: 10)
        let validation = try dataset(Float.self, samples: 16, inputs: 5, outputs: 4, oneHot: true, seed: 11)
        let trainer = Trainer(
            model: model(Float.self, widths: [5, 7, 4], seed: 12), loss: CrossEntropy(),
            optimizer: .gradientDescent(learningRate: 2), schedule: ShuffledBatches(size: 8), seed: 13, metrics: [Accuracy()],
            callbacks: [EarlyStopping(monitor: "val_loss", patience: 1, restoreBestWeights: true)])
        try expectSameRuns(trainer, on: data, validation: validation, epochs: 12)
    }

    @Test func aDivergingRunFailsAlikeAndLeavesTheModelWhole() throws {
        let data = try dataset(Float.self, samples: 10, inputs: 2, outputs: 1, seed: 14)
        var generator = SeededRandomGenerator(seed: 15)
        let linear = Sequential<Float>(
            Dense<Float, Identity>(inputSize: 2, outputSize: 4, activation: Identity(), generator: &generator),
            Dense<Float, Identity>(inputSize: 4, outputSize: 1, activation: Identity(), generator: &generator))
        var chained = Trainer(
            model: linear, loss: MeanSquaredError(),
            optimizer: .gradientDescent(learningRate: 1e30), schedule: ShuffledBatches(size: 2), seed: 16)
        var plain = chained
        plain.trainsDenseLayersAsChain = false
        var errors: [String] = []
        for index in 0..<2 {
            do {
                _ = try index == 0 ? chained.fit(data, epochs: 20) : plain.fit(data, epochs: 20)
                errors.append("none")
            } catch {
                errors.append("\(error)")
            }
        }
        #expect(errors[0] == errors[1] && errors[0] != "none")
        #expect(chained.model.namedParameters.map(\.parameter.value.scalarCount) == [8, 4, 4, 1])
        #expect(
            chained.model.namedParameters.map { $0.parameter.value.scalars.map(\.bitPattern) }
                == plain.model.namedParameters.map { $0.parameter.value.scalars.map(\.bitPattern) })
    }

    /// An optimiser from outside the package sees the model it was given, never the chain.
    private struct ModelTypeRecorder: Optimizer {
        var inner = GradientOptimizer.gradientDescent(learningRate: 0.1)
        var seen: Set<String> = []
        mutating func update<Model: Layer>(_ model: inout Model) {
            seen.insert("\(Model.self)")
            inner.update(&model)
        }
        var checkpointState: OptimizerState {
            get { inner.checkpointState }
            set { inner.checkpointState = newValue }
        }
    }

    @Test func anOptimiserOfItsOwnSeesTheSequential() throws {
        let data = try dataset(Float.self, samples: 6, inputs: 2, outputs: 1, seed: 21)
        var trainer = Trainer(
            model: model(Float.self, widths: [2, 3, 1], seed: 22), loss: MeanSquaredError(), optimizer: ModelTypeRecorder(),
            schedule: ShuffledBatches(size: 2), seed: 23)
        try trainer.fit(data, epochs: 2)
        #expect(trainer.optimizer.seen == ["Sequential<Float>"])
    }

    /// Batches shaped `[rows, features, 1]`, not `[rows] + featureShape`: a Dense flattens them.
    private struct ColumnBatches: Dataset {
        var inner: InMemoryDataset<Float>
        var count: Int { inner.count }
        var featureShape: [Int] { inner.featureShape }
        var targetShape: [Int] { inner.targetShape }
        func batch(_ indices: [Int]) -> (features: Tensor<Float>, targets: Tensor<Float>) {
            let (features, targets) = inner.batch(indices)
            return ((try? features.reshaped(to: [indices.count, featureShape[0], 1])) ?? features, targets)
        }
    }

    @Test func aDataSetWithAnotherBatchLayoutTrainsTheModelItself() throws {
        let data = try dataset(Float.self, samples: 8, inputs: 3, outputs: 1, seed: 24)
        let trainer = Trainer(
            model: model(Float.self, widths: [3, 4, 1], seed: 25), loss: MeanSquaredError(),
            optimizer: .gradientDescent(learningRate: 0.1), schedule: ShuffledBatches(size: 1), seed: 26)
        var columns = trainer, plain = trainer
        plain.trainsDenseLayersAsChain = false
        let columnHistory = try columns.fit(ColumnBatches(inner: data), epochs: 3)
        let plainHistory = try plain.fit(ColumnBatches(inner: data), epochs: 3)
        #expect(columnHistory.epochs.map(\.loss) == plainHistory.epochs.map(\.loss))
        #expect(columns.model.namedParameters.map(\.parameter.value) == plain.model.namedParameters.map(\.parameter.value))
    }

    @Test func aCopyOfAChainGetsItsOwnScratch() throws {
        var sequential = model(Float.self, widths: [3, 5, 2], seed: 27)
        var taken = sequential
        var chain = try #require(DenseChain.take(from: &taken))
        let small = try dataset(Float.self, samples: 2, inputs: 3, outputs: 1, seed: 28).features
        let large = try dataset(Float.self, samples: 9, inputs: 3, outputs: 1, seed: 29).features
        let gradient = try dataset(Float.self, samples: 2, inputs: 2, outputs: 1, seed: 30).features
        var copy = chain
        let output = chain.forward(small)
        _ = copy.forward(large)   // with the scratch shared, this would overwrite the chain's
        #expect(output == sequential.forward(small))
        #expect(chain.backward(gradient) == sequential.backward(gradient))
    }

    @Test func onlyASequentialOfDenseLayersOnMatchingSamplesIsChained() throws {
        let dense = model(Float.self, widths: [3, 4, 2], seed: 17)
        #expect(DenseChain<Float>.canHold(dense, samplesShaped: [3]))
        #expect(!DenseChain<Float>.canHold(dense, samplesShaped: [1, 3]))
        #expect(!DenseChain<Float>.canHold(Sequential<Float>([]), samplesShaped: [3]))
        var withDropout = dense
        withDropout.layers.insert(Dropout<Float>(rate: 0.5, seed: 1), at: 1)
        #expect(!DenseChain<Float>.canHold(withDropout, samplesShaped: [3]))
        #expect(!DenseChain<Float>.canHold(dense.layers[0] as! Dense<Float, Tanh>, samplesShaped: [3]))
    }

    @Test func aChainsPassesGiveTheSequentialsBits() throws {
        var sequential = model(Double.self, widths: [3, 5, 4, 2], seed: 18)
        var taken = sequential
        let chain = try #require(DenseChain.take(from: &taken))
        var layer: (any Layer<Double>)? = chain
        #expect(taken.namedParameters.allSatisfy { $0.parameter.value.scalarCount == 0 })
        let input = try dataset(Double.self, samples: 6, inputs: 3, outputs: 2, seed: 19).features
        let gradient = try dataset(Double.self, samples: 6, inputs: 2, outputs: 2, seed: 20).features
        for _ in 0..<2 {
            #expect(layer?.forward(input) == sequential.forward(input))
            #expect(layer?.backward(gradient) == sequential.backward(gradient))
        }
        #expect(try chain.outputShape(forInputShape: [6, 3]) == [6, 2])
        #expect(layer.map { $0(input) } == sequential(input))
        DenseChain.restore(&layer, into: &taken)
        #expect(layer == nil)
        #expect(taken.namedParameters.map(\.name) == sequential.namedParameters.map(\.name))
        #expect(
            taken.namedParameters.map { [$0.parameter.value.scalars, $0.parameter.gradient.scalars] }
                == sequential.namedParameters.map { [$0.parameter.value.scalars, $0.parameter.gradient.scalars] })
    }
}
