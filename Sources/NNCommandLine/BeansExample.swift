import Foundation
import NN

/// The linear-regression ("beans") lesson: bean size → toxicity, fitted by `y = w·x` or
/// `y = w·x + b` under mean squared error, with each of the four descent strategies.
enum BeansExample {
    /// Which line is fitted.
    enum Model: String, CaseIterable {
        /// `y = w·x`: one weight, no intercept.
        case w
        /// `y = w·x + b`.
        case wb
    }

    /// What to run.
    struct Options {
        var model: Model = .wb
        var strategy: DescentStrategy.Name = .batch
        var count = 100
        var epochs: Int?
        /// The learning rate, or the step for fixed-step descent.
        var rate: Double?
        var batchSize: Int?
        var seed: UInt64 = 1

        /// Settings that converge with each strategy (starting from w = b = 0). Mini-batch
        /// descent anneals its learning rate to zero, which is what lets a noisy method settle.
        var resolved: (epochs: Int, rate: Double, batchSize: Int?) {
            switch strategy {
            case .batch: return (epochs ?? 1000, rate ?? 0.5, nil)
            case .stochastic: return (epochs ?? 100, rate ?? 0.05, nil)
            case .miniBatch: return (epochs ?? 300, rate ?? 0.2, batchSize ?? 10)
            case .fixedStep: return (epochs ?? 1000, rate ?? 0.005, batchSize)
            }
        }
    }

    /// The closed-form least-squares fit and its mean squared error.
    struct Line: Encodable, Equatable {
        var w: Double
        var b: Double
        var loss: Double
    }

    /// What the demo prints; encoded with the documented snake_case keys.
    struct Report: Encodable {
        var model: String
        var strategy: String
        var epochs: Int
        var w: Double
        var b: Double
        var loss: Double
        var leastSquares: Line
        var history: [Double]
    }

    /// The outcome, with what the plots need.
    struct Outcome {
        var report: Report
        var data: InMemoryDataset<Double>
        /// (w, b) before training and after every epoch.
        var path: [(Double, Double)]
    }

    static func run(_ options: Options) throws -> Outcome {
        let data = BeansData.make(count: options.count, seed: options.seed, as: Double.self)
        let (epochs, rate, batchSize) = options.resolved
        var strategy = DescentStrategy.named(options.strategy, rate: rate, batchSize: batchSize)
        if options.strategy == .miniBatch, let batchSize {
            let stepsPerEpoch = options.count / batchSize + (options.count % batchSize == 0 ? 0 : 1)
            strategy.optimizer = strategy.optimizer.scheduled(.cosine(steps: epochs * stepsPerEpoch, minimum: 0))
        }
        var model = try Dense(weight: Tensor<Double>([[0]]), bias: Tensor([0]), activation: Identity())
        if options.model == .w { model.freeze { $0 == "bias" } }

        var trainer = Trainer(model: model, loss: MeanSquaredError(), strategy: strategy, seed: options.seed)
        var history: [Double] = []
        var path = [(0.0, 0.0)]
        for epoch in 1...epochs {
            try trainer.fit(data, epochs: epoch)
            let loss = try trainer.evaluate(data).loss
            // The trainer stops on a non-finite batch loss; the loss after the epoch's last
            // step can still overflow (a learning rate like 1e300).
            guard loss.isFinite else {
                throw RunError(
                    "nn demo beans: the loss became \(loss) after epoch \(epoch); try a smaller \(options.strategy == .fixedStep ? "--step" : "--lr")"
                )
            }
            history.append(loss)
            path.append((trainer.model.weight.value[flat: 0], trainer.model.bias.value[flat: 0]))
        }
        let report = Report(
            model: options.model.rawValue, strategy: options.strategy.rawValue, epochs: epochs,
            w: path.last!.0, b: path.last!.1, loss: history.last!,
            leastSquares: leastSquares(data, intercept: options.model == .wb), history: history)
        return Outcome(report: report, data: data, path: path)
    }

    /// The least-squares line through the data: `w = Σxy/Σx²` without an intercept,
    /// `w = cov(x, y)/var(x)`, `b = ȳ − w·x̄` with one.
    static func leastSquares(_ data: InMemoryDataset<Double>, intercept: Bool) -> Line {
        let x = data.features.scalars, y = data.targets.scalars
        guard intercept else {
            let w = zip(x, y).map(*).reduce(0, +) / x.map { $0 * $0 }.reduce(0, +)
            return Line(w: w, b: 0, loss: cost(data, w: w, b: 0))
        }
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        let covariance = zip(x, y).map { ($0 - meanX) * ($1 - meanY) }.reduce(0, +)
        let variance = x.map { ($0 - meanX) * ($0 - meanX) }.reduce(0, +)
        let w = covariance / variance, b = meanY - w * meanX
        return Line(w: w, b: b, loss: cost(data, w: w, b: b))
    }

    /// Mean squared error of the line (w, b) on the data.
    static func cost(_ data: InMemoryDataset<Double>, w: Double, b: Double) -> Double {
        zip(data.features.scalars, data.targets.scalars).map { (w * $0 + b - $1) * (w * $0 + b - $1) }
            .reduce(0, +) / Double(data.count)
    }

    static func text(_ report: Report) -> [String] {
        let ls = report.leastSquares
        return [
            "beans: y = \(report.model == "w" ? "w·x" : "w·x + b"), strategy \(report.strategy), \(report.epochs) epochs",
            "  fitted         w \(significant(report.w, 6)), b \(significant(report.b, 6)), loss \(significant(report.loss, 6))",
            "  least squares  w \(significant(ls.w, 6)), b \(significant(ls.b, 6)), loss \(significant(ls.loss, 6))",
            "  |w − w*| \(significant(abs(report.w - ls.w), 3)), |b − b*| \(significant(abs(report.b - ls.b), 3))",
        ]
    }

    /// The data and the fitted line.
    static func plotFit(_ outcome: Outcome, to path: String) throws {
        let report = outcome.report
        var plot = SVGPlot(
            title: "Beans: \(report.strategy), model \(report.model)", xLabel: "size", yLabel: "toxicity",
            xRange: 0...1, yRange: 0.3...1.4)
        plot.scatter(
            zip(outcome.data.features.scalars, outcome.data.targets.scalars).map { ($0, $1) },
            color: "#1f77b4", label: "beans")
        plot.line([(0, report.b), (1, report.w + report.b)], color: "#d62728", label: "fitted line")
        plot.line(
            [(0, report.leastSquares.b), (1, report.leastSquares.w + report.leastSquares.b)],
            color: "#2ca02c", width: 1, label: "least squares")
        try plot.write(to: path)
    }

    /// The cost over a (w, b) grid, its contour lines, and the path the descent took.
    static func plotSurface(_ outcome: Outcome, to path: String) throws {
        var plot = surface(outcome)
        plot.line(outcome.path, color: "#d62728", width: 1.5, label: "descent path", markers: outcome.path.count <= 200)
        plot.marker(outcome.report.leastSquares.w, outcome.report.leastSquares.b, color: "black", label: "least squares")
        try plot.write(to: path)
    }

    /// The cost over a (w, b) grid around the path and the optimum, with contour lines.
    /// - Parameter size: grid points along each axis.
    private static func surface(_ outcome: Outcome, size: Int = 60) -> SVGPlot {
        let optimum = outcome.report.leastSquares
        let ws = outcome.path.map(\.0) + [optimum.w], bs = outcome.path.map(\.1) + [optimum.b]
        func padded(_ values: [Double]) -> ClosedRange<Double> {
            let low = values.min() ?? 0, high = values.max() ?? 0
            let pad = Swift.max((high - low) * 0.2, 0.5)
            return (low - pad)...(high + pad)
        }
        let wRange = padded(ws), bRange = padded(bs)
        let grid = (0..<size).map { row in
            (0..<size).map { column in
                cost(
                    outcome.data,
                    w: wRange.lowerBound + (wRange.upperBound - wRange.lowerBound) * Double(column) / Double(size - 1),
                    b: bRange.lowerBound + (bRange.upperBound - bRange.lowerBound) * Double(row) / Double(size - 1))
            }
        }
        let logGrid = grid.map { $0.map { Double.log(Swift.max($0, 1e-12)) } }
        let low = logGrid.flatMap { $0 }.min() ?? 0, high = logGrid.flatMap { $0 }.max() ?? 1
        let constraint = outcome.report.model == Model.w.rawValue ? ", model w (b fixed at 0)" : ""
        var plot = SVGPlot(
            title: "Cost over (w, b): \(outcome.report.strategy)\(constraint)", xLabel: "w", yLabel: "b",
            xRange: wRange, yRange: bRange)
        plot.heatMap(logGrid) { heatColor(high > low ? ($0 - low) / (high - low) : 0) }
        plot.contours(grid, levels: (1...12).map { Double.exp(low + (high - low) * Double($0) / 13) }, color: "white")
        return plot
    }

    /// The animation of `--animate`: on the left the fitted line moving over the beans, on the
    /// right the descent path growing over the cost surface, through the epochs of
    /// `FitAnimation.frameEpochs` (at most 60 frames, looping).
    static func animate(_ outcome: Outcome, to path: String) throws {
        let report = outcome.report, epochs = FitAnimation.frameEpochs(from: 0, to: outcome.path.count - 1)
        var fit = SVGPlot(
            title: "Beans: \(report.strategy), model \(report.model)", xLabel: "size", yLabel: "toxicity", xRange: 0...1, yRange: 0.3...1.4)
        fit.clipID = "fit"
        // At most 300 of the beans drawn (there may be millions), so the file stays small.
        let (sizes, toxicities) = (outcome.data.features.scalars, outcome.data.targets.scalars)
        let shown = stride(from: 0, to: sizes.count, by: Swift.max(1, sizes.count / 300)).map { (sizes[$0], toxicities[$0]) }
        fit.scatter(shown, color: "#1f77b4", label: "beans")
        fit.line(
            [(0, report.leastSquares.b), (1, report.leastSquares.w + report.leastSquares.b)], color: "#2ca02c", width: 1,
            label: "least squares")
        fit.legendEntry("fitted line", color: "#d62728")
        var surface = surface(outcome, size: 40)   // a coarser grid keeps the file small
        surface.clipID = "surface"
        surface.marker(report.leastSquares.w, report.leastSquares.b, color: "black", label: "least squares")
        surface.legendEntry("descent path", color: "#d62728")
        let captions = epochs.map { "epoch \($0)" }
        fit.animation(
            frames: epochs.map { epoch in
                let (w, b) = outcome.path[epoch]
                return fit.lineElements([(0, b), (1, w + b)], color: "#d62728", width: 2.5) + ["<desc class=\"line\">\(w) \(b)</desc>"]
            }, captions: captions)
        // The path grows by the piece since the previous frame; each piece stays drawn. Within a
        // piece at most 20 points: the early steps are the long ones, and they are all kept.
        let pieces = epochs.indices.map { index -> [String] in
            let from = index == 0 ? 0 : epochs[index - 1], to = epochs[index]
            let stride = Swift.max(1, (to - from) / 20)
            let points = Swift.stride(from: from, to: to, by: stride).map { outcome.path[$0] } + [outcome.path[to]]
            return surface.lineElements(points, color: "#d62728", width: 1.5)
                + surface.lineElements([outcome.path[to]], color: "#d62728", width: 1.5, markers: true)
        }
        surface.animation(frames: pieces, captions: captions, cumulative: true)
        try AtomicFile.write(Data(SVGPlot.sideBySide([fit, surface]).utf8), to: URL(fileURLWithPath: path))
    }
}
