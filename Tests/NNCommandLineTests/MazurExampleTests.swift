import Testing

@testable import NNCommandLine

/// Asserts `value` equals a published number to every digit it is given with:
/// `|value − golden| ≤ ½` unit in the golden number's last decimal place.
func expectDigits(_ value: Double, _ golden: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let decimals = golden.split(separator: ".").last.map(\.count) ?? 0
    var tolerance = 0.5
    for _ in 0..<decimals { tolerance /= 10 }
    #expect(abs(value - Double(golden)!) <= tolerance, "\(value) vs \(golden)", sourceLocation: sourceLocation)
}

@Suite struct MazurExampleTests {
    @Test func reproducesThePublishedNumbersInDouble() throws {
        let report = try MazurExample.run(Double.self, iterations: 10_000)
        expectDigits(report.initialError, "0.298371109")
        let w = report.weightsAfterFirstUpdate
        expectDigits(w["w5"]!, "0.35891648")
        expectDigits(w["w6"]!, "0.408666186")
        expectDigits(w["w7"]!, "0.511301270")
        expectDigits(w["w8"]!, "0.561370121")
        expectDigits(w["w1"]!, "0.149780716")
        expectDigits(w["w2"]!, "0.19956143")
        expectDigits(w["w3"]!, "0.24975114")
        expectDigits(w["w4"]!, "0.29950229")
        // The widely copied write-up prints 0.291027924, wrong in its 7th digit; an
        // independent float64 computation gives 0.2910277737.
        expectDigits(report.errorAfterFirstUpdate, "0.291027774")
        expectDigits(report.errorAfterFirstUpdate, "0.2910277737")
        #expect(abs(report.errorAfterFirstUpdate - 0.291027924) > 1e-7)
        // After 10000 updates the outputs approach the targets 0.01 and 0.99.
        #expect(report.finalError < 4e-5)
        #expect(abs(report.finalOutputs[0] - 0.01) < 0.01 && abs(report.finalOutputs[1] - 0.99) < 0.01)
    }

    @Test func floatPrecisionAgreesToSinglePrecision() throws {
        let single = try MazurExample.run(Float.self, iterations: 100)
        let double = try MazurExample.run(Double.self, iterations: 100)
        #expect(single.precision == "float32" && double.precision == "float64")
        #expect(abs(single.initialError - 0.298371109) < 1e-6)
        #expect(abs(single.errorAfterFirstUpdate - 0.291027774) < 1e-6)
        #expect(abs(single.finalError - double.finalError) < 1e-5)
    }
}
