import Foundation
import NN

/// `nn evaluate --model FILE --data PATH`: a saved model's loss, accuracy and confusion
/// matrix on data (all of it, or the test part of the same split `nn train` used).
enum EvaluateCommand {
    struct Report: Encodable {
        var samples: Int
        var loss: Double
        var accuracy: Double?
        var confusionMatrix: [[Int]]?
        var classNames: [String]?
    }

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn evaluate")
        guard let path = try reader.value("--model") else { throw CommandLineError("nn evaluate: --model FILE is required") }
        let options = try TrainCommand.dataOptions(&reader)
        let part = try reader.choice("--part", from: ["test", "train", "all"], default: "test")!
        let plot = try reader.value("--plot")
        let json = reader.flag("--json")
        try reader.finish()

        let (model, metadata) = try ModelFile.load(path, as: Float.self)
        var dataOptions = options
        if part == "all" { dataOptions.testFraction = 0 }
        let data = try TrainingData.load(dataOptions)
        let evaluated = part == "train" || part == "all" ? data.train : (data.test ?? data.train)
        do { _ = try model.outputShape(forInputShape: evaluated.featureShape) } catch {
            throw CommandLineError("nn evaluate: the model does not fit the data: \(error)")
        }
        let classifier = metadata["loss"] == "cross-entropy"
        let prediction = model(evaluated.features)
        var report: Report
        if classifier {
            let classes = Swift.max(prediction.featureCount, data.classCount)
            var matrix = Array(repeating: Array(repeating: 0, count: classes), count: classes)
            let rows = prediction.rows
            for (index, row) in rows.enumerated() {
                let predicted = row.indices.max { row[$0] < row[$1] }!
                matrix[Int(evaluated.targets[flat: index])][predicted] += 1
            }
            let correct = (0..<classes).reduce(0) { $0 + matrix[$1][$1] }
            let loss = try CrossEntropy().value(prediction: prediction, target: evaluated.targets)
            report = Report(samples: evaluated.count, loss: Double(loss), accuracy: Double(correct) / Double(evaluated.count),
                            confusionMatrix: matrix, classNames: data.classNames)
        } else {
            let loss = try MeanSquaredError().value(prediction: prediction, target: evaluated.targets)
            report = Report(samples: evaluated.count, loss: Double(loss))
        }
        if let plot, let matrix = report.confusionMatrix {
            let labels = report.classNames ?? (0..<matrix.count).map(String.init)
            var chart = SVGPlot(title: "Confusion matrix: accuracy \(significant(report.accuracy!, 4)) on \(report.samples) samples",
                                xLabel: "predicted class", yLabel: "true class", xRange: 0...Double(matrix.count), yRange: 0...Double(matrix.count))
            chart.confusionMatrix(matrix, labels: labels)
            try chart.write(to: plot)
        }
        if json {
            output.write(jsonLine(report))
        } else {
            output.write("\(report.samples) samples: loss \(significant(report.loss, 6))" + (report.accuracy.map { ", accuracy \(significant($0, 4))" } ?? ""))
            if let matrix = report.confusionMatrix {
                output.write("confusion matrix (rows: true class, columns: predicted):")
                let labels = report.classNames ?? (0..<matrix.count).map(String.init)
                let width = Swift.max(labels.map(\.count).max() ?? 1, 5)
                for (label, row) in zip(labels, matrix) {
                    output.write(label.padding(toLength: width, withPad: " ", startingAt: 0) + " " + row.map { String(format: "%6d", $0) }.joined())
                }
            }
        }
        return 0
    }
}
