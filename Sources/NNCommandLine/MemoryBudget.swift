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
    /// per-element state (two buffers for Adam, the most any rule keeps), counted in `Double`
    /// as a checkpoint's copy of it holds them.
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
    /// `path`, whose architecture may ask for more than its tensors hold), and no tensor of
    /// the batch exceeds ``TensorLimits``.
    func checkInference(of model: any Layer<Float>, sampleShape: [Int], batch: Int, path: String) throws {
        let (bytes, largest) = activations(of: model, sampleShape: sampleShape)
        try check(Double(batch) * bytes, for: "\(path): a batch of \(batch) samples through its network", usage: false)
        try checkTensorLimit(largest, batch: batch, for: "\(path): its network", usage: false)
    }

    /// Throws unless `batch` samples of `values` values each fit in one tensor.
    /// - Parameters:
    ///   - values: the values of one sample of the batch's largest tensor.
    ///   - batch: the batch size.
    ///   - what: the request, as the message names it.
    ///   - usage: whether the request comes from the command line (exit status 2) or from data.
    func checkTensorLimit(_ values: Int, batch: Int, for what: String, usage: Bool = true) throws {
        let (total, overflow) = values.multipliedReportingOverflow(by: Swift.max(batch, 1))
        guard overflow || total > TensorLimits.maximumScalarCount else { return }
        let message =
            "\(what) needs a tensor of \(batch) × \(values) values for a batch, more than one tensor may hold (\(TensorLimits.maximumScalarCount))"
        if usage { throw CommandLineError(message) }
        throw RunError(message)
    }

    /// Bytes one sample takes through `layer` (see ``layerBytes(_:inputShape:)``, summed over
    /// a `Sequential`'s layers at any depth) and the values of its largest tensor.
    func activations(of layer: any Layer<Float>, sampleShape: [Int]) -> (bytes: Double, largest: Int) {
        guard let sequential = layer as? Sequential<Float> else { return layerBytes(layer, inputShape: sampleShape) }
        var shape = sampleShape
        var total = (bytes: 0.0, largest: 0)
        for child in sequential.layers {
            let (bytes, largest) = activations(of: child, sampleShape: shape)
            total = (total.bytes + bytes, Swift.max(total.largest, largest))
            guard let next = try? child.outputShape(forInputShape: shape) else { break }
            shape = next
        }
        return total
    }

    /// Bytes one sample takes through one layer, training or inferring: its output, the
    /// gradient flowing back and a layer's cache of its input, and for a convolution its
    /// im2col rows and their gradient, all in `Float`; and the values of its largest tensor.
    func layerBytes(_ layer: any Layer<Float>, inputShape: [Int]) -> (bytes: Double, largest: Int) {
        guard let output = try? layer.outputShape(forInputShape: inputShape) else { return (0, 0) }
        let values = TensorLimits.checkedProduct(output) ?? Int.max
        var bytes = Double(values) * 4 * 3, largest = values
        if let description = try? NNIO.describe(layer), description.type == "Conv2D",
            let conv = try? description.configuration.decode(as: Conv2DConfiguration.self), let filters = output.last, filters > 0
        {
            let window = conv.kernelHeight * conv.kernelWidth * conv.channels
            let rows = TensorLimits.checkedProduct([values / filters, window]) ?? Int.max
            bytes += Double(rows) * 4 * 2
            largest = Swift.max(largest, rows)
        }
        return (bytes, largest)
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
