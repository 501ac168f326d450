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
        let plot = try reader.outputPath("--plot")
        let json = reader.flag("--json")
        try reader.finish()

        let (model, metadata) = try ModelFile.load(path, as: Float.self)
        let classifier = metadata["loss"] == "cross-entropy"
        var dataOptions = options
        // All the samples: no split, or for a data set with its own test set (Fashion-MNIST),
        // both of its parts.
        let ownTestSet = (try dataOptions.format ?? TrainingData.detect(options.path)) == .fashionMNIST
        if part == "all" && !ownTestSet { dataOptions.testFraction = 0 }
        dataOptions.task = classifier ? .classification : .regression
        let data = try TrainingData.load(dataOptions)
        let evaluated: InMemoryDataset<Float>
        switch part {
        case "train": evaluated = data.train
        case "all": evaluated = try data.test.map { try data.train.appending($0) } ?? data.train
        default: evaluated = data.test ?? data.train
        }
        let outputShape: [Int]
        do { outputShape = try model.outputShape(forInputShape: evaluated.featureShape) } catch {
            throw CommandLineError("nn evaluate: the model does not fit the data: \(error)")
        }
        do { try model.checkInput(evaluated.features) } catch { throw RunError("nn evaluate: \(options.path): \(error)") }
        let batchSize = 256
        try MemoryBudget().checkInference(of: model, sampleShape: evaluated.featureShape, batch: Swift.min(evaluated.count, batchSize), path: path)
        var report: Report
        if classifier {
            let classes = TensorLimits.checkedProduct(outputShape) ?? 0
            guard data.classCount <= classes else {
                throw RunError("nn evaluate: \(options.path) has labels up to \(data.classCount - 1), but the model scores \(classes) classes")
            }
            guard classes <= 1 << 12 else {
                throw RunError("nn evaluate: \(classes) classes are too many for a confusion matrix (at most 4096)")
            }
            let labels = try evaluated.classIndices(classCount: classes)
            var matrix = Array(repeating: Array(repeating: 0, count: classes), count: classes)
            var loss = 0.0
            // In batches, as Trainer.evaluate scores: one product over the whole data set would
            // hold every activation at once.
            for (index, batch) in evaluated.batches(ofSize: batchSize).enumerated() {
                let prediction = model(batch.features)
                for (offset, row) in prediction.rows.enumerated() {
                    matrix[labels[index * batchSize + offset]][row.indices.max { row[$0] < row[$1] } ?? 0] += 1
                }
                loss += Double(try CrossEntropy().value(prediction: prediction, target: batch.targets)) * Double(prediction.sampleCount)
            }
            let correct = (0..<classes).reduce(0) { $0 + matrix[$1][$1] }
            report = Report(
                samples: evaluated.count, loss: loss / Double(evaluated.count), accuracy: Double(correct) / Double(evaluated.count),
                confusionMatrix: matrix, classNames: data.classNames)
        } else {
            var loss = 0.0
            for batch in evaluated.batches(ofSize: batchSize) {
                loss +=
                    Double(try MeanSquaredError().value(prediction: model(batch.features), target: batch.targets))
                    * Double(batch.features.sampleCount)
            }
            report = Report(samples: evaluated.count, loss: loss / Double(evaluated.count))
        }
        if let plot, let matrix = report.confusionMatrix, let accuracy = report.accuracy {
            guard matrix.count <= 100 else { throw RunError("nn evaluate: --plot: \(matrix.count) classes are too many to draw (at most 100)") }
            let labels = classLabels(report.classNames, count: matrix.count)
            var chart = SVGPlot(
                title: "Confusion matrix: accuracy \(significant(accuracy, 4)) on \(report.samples) samples",
                xLabel: "predicted class", yLabel: "true class", xRange: 0...Double(matrix.count), yRange: 0...Double(matrix.count))
            chart.confusionMatrix(matrix, labels: labels)
            try chart.write(to: plot)
        }
        if json {
            output.write(try jsonLine(report))
        } else {
            output.write(
                "\(report.samples) samples: loss \(significant(report.loss, 6))" + (report.accuracy.map { ", accuracy \(significant($0, 4))" } ?? ""))
            if let matrix = report.confusionMatrix {
                output.write("confusion matrix (rows: true class, columns: predicted):")
                let labels = classLabels(report.classNames, count: matrix.count)
                let width = Swift.max(labels.map(\.count).max() ?? 1, 5)
                for (label, row) in zip(labels, matrix) {
                    output.write(label.padding(toLength: width, withPad: " ", startingAt: 0) + " " + row.map { String(format: "%6d", $0) }.joined())
                }
            }
        }
        return 0
    }

    /// A label for each of `count` classes: its name, or its index where the data names
    /// fewer classes than the model scores.
    private static func classLabels(_ names: [String]?, count: Int) -> [String] {
        (0..<count).map { index in names.flatMap { index < $0.count ? $0[index] : nil } ?? "\(index)" }
    }
}
