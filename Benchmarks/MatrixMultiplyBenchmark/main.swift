// GFLOP/s of the single-precision matrix product, in each layout the layers use, with 1
// and 2 threads. Contenders are interleaved round by round; the median is reported.
//
// Run: swift run -c release MatrixMultiplyBenchmark [rounds]
import Foundation
import NNCore

let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5
// The last four are weight gradients (Aᵀ·B) of the MLP and the CNN: 256×128×64 (MLP, batch 64),
// 3136×128×64 (the CNN's dense layer), 288×64×12544 and 9×32×50176 (its convolutions).
let shapes = [
    (1024, 1024, 1024), (256, 256, 256), (64, 256, 784), (32, 12, 64), (1, 256, 784), (1, 128, 256),
    (256, 128, 64), (3136, 128, 64), (288, 64, 12544), (9, 32, 50176),
]
let layouts = [(false, false), (true, false), (false, true), (true, true)]
let threadCounts = [1, 2]

func seconds(_ m: Int, _ n: Int, _ k: Int, _ transposes: (Bool, Bool), _ a: [Float], _ b: [Float], _ c: inout [Float]) -> Double {
    let flops = 2.0 * Double(m * n * k)
    let repetitions = max(1, Int(2e9 / flops / 10))   // about 10 ms per sample at 200 GFLOP/s
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<repetitions {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    Float.matrixMultiply(a, transposed: transposes.0, b, transposed: transposes.1, into: c, m: m, n: n, k: k, accumulate: false)
                }
            }
        }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repetitions)
}

print("Float, \(KernelThreads.instructionSet) micro-kernel, median of \(rounds) interleaved rounds")
print("shape m×n×k      layout  " + threadCounts.map { "\($0) thread(s)" }.joined(separator: "  "))
for (m, n, k) in shapes {
    var generator = SeededRandomGenerator(seed: 1)
    let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() }, b = (0..<(k * n)).map { _ in generator.nextUniformFloat() }
    var c = [Float](repeating: 0, count: m * n)
    var times = Array(repeating: Array(repeating: [Double](), count: threadCounts.count), count: layouts.count)
    for _ in 0..<rounds {
        for (index, layout) in layouts.enumerated() {
            for (t, threads) in threadCounts.enumerated() {
                KernelThreads.count = threads
                times[index][t].append(seconds(m, n, k, layout, a, b, &c))
            }
        }
    }
    for (index, layout) in layouts.enumerated() {
        let name = (layout.0 ? "Aᵀ" : "A") + "·" + (layout.1 ? "Bᵀ" : "B")
        let rates = times[index].map { samples -> String in
            let rate = 2 * Double(m * n * k) / samples.sorted()[rounds / 2] / 1e9
            return String(format: "%8.1f GFLOP/s", rate)
        }
        print(
            "\("\(m)×\(n)×\(k)".padding(toLength: 16, withPad: " ", startingAt: 0)) \(name.padding(toLength: 6, withPad: " ", startingAt: 0))  "
                + rates.joined(separator: "  "))
    }
}
