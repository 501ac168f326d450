import Foundation
import Testing

@testable import NNCommandLine

@Suite struct SinExampleTests {
    /// The lesson's settings: 1-40-1 tanh, ½(y − t)², per-sample SGD, learning rate 0.005,
    /// 1000 epochs. The issue asks for MAE ≤ 0.01. (Float rounding differs between builds
    /// and between CPUs' kernels, and 450,000 steps carry the difference into the last
    /// digits, so the figures are asserted as bounds; on the release binary where it is built.)
    @Test func theLessonsSettingsReachMAEBelowOneHundredth() throws {
        let report = try json(nnOptimized("demo", "sin", "--json"))
        let mae = try #require(report["test_mae"] as? Double), mse = try #require(report["test_mse"] as? Double)
        #expect(mae <= 0.01, "test MAE \(mae)")
        #expect(mse < 1e-4, "test MSE \(mse)")
        #expect(report["train_seconds"] is Double)
    }

    /// README's second row: 1.7e-06 on an AVX-512 CPU, 2.9e-05 on an AVX2 one, release and debug builds alike
    /// (Adam over 2000 epochs amplifies the rounding differences between CPUs' kernels).
    @Test func adamWithSmallBatchesReachesMSEBelowOneTenThousandth() throws {
        let report = try json(nnOptimized("demo", "sin", "--optimizer", "adam", "--lr", "0.003", "--batch-size", "8", "--epochs", "2000", "--json"))
        let mse = try #require(report["test_mse"] as? Double)
        #expect(mse < 1e-4, "test MSE \(mse)")
    }

    @Test func thePlotShowsTruthPointsAndFit() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sin-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(nn("demo", "sin", "--epochs", "3", "--plot", path).status == 0)
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 450)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(">training points<") && svg.contains(">sin(x)<") && svg.contains(">network<"))
        #expect(
            nn("demo", "sin", "--layers", "2,40,1").output.errors == [
                "nn: nn demo sin: --layers must start and end with 1 (one input x, one output y), like 1,40,1"
            ])
    }

    @Test func xorIsLearnt() throws {
        let report = try json(nn("demo", "xor", "--json"))
        #expect(report["accuracy"] as? Double == 1)
        let outputs = try #require(report["outputs"] as? [Double])
        #expect(outputs[0] < 0.1 && outputs[1] > 0.9 && outputs[2] > 0.9 && outputs[3] < 0.1)
    }
}
