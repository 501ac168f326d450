import NN

/// `nn demo [NAME] [options]`: the classic workloads, reproduced.
enum DemoCommand {
    static let names = ["mazur", "recruitment"]

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn demo")
        let name = reader.positional()
        if let name { reader.command += " " + name }
        switch name {
        case nil:
            try reader.finish()
            try runAll(output: &output)
        case "mazur":
            try mazur(reader, output: &output)
        case "recruitment":
            try recruitment(reader, output: &output)
        case let name?:
            throw CommandLineError("\(reader.command): unknown demo '\(name)'; choose one of \(names.joined(separator: ", "))")
        }
        return 0
    }

    /// Every demo with its default settings, as text.
    private static func runAll(output: inout some CommandOutput) throws {
        MazurExample.text(try MazurExample.run(Double.self, iterations: 10_000)).forEach { output.write($0) }
        for variant in RecruitmentExample.Variant.allCases {
            RecruitmentExample.text(try RecruitmentExample.run(Double.self, variant: variant, epochs: 10_000))
                .forEach { output.write($0) }
        }
    }

    private static func mazur(_ arguments: ArgumentReader, output: inout some CommandOutput) throws {
        var reader = arguments
        let iterations = try reader.integer("--iterations", default: 10_000, in: 1...100_000_000)
        let precision = try precision(&reader)
        let json = reader.flag("--json")
        try reader.finish()
        let report = precision == .float
            ? try MazurExample.run(Float.self, iterations: iterations)
            : try MazurExample.run(Double.self, iterations: iterations)
        emit(report, json: json, text: MazurExample.text, output: &output)
    }

    private static func recruitment(_ arguments: ArgumentReader, output: inout some CommandOutput) throws {
        var reader = arguments
        let names = RecruitmentExample.Variant.allCases.map(\.rawValue)
        guard let name = try reader.choice("--variant", from: names, default: nil) else {
            throw CommandLineError("nn demo recruitment: --variant is required (\(names.joined(separator: ", ")))")
        }
        let variant = RecruitmentExample.Variant(rawValue: name)!
        let epochs = try reader.integer("--epochs", default: 10_000, in: 1...100_000_000)
        let precision = try precision(&reader)
        let json = reader.flag("--json")
        try reader.finish()
        let report = precision == .float
            ? try RecruitmentExample.run(Float.self, variant: variant, epochs: epochs)
            : try RecruitmentExample.run(Double.self, variant: variant, epochs: epochs)
        emit(report, json: json, text: RecruitmentExample.text, output: &output)
    }

    private static func precision(_ reader: inout ArgumentReader) throws(CommandLineError) -> Precision {
        Precision(rawValue: try reader.choice("--precision", from: Precision.allCases.map(\.rawValue), default: "double")!)!
    }

    private static func emit<R: Encodable>(_ report: R, json: Bool, text: (R) -> [String], output: inout some CommandOutput) {
        if json { output.write(jsonLine(report)) } else { text(report).forEach { output.write($0) } }
    }
}
