// The workloads of the side-by-side benchmark (Benchmarks/README.md), in swift-nn. One run
// of one workload per process, so that `Benchmarks/compare.py` can interleave it with the
// same workload in PyTorch, NumPy and JAX, pin each process to the same cores, and print
// one table. Prints one JSON object per line.
//
//   swift run -c release NNBenchmark WORKLOAD [--threads N] [--epochs N] [--samples N]
//                                        [--batch N] [--hidden N] [--data FOLDER | FILE.csv]
//
// WORKLOAD: sin | mazur | mlp | small-mlp | matmul | inference | cnn | csv | lstm | peak
import Foundation
import NN

do {
    let options = try BenchmarkOptions(CommandLine.arguments.dropFirst())
    KernelThreads.count = options.threads
    for result in try options.workload.run(options) {
        print(result.json)
    }
} catch {
    FileHandle.standardError.write(Data("NNBenchmark: \(error)\n".utf8))
    exit(2)
}
