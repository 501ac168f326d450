import Foundation

/// The project's Python virtual environments, for the tests that check files with Python.
enum PythonVenv {
    /// The repository's root folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The python of the first of `venvs` (folders under the root) that runs `probe` without
    /// error, or `nil`: a `python` whose packages are missing would make a check fail, not run.
    /// - Parameters:
    ///   - probe: Python code that imports what the check needs.
    ///   - venvs: the venv folders to try, in order.
    static func python(importing probe: String, from venvs: [String] = [".build/python-venv"]) -> String? {
        for venv in venvs {
            let candidate = root.appendingPathComponent(venv + "/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: candidate)
            process.arguments = ["-c", probe]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            if process.terminationStatus == 0 { return candidate }
        }
        return nil
    }
}
