import Foundation
import NN

/// Reads options from a command's arguments, one request at a time, and finally rejects
/// whatever nobody asked for — so a misspelt option is an error, never silently ignored.
struct ArgumentReader {
    private var arguments: [String]
    /// The command named in messages, e.g. `nn demo mazur`.
    var command: String

    init(_ arguments: [String], command: String) {
        self.arguments = arguments
        self.command = command
    }

    /// Whether `--name` is present (and removes it).
    mutating func flag(_ name: String) -> Bool {
        guard let index = arguments.firstIndex(of: name) else { return false }
        arguments.remove(at: index)
        return true
    }

    /// The value after `--name` (or in `--name=value`), if the option is present.
    mutating func value(_ name: String) throws(CommandLineError) -> String? {
        if let index = arguments.firstIndex(where: { $0.hasPrefix(name + "=") }) {
            return String(arguments.remove(at: index).dropFirst(name.count + 1))
        }
        guard let index = arguments.firstIndex(of: name) else { return nil }
        guard index + 1 < arguments.count, !isOption(arguments[index + 1]) else {
            throw CommandLineError("\(command): option \(name) needs a value")
        }
        let value = arguments[index + 1]
        arguments.removeSubrange(index...(index + 1))
        return value
    }

    /// The integer after `--name`, within `range`, or `defaultValue` when absent.
    mutating func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(CommandLineError) -> Int {
        try optionalInteger(name, in: range) ?? defaultValue
    }

    /// The integer after `--name`, within `range`, or `nil` when absent.
    mutating func optionalInteger(_ name: String, in range: ClosedRange<Int>) throws(CommandLineError) -> Int? {
        guard let text = try value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw CommandLineError("\(command): \(name) expects an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// `--inputs N` (flat samples: `[N]`) or `--input-shape HxW[xC]` (images: `[H, W]` or
    /// `[H, W, C]`), at most one of them; `nil` when neither is given. Every size is checked
    /// (a side at most 65,536, the whole within ``TensorLimits``).
    mutating func sampleShape() throws(CommandLineError) -> [Int]? {
        let inputs = try optionalInteger("--inputs", in: 1...TensorLimits.maximumScalarCount)
        let shape = try value("--input-shape")
        switch (inputs, shape) {
        case (nil, nil): return nil
        case (let count?, nil): return [count]
        case (nil, let text?):
            let sides = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard (2...3).contains(sides.count), sides.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 1 << 16 }) else {
                throw CommandLineError("\(command): --input-shape expects HEIGHTxWIDTH or HEIGHTxWIDTHxCHANNELS, like 28x28, got '\(text)'")
            }
            let dimensions = sides.compactMap { $0 }
            guard (try? TensorLimits.scalarCount(of: dimensions)) != nil else {
                throw CommandLineError("\(command): --input-shape \(text) is more values than one tensor may hold")
            }
            return dimensions
        default:
            throw CommandLineError("\(command): give --inputs N or --input-shape HxW[xC], not both")
        }
    }

    /// The positive, finite number after `--name`, or `nil` when absent.
    mutating func positiveNumber(_ name: String) throws(CommandLineError) -> Double? {
        guard let text = try value(name) else { return nil }
        guard let number = Double(text), number.isFinite, number > 0 else {
            throw CommandLineError("\(command): \(name) expects a positive number, got '\(text)'")
        }
        return number
    }

    /// A number in [0, 1] after `--name`, or `nil` when absent.
    mutating func fraction(_ name: String) throws(CommandLineError) -> Double? {
        guard let text = try value(name) else { return nil }
        guard let number = Double(text), number >= 0, number <= 1 else {
            throw CommandLineError("\(command): \(name) expects a number from 0 to 1, got '\(text)'")
        }
        return number
    }

    /// The file path after `--name`, where a file is to be written, if the option is present:
    /// checked before any work starts, so that a long run does not end on a path that could
    /// never be written (its folder must exist, and it must not be a folder itself).
    mutating func outputPath(_ name: String) throws(CommandLineError) -> String? {
        guard let path = try value(name) else { return nil }
        var isDirectory: ObjCBool = false
        if path.isEmpty || path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw CommandLineError("\(command): \(name) '\(path)' names a folder; give a file name")
        }
        // (URL, not NSString.deletingLastPathComponent, which traps on a name without a slash
        // in swift-corelibs-foundation of Swift 6.3.)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandLineError("\(command): \(name) \(path): the folder \(folder) does not exist")
        }
        return path
    }

    /// One of `choices` after `--name`, or `defaultValue` when absent.
    mutating func choice(_ name: String, from choices: [String], default defaultValue: String?) throws(CommandLineError) -> String? {
        guard let text = try value(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw CommandLineError("\(command): \(name) expects one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// Removes and returns the next argument that is not an option, if any. A negative
    /// number (`-0.75,3.5`) is a value, not an option.
    mutating func positional() -> String? {
        guard let index = arguments.firstIndex(where: { !isOption($0) }) else { return nil }
        return arguments.remove(at: index)
    }

    private func isOption(_ argument: String) -> Bool {
        argument.hasPrefix("-") && !(argument.dropFirst().first.map { $0.isNumber || $0 == "." } ?? false)
    }

    /// Throws if any argument was not consumed.
    func finish() throws(CommandLineError) {
        if let unknown = arguments.first {
            throw CommandLineError("\(command): unexpected argument '\(unknown)' (see 'nn help')")
        }
    }
}
