import Foundation
import NNIO

/// Where a command writes: standard output and standard error, or buffers in tests.
protocol CommandOutput {
    mutating func write(_ line: String)
    mutating func writeError(_ line: String)
}

extension CommandOutput {
    /// Writes each line in turn.
    mutating func write(_ lines: [String]) {
        for line in lines { write(line) }
    }
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

/// Encodes a report as one line of JSON with sorted, snake_case keys; a number that is not
/// finite (a diverged loss) is written as `null`.
func jsonLine<T: Encodable>(_ value: T) throws -> String {
    try JSONFormat.string(value)
}

/// A number with `digits` significant digits, for text reports.
func significant(_ value: Double, _ digits: Int = 9) -> String {
    String(format: "%.\(digits)g", value)
}
