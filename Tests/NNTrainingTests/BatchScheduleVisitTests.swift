import NN
import Testing

/// A data set that records which samples the trainer asks for, batch by batch.
final class RecordingDataset: Dataset, @unchecked Sendable {
    let data: InMemoryDataset<Double>
    var batches: [[Int]] = []

    init(count: Int) throws {
        data = try InMemoryDataset(
            features: Tensor(shape: [count, 1], scalars: (0..<count).map(Double.init)),
            targets: Tensor(shape: [count, 1], scalars: (0..<count).map { 2 * Double($0) }))
    }

    var count: Int { data.count }
    var featureShape: [Int] { data.featureShape }
    var targetShape: [Int] { data.targetShape }

    func batch(_ indices: [Int]) -> (features: Tensor<Double>, targets: Tensor<Double>) {
        batches.append(indices)
        return data.batch(indices)
    }
}

/// The batches a strategy asks for over `epochs` epochs of `count` samples.
func visits(_ strategy: DescentStrategy, count: Int = 10, epochs: Int = 3, seed: UInt64 = 1) throws -> [[Int]] {
    let data = try RecordingDataset(count: count)
    let model = try Dense(weight: Tensor<Double>([[0.1]]), bias: Tensor([0]), activation: Identity())
    var trainer = Trainer(model: model, loss: MeanSquaredError(), strategy: strategy, seed: seed)
    try trainer.fit(data, epochs: epochs)
    return data.batches
}

@Suite struct BatchScheduleVisitTests {
    @Test func batchGradientDescentUsesEverySampleInEveryStep() throws {
        let batches = try visits(.batchGradientDescent(learningRate: 0.01))
        #expect(batches == Array(repeating: Array(0..<10), count: 3))
    }

    @Test func miniBatchVisitsEachSampleOncePerEpochReshuffled() throws {
        let batches = try visits(.miniBatchGradientDescent(learningRate: 0.01, batchSize: 4))
        #expect(batches.map(\.count) == [4, 4, 2, 4, 4, 2, 4, 4, 2])
        let epochs = stride(from: 0, to: 9, by: 3).map { batches[$0..<($0 + 3)].flatMap { $0 } }
        #expect(epochs.allSatisfy { $0.sorted() == Array(0..<10) })
        #expect(Set(epochs.map { $0 }).count == 3)   // a new order every epoch
        let dropped = try visits(.miniBatchGradientDescent(learningRate: 0.01, batchSize: 4, dropLast: true))
        #expect(dropped.map(\.count) == [4, 4, 4, 4, 4, 4])
    }

    @Test func stochasticDrawsOneSampleReproduciblyFromTheSeed() throws {
        let first = try visits(.stochasticGradientDescent(learningRate: 0.01), seed: 5)
        #expect(first.count == 30 && first.allSatisfy { $0.count == 1 })
        #expect(try visits(.stochasticGradientDescent(learningRate: 0.01), seed: 5) == first)
        #expect(try visits(.stochasticGradientDescent(learningRate: 0.01), seed: 6) != first)
        // With replacement: some sample repeats within an epoch (with this seed).
        #expect(Set(first[0..<10].map { $0[0] }).count < 10)
        let shuffled = try visits(.stochasticGradientDescent(learningRate: 0.01, shuffledEpochs: true))
        #expect(shuffled[0..<10].flatMap { $0 }.sorted() == Array(0..<10))
    }

    @Test func fixedStepUsesTheFullBatchUnlessGivenABatchSize() throws {
        #expect(try visits(.fixedStepDescent(step: 0.01)) == Array(repeating: Array(0..<10), count: 3))
        #expect(try visits(.fixedStepDescent(step: 0.01, batchSize: 5)).map(\.count) == [5, 5, 5, 5, 5, 5])
    }

    @Test func everyNameMapsToItsStrategy() {
        for name in DescentStrategy.Name.allCases {
            let strategy = DescentStrategy.named(name, rate: 0.1, batchSize: 8)
            switch name {
            case .batch: #expect(strategy.schedule is FullBatch && strategy.optimizer.rule is GradientStep)
            case .stochastic: #expect(strategy.schedule is RandomSamples && strategy.optimizer.rule is GradientStep)
            case .miniBatch: #expect((strategy.schedule as? ShuffledBatches)?.size == 8)
            case .fixedStep: #expect(strategy.optimizer.rule is FixedStep && strategy.optimizer.learningRate == 0.1)
            }
        }
    }
}
