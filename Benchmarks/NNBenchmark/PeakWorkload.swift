import CNNKernels
import Dispatch
import Foundation
import NN

/// The machine's single-precision FMA peak for the instruction set the kernels chose: a
/// register-only loop of independent multiply-adds (`nn_fma_peak_loop`) on `--threads`
/// threads at once, the fastest of 5 timings (a peak: what the core reaches when nothing
/// slows it). The products' GFLOP/s are reported against it.
enum PeakWorkload {
    static func run(_ options: BenchmarkOptions) -> [BenchmarkResult] {
        let set = nn_best_instruction_set()
        let iterations = 40_000_000, threads = options.threads
        let flops = Double(nn_fma_peak_flops_per_iteration(set)) * Double(iterations) * Double(threads)
        var timings: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                let sink = nn_fma_peak_loop(set, iterations)
                if sink.isNaN { print("unreachable") }   // keeps the loop's result alive
            }
            timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let seconds = timings.min() ?? 1
        return [BenchmarkResult(workload: "peak", values: [("gflops", flops / seconds / 1e9), ("seconds", seconds)])]
    }
}
