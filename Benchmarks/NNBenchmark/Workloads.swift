import Foundation
import NN

/// (a) The sin lesson, through the library's Trainer exactly as a user would write it.
enum SinWorkload {
    static func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        let epochs = options.epochs ?? 1000
        var generator = SeededRandomGenerator(seed: 1)
        let xs = (0..<450).map { _ in generator.nextUniform(in: -Double.pi, Double.pi) }
        let data = try InMemoryDataset(
            features: Tensor(shape: [450, 1], scalars: xs.map { Float($0) }),
            targets: Tensor(shape: [450, 1], scalars: xs.map { Float(Foundation.sin($0)) }))
        let model = Sequential<Float>(
            Dense<Float, Tanh>(
                inputSize: 1, outputSize: 40, activation: Tanh(), weightInitializer: .pytorchLinear,
                biasInitializer: .pytorchLinear, generator: &generator),
            Dense<Float, Identity>(
                inputSize: 40, outputSize: 1, activation: Identity(), weightInitializer: .pytorchLinear,
                biasInitializer: .pytorchLinear, generator: &generator))
        var trainer = Trainer(
            model: model, loss: MeanSquaredError(reduction: .meanOverBatch, halved: true),
            optimizer: .gradientDescent(learningRate: 0.005), schedule: ShuffledBatches(size: 1), seed: 1)
        let start = now()
        try trainer.fit(data, epochs: epochs)
        let seconds = now() - start
        let steps = Double(450 * epochs)
        return [
            BenchmarkResult(
                workload: "sin",
                values: [
                    ("epochs", epochs), ("seconds", seconds), ("us_per_step", seconds / steps * 1e6),
                    ("lesson_seconds", seconds / steps * 450_000), ("final_loss", trainer.history.epochs.last?.loss ?? .nan),
                ])
        ]
    }
}

/// (b) The 2-2-2 example: one sample, sigmoid units, ½ squared error summed, lr 0.5.
enum MazurWorkload {
    static func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        let updates = options.epochs ?? 10_000
        let hidden = try Dense(weight: Tensor<Float>([[0.15, 0.25], [0.20, 0.30]]), bias: Tensor([0.35, 0.35]), activation: Sigmoid())
        let output = try Dense(weight: Tensor<Float>([[0.40, 0.50], [0.45, 0.55]]), bias: Tensor([0.60, 0.60]), activation: Sigmoid())
        var model = Sequential<Float>(hidden, output)
        model.freeze { $0.hasSuffix("bias") }
        let data = try InMemoryDataset(features: Tensor<Float>([[0.05, 0.10]]), targets: Tensor<Float>([[0.01, 0.99]]))
        var trainer = Trainer(model: model, loss: MeanSquaredError(reduction: .sum, halved: true), optimizer: .gradientDescent(learningRate: 0.5))
        let start = now()
        try trainer.fit(data, epochs: updates)
        let seconds = now() - start
        return [
            BenchmarkResult(
                workload: "mazur",
                values: [
                    ("updates", updates), ("seconds", seconds), ("us_per_update", seconds / Double(updates) * 1e6),
                    ("final_loss", trainer.history.epochs.last?.loss ?? .nan),
                ])
        ]
    }
}

/// Fashion-MNIST, scaled to [0, 1] and flattened, optionally cut to its first `samples`.
func fashionMNIST(_ options: BenchmarkOptions) throws -> (train: InMemoryDataset<Float>, test: InMemoryDataset<Float>) {
    let (train, test) = try FashionMNIST.load(folder: options.data, as: Float.self)
    var trainPart = train.scalingFeatures(from: 0...255).flattened()
    if let samples = options.samples, samples < trainPart.count { trainPart = trainPart.subset(Array(0..<samples)) }
    return (trainPart, test.scalingFeatures(from: 0...255).flattened())
}

/// A dense network of `sizes` with ReLU or tanh hidden units and a linear output (logits).
func denseNetwork(_ sizes: [Int], relu: Bool, seed: UInt64) -> Sequential<Float> {
    var generator = SeededRandomGenerator(seed: seed)
    var layers: [any Layer<Float>] = []
    for index in 0..<(sizes.count - 1) {
        let (inputs, outputs) = (sizes[index], sizes[index + 1])
        if index == sizes.count - 2 {
            layers.append(Dense<Float, Identity>(inputSize: inputs, outputSize: outputs, activation: Identity(), generator: &generator))
        } else if relu {
            layers.append(
                Dense<Float, ReLU>(inputSize: inputs, outputSize: outputs, activation: ReLU(), weightInitializer: .heUniform, generator: &generator))
        } else {
            layers.append(Dense<Float, Tanh>(inputSize: inputs, outputSize: outputs, activation: Tanh(), generator: &generator))
        }
    }
    return Sequential(layers)
}

/// (c) and (d): epochs of mini-batch training with cross-entropy on logits; the time is the
/// training alone (data loaded before), the accuracy is on the 10,000 test images.
enum MLPWorkload {
    static func run(_ options: BenchmarkOptions, sizes: [Int], relu: Bool, batch: Int, adam: Bool) throws -> [BenchmarkResult] {
        let epochs = options.epochs ?? 1
        let (train, test) = try fashionMNIST(options)
        let optimizer: GradientOptimizer = adam ? .adam(learningRate: 0.001) : .gradientDescent(learningRate: 0.1)
        var trainer = Trainer(
            model: denseNetwork(sizes, relu: relu, seed: 1), loss: CrossEntropy(), optimizer: optimizer,
            schedule: ShuffledBatches(size: batch), seed: 1, metrics: [Accuracy()])
        let start = now()
        try trainer.fit(train, epochs: epochs)
        let seconds = now() - start
        let accuracy = try trainer.evaluate(test).metrics["accuracy"] ?? .nan
        let name = sizes.count == 4 ? "mlp" : "small-mlp"
        return [
            BenchmarkResult(
                workload: name,
                values: [
                    ("layers", sizes.map(String.init).joined(separator: "-")),
                    ("batch", batch), ("epochs", epochs), ("samples", train.count), ("seconds", seconds),
                    ("seconds_per_epoch", seconds / Double(epochs) * 60_000 / Double(train.count)),
                    ("test_accuracy", accuracy), ("peak_memory_mb", peakMemoryMB()),
                ])
        ]
    }
}

/// (e) GFLOP/s of square Float products (median of 5 timings of ~0.2 s each).
enum MatmulWorkload {
    static func run(_ options: BenchmarkOptions) -> [BenchmarkResult] {
        [1024, 256].map { size in
            var generator = SeededRandomGenerator(seed: 1)
            let a = (0..<(size * size)).map { _ in generator.nextUniformFloat() }, b = (0..<(size * size)).map { _ in generator.nextUniformFloat() }
            var c = [Float](repeating: 0, count: size * size)
            let flops = 2 * Double(size * size * size)
            let repetitions = max(1, Int(2e10 / flops))
            var times: [Double] = []
            for _ in 0..<6 {
                let start = now()
                for _ in 0..<repetitions {
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            c.withUnsafeMutableBufferPointer { c in
                                Float.matrixMultiply(
                                    a, transposed: false, b, transposed: false, into: c, m: size, n: size, k: size, accumulate: false)
                            }
                        }
                    }
                }
                times.append((now() - start) / Double(repetitions))
            }
            let median = times.dropFirst().sorted()[2]   // the first timing warms up
            return BenchmarkResult(workload: "matmul", values: [("size", size), ("gflops", flops / median / 1e9)])
        }
    }
}

/// (f) Inference latency of the 784-256-128-10 MLP (median over many calls).
enum InferenceWorkload {
    static func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        let model = denseNetwork([784, 256, 128, 10], relu: true, seed: 1)
        var generator = SeededRandomGenerator(seed: 2)
        return try (options.batch.map { [$0] } ?? [1, 1000]).map { batch in
            let input = try Tensor<Float>(shape: [batch, 784], scalars: (0..<(batch * 784)).map { _ in generator.nextUniformFloat() })
            let calls = batch == 1 ? 2000 : 20
            var times: [Double] = []
            var checksum: Float = 0
            for _ in 0..<7 {
                let start = now()
                for _ in 0..<calls { checksum += model(input).scalars[0] }
                times.append((now() - start) / Double(calls))
            }
            let median = times.dropFirst().sorted()[3]
            return BenchmarkResult(workload: "inference", values: [("batch", batch), ("us_per_call", median * 1e6), ("checksum", Double(checksum))])
        }
    }
}
