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
        var variant: String
        var epochs: Int
        var outputs: [[Double]]
        var loss: Double
    }

    /// Trains the variant for `epochs` epochs in `T`.
    static func run<T: TensorScalar>(_: T.Type, variant: Variant, epochs: Int) throws -> Report {
        func matrix(_ rows: [[Double]]) throws -> Tensor<T> { try Tensor(rows.map { $0.map { T($0) } }) }
        func vector(_ values: [Double]) -> Tensor<T> { Tensor(values.map { T($0) }) }

        var layers: [any Layer<T>] = [
            try Dense(weight: matrix(w1), bias: vector(b1), activation: Sigmoid()),
            try Dense(weight: matrix(w2), bias: vector(b2), activation: Sigmoid()),
        ]
        if variant != .twoOutputs {
            layers.append(try Dense(weight: matrix(w3), bias: vector(b3), activation: Sigmoid()))
        }
        let data = try InMemoryDataset(features: matrix(variant.inputs), targets: matrix(variant.targets))
        var trainer = Trainer(model: Sequential(layers), loss: MeanSquaredError(reduction: .meanOverBatch, halved: true),
                              optimizer: .gradientDescent(learningRate: learningRate), schedule: variant.schedule)
        try trainer.fit(data, epochs: epochs)
        return Report(variant: variant.rawValue, epochs: epochs,
                      outputs: trainer.model(data.features).rows.map { $0.map(Double.init) },
                      loss: try trainer.evaluate(data).loss)
    }

    /// The report as lines of text.
    static func text(_ report: Report) -> [String] {
        ["recruitment network, variant \(report.variant), \(report.epochs) epochs: loss \(significant(report.loss)), outputs "
            + report.outputs.map { "[" + $0.map { significant($0, 6) }.joined(separator: ", ") + "]" }.joined(separator: " ")]
    }
}
