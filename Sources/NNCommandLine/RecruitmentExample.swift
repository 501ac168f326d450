import NN

/// The 2-2-2-1 "recruitment" network: sigmoid everywhere, weights given exactly, learning
/// rate 0.1, each step descending the batch mean of `½ Σ (T − A)²`, in five variants that
/// differ in which samples form each step.
enum RecruitmentExample {
    static let x = [[1, 0.1], [0.1, 1], [0.1, 0.1], [1, 1]]
    static let t = [[1.0], [0], [0], [1]]
    /// Row = input unit, column = output unit: `Z = A·W + b`.
    static let w1 = [[0.8, 0.2], [0.2, 0.8]], b1 = [-1, 0.3]
    static let w2 = [[0.5, 0.0], [0.5, 1.0]], b2 = [0.1, -0.1]
    static let w3 = [[0.5], [0.5]], b3 = [-0.6]
    static let learningRate = 0.1

    /// Which samples form each step.
    enum Variant: String, CaseIterable {
        /// Row 1 only, batch 1.
        case firstSample = "first-sample"
        /// Rows 1–2, batch 1, in order.
        case twoSamples = "two-samples"
        /// All four rows, one step per epoch.
        case fullBatch = "full-batch"
        /// All four rows, batches of 2, in order.
        case miniBatch = "mini-batch"
        /// The 2-2-2 network without the last layer, on X = [[1, 0.1]], T = [[1, 1]].
        case twoOutputs = "two-outputs"

        var inputs: [[Double]] {
            switch self {
            case .firstSample, .twoOutputs: return [x[0]]
            case .twoSamples: return Array(x[0..<2])
            case .fullBatch, .miniBatch: return x
            }
        }

        var targets: [[Double]] {
            switch self {
            case .firstSample: return [t[0]]
            case .twoSamples: return Array(t[0..<2])
            case .fullBatch, .miniBatch: return t
            case .twoOutputs: return [[1, 1]]
            }
        }

        var schedule: any BatchSchedule {
            switch self {
            case .firstSample, .twoSamples, .twoOutputs: return InOrderBatches(size: 1)
            case .fullBatch: return FullBatch()
            case .miniBatch: return InOrderBatches(size: 2)
            }
        }
    }

    /// What the demo prints; encoded with the documented snake_case keys.
    struct Report: Encodable {
        /// The variant trained, or `nil` for a strategy run.
        var variant: String?
        /// The strategy used over all four samples, or `nil` for a variant run.
        var strategy: String?
        var seed: UInt64
        var epochs: Int
        var outputs: [[Double]]
        var loss: Double
        /// The mean ½ squared error over the rows after every epoch.
        var history: [Double]
    }

    /// Trains the variant for `epochs` epochs in `T`.
    static func run<T: TensorScalar>(_: T.Type, variant: Variant, epochs: Int) throws -> Report {
        var report = try train(
            T.self, inputs: variant.inputs, targets: variant.targets,
            threeLayers: variant != .twoOutputs, schedule: variant.schedule, seed: 0, epochs: epochs)
        report.variant = variant.rawValue
        return report
    }

    /// Trains the 2-2-2-1 network on all four samples with a descent strategy; SGD and
    /// mini-batch draw their samples from `seed`.
    static func run<T: TensorScalar>(
        _: T.Type, strategy: DescentStrategy.Name, batchSize: Int, seed: UInt64, epochs: Int
    ) throws -> Report {
        let schedule = DescentStrategy.named(strategy, rate: learningRate, batchSize: batchSize).schedule
        var report = try train(T.self, inputs: x, targets: t, threeLayers: true, schedule: schedule, seed: seed, epochs: epochs)
        report.strategy = strategy.rawValue
        return report
    }

    private static func train<T: TensorScalar>(
        _: T.Type, inputs: [[Double]], targets: [[Double]], threeLayers: Bool,
        schedule: any BatchSchedule, seed: UInt64, epochs: Int
    ) throws -> Report {
        func matrix(_ rows: [[Double]]) throws -> Tensor<T> { try Tensor(rows.map { $0.map { T($0) } }) }
        func vector(_ values: [Double]) -> Tensor<T> { Tensor(values.map { T($0) }) }

        var layers: [any Layer<T>] = [
            try Dense(weight: matrix(w1), bias: vector(b1), activation: Sigmoid()),
            try Dense(weight: matrix(w2), bias: vector(b2), activation: Sigmoid()),
        ]
        if threeLayers {
            layers.append(try Dense(weight: matrix(w3), bias: vector(b3), activation: Sigmoid()))
        }
        let data = try InMemoryDataset(features: matrix(inputs), targets: matrix(targets))
        var trainer = Trainer(
            model: Sequential(layers), loss: MeanSquaredError(reduction: .meanOverBatch, halved: true),
            optimizer: .gradientDescent(learningRate: learningRate), schedule: schedule, seed: seed)
        var history: [Double] = []
        for epoch in 1...epochs {
            try trainer.fit(data, epochs: epoch)
            history.append(try trainer.evaluate(data).loss)
        }
        return Report(
            variant: nil, strategy: nil, seed: seed, epochs: epochs,
            outputs: trainer.model(data.features).rows.map { $0.map(Double.init) },
            loss: history.last!, history: history)
    }

    /// The report as lines of text.
    static func text(_ report: Report) -> [String] {
        [
            "recruitment network, \(report.variant.map { "variant \($0)" } ?? "strategy \(report.strategy!), seed \(report.seed)"), \(report.epochs) epochs: loss \(significant(report.loss)), outputs "
                + report.outputs.map { "[" + $0.map { significant($0, 6) }.joined(separator: ", ") + "]" }.joined(separator: " ")
        ]
    }
}
