// GFLOP/s of the matrix-product kernel in each layout the layers use, Float, one thread.
// Layouts are interleaved round by round; the median of the rounds is reported.
//
// Run: swift run -c release MatrixMultiplyBenchmark [rounds]
import Foundation
import NNCore

let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5
let shapes = [(64, 256, 784), (256, 256, 256)]
let layouts = [(false, false), (true, false), (false, true), (true, true)]

func seconds(_ m: Int, _ n: Int, _ k: Int, _ transposes: (Bool, Bool), _ a: [Float], _ b: [Float], _ c: inout [Float], repetitions: Int) -> Double {
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

print("Float, one thread, median of \(rounds) interleaved rounds")
for (m, n, k) in shapes {
    var generator = SeededRandomGenerator(seed: 1)
    let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() }, b = (0..<(k * n)).map { _ in generator.nextUniformFloat() }
    var c = [Float](repeating: 0, count: m * n)
    var times = Array(repeating: [Double](), count: layouts.count)
    for _ in 0..<rounds {
        for (index, layout) in layouts.enumerated() { times[index].append(seconds(m, n, k, layout, a, b, &c, repetitions: 10)) }
    }
    for (index, layout) in layouts.enumerated() {
        let median = times[index].sorted()[rounds / 2]
        let name = (layout.0 ? "Aᵀ" : "A") + "·" + (layout.1 ? "Bᵀ" : "B")
        let rate: Double = 2 * Double(m * n * k) / median / 1e9
        print("\(m)×\(n)×\(k)  \(name.padding(toLength: 6, withPad: " ", startingAt: 0))  \((rate * 10).rounded() / 10) GFLOP/s")
    }
}
