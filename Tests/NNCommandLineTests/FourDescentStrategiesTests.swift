import Foundation
import NN
import Testing

@testable import NNCommandLine

/// The article "The four descent strategies" (NNOptimizers' catalog): its code, the output of
/// the commands it shows, and its plots, which are the files those commands write.
@Suite struct FourDescentStrategiesTests {
    static let catalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/NNOptimizers/NNOptimizers.docc")

    @Test func theArticlesCodeFitsTheLineAsTheDemoDoes() throws {
        // docc snippet begins
        let beans = BeansData.make(count: 100, seed: 1, as: Double.self)
        let strategies: [(name: String, strategy: DescentStrategy, epochs: Int)] = [
            ("batch", .batchGradientDescent(learningRate: 0.5), 1000),
            ("stochastic", .stochasticGradientDescent(learningRate: 0.05), 100),
            // .miniBatchGradientDescent(learningRate: 0.2, batchSize: 10), its rate annealed to
            // zero over the run's 300 epochs × 10 steps:
            (
                "mini-batch",
                DescentStrategy(
                    optimizer: .gradientDescent(learningRate: 0.2).scheduled(.cosine(steps: 3000, minimum: 0)),
                    schedule: ShuffledBatches(size: 10)), 300
            ),
            ("fixed-step", .fixedStepDescent(step: 0.005), 1000),
        ]
        var fitted: [String: (w: Double, b: Double, loss: Double)] = [:]
        for (name, strategy, epochs) in strategies {
            let line = try Dense(weight: Tensor<Double>([[0]]), bias: Tensor([0]), activation: Identity())
            var trainer = Trainer(model: line, loss: MeanSquaredError(), strategy: strategy, seed: 1)
            try trainer.fit(beans, epochs: epochs)
            let (w, b) = (trainer.model.weight.value[flat: 0], trainer.model.bias.value[flat: 0])
            let loss = try trainer.evaluate(beans).loss
            fitted[name] = (w, b, loss)
            print("\(name): w \(w), b \(b), loss \(loss)")
        }
        // docc snippet ends
        // The same runs as `nn demo beans --strategy …`, to the last bit.
        for (name, flag) in [("batch", "bgd"), ("stochastic", "sgd"), ("mini-batch", "mini-batch"), ("fixed-step", "fixed-step")] {
            let demo = try BeansExample.run(.init(strategy: try #require(DescentStrategy.Name(rawValue: flag)))).report
            let ours = try #require(fitted[name])
            #expect(ours.w == demo.w && ours.b == demo.b && ours.loss == demo.loss, "\(name)")
        }
        let optimum = BeansExample.leastSquares(beans, intercept: true)
        #expect(abs(try #require(fitted["batch"]).w - optimum.w) < 1e-12)
        #expect(abs(try #require(fitted["mini-batch"]).w - optimum.w) < 1e-4)
        #expect(abs(try #require(fitted["stochastic"]).w - optimum.w) > 1e-3)
    }

    @Test func aStrategyIsAnUpdateRuleWithABatchSchedule() throws {
        let beans = BeansData.make(count: 100, seed: 1, as: Double.self)
        // docc snippet begins
        let momentum = DescentStrategy(
            optimizer: .gradientDescent(learningRate: 0.1, momentum: 0.9),
            schedule: ShuffledBatches(size: 20))
        let line = try Dense(weight: Tensor<Double>([[0]]), bias: Tensor([0]), activation: Identity())
        var trainer = Trainer(model: line, loss: MeanSquaredError(), strategy: momentum, seed: 7)
        let history = try trainer.fit(beans, epochs: 200)
        // docc snippet ends
        let optimum = BeansExample.leastSquares(beans, intercept: true)
        #expect(history.epochs.count == 200)
        #expect(try trainer.evaluate(beans).loss < optimum.loss * 1.05)
    }

    /// Every command a ```text block of the article shows (a line `$ nn …`) prints the lines
    /// that follow it, and a plot it writes (`--surface F`, `--plot F`) is the catalog's
    /// `Resources/F`, byte for byte.
    @Test func theArticleShowsTheCommandsOutputAndPlots() throws {
        let text = try String(contentsOf: Self.catalog.appendingPathComponent("FourDescentStrategies.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```text\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        let folder = try makeTemporaryFolder("nn-strategies")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var commands = 0, plots = 0
        for block in blocks {
            var lines = block.components(separatedBy: "\n")[...]
            while let command = lines.popFirst() {
                guard command.hasPrefix("$ nn ") else { continue }
                let shown = Array(lines.prefix { !$0.hasPrefix("$ ") })
                lines = lines.dropFirst(shown.count)
                var arguments = command.dropFirst(5).split(separator: " ").map(String.init)
                var written: [String] = []
                for index in arguments.indices.dropLast() where ["--surface", "--plot"].contains(arguments[index]) {
                    written.append(arguments[index + 1])
                    arguments[index + 1] = "\(folder)/\(arguments[index + 1])"
                }
                let result = nn(arguments)
                #expect(result.status == 0, "\(command)")
                #expect(result.output.lines == shown, "\(command)")
                for name in written {
                    let made = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)"))
                    let kept = try Data(contentsOf: Self.catalog.appendingPathComponent("Resources/\(name)"))
                    #expect(made == kept, "Resources/\(name) is not what `\(command.dropFirst(2))` writes; run it there to update it")
                    plots += 1
                }
                commands += 1
            }
        }
        #expect(commands >= 7 && plots >= 4)
    }
}
