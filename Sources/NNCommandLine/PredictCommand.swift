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
        let scale = metadata["input_scale"].flatMap(Double.init) ?? 1
        var rows: [[Float]] = []
        for input in inputs { rows += try samples(from: input) }
        let width = rows[0].count
        do { _ = try model.outputShape(forInputShape: [width]) } catch {
            throw CommandLineError("nn predict: the model does not take \(width) features: \(error)")
        }
        if let odd = rows.firstIndex(where: { $0.count != width }) {
            throw CommandLineError("nn predict: input \(odd + 1) has \(rows[odd].count) features, the first has \(width)")
        }
        let batch = try Tensor<Float>(shape: [rows.count, width], scalars: rows.flatMap { $0.map { Float(Double($0) * scale) } })
        let outputs = model(batch).rows.map { $0.map(Double.init) }

        var report = Report(outputs: outputs)
        if metadata["loss"] == "cross-entropy" {
            report.probabilities = Softmax<Double>()(try Tensor(outputs)).rows
            report.classes = outputs.map { row in row.indices.max { row[$0] < row[$1] }! }
            if let names = metadata["class_names"], let decoded = try? JSONDecoder().decode([String].self, from: Data(names.utf8)) {
                report.classNames = report.classes!.map { $0 < decoded.count ? decoded[$0] : "\($0)" }
            }
        }
        if json {
            output.write(jsonLine(report))
        } else {
            for (index, row) in outputs.enumerated() {
                var line = "\(index + 1): " + row.map { significant($0, 6) }.joined(separator: ", ")
                if let classes = report.classes { line += "  → class \(classes[index])" + (report.classNames.map { " (\($0[index]))" } ?? "") }
                output.write(line)
            }
        }
        return 0
    }

    /// The feature rows an input argument stands for.
    private static func samples(from input: String) throws -> [[Float]] {
        let lower = input.lowercased()
        if lower.hasSuffix(".bmp") { return [try BMPImage.load(input).pixels] }
        if lower.hasSuffix(".csv") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: input))
            return try String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated().compactMap { index, line in
                let cells = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let numbers = cells.compactMap(Float.init)
                if numbers.count == cells.count { return numbers }
                if index == 0 { return nil }   // a header line
                throw CommandLineError("nn predict: \(input): line \(index + 1) is not a row of numbers")
            }
        }
        let numbers = input.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0?.isFinite == true }) else {
            throw CommandLineError("nn predict: '\(input)' is neither numbers like 0.5,1,2 nor a .bmp or .csv file")
        }
        return [numbers.map { $0! }]
    }
}
