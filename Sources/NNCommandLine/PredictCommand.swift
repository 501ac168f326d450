import Foundation
import NN

/// `nn predict --model FILE INPUT...`: a saved model's outputs for inputs given as
/// comma-separated numbers, BMP images or CSV files of feature rows.
enum PredictCommand {
    struct Report: Encodable {
        var outputs: [[Double]]
        var probabilities: [[Double]]?
        var classes: [Int]?
        var classNames: [String]?
    }

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn predict")
        guard let path = try reader.value("--model") else { throw CommandLineError("nn predict: --model FILE is required") }
        let json = reader.flag("--json")
        var inputs: [String] = []
        while let input = reader.positional() { inputs.append(input) }
        try reader.finish()
        guard !inputs.isEmpty else { throw CommandLineError("nn predict: give at least one input (numbers like 0.5,1,2, a .bmp or a .csv file)") }

        let (model, metadata) = try ModelFile.load(path, as: Float.self)
        let scale = try inputScale(metadata, path: path)
        let classNames = try self.classNames(metadata, path: path)
        var rows: [[Float]] = []
        for input in inputs { rows += try samples(from: input) }
        guard let width = rows.first?.count else { throw RunError("nn predict: \(inputs.joined(separator: ", ")): no rows of numbers to predict") }
        do { _ = try model.outputShape(forInputShape: [width]) } catch {
            throw CommandLineError("nn predict: the model does not take \(width) features: \(error)")
        }
        if let odd = rows.firstIndex(where: { $0.count != width }) {
            throw CommandLineError("nn predict: input \(odd + 1) has \(rows[odd].count) features, the first has \(width)")
        }
        try MemoryBudget().checkInference(of: model, sampleShape: [width], batch: Swift.min(rows.count, 256), path: path)
        // Token ids for an embedding: whole numbers in range, or one line naming the first that is not.
        for (index, row) in rows.enumerated() {
            do { try model.checkInput(Tensor(shape: [1, width], scalars: row.map { Float(Double($0) * scale) })) } catch {
                throw RunError("nn predict: input \(index + 1): \(error)")
            }
        }
        var outputs: [[Double]] = []
        // In batches: one product over every row would hold all their activations at once.
        for start in stride(from: 0, to: rows.count, by: 256) {
            let batch = rows[start..<Swift.min(start + 256, rows.count)]
            let tensor = try Tensor<Float>(shape: [batch.count, width], scalars: batch.flatMap { $0.map { Float(Double($0) * scale) } })
            outputs += model(tensor).rows.map { $0.map(Double.init) }
        }

        var report = Report(outputs: outputs)
        if metadata["loss"] == "cross-entropy" {
            report.probabilities = Softmax<Double>()(try Tensor(outputs)).rows
            let classes = outputs.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }
            report.classes = classes
            if let classNames { report.classNames = classes.map { $0 < classNames.count ? classNames[$0] : "\($0)" } }
        }
        if json {
            output.write(try jsonLine(report))
        } else {
            for (index, row) in outputs.enumerated() {
                var line = "\(index + 1): " + row.map { significant($0, 6) }.joined(separator: ", ")
                if let classes = report.classes { line += "  → class \(classes[index])" + (report.classNames.map { " (\($0[index]))" } ?? "") }
                output.write(line)
            }
        }
        return 0
    }

    /// The model's `input_scale` (1/255 for images), 1 when the file has none.
    private static func inputScale(_ metadata: [String: String], path: String) throws -> Double {
        guard let text = metadata["input_scale"] else { return 1 }
        guard let scale = Double(text), scale.isFinite, scale > 0 else {
            throw RunError("nn predict: \(path): input_scale '\(text)' is not a positive number")
        }
        return scale
    }

    /// The model's `class_names`, a JSON array of strings, if it has them.
    private static func classNames(_ metadata: [String: String], path: String) throws -> [String]? {
        guard let text = metadata["class_names"] else { return nil }
        guard let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw RunError("nn predict: \(path): class_names is not a JSON array of strings")
        }
        return names
    }

    /// The feature rows an input argument stands for: a BMP image, a CSV file (by content,
    /// then by extension), or numbers like `0.5,1,2`.
    private static func samples(from input: String) throws -> [[Float]] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw CommandLineError("nn predict: \(input) is a folder; give .bmp images or .csv files") }
            switch FileKind.detect(input) {
            case .bmp: return [try BMPImage.load(input).pixels]
            case .csv: return try rows(ofCSV: input)
            case let kind:
                throw CommandLineError(
                    "nn predict: \(input) is \(kind == .model ? "a model file" : "an \(kind.rawValue) file"); give .bmp images, .csv files or numbers"
                )
            }
        }
        if input.lowercased().hasSuffix(".bmp") || input.lowercased().hasSuffix(".csv") {
            throw CommandLineError("nn predict: \(input): no such file")
        }
        var numbers: [Float] = []
        for (index, cell) in input.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            guard let value = finiteFloat(cell) else {
                throw CommandLineError(
                    "nn predict: '\(input)': value \(index + 1), '\(cell)', is not a finite number (inputs are numbers like 0.5,1,2, .bmp or .csv files)"
                )
            }
            numbers.append(value)
        }
        return [numbers]
    }

    /// The rows of a CSV file of numbers. The first line is a header, and skipped, only when
    /// none of its cells is a number; any other cell that is not a finite number is an error.
    private static func rows(ofCSV path: String) throws -> [[Float]] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: bytes, encoding: .utf8) else { throw RunError("nn predict: \(path): the file is not UTF-8 text") }
        var rows: [[Float]] = []
        var seenLine = false
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            defer { seenLine = true }
            if !seenLine && cells.allSatisfy({ Double($0) == nil }) { continue }   // a header line
            var row: [Float] = []
            for (column, cell) in cells.enumerated() {
                guard let value = finiteFloat(Substring(cell)) else {
                    throw RunError("nn predict: \(path): line \(index + 1), column \(column + 1): '\(cell)' is not a finite number")
                }
                row.append(value)
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw RunError("nn predict: \(path): no rows of numbers (the file is empty or holds a header only)") }
        return rows
    }

    /// `text` as a Float if it is a finite number in Float's range (`1e39` is not).
    private static func finiteFloat(_ text: Substring) -> Float? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, Float(value).isFinite else { return nil }
        return Float(value)
    }
}
