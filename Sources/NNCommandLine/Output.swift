import Foundation
import NNIO

/// Where a command writes: standard output and standard error, or buffers in tests.
protocol CommandOutput {
    mutating func write(_ line: String)
    mutating func writeError(_ line: String)
}

/// The process's standard output and standard error.
struct StandardOutput: CommandOutput {
    mutating func write(_ line: String) {
        print(line)
    }

    mutating func writeError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Encodes a report as one line of JSON with sorted, snake_case keys.
func jsonLine<T: Encodable>(_ value: T) -> String {
    // Reports hold finite numbers only; a failure here is a bug in the report type.
    guard let line = try? JSONFormat.string(value) else { preconditionFailure("report is not encodable") }
    return line
}

/// A number with `digits` significant digits, for text reports.
func significant(_ value: Double, _ digits: Int = 9) -> String {
    String(format: "%.\(digits)g", value)
}
