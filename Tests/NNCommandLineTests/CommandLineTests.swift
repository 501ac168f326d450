import Foundation
import NN
import Testing

@testable import NNCommandLine

/// Captures what a command writes.
struct CapturedOutput: CommandOutput {
    var lines: [String] = []
    var errors: [String] = []
    mutating func write(_ line: String) { lines.append(line) }
    mutating func writeError(_ line: String) { errors.append(line) }
}

/// Runs `nn` in-process.
func nn(_ arguments: String...) -> (status: Int32, output: CapturedOutput) {
    nn(arguments)
}

/// Runs `nn` in-process with an array of arguments.
func nn(_ arguments: [String]) -> (status: Int32, output: CapturedOutput) {
    var output = CapturedOutput()
    let status = NNTool.run(arguments, output: &output)
    return (status, output)
}

/// A fresh folder in the temporary directory, named `prefix-UUID`; the caller removes it.
func makeTemporaryFolder(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes a folder of two classes, `a` and `b`, each of `count` 4×4 grey BMP images.
func writeTwoClassImages(in folder: String, count: Int) throws {
    for (label, name) in ["a", "b"].enumerated() {
        try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
        for index in 0..<count {
            let pixels = (0..<16).map { Float(($0 * 7 + index * 13 + label * 90) % 256) }
            try Data(BMPImage(width: 4, height: 4, pixels: pixels).encoded()).write(to: URL(fileURLWithPath: "\(folder)/\(name)/\(index).bmp"))
        }
    }
}

/// Runs `nn` as the release binary when it is built (`swift build -c release`, as `.ci/run`
/// does), else in-process: for the long lessons, which take minutes in a debug build.
func nnOptimized(_ arguments: String...) throws -> (status: Int32, output: CapturedOutput) {
    guard CrashHuntTests.binaryExists else { return nn(arguments) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (out, error) = (folder.appendingPathComponent("stdout"), folder.appendingPathComponent("stderr"))
    guard FileManager.default.createFile(atPath: out.path, contents: nil), FileManager.default.createFile(atPath: error.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CrashHuntTests.binary)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: error)
    try process.run()
    process.waitUntilExit()
    func lines(_ url: URL) throws -> [String] { try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init) }
    return (process.terminationStatus, CapturedOutput(lines: try lines(out), errors: try lines(error)))
}

/// The single JSON object a `--json` run printed.
func json(_ result: (status: Int32, output: CapturedOutput)) throws -> [String: Any] {
    #expect(result.status == 0 && result.output.lines.count == 1 && result.output.errors.isEmpty)
    let object = try JSONSerialization.jsonObject(with: Data(result.output.lines.joined().utf8))
    return try #require(object as? [String: Any])
}

@Suite struct CommandLineTests {
    @Test func mazurJSONHasTheDocumentedKeys() throws {
        let object = try json(nn("demo", "mazur", "--json", "--precision", "double"))
        for key in ["initial_error", "weights_after_first_update", "error_after_first_update", "final_error", "final_outputs"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let weights = try #require(object["weights_after_first_update"] as? [String: Double])
        #expect(weights.keys.sorted() == (1...8).map { "w\($0)" })
        expectDigits(weights["w5"]!, "0.35891648")
        expectDigits(try #require(object["initial_error"] as? Double), "0.298371109")
        expectDigits(try #require(object["error_after_first_update"] as? Double), "0.291027774")
        #expect((object["final_outputs"] as? [Double])?.count == 2)
    }

    @Test(arguments: RecruitmentExample.Variant.allCases)
    func recruitmentJSONHasTheDocumentedKeys(variant: RecruitmentExample.Variant) throws {
        let object = try json(nn("demo", "recruitment", "--variant", variant.rawValue, "--epochs", "50", "--json"))
        let outputs = try #require(object["outputs"] as? [[Double]])
        #expect(outputs.count == variant.inputs.count)
        #expect(outputs.allSatisfy { $0.count == variant.targets[0].count })
        #expect(object["loss"] is Double)
    }

    @Test func textReportsAndHelp() {
        let mazur = nn("demo", "mazur", "--iterations", "10")
        #expect(mazur.status == 0 && mazur.output.lines.joined().contains("0.298371109"))
        let help = nn("help")
        #expect(help.status == 0 && help.output.lines.joined().contains("demo recruitment"))
    }

    @Test(arguments: [
        (["demo", "mazur", "--bogus"], "nn: nn demo mazur: unexpected argument '--bogus' (see 'nn help')"),
        (["demo", "mazur", "--iterations", "0"], "nn: nn demo mazur: --iterations expects an integer in 1...100000000, got '0'"),
        (["demo", "mazur", "--iterations"], "nn: nn demo mazur: option --iterations needs a value"),
        (["demo", "mazur", "--precision", "half"], "nn: nn demo mazur: --precision expects one of float, double, got 'half'"),
        (
            ["demo", "recruitment"],
            "nn: nn demo recruitment: give either --variant (first-sample, two-samples, full-batch, mini-batch, two-outputs) or --strategy (bgd, sgd, mini-batch)"
        ),
        (
            ["demo", "recruitment", "--variant", "full-batch", "--seed", "3"],
            "nn: nn demo recruitment: --seed goes with --strategy; a variant draws nothing at random"
        ),
        (
            ["demo", "recruitment", "--strategy", "fixed-step"],
            "nn: nn demo recruitment: --strategy expects one of bgd, sgd, mini-batch, got 'fixed-step'"
        ),
        (["demo", "beans", "--strategy", "fixed-step", "--lr", "0.1"], "nn: nn demo beans: --lr does not apply to fixed-step; use --step"),
        (["demo", "beans", "--step", "0.1"], "nn: nn demo beans: --step applies to --strategy fixed-step only; use --lr"),
        (["demo", "beans", "--lr", "-1"], "nn: nn demo beans: --lr expects a positive number, got '-1'"),
        (["demo", "beans", "--model", "quadratic"], "nn: nn demo beans: --model expects one of w, wb, got 'quadratic'"),
        (["demo", "nope"], "nn: nn demo nope: unknown demo 'nope'; choose one of mazur, recruitment, beans, sin, xor"),
        (["frobnicate"], "nn: unknown command 'frobnicate' (see 'nn help')"),
    ])
    func badArgumentsGiveOneLineAndStatusTwo(arguments: [String], message: String) {
        var output = CapturedOutput()
        #expect(NNTool.run(arguments, output: &output) == 2)
        #expect(output.errors == [message])
        #expect(output.lines.isEmpty)
    }
}
