import Foundation
import NN

/// The benchmark's workloads, lettered as in the performance issue.
enum Workload: String, CaseIterable {
    /// (a) The sin lesson: 1-40-1 tanh, per-sample SGD (lr 0.005), 450 samples × 1000 epochs.
    case sin
    /// (b) The 2-2-2 example (Mazur's step-by-step backpropagation), 10,000 updates.
    case mazur
    /// (c) Fashion-MNIST MLP 784-256-128-10, ReLU, batch 64, Adam (lr 0.001), one epoch.
    case mlp
    /// (d) Fashion-MNIST 784-64-10, tanh, batch 32, SGD (lr 0.1), one epoch.
    case smallMLP = "small-mlp"
    /// (e) Float matrix products, 1024³ and 256³, in GFLOP/s.
    case matmul
    /// (f) Inference latency of the 784-256-128-10 MLP: one sample, and a batch of 1000.
    case inference
    /// The Fashion-MNIST CNN of the layers issue: conv 32 3×3 same, pool 2, conv 64 3×3 same,
    /// pool 2, dense 128, dropout 0.3, dense 10; ReLU, batch 64, Adam (lr 0.001), one epoch.
    case cnn
    /// (g) Loading a 500,000 × 31 numeric CSV (written by compare.py) into a Float data set.
    case csv
    /// The sequence issue's character model on the wamerican words: embedding 32, LSTM 128,
    /// dense 27, context 16, batch 64, Adam (lr 0.001), one epoch.
    case lstm
    /// The FMA peak of the chosen instruction set, for the products' "% of peak".
    case peak

    func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        switch self {
        case .sin: try SinWorkload.run(options)
        case .mazur: try MazurWorkload.run(options)
        case .mlp:
            try MLPWorkload.run(
                options, sizes: [784, options.hidden ?? 256, 128, 10], relu: true,
                batch: options.batch ?? 64, adam: true)
        case .smallMLP:
            try MLPWorkload.run(
                options, sizes: [784, options.hidden ?? 64, 10], relu: false,
                batch: options.batch ?? 32, adam: false)
        case .matmul: MatmulWorkload.run(options)
        case .inference: try InferenceWorkload.run(options)
        case .cnn: try CNNWorkload.run(options)
        case .csv: try CSVWorkload.run(options)
        case .lstm: try LSTMWorkload.run(options)
        case .peak: PeakWorkload.run(options)
        }
    }
}
