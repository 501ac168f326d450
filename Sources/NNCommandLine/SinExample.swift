import Foundation
import NN

/// The sin-fitting lesson: 450 training points x ~ U(−π, π) with t = sin(x), a 1-40-1 network
/// (tanh hidden units, linear output), loss ½(y − t)², per-sample stochastic descent with
/// learning rate 0.005 for weights and biases, 1000 epochs; then 400 sorted test points.
enum SinExample {
    struct Options {
        var layers = [1, 40, 1]
        var activation = "tanh"
        var optimizer = "sgd"
        var learningRate = 0.005
        var batchSize = 1
        var epochs = 1000
        var seed: UInt64 = 1
        /// Whether to record the fit through the epochs for an animation.
        var animate = false
    }

    struct Report: Encodable {
        var layers: [Int]
        var activation: String
        var optimizer: String
        var learningRate: Double
        var batchSize: Int
        var epochs: Int
        var testMse: Double
        var testMae: Double
        var trainSeconds: Double
    }

    struct Outcome {
        var report: Report
        var train: [(Double, Double)]
        var test: [(x: Double, prediction: Double)]
        /// The fit through the epochs, when ``Options/animate`` asked for it.
        var animation: FitAnimation.Recorder?
    }

    /// `count` points x ~ U(−π, π) (sorted if asked) with sin(x), from `generator`.
    static func points(_ count: Int, sorted: Bool, _ generator: inout SeededRandomGenerator) -> [Double] {
        let xs = (0..<count).map { _ in generator.nextUniform(in: -Double.pi, Double.pi) }
        return sorted ? xs.sorted() : xs
    }

    static func run(_ options: Options) throws -> Outcome {
        var generator = SeededRandomGenerator(seed: options.seed)
        let trainX = points(450, sorted: false, &generator), testX = points(400, sorted: true, &generator)
        func dataset(_ xs: [Double]) throws -> InMemoryDataset<Float> {
            try InMemoryDataset(
                features: Tensor(shape: [xs.count, 1], scalars: xs.map { Float($0) }),
                targets: Tensor(shape: [xs.count, 1], scalars: xs.map { Float(sin($0)) }))
        }
        // PyTorch's nn.Linear initialisation (U(±1/√fanIn) for weights and biases), as in the
        // reference result the lesson is compared with.
        var model = try ModelSpecification(sizes: options.layers, activation: options.activation)
            .build(seed: options.seed &+ 1, weights: .pytorchLinear, biases: .pytorchLinear)
        model.zeroGradients()
        let optimizer: GradientOptimizer =
            switch options.optimizer {
            case "adam": .adam(learningRate: options.learningRate)
            case "momentum": .gradientDescent(learningRate: options.learningRate, momentum: 0.9)
            default: .gradientDescent(learningRate: options.learningRate)
            }
        // ½(y − t)² per sample, averaged over a batch (a plain sum for batches of one).
        var trainer = Trainer(
            model: model, loss: MeanSquaredError(reduction: .meanOverBatch, halved: true), optimizer: optimizer,
            schedule: ShuffledBatches(size: options.batchSize), seed: options.seed)
        // Recording draws no random numbers: the run is the same with or without it.
        if options.animate {
            trainer.callbacks = [FitAnimation.Recorder(inputs: trainX, targets: trainX.map(Foundation.sin), range: -Double.pi...Double.pi)]
        }
        let train = try dataset(trainX), test = try dataset(testX)
        let history = try trainer.fit(train, epochs: options.epochs)
        let predictions = trainer.model(test.features).scalars.map(Double.init)
        let errors = zip(predictions, testX).map { $0 - sin($1) }
        let report = Report(
            layers: options.layers, activation: options.activation, optimizer: options.optimizer,
            learningRate: options.learningRate, batchSize: options.batchSize, epochs: options.epochs,
            testMse: errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count),
            testMae: errors.map(abs).reduce(0, +) / Double(errors.count),
            trainSeconds: history.epochs.reduce(0) { $0 + $1.seconds })
        return Outcome(
            report: report, train: trainX.map { ($0, sin($0)) }, test: Array(zip(testX, predictions).map { (x: $0, prediction: $1) }),
            animation: trainer.callbacks.first as? FitAnimation.Recorder)
    }

    static func text(_ report: Report) -> [String] {
        [
            "sin(x): \(report.layers.map(String.init).joined(separator: "-")) \(report.activation), \(report.optimizer) lr \(report.learningRate), batch \(report.batchSize), \(report.epochs) epochs: test MSE \(significant(report.testMse, 3)), MAE \(significant(report.testMae, 3)) (\(significant(report.trainSeconds, 3)) s)"
        ]
    }

    /// The fitted curve moving over the training points through the epochs, over sin(x).
    static func animate(_ outcome: Outcome, to path: String) throws {
        guard let recorder = outcome.animation else { return }
        try FitAnimation.write(
            recorder, title: "Fitting sin(x): \(outcome.report.epochs) epochs",
            reference: stride(from: -Double.pi, through: Double.pi, by: 0.02).map { ($0, sin($0)) }, to: path)
    }

    static func plot(_ outcome: Outcome, to path: String) throws {
        var plot = SVGPlot(
            title: "Fitting sin(x): test MAE \(significant(outcome.report.testMae, 3))", xLabel: "x", yLabel: "y",
            xRange: -Double.pi...Double.pi, yRange: -1.3...1.3)
        plot.scatter(outcome.train, color: "#1f77b4", label: "training points")
        plot.line(stride(from: -Double.pi, through: Double.pi, by: 0.02).map { ($0, sin($0)) }, color: "#2ca02c", width: 1.5, label: "sin(x)")
        plot.line(outcome.test.map { ($0.x, $0.prediction) }, color: "#d62728", width: 2, label: "network")
        try plot.write(to: path)
    }
}
