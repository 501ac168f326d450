import NN

/// The step-by-step 2-2-2 backpropagation example (Matt Mazur's write-up): two inputs, two
/// sigmoid hidden units, two sigmoid outputs, one training sample, `E = Σ ½(target − out)²`,
/// learning rate 0.5, biases fixed.
enum MazurExample {
    static let input = [0.05, 0.10]
    static let target = [0.01, 0.99]
    /// w1...w8: h1 takes w1, w2; h2 takes w3, w4; o1 takes w5, w6; o2 takes w7, w8.
    static let initialWeights = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    static let hiddenBias = 0.35
    static let outputBias = 0.60
    static let learningRate = 0.5

    /// What the demo prints; encoded with the documented snake_case keys.
    struct Report: Encodable {
        var precision: String
        var iterations: Int
        var initialError: Double
        var weightsAfterFirstUpdate: [String: Double]
        var errorAfterFirstUpdate: Double
        var finalError: Double
        var finalOutputs: [Double]
        /// The first update's intermediate quantities (`--trace`).
        var trace: MazurTrace?
    }

    /// Trains for `iterations` updates in `T` and reports the known checkpoints.
    /// - Parameters:
    ///   - iterations: the number of updates after the first.
    ///   - trace: whether the report holds every intermediate quantity of the first update.
    static func run<T: TensorScalar>(_: T.Type, iterations: Int, trace: Bool = false) throws -> Report {
        let w = initialWeights.map { T($0) }
        // A Dense weight is [inputs, outputs]: column j holds the weights into unit j.
        let hidden = try Dense(
            weight: Tensor([[w[0], w[2]], [w[1], w[3]]]),
            bias: Tensor([T(hiddenBias), T(hiddenBias)]), activation: Sigmoid())
        let output = try Dense(
            weight: Tensor([[w[4], w[6]], [w[5], w[7]]]),
            bias: Tensor([T(outputBias), T(outputBias)]), activation: Sigmoid())
        var model = Sequential<T>(hidden, output)
        model.freeze { $0.hasSuffix("bias") }

        let data = try InMemoryDataset(
            features: Tensor([input.map { T($0) }]),
            targets: Tensor([target.map { T($0) }]))
        var trainer = Trainer(
            model: model, loss: MeanSquaredError(reduction: .sum, halved: true),
            optimizer: .gradientDescent(learningRate: learningRate))
        let initialError = try trainer.evaluate(data).loss
        try trainer.fit(data, epochs: 1)
        let weights = weightsByName(trainer.model)
        let errorAfterFirstUpdate = try trainer.evaluate(data).loss
        try trainer.fit(data, epochs: iterations)
        let finalOutputs = trainer.model(data.features).scalars.map(Double.init)

        return Report(
            precision: T.dtypeName, iterations: iterations, initialError: initialError,
            weightsAfterFirstUpdate: weights, errorAfterFirstUpdate: errorAfterFirstUpdate,
            finalError: try trainer.evaluate(data).loss, finalOutputs: finalOutputs,
            trace: trace ? try MazurTrace.make(T.self, weightsAfterFirstUpdate: weights) : nil)
    }

    /// w1...w8 read back from the two weight matrices.
    private static func weightsByName<T: TensorScalar>(_ model: Sequential<T>) -> [String: Double] {
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter.value) })
        let first = parameters["layers.0.weight"]!, second = parameters["layers.1.weight"]!
        let ordered = [
            first[0, 0], first[1, 0], first[0, 1], first[1, 1],
            second[0, 0], second[1, 0], second[0, 1], second[1, 1],
        ]
        return Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ("w\($0.offset + 1)", Double($0.element)) })
    }

    /// The report as lines of text.
    static func text(_ report: Report) -> [String] {
        let weights = (1...8).map { "w\($0) \(significant(report.weightsAfterFirstUpdate["w\($0)"]!))" }
        return [
            "2-2-2 backprop example (\(report.precision)), learning rate \(learningRate), biases fixed"
        ] + (report.trace?.text ?? []) + [
            "  E before training:         \(significant(report.initialError))",
            "  weights after one update:  \(weights[0..<4].joined(separator: ", "))",
            "                             \(weights[4..<8].joined(separator: ", "))",
            "  E after one update:        \(significant(report.errorAfterFirstUpdate))",
            "  after \(report.iterations) updates:      E \(significant(report.finalError)), outputs "
                + report.finalOutputs.map { significant($0) }.joined(separator: ", ")
                + " (targets \(target.map { "\($0)" }.joined(separator: ", ")))",
        ]
    }
}
