import Foundation

/// The built executables and `mpirun`, or why a test cannot run.
enum Executables {
    /// The package's folder (Distributed/).
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var distributed: String { package.appendingPathComponent(".build/release/nn-distributed").path }
    static var nn: String { package.appendingPathComponent(".build/release/nn").path }

    /// `mpirun`'s path, if it is installed.
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun", "/opt/homebrew/bin/mpirun"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Why the tests that run processes must skip here, or `nil` when they can run.
    static var missing: String? {
        if mpirun == nil { return "mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev)" }
        for path in [distributed, nn] where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(path) is not built (in Distributed/: swift build -c release && swift build -c release --product nn)"
        }
        return nil
    }

    /// `mpirun`'s options for this machine: as root it needs `--allow-run-as-root`; with more
    /// processes than cores, `--oversubscribe`; one kernel thread per process.
    static func mpirunArguments(processes: Int) -> [String] {
        var arguments = getuid() == 0 ? ["--allow-run-as-root"] : []
        arguments += ["--oversubscribe", "--bind-to", "none", "-x", "NN_THREADS=1", "-np", "\(processes)"]
        return arguments
    }
}

/// A program that was run: its exit status, what it printed, and how long it took.
struct Ran {
    var status: Int32
    var output: String
    var errors: String
    var seconds: Double
    var timedOut: Bool
}

/// A running program whose output goes to files (no pipe can fill up and block it).
final class Running: @unchecked Sendable {
    let process = Process()
    private let outputFile: URL, errorFile: URL
    private let started = Date()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let folder = FileManager.default.temporaryDirectory
        outputFile = folder.appendingPathComponent("nn-distributed-\(UUID().uuidString).out")
        errorFile = folder.appendingPathComponent("nn-distributed-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
    }

    /// Waits at most `timeout` seconds, then kills the program (and says so in the result).
    func wait(timeout: Double) -> Ran {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let text = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return Ran(
            status: process.terminationStatus, output: text(outputFile), errors: text(errorFile),
            seconds: Date().timeIntervalSince(started), timedOut: timedOut)
    }

    /// The processes `mpirun` started, by rank (read from their environment in /proc).
    func ranks() -> [Int: Int32] {
        var found: [Int: Int32] = [:]
        let parent = process.processIdentifier
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent,
                let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { continue }
            for variable in environment.split(separator: 0) {
                let text = String(decoding: variable, as: UTF8.self)
                if text.hasPrefix("OMPI_COMM_WORLD_RANK="), let rank = Int(text.dropFirst("OMPI_COMM_WORLD_RANK=".count)) {
                    found[rank] = pid
                }
            }
        }
        return found
    }
}

/// Runs a program to its end (at most `timeout` seconds).
func run(_ executable: String, _ arguments: [String], timeout: Double = 600) throws -> Ran {
    try Running(executable, arguments).wait(timeout: timeout)
}

/// Runs `nn-distributed train` under `mpirun` with `processes` processes.
func mpirun(processes: Int, _ arguments: [String], timeout: Double = 600) throws -> Ran {
    try run(
        Executables.mpirun ?? "mpirun", Executables.mpirunArguments(processes: processes) + [Executables.distributed, "train"] + arguments,
        timeout: timeout)
}
