import Foundation
import NN

/// What a run may allocate: most of the machine's memory. Checked before the large
/// allocations — a network's parameters, a batch's activations — so that an absurd request
/// (`dense 100000, dense 100000`, a batch of a million images) is a one-line error naming it
/// instead of the kernel's out-of-memory kill.
struct MemoryBudget {
    /// Bytes the run may use: three quarters of the physical memory.
    var bytes = Double(ProcessInfo.processInfo.physicalMemory) * 0.75

    /// Bytes per trained parameter: value and gradient in `Float`, and the optimiser's
    /// per-element state in `Double` (two buffers for Adam, the most any rule keeps).
    static let bytesPerTrainedParameter = 4.0 + 4 + 2 * 8

    /// Throws unless `needed` bytes fit.
    /// - Parameters:
    ///   - needed: the bytes the request needs.
    ///   - what: the request, as the message names it.
    ///   - usage: whether the request comes from the command line (exit status 2) or from data.
    func check(_ needed: Double, for what: String, usage: Bool = true) throws {
        guard needed > bytes else { return }
        let message =
            "\(what) needs about \(Self.size(needed)), more than the \(Self.size(bytes)) this run may use (three quarters of this machine's memory)"
        if usage { throw CommandLineError(message) }
        throw RunError(message)
    }

    /// Throws unless a batch of `batch` samples fits through a loaded model (the model file at
    /// `path`, whose architecture may ask for more than its tensors hold).
    func checkInference(of model: any Layer<Float>, sampleShape: [Int], batch: Int, path: String) throws {
        guard let sequential = model as? Sequential<Float> else { return }
        try check(
            activationBytes(of: sequential, sampleShape: sampleShape, batch: batch),
            for: "\(path): a batch of \(batch) samples through its network", usage: false)
    }

    /// Bytes for a batch of `batch` samples through `model`, training or inferring: each
    /// layer's output, the gradient flowing back and a layer's cache of its input, and for a
    /// convolution its im2col rows and their gradient, all in `Float`.
    func activationBytes(of model: Sequential<Float>, sampleShape: [Int], batch: Int) -> Double {
        var shape = sampleShape
        var total = Double(batch) * Double(TensorLimits.checkedProduct(shape) ?? Int.max) * 4
        for layer in model.layers {
            guard let next = try? layer.outputShape(forInputShape: shape) else { break }
            let values = Double(TensorLimits.checkedProduct(next) ?? Int.max)
            total += Double(batch) * values * 4 * 3
            if let description = try? NNIO.describe(layer), description.type == "Conv2D",
                let conv = try? description.configuration.decode(as: Conv2DConfiguration.self), let filters = next.last, filters > 0
            {
                let window = Double(conv.kernelHeight) * Double(conv.kernelWidth) * Double(conv.channels)
                total += Double(batch) * values / Double(filters) * window * 4 * 2
            }
            shape = next
        }
        return total
    }

    /// `bytes` as a short figure: `512 MB`, `38.4 GB`.
    static func size(_ bytes: Double) -> String {
        bytes >= 1e9 ? "\(significant(bytes / 1e9, 3)) GB" : "\(significant(Swift.max(bytes, 0) / 1e6, 3)) MB"
    }
}

/// A run that cannot go on because of its data (exit status 1), in one line.
struct RunError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
