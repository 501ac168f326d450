import Foundation

/// A live progress line for a terminal, redrawn in place at most ten times a second:
///
/// `epoch 3/20 [=========>          ]  512/938  loss 0.3012  accuracy 0.891  12034 samples/s  ETA 1m12s`
///
/// At the end of each epoch the line is completed (with `val_loss` and `val_accuracy` when
/// there is validation data) and kept, so the terminal shows one line
/// per epoch. For output that is not a terminal use ``ProgressReport`` instead.
public struct ProgressBar: TrainingCallback {
    private let write: (String) -> Void
    private var lastDraw: UInt64 = 0
    private var epochSeconds: [Double] = []
    /// The last line drawn, completed with the validation values at the end of the epoch.
    private var lastLine = ""

    /// Creates a bar that writes with `write` (standard error by default).
    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    public mutating func batchEnded(_ progress: BatchProgress) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw >= 100_000_000 || progress.batch == progress.batchCount else { return }
        lastDraw = now
        lastLine = line(progress)
        write("\r" + lastLine + "\u{1B}[K")
    }

    public mutating func epochEnded(_ record: EpochRecord, history: TrainingHistory, totalEpochs: Int) -> TrainingDecision {
        epochSeconds.append(record.seconds)
        if let loss = record.validationLoss {
            var validation = "  val_loss " + String(format: "%.4f", loss)
            if let accuracy = record.validationMetrics["accuracy"] { validation += "  val_accuracy " + String(format: "%.3f", accuracy) }
            write("\r" + lastLine + validation + "\u{1B}[K")
        }
        write("\n")
        return .continue
    }

    /// The text of the bar for `progress`.
    public func line(_ progress: BatchProgress) -> String {
        let width = 20
        let done = progress.batchCount == 0 ? width : width * progress.batch / progress.batchCount
        let bar =
            String(repeating: "=", count: Swift.max(done - 1, 0)) + (done > 0 ? (done == width ? "=" : ">") : "")
            + String(repeating: " ", count: width - done)
        let rate = progress.seconds > 0 ? Double(progress.samples) / progress.seconds : 0
        let remainingSamples =
            Double(progress.samplesPerEpoch - progress.samples)
            + Double(progress.totalEpochs - progress.epoch) * Double(progress.samplesPerEpoch)
        var text = "epoch \(progress.epoch)/\(progress.totalEpochs) [\(bar)] \(progress.batch)/\(progress.batchCount)"
        text += "  loss " + String(format: "%.4f", progress.loss)
        if let accuracy = progress.accuracy { text += "  accuracy " + String(format: "%.3f", accuracy) }
        text += "  \(Int(rate)) samples/s  ETA " + (rate > 0 ? duration(remainingSamples / rate) : "?")
        return text
    }

    private func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? "\(total / 3600)h\(total % 3600 / 60)m" : total >= 60 ? "\(total / 60)m\(total % 60)s" : "\(total)s"
    }
}
