import Foundation
import NN
import Testing

@testable import NNCommandLine

/// The animated SVGs of `--animate`: their frames read back, and the animation played in a
/// real browser.
@Suite struct AnimationTests {
    /// Each frame of an animation: its caption and what its `<desc>` records.
    func frames(_ path: String) throws -> [(caption: String, values: [Double])] {
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        let groups = svg.components(separatedBy: "<g class=\"frame\" data-caption=\"").dropFirst()
        return groups.map { group in
            let caption = String(group.prefix { $0 != "\"" })
            // The frame's <desc> holds its numbers: the outputs on the grid, or the line's w and b.
            let desc =
                group.range(of: "<desc class=").map { start in
                    String(group[start.upperBound...].drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
                } ?? ""
            return (caption, desc.split(separator: " ").compactMap { Double($0) })
        }
    }

    @Test func trainAnimatesFromTheInitialToTheFinalFit() throws {
        let folder = try makeTemporaryFolder("nn-animate")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // x in [−2, 2] on a grid exact in Float, y = x²/2 with a fraction, so values to fit.
        let xs = (0...64).map { -2 + Double($0) / 16 }
        let csv = folder + "/curve.csv"
        try Data((["x,label"] + xs.map { "\($0),\($0 * $0 / 2 + 0.125)" }).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: csv))
        let model = folder + "/m.safetensors", svg = folder + "/fit.svg"
        #expect(
            nn(
                "train", "--data", csv, "--loss", "mse", "--layers", "1,16,1", "--activation", "tanh", "--test-fraction", "0", "--epochs", "30",
                "--lr", "0.05", "--batch-size", "8", "--animate", svg, "--save", model, "--quiet"
            ).status == 0)
        let recorded = try frames(svg)
        #expect(recorded.count == 31)
        #expect(recorded.first?.caption == "epoch 0" && recorded.last?.caption == "epoch 30 (final)")
        #expect(recorded.allSatisfy { $0.values.count == 100 })
        let grid = (0...99).map { -2 + 4 * Double($0) / 99 }
        // The first frame is the untrained network the same seed builds.
        let initial = try ModelSpecification(sizes: [1, 16, 1], activation: "tanh").build(seed: 1)
        let untrained = initial(try Tensor(shape: [100, 1], scalars: grid.map { Float($0) })).scalars.map(Double.init)
        #expect(recorded.first?.values == untrained)
        // The last is the saved model's outputs.
        let predicted = try json(nn(["predict", "--model", model, "--json"] + grid.map { "\(Float($0))" }))
        let outputs = try #require(predicted["outputs"] as? [[Double]]).map { $0[0] }
        // (JSONSerialization may round the printed Doubles by an ulp: they are Floats, compared as such.)
        #expect(recorded.last?.values.map { Float($0) } == outputs.map { Float($0) })
        let size = try #require(try FileManager.default.attributesOfItem(atPath: svg)[.size] as? Int)
        #expect(size < 500_000)
    }

    @Test func beansAndSinAnimateTheirLessons() throws {
        let folder = try makeTemporaryFolder("nn-animate")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let beans = folder + "/beans.svg"
        let run = nn("demo", "beans", "--animate", beans, "--json")
        #expect(run.status == 0)
        struct Line: Decodable { var w: Double, b: Double }
        let report = try JSONDecoder().decode(Line.self, from: Data(run.output.lines.joined().utf8))
        let recorded = try frames(beans)
        // Two panels of 60 frames: the line (its w and b recorded) and the path.
        #expect(recorded.count == 120)
        #expect(recorded.first?.values == [0, 0] && recorded.first?.caption == "epoch 0")
        #expect(recorded[59].values == [report.w, report.b])
        #expect(recorded[59].caption == "epoch 1000")
        let beansSize = try #require(try FileManager.default.attributesOfItem(atPath: beans)[.size] as? Int)
        #expect(beansSize < 500_000)

        let sin = folder + "/sin.svg"
        let sinReport = try json(nn("demo", "sin", "--epochs", "20", "--animate", sin, "--json"))
        let sinFrames = try frames(sin)
        #expect(sinFrames.count == 21 && sinFrames.last?.caption == "epoch 20 (final)")
        // Recording does not change the run.
        let plain = try json(nn("demo", "sin", "--epochs", "20", "--json"))
        #expect(sinReport["test_mse"] as? Double == plain["test_mse"] as? Double)
    }

    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Two screenshots of the beans animation in headless Chromium, early and late: they
    /// differ inside both plots (the line moved and the caption changed, the path grew),
    /// and not in the titles. Chromium's virtual clock lands on a frame near the budget
    /// asked for, not always the same one, so only the regions are asserted; the two
    /// pictures are kept in `.build/animation-screenshots/` to be looked at.
    @Test(.enabled(if: chromium != nil, "no chromium (bash .ci/install-test-data.sh installs Debian's chromium; .ci/run does)"))
    func theAnimationPlaysInABrowser() throws {
        let folder = try makeTemporaryFolder("nn-browser")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let svg = folder + "/beans.svg"
        #expect(nn("demo", "beans", "--animate", svg).status == 0)
        func screenshot(afterMilliseconds budget: Int) throws -> PNGImage {
            let png = folder + "/at-\(budget).png"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.chromium!)
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,480", "--screenshot=\(png)",
                "--virtual-time-budget=\(budget)", "file://\(svg)",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let kept = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/animation-screenshots")
            try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: kept.appendingPathComponent("beans-at-\(budget)ms.png"))
            try FileManager.default.copyItem(atPath: png, toPath: kept.appendingPathComponent("beans-at-\(budget)ms.png").path)
            return try PNGImage(contentsOf: png)
        }
        let early = try screenshot(afterMilliseconds: 300), late = try screenshot(afterMilliseconds: 6000)
        #expect(early.width == 1280 && early.height == 480)
        let fitArea = early.differingPixels(from: late, x: 75..<615, y: 42..<420)
        let surfaceArea = early.differingPixels(from: late, x: 715..<1255, y: 42..<420)
        let titles = early.differingPixels(from: late, x: 0..<1280, y: 0..<30)
        #expect(fitArea > 100 && surfaceArea > 20 && titles == 0, "fit \(fitArea), surface \(surfaceArea), titles \(titles)")
    }
}
