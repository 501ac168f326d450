import NN
import Testing

/// Training does not depend on how many threads the kernels use: the same seeds give the same
/// parameters, bit for bit, with one kernel thread and with several (as the article "Training
/// loop and callbacks" says). The models are large enough that their products, optimiser
/// updates and recurrent steps are split between threads.
@Suite(.serialized) struct ThreadCountTrainingTests {
    /// Random features shaped `[count] + sampleShape` and class indices below 10.
    static func data(count: Int, sampleShape: [Int], seed: UInt64) throws -> InMemoryDataset<Float> {
        var generator = SeededRandomGenerator(seed: seed)
        let size = sampleShape.reduce(1, *)
        let features = (0..<count * size).map { _ in Float(generator.nextNormal()) }
        let labels = (0..<count).map { _ in Float(generator.nextIndex(below: 10)) }
        return try InMemoryDataset(features: Tensor(shape: [count] + sampleShape, scalars: features), targets: Tensor(labels))
    }

    /// The bits of the parameters after two epochs of Adam on shuffled batches of 64 with `threads` kernel
    /// threads.
    static func trained<Model: Layer<Float>>(
        _ model: Model, on data: InMemoryDataset<Float>, threads: Int
    ) throws -> [String: [UInt32]] {
        let saved = KernelThreads.count
        KernelThreads.count = threads
        defer { KernelThreads.count = saved }
        var trainer = Trainer(
            model: model, loss: CrossEntropy(), optimizer: .adam(learningRate: 1e-3), schedule: ShuffledBatches(size: 64),
            seed: 3)
        try trainer.fit(data, epochs: 2)
        return trainer.model.stateDictionary.mapValues { $0.scalars.map(\.bitPattern) }
    }

    @Test func aDenseNetworkTrainsToTheSameBitsOnOneThreadOrSeveral() throws {
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>(
            Dense<Float, ReLU>(inputSize: 128, outputSize: 256, activation: ReLU(), generator: &generator),
            Dense<Float, Tanh>(inputSize: 256, outputSize: 256, activation: Tanh(), generator: &generator),
            Dense<Float, Identity>(inputSize: 256, outputSize: 10, activation: Identity(), generator: &generator))
        let data = try Self.data(count: 256, sampleShape: [128], seed: 2)
        let one = try Self.trained(model, on: data, threads: 1)
        #expect(one != model.stateDictionary.mapValues { $0.scalars.map(\.bitPattern) })
        for threads in [2, 3, 4, 8] {
            #expect(try Self.trained(model, on: data, threads: threads) == one, "\(threads) threads")
        }
    }

    @Test func aConvolutionalNetworkTrainsToTheSameBitsOnOneThreadOrSeveral() throws {
        // Every path of a convolution, each large enough to be shared between up to four
        // threads, as are pooling, the activation and its derivative: the first layer's rows
        // written out (2 values in a window's row: im2col); the second's read from padded
        // images, its dX on written-out rows (8 channels: col2im); the third's dX as a
        // convolution (PaddedWindows, split by rows).
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>(
            Conv2D<Float, Tanh>(channels: 1, filters: 8, kernelSize: 2, activation: Tanh(), generator: &generator),
            Conv2D<Float, Tanh>(channels: 8, filters: 32, kernelSize: 3, padding: .same, activation: Tanh(), generator: &generator),
            MaxPool2D(size: 2),
            Conv2D<Float, Tanh>(channels: 32, filters: 16, kernelSize: 3, padding: .same, activation: Tanh(), generator: &generator),
            Flatten(),
            Dense<Float, Identity>(inputSize: 5 * 5 * 16, outputSize: 10, activation: Identity(), generator: &generator))
        let data = try Self.data(count: 128, sampleShape: [12, 12, 1], seed: 2)
        let one = try Self.trained(model, on: data, threads: 1)
        #expect(one != model.stateDictionary.mapValues { $0.scalars.map(\.bitPattern) })
        for threads in [2, 3, 4] {
            #expect(try Self.trained(model, on: data, threads: threads) == one, "\(threads) threads")
        }
    }

    @Test func anLSTMTrainsToTheSameBitsOnOneThreadOrSeveral() throws {
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Float>(
            LSTM<Float>(inputSize: 16, hiddenSize: 128, returnSequences: false, generator: &generator),
            Dense<Float, Identity>(inputSize: 128, outputSize: 10, activation: Identity(), generator: &generator))
        let data = try Self.data(count: 128, sampleShape: [8, 16], seed: 2)
        let one = try Self.trained(model, on: data, threads: 1)
        #expect(one != model.stateDictionary.mapValues { $0.scalars.map(\.bitPattern) })
        for threads in [2, 4] {
            #expect(try Self.trained(model, on: data, threads: threads) == one, "\(threads) threads")
        }
    }
}
