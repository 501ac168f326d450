import Foundation
import NN

/// `nn demo [NAME] [options]`: the classic workloads, reproduced.
enum DemoCommand {
    static let names = ["mazur", "recruitment", "beans", "sin", "xor"]

    /// Where `nn demo` (all demos) writes its plots.
    static let outputFolder = "nn-output"

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn demo")
        let name = reader.positional()
        if let name { reader.command += " " + name }
        switch name {
        case nil:
            try reader.finish()
            try runAll(output: &output)
        case "mazur":
            try mazur(reader, output: &output)
        case "recruitment":
            try recruitment(reader, output: &output)
        case "beans":
            try beans(reader, output: &output)
        case "sin":
            try sin(reader, output: &output)
        case "xor":
            let epochs = try reader.integer("--epochs", default: 2000, in: 1...10_000_000)
            let json = reader.flag("--json")
            try reader.finish()
            try emit(try XORExample.run(epochs: epochs), json: json, text: XORExample.text, output: &output)
        case let name?:
            throw CommandLineError("\(reader.command): unknown demo '\(name)'; choose one of \(names.joined(separator: ", "))")
        }
        return 0
    }

    /// Every demo with its default settings, as text, with plots in ``outputFolder``.
    private static func runAll(output: inout some CommandOutput) throws {
        do { try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true) } catch {
            throw CommandLineError("nn demo: cannot create the folder \(outputFolder) for the plots: \(error.localizedDescription)")
        }
        var plots: [String] = []
        output.write(MazurExample.text(try MazurExample.run(Double.self, iterations: 10_000)))
        for variant in RecruitmentExample.Variant.allCases {
            output.write(RecruitmentExample.text(try RecruitmentExample.run(Double.self, variant: variant, epochs: 10_000)))
        }
        var curves: [(String, [Double])] = []
        for strategy in [DescentStrategy.Name.batch, .stochastic, .miniBatch] {
            let report = try RecruitmentExample.run(Double.self, strategy: strategy, batchSize: 2, seed: 1, epochs: 2000)
            output.write(RecruitmentExample.text(report))
            curves.append((strategy.rawValue, report.history))
        }
        plots.append("\(outputFolder)/recruitment-strategies.svg")
        try plotCurves(curves, title: "Recruitment network: loss by strategy", yLabel: "mean ½ squared error", to: plots.last!)
        for strategy in DescentStrategy.Name.allCases {
            var options = BeansExample.Options()
            options.strategy = strategy
            options.model = strategy == .fixedStep ? .w : .wb
            let outcome = try BeansExample.run(options)
            output.write(BeansExample.text(outcome.report))
            plots += ["\(outputFolder)/beans-\(strategy.rawValue)-fit.svg", "\(outputFolder)/beans-\(strategy.rawValue)-surface.svg"]
            try BeansExample.plotFit(outcome, to: plots[plots.count - 2])
            try BeansExample.plotSurface(outcome, to: plots[plots.count - 1])
        }
        let sin = try SinExample.run(SinExample.Options())
        output.write(SinExample.text(sin.report))
        plots.append("\(outputFolder)/sin.svg")
        try SinExample.plot(sin, to: plots.last!)
        output.write(XORExample.text(try XORExample.run()))
        output.write("plots: " + plots.joined(separator: ", "))
    }

    /// Loss curves, one per named series, on one chart.
    /// Curves over epochs, with an optional vertical line at one epoch (`--restore-best`'s best).
    static func plotCurves(
        _ curves: [(String, [Double])], title: String, yLabel: String, mark: (epoch: Int, label: String)? = nil, to path: String
    ) throws {
        let count = curves.map(\.1.count).max() ?? 1
        let high = curves.flatMap(\.1).filter(\.isFinite).max().map { $0 > 0 ? $0 : 1 } ?? 1
        // 30% headroom above the highest value, for the legend.
        var plot = SVGPlot(title: title, xLabel: "epoch", yLabel: yLabel, xRange: 1...Double(Swift.max(count, 2)), yRange: 0...(high * 1.3))
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]
        for (index, (name, values)) in curves.enumerated() {
            plot.line(values.enumerated().map { (Double($0.offset + 1), $0.element) }, color: colors[index % colors.count], width: 1.5, label: name)
        }
        if let mark { plot.line([(Double(mark.epoch), 0), (Double(mark.epoch), high * 1.3)], color: "#7f7f7f", width: 1, label: mark.label) }
        try plot.write(to: path)
    }

    private static func mazur(_ arguments: ArgumentReader, output: inout some CommandOutput) throws {
        var reader = arguments
        let iterations = try reader.integer("--iterations", default: 10_000, in: 1...100_000_000)
        let precision = try precision(&reader)
        let json = reader.flag("--json")
        let trace = reader.flag("--trace")
        try reader.finish()
        let report =
            precision == .float
            ? try MazurExample.run(Float.self, iterations: iterations, trace: trace)
            : try MazurExample.run(Double.self, iterations: iterations, trace: trace)
        try emit(report, json: json, text: MazurExample.text, output: &output)
    }

    private static func recruitment(_ arguments: ArgumentReader, output: inout some CommandOutput) throws {
        var reader = arguments
        let names = RecruitmentExample.Variant.allCases.map(\.rawValue)
        let variant = try reader.choice("--variant", from: names, default: nil).map { RecruitmentExample.Variant(rawValue: $0)! }
        let strategies = [DescentStrategy.Name.batch, .stochastic, .miniBatch]
        let strategy = try reader.choice("--strategy", from: strategies.map(\.rawValue), default: nil)
            .map { DescentStrategy.Name(rawValue: $0)! }
        let batchSize = try reader.integer("--batch-size", default: 2, in: 1...4)
        let seed = try reader.optionalInteger("--seed", in: 0...Int.max)
        let epochs = try reader.integer("--epochs", default: 10_000, in: 1...100_000_000)
        let precision = try precision(&reader)
        let json = reader.flag("--json")
        try reader.finish()

        let report: RecruitmentExample.Report
        switch (variant, strategy) {
        case (let variant?, nil):
            if seed != nil { throw CommandLineError("\(reader.command): --seed goes with --strategy; a variant draws nothing at random") }
            report =
                precision == .float
                ? try RecruitmentExample.run(Float.self, variant: variant, epochs: epochs)
                : try RecruitmentExample.run(Double.self, variant: variant, epochs: epochs)
        case (nil, let strategy?):
            let seed = UInt64(seed ?? 1)
            report =
                precision == .float
                ? try RecruitmentExample.run(Float.self, strategy: strategy, batchSize: batchSize, seed: seed, epochs: epochs)
                : try RecruitmentExample.run(Double.self, strategy: strategy, batchSize: batchSize, seed: seed, epochs: epochs)
        default:
            throw CommandLineError("\(reader.command): give either --variant (\(names.joined(separator: ", "))) or --strategy (bgd, sgd, mini-batch)")
        }
        try emit(report, json: json, text: RecruitmentExample.text, output: &output)
    }

    private static func beans(_ arguments: ArgumentReader, output: inout some CommandOutput) throws {
        var reader = arguments
        var options = BeansExample.Options()
        options.model = BeansExample.Model(rawValue: try reader.choice("--model", from: BeansExample.Model.allCases.map(\.rawValue), default: "wb")!)!
        options.strategy = try strategy(&reader, default: .batch)!
        options.count = try reader.integer("--count", default: 100, in: 2...10_000_000)
        options.epochs = try reader.optionalInteger("--epochs", in: 1...10_000_000)
        options.batchSize = try reader.optionalInteger("--batch-size", in: 1...10_000_000)
        options.seed = UInt64(try reader.integer("--seed", default: 1, in: 0...Int.max))
        let learningRate = try reader.positiveNumber("--lr")
        let step = try reader.positiveNumber("--step")
        if options.strategy == .fixedStep {
            if learningRate != nil { throw CommandLineError("\(reader.command): --lr does not apply to fixed-step; use --step") }
            options.rate = step
        } else {
            if step != nil { throw CommandLineError("\(reader.command): --step applies to --strategy fixed-step only; use --lr") }
            options.rate = learningRate
        }
        let plot = try reader.outputPath("--plot"), surface = try reader.outputPath("--surface")
        let animate = try reader.outputPath("--animate")
        let json = reader.flag("--json")
        try reader.finish()

        let outcome = try BeansExample.run(options)
        if let plot { try BeansExample.plotFit(outcome, to: plot) }
        if let surface { try BeansExample.plotSurface(outcome, to: surface) }
        if let animate { try BeansExample.animate(outcome, to: animate) }
        try emit(outcome.report, json: json, text: BeansExample.text, output: &output)
    }

    private static func sin(_ arguments: ArgumentReader, output: inout some CommandOutput) throws {
        var reader = arguments
        var options = SinExample.Options()
        if let layers = try reader.value("--layers") { options.layers = try ModelSpecification.sizes(layers) }
        guard options.layers.first == 1, options.layers.last == 1 else {
            throw CommandLineError("\(reader.command): --layers must start and end with 1 (one input x, one output y), like 1,40,1")
        }
        options.activation = try reader.choice("--activation", from: ModelSpecification.activations, default: "tanh")!
        options.optimizer = try reader.choice("--optimizer", from: ["sgd", "momentum", "adam"], default: "sgd")!
        options.learningRate = try reader.positiveNumber("--lr") ?? (options.optimizer == "adam" ? 0.001 : 0.005)
        options.batchSize = try reader.integer("--batch-size", default: 1, in: 1...450)
        options.epochs = try reader.integer("--epochs", default: 1000, in: 1...1_000_000)
        options.seed = UInt64(try reader.integer("--seed", default: 1, in: 0...Int.max))
        let plot = try reader.outputPath("--plot")
        let animate = try reader.outputPath("--animate")
        options.animate = animate != nil
        let json = reader.flag("--json")
        try reader.finish()
        let outcome = try SinExample.run(options)
        if let plot { try SinExample.plot(outcome, to: plot) }
        if let animate { try SinExample.animate(outcome, to: animate) }
        try emit(outcome.report, json: json, text: SinExample.text, output: &output)
    }

    /// `--strategy bgd|sgd|mini-batch|fixed-step`.
    private static func strategy(_ reader: inout ArgumentReader, default defaultValue: DescentStrategy.Name?) throws(CommandLineError)
        -> DescentStrategy.Name?
    {
        try reader.choice("--strategy", from: DescentStrategy.Name.allCases.map(\.rawValue), default: defaultValue?.rawValue)
            .map { DescentStrategy.Name(rawValue: $0)! }
    }

    private static func precision(_ reader: inout ArgumentReader) throws(CommandLineError) -> Precision {
        Precision(rawValue: try reader.choice("--precision", from: Precision.allCases.map(\.rawValue), default: "double")!)!
    }

    private static func emit<R: Encodable>(_ report: R, json: Bool, text: (R) -> [String], output: inout some CommandOutput) throws {
        if json { output.write(try jsonLine(report)) } else { output.write(text(report)) }
    }
}
