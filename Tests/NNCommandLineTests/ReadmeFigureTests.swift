import Foundation
import NN
import Testing

@testable import NNCommandLine

/// Asserts `value` equals a number printed with some significant digits (`3.51018778e-05`,
/// `0.026`, `6e-16`) to every digit printed: `|value − printed| ≤ ½` unit in its last digit.
func expectSignificant(_ value: Double, _ printed: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let parts = printed.lowercased().split(separator: "e")
    let mantissa = String(parts[0]), exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let decimals = mantissa.split(separator: ".").dropFirst().first?.count ?? 0
    let tolerance = 0.5 * pow(10, Double(exponent - decimals))
    #expect(abs(value - Double(printed)!) <= tolerance, "\(value) is not \(printed) to the digits printed", sourceLocation: sourceLocation)
}

/// The figures README.md prints for the classic examples, asserted at the precision it
/// prints them.
@Suite struct ReadmeFigureTests {
    @Test func theTwoTwoTwoExampleAfterTenThousandUpdates() throws {
        let report = try MazurExample.run(Double.self, iterations: 10_000)
        expectSignificant(report.finalError, "3.51018778e-05")
        expectSignificant(report.finalOutputs[0], "0.0159136204")
        expectSignificant(report.finalOutputs[1], "0.984064274")
    }

    /// README's beans table: |w − w*| (model `w`) and |w − w*|, |b − b*| (model `wb`) with
    /// each strategy's defaults.
    @Test(arguments: [
        (DescentStrategy.Name.batch, "0", "6e-16", "2e-16"),
        (.miniBatch, "8e-5", "5e-5", "6e-5"),
        (.stochastic, "0.026", "0.011", "0.015"),
        (.fixedStep, "3e-4", "0.054", "0.037"),
    ])
    func theBeansTable(strategy: DescentStrategy.Name, w: String, wbW: String, wbB: String) throws {
        func distances(_ model: BeansExample.Model) throws -> (w: Double, b: Double) {
            var options = BeansExample.Options()
            (options.strategy, options.model) = (strategy, model)
            let report = try BeansExample.run(options).report
            return (abs(report.w - report.leastSquares.w), abs(report.b - report.leastSquares.b))
        }
        let onlyW = try distances(.w)
        if w == "0" { #expect(onlyW.w == 0) } else { expectSignificant(onlyW.w, w) }
        let both = try distances(.wb)
        expectSignificant(both.w, wbW)
        expectSignificant(both.b, wbB)
    }

    /// Fixed-step descent on `w·x + b`: the two losses of its cycle.
    @Test func theFixedStepCycleLosses() throws {
        var options = BeansExample.Options()
        (options.strategy, options.model, options.epochs) = (.fixedStep, .wb, 1001)
        let history = try BeansExample.run(options).report.history
        let cycle = [history[history.count - 2], history[history.count - 1]].sorted()
        expectSignificant(cycle[0], "0.0036978")
        expectSignificant(cycle[1], "0.0037159")
    }
}
