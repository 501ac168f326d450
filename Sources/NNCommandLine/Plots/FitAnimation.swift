import Foundation
import NN

/// Animated SVGs of a fit being learnt: the fitted curve moving over the data through evenly
/// spaced epochs (`nn train --animate`, `nn demo sin --animate`), and for the beans lesson the
/// descent path growing over the cost surface beside it (`nn demo beans --animate`).
enum FitAnimation {
    /// At most this many frames, the first before training and the last the final model.
    static let maximumFrames = 60

    /// The epochs drawn when training goes from epoch `start` (already trained) to `end`:
    /// `start`, `end` and evenly spaced epochs between, at most ``maximumFrames`` in all.
    static func frameEpochs(from start: Int, to end: Int) -> [Int] {
        let span = end - start
        guard span > 0 else { return [start] }
        let count = Swift.min(maximumFrames, span + 1)
        return (0..<count).map { start + Int((Double($0) * Double(span) / Double(count - 1)).rounded()) }
    }

    /// A callback that records the model's outputs on a grid of inputs over the data's range,
    /// before training, after the epochs of ``frameEpochs(from:to:)``, and at the end.
    struct Recorder: TrainingCallback {
        /// The inputs the curve is drawn through.
        let grid: [Double]
        /// Up to 300 of the data's (input, target) pairs, drawn as points.
        let points: [(Double, Double)]
        /// The recorded frames: an epoch and the outputs on the grid.
        private(set) var frames: [(epoch: Int, outputs: [Double])] = []
        private var planned: Set<Int> = []

        /// A recorder for data of one feature and one target; `nil` for any other data.
        init?(data: InMemoryDataset<Float>) {
            guard data.features.featureCount == 1, data.targets.featureCount == 1, data.count > 0 else { return nil }
            let xs = data.features.scalars.map(Double.init), ys = data.targets.scalars.map(Double.init)
            self.init(inputs: xs, targets: ys)
        }

        /// A recorder for the given points.
        init(inputs xs: [Double], targets ys: [Double], range: ClosedRange<Double>? = nil) {
            let finite = xs.filter(\.isFinite)
            let low = range?.lowerBound ?? finite.min() ?? 0, high = range?.upperBound ?? finite.max() ?? 1
            let upper = high > low ? high : low + 1
            grid = (0...99).map { low + (upper - low) * Double($0) / 99 }
            let stride = Swift.max(1, xs.count / 300)
            points = Swift.stride(from: 0, to: xs.count, by: stride).map { (xs[$0], ys[$0]) }
        }

        mutating func trainingBegan(history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl) throws(TrainingError) {
            planned = Set(FitAnimation.frameEpochs(from: history.epochs.count, to: totalEpochs))
            try record(epoch: history.epochs.count, control: control)
        }

        mutating func epochEnded(
            _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
        ) throws(TrainingError) -> TrainingDecision {
            if planned.contains(record.epoch) { try self.record(epoch: record.epoch, control: control) }
            return .continue
        }

        /// The final model (with the best weights, if early stopping restored them) replaces
        /// the frame of the last epoch.
        mutating func trainingEnded(history: TrainingHistory, control: inout some TrainingControl) throws(TrainingError) {
            let last = history.epochs.count
            if frames.last?.epoch == last, frames.count > 1 { frames.removeLast() }
            try record(epoch: last, control: control)
        }

        private mutating func record(epoch: Int, control: some TrainingControl) throws(TrainingError) {
            do { frames.append((epoch, try control.predict(grid, sampleShape: [1]))) } catch {
                throw .callback("--animate: the model does not take one input: \(error)")
            }
        }
    }

    /// Writes the animation of what `recorder` recorded.
    /// - Parameters:
    ///   - recorder: the recorder that watched training.
    ///   - title: the plot's title.
    ///   - reference: a curve drawn under the frames (`sin(x)`), if any.
    ///   - path: the SVG file to write, atomically.
    static func write(
        _ recorder: Recorder, title: String, xLabel: String = "x", yLabel: String = "y", reference: [(Double, Double)]? = nil,
        to path: String
    ) throws {
        let ys = recorder.points.map(\.1).filter(\.isFinite)
        let low = ys.min() ?? -1, high = ys.max() ?? 1
        let pad = Swift.max((high - low) * 0.25, 0.1)
        var plot = SVGPlot(
            title: title, xLabel: xLabel, yLabel: yLabel, xRange: recorder.grid[0]...recorder.grid[recorder.grid.count - 1],
            yRange: (low - pad)...(high + pad))
        plot.scatter(recorder.points, color: "#1f77b4", label: "data")
        if let reference { plot.line(reference, color: "#2ca02c", width: 1.5, label: "target") }
        plot.legendEntry("network", color: "#d62728")
        let frames = recorder.frames.map { frame in
            plot.lineElements(Array(zip(recorder.grid, frame.outputs)), color: "#d62728", width: 2.5)
                + ["<desc class=\"outputs\">\(frame.outputs.map { "\($0)" }.joined(separator: " "))</desc>"]
        }
        let captions = recorder.frames.enumerated().map { index, frame in
            index == recorder.frames.count - 1 && frame.epoch > 0 ? "epoch \(frame.epoch) (final)" : "epoch \(frame.epoch)"
        }
        plot.animation(frames: frames, captions: captions)
        try plot.write(to: path)
    }
}
