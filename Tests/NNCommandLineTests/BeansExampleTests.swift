import Foundation
import NN
import Testing

@testable import NNCommandLine

@Suite struct BeansExampleTests {
    @Test func theDataFollowTheLessonsRecipe() {
        let data = BeansData.make(count: 100, seed: 3, as: Double.self)
        let x = data.features.scalars, y = data.targets.scalars
        #expect(x == x.sorted() && x.allSatisfy { $0 >= 0 && $0 < 1 })
        // y = 0.7x + (0.5 − u)/5 + 0.5 with u in [0, 1): within ±0.1 of 0.7x + 0.5.
        #expect(zip(x, y).allSatisfy { abs($1 - (0.7 * $0 + 0.5)) <= 0.1 })
        #expect(BeansData.make(count: 100, seed: 3, as: Double.self).targets == data.targets)
        #expect(BeansData.make(count: 100, seed: 4, as: Double.self).targets != data.targets)
    }

    @Test func leastSquaresSolvesTheNormalEquations() {
        let data = BeansData.make(count: 50, seed: 1, as: Double.self)
        let x = data.features.scalars, y = data.targets.scalars
        for intercept in [false, true] {
            let line = BeansExample.leastSquares(data, intercept: intercept)
            // At the optimum the gradient of the mean squared error vanishes.
            let residuals = zip(x, y).map { line.w * $0 + line.b - $1 }
            #expect(abs(zip(residuals, x).map(*).reduce(0, +)) < 1e-12)
            if intercept { #expect(abs(residuals.reduce(0, +)) < 1e-12) } else { #expect(line.b == 0) }
        }
    }

    /// The beans demo's JSON for the given arguments.
    func beans(_ arguments: String...) throws -> [String: Any] {
        try json(nn(["demo", "beans", "--json"] + arguments))
    }

    @Test(arguments: ["w", "wb"])
    func batchAndMiniBatchConvergeToTheClosedForm(model: String) throws {
        for strategy in ["bgd", "mini-batch"] {
            let object = try beans("--model", model, "--strategy", strategy)
            let optimum = try #require(object["least_squares"] as? [String: Double])
            #expect(optimum["loss"]! <= (object["loss"] as! Double))
            let w = try #require(object["w"] as? Double), b = try #require(object["b"] as? Double)
            #expect(abs(w - optimum["w"]!) < 1e-3, "\(model) \(strategy): w \(w) vs \(optimum["w"]!)")
            #expect(abs(b - optimum["b"]!) < 1e-3, "\(model) \(strategy): b \(b) vs \(optimum["b"]!)")
            let history = try #require(object["history"] as? [Double])
            #expect(history.count == (strategy == "bgd" ? 1000 : 300))
            #expect(abs(history.last! - (object["loss"] as! Double)) == 0)
            if model == "w" { #expect(b == 0) }
        }
    }

    @Test func fixedStepEndsWithinOneStepOfTheOptimum() throws {
        for step in [0.005, 0.02] {
            let object = try beans("--model", "w", "--strategy", "fixed-step", "--step", "\(step)")
            let optimum = try #require(object["least_squares"] as? [String: Double])
            #expect(optimum["loss"]! <= (object["loss"] as! Double))
            #expect(abs((object["w"] as! Double) - optimum["w"]!) <= step)
        }
    }

    @Test func stochasticRunsAreReproducibleBySeed() throws {
        let a = try beans("--strategy", "sgd", "--seed", "4", "--epochs", "20")
        let b = try beans("--strategy", "sgd", "--seed", "4", "--epochs", "20")
        let c = try beans("--strategy", "sgd", "--seed", "5", "--epochs", "20")
        #expect(a["history"] as! [Double] == b["history"] as! [Double])
        #expect(a["history"] as! [Double] != c["history"] as! [Double])
    }

    @Test func plotsAreWrittenAsSVG() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-beans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fit = folder.appendingPathComponent("fit.svg").path, surface = folder.appendingPathComponent("surface.svg").path
        let result = nn("demo", "beans", "--strategy", "mini-batch", "--epochs", "20", "--plot", fit, "--surface", surface)
        #expect(result.status == 0)
        let fitSVG = try String(contentsOfFile: fit, encoding: .utf8)
        let surfaceSVG = try String(contentsOfFile: surface, encoding: .utf8)
        #expect(fitSVG.hasPrefix("<svg") && fitSVG.hasSuffix("</svg>\n"))
        #expect(fitSVG.components(separatedBy: "<circle").count - 1 == 100)   // one dot per bean
        #expect(surfaceSVG.contains("<rect") && surfaceSVG.contains("<path d=\"M") && surfaceSVG.contains("<polyline"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["fit.svg", "surface.svg"])
        // A folder that does not exist: one line naming the file, status 2 before any work, nothing written.
        let bad = nn("demo", "beans", "--epochs", "2", "--plot", folder.appendingPathComponent("missing/fit.svg").path)
        #expect(bad.status == 2 && bad.output.errors.count == 1 && bad.output.errors[0].contains("missing/fit.svg: the folder"))
    }
}

@Suite struct RecruitmentStrategyTests {
    @Test func seedsChangeStochasticCurvesAndRepeatThem() throws {
        for strategy in ["sgd", "mini-batch"] {
            func history(_ seed: String) throws -> [Double] {
                try #require(
                    json(nn("demo", "recruitment", "--strategy", strategy, "--seed", seed, "--epochs", "300", "--json"))["history"] as? [Double])
            }
            let first = try history("1")
            #expect(first.count == 300)
            #expect(try history("1") == first)
            #expect(try history("2") != first)
        }
        let batch = try json(nn("demo", "recruitment", "--strategy", "bgd", "--seed", "1", "--epochs", "300", "--json"))
        let sameAsFullBatch = try json(nn("demo", "recruitment", "--variant", "full-batch", "--epochs", "300", "--json"))
        #expect(batch["outputs"] as! [[Double]] == sameAsFullBatch["outputs"] as! [[Double]])
    }
}

@Suite struct FixedStepCycleTests {
    /// Fixed-step descent on `w·x + b` settles into a two-point cycle about 0.05 from the
    /// optimum, whatever the number of epochs (README).
    @Test func fixedStepOnTheTwoParameterModelCyclesAwayFromTheOptimum() throws {
        let data = BeansData.make(count: 100, seed: 1, as: Double.self)
        let optimum = BeansExample.leastSquares(data, intercept: true)
        func fit(epochs: Int) throws -> (w: Double, b: Double) {
            let model = try Dense(weight: Tensor<Double>([[0]]), bias: Tensor([0]), activation: Identity())
            var trainer = Trainer(model: model, loss: MeanSquaredError(), optimizer: .fixedStep(0.005))
            try trainer.fit(data, epochs: epochs)
            return (trainer.model.weight.value[flat: 0], trainer.model.bias.value[flat: 0])
        }
        let (early, late, next) = (try fit(epochs: 1000), try fit(epochs: 3000), try fit(epochs: 3001))
        #expect(abs(early.w - late.w) < 1e-9 && abs(early.b - late.b) < 1e-9)   // same point of the cycle
        #expect(abs(next.w - late.w) > 0.004 && abs(next.w - late.w) < 0.006)   // one step to the other point
        #expect(abs(late.w - optimum.w) > 0.04 && abs(late.w - optimum.w) < 0.06)
    }
}
